/**
 * What one missing seq costs the dedup (src/runtime/devices/dedup.ts): a device sends seqs 0..N with seq 1 never
 * arriving (e.g. a reading the validator refused), then seq 1 late, then restarts at seq 0 with a later sentAtMs.
 * Prints the seqs held in memory, the heap growth and what each late message was taken for. Before the reorder
 * window the watermark stayed at 1 and all N - 1 later seqs were held.
 * Then 1000 devices first seen a million seqs in (the gateway or the engine restarted, the devices did not).
 * Run: node --expose-gc --import tsx scripts/experiments/dedup-gap-memory.mts [--n 1000000]
 */
import './stdout-pipe.ts';
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

// A restarted gateway or engine meets devices far into their seqs: 1000 devices first seen at seq 1e6, 200 messages
// each. Before session 18 each device's run started at 0, so every earlier seq was given up and the window filled.
{
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const joined = new SeqDeduper();
  for (let k = 0; k < 200; k++) for (let d = 0; d < 1000; d++) joined.accept(`dev-${d}`, 1_000_000 + k, 1_700_000_000_000 + 1000 * k);
  gc?.();
  const mb = (process.memoryUsage().heapUsed - before) / 1048576;
  const listed = [...joined.gaps().values()].reduce((sum, g) => sum + g.length, 0);
  console.log(`1000 devices first seen at seq 1e6, 200 messages each: accepted ${joined.unique}, given up ${joined.givenUp}, forgotten ${joined.forgotten}, ${joined.trackedSeqs} seqs held, ${listed} listed as gaps, heap ${mb.toFixed(1)} MiB, contiguous ${joined.contiguous('dev-0')}, joined mid-stream ${joined.joinedMidStream}`);
}
