/**
 * What one missing seq costs the dedup (src/runtime/devices/dedup.ts): a device sends seqs 0..N with seq 1 never
 * arriving (e.g. a reading the validator refused), then seq 1 late, then restarts at seq 0 with a later sentAtMs.
 * Prints the seqs held in memory, the heap growth and what each late message was taken for. Before the reorder
 * window the watermark stayed at 1 and all N - 1 later seqs were held.
 * Run: node --expose-gc --import tsx scripts/experiments/dedup-gap-memory.mts [--n 1000000]
 */
import { SeqDeduper } from '../../src/runtime/devices/dedup.ts';

const i = process.argv.indexOf('--n');
const n = i < 0 ? 1_000_000 : Number(process.argv[i + 1]);
if (!Number.isInteger(n) || n < 3) throw new Error(`--n must be an integer >= 3, got '${process.argv[i + 1]}'`);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const dedup = new SeqDeduper();
dedup.accept('dev', 0, 0);
for (let seq = 2; seq <= n; seq++) dedup.accept('dev', seq, seq);
gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
console.log(`${n} seqs after one missing: ${dedup.trackedSeqs} held, heap ${heapMb.toFixed(1)} MiB${gc ? '' : ' (no --expose-gc: heap figure includes garbage)'}, contiguous ${dedup.contiguous('dev')}`);
console.log(`the missing seq arrives late: ${dedup.accept('dev', 1, 1) ? 'accepted' : 'dropped'}; again: ${dedup.accept('dev', 1, 1) ? 'accepted' : 'dropped as a duplicate'}`);
console.log(`the device restarts at seq 0 (later sentAtMs): ${dedup.accept('dev', 0, n + 1) ? 'accepted' : 'dropped'} (restarts ${dedup.restarts}); an old copy of seq 5: ${dedup.accept('dev', 5, 5) ? 'accepted' : 'dropped as a duplicate'}`);
