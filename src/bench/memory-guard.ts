/**
 * The shuffle and edge reports (src/bench/reports/common.ts `runVariants`) keep every StepRecord of a run in memory
 * (their tables are computed from them, then from the steps file read back), about 600 bytes each (577 measured on
 * Node 20 by `node --expose-gc --import tsx scripts/experiments/step-record-bytes.ts`), and hold up to two copies at
 * once. A run that cannot fit in the heap would crash with "heap out of memory" after all its simulation work; this
 * check says so up front. `edgepilot bench` (src/bench/tournament.ts) and `edgepilot report meta`
 * (src/bench/reports/meta.ts) do not need it: they stream each record to the steps file as it is produced and keep
 * only per-run results (the meta report reads the file back as a stream too, one run at a time).
 */
import { getHeapStatistics } from 'node:v8';

/** Bytes per StepRecord held in memory, rounded up from the 577 measured. */
export const BYTES_PER_STEP_RECORD = 600;
/** Copies of the records a run may hold at its peak (in memory + read back from the file). */
const PEAK_COPIES = 2;

/** A run too large for the heap: a bad value of seeds x steps (the CLI prints it without a stack trace, exit 2). */
export class RunSizeValueError extends Error {
  override name = 'RunSizeValueError';
}

/** Throws a RunSizeValueError naming the run size, the heap and how to proceed when `rows` records would not fit. */
export function assertRunFitsInMemory(rows: number, what: string, heapLimitBytes = getHeapStatistics().heap_size_limit): void {
  const needBytes = rows * BYTES_PER_STEP_RECORD * PEAK_COPIES;
  // Leave a quarter of the heap for everything else (the simulator, the policies, the plots).
  if (needBytes <= 0.75 * heapLimitBytes) return;
  const gb = (b: number): string => (b / 2 ** 30).toFixed(1);
  const suggestMb = Math.ceil(needBytes / 0.75 / 2 ** 20 / 1024) * 1024;
  throw new RunSizeValueError(
    `${what}: ${rows.toLocaleString('en-US')} step records need about ${gb(needBytes)} GB of heap at the peak, more than this Node process has ` +
      `(${gb(heapLimitBytes)} GB). Use fewer seeds or steps, or raise the heap: NODE_OPTIONS=--max-old-space-size=${suggestMb}`,
  );
}
