/**
 * Heap bytes per StepRecord held in memory (docs/REPORTS.md "Memory": the weights report still holds its records).
 * Run: node --expose-gc --import tsx scripts/experiments/step-record-bytes.ts
 */
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import type { SparkIotInfo, StepRecord } from '../../src/env/spark-iot-types.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 500 });
const held: StepRecord[] = [];
gc();
const before = process.memoryUsage().heapUsed;
for (let episode = 0; episode < 200; episode++) {
  env.reset({ seed: episode });
  for (let t = 0; t < 500; t++) held.push((env.stepAction({ executors: 5, memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info as unknown as SparkIotInfo).record!);
}
gc();
console.log(`${((process.memoryUsage().heapUsed - before) / held.length).toFixed(0)} bytes per StepRecord (${held.length} records)`);
