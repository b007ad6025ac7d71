/**
 * The world before t = 0 (docs/SIMULATOR.md "Time"): the initial configuration, 'auto' executors sized for the arrival
 * rate of the minute before the warm-up interval, and the warm-up interval itself, which starts from the initial
 * executors as they last served and the processed-load EWMA at the arrival rate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../core/types.ts';
import { SparkIotEnv } from './spark-iot-env.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';
import { close, flatConfig, flatEnv, flatTrace, recordOf, snapshotOf } from './test-flat-world.ts';

const initialExecutors = (info: unknown): number => (info as SparkIotInfo).action.executors;

// Nominal capacity of one executor for 1000 B messages at nvme + lz4 (docs/SIMULATOR.md "Cluster", "Shuffle").
const NOMINAL_MSGS_PER_S = 1 / (200e-6 + 1000 / 362e6 + (2 * (1000 / 4.04)) / 1500e6 + 1000 / 1470e6);

test("'auto' executors = ceil(1.3 x the mean arrival rate of the minute before the warm-up interval / nominal capacity)", () => {
  // A looped ramp (500, 1000, ..., 50,000 msgs/s over 100 s) replayed from a random point: which minute is averaged
  // changes the answer by executors.
  const ramp = Array.from({ length: 100 }, (_, i) => 500 * (i + 1));
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 2, trace: flatTrace(0, ramp), rescaleTrace: false, config: { cluster: { initial: { executors: 'auto' } } } });
  const sizes = new Set<number>();
  for (let seed = 1; seed <= 30; seed++) {
    const got = initialExecutors(env.reset({ seed }).info);
    const { arrivalsMsgs, offsetS } = env.exogenous();
    // The warm-up interval is cloud seconds -10..-1; the minute before it is -70..-11.
    let sum = 0;
    for (let t = -70; t < -10; t++) sum += arrivalsMsgs[offsetS + t]!;
    const expected = Math.min(20, Math.max(1, Math.ceil((1.3 * sum) / 60 / NOMINAL_MSGS_PER_S)));
    assert.equal(got, expected, `seed ${seed}: mean ${sum / 60} msgs/s`);
    sizes.add(got);
  }
  assert.ok(sizes.size >= 5, `the ramp gives different sizes (${[...sizes].join(', ')})`);
});

test("'auto' executors stay within 1..maxExecutors: one for an idle world, twenty for one beyond the cluster", () => {
  const auto = flatConfig({ executors: 'auto', memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  assert.equal(initialExecutors(flatEnv(0, auto).reset({ seed: 1 }).info), 1);
  // 1.3 x 200,000 / 4,907 = 53 executors wanted.
  assert.equal(initialExecutors(flatEnv(200_000, auto).reset({ seed: 1 }).info), 20);
  assert.equal(initialExecutors(flatEnv(200_000, flatConfig({ executors: 'auto', memoryGb: 4, tier: 'nvme', codec: 'lz4', cluster: { maxExecutors: 12 } })).reset({ seed: 1 }).info), 12);
});

test('an overloaded warm-up: second by second from the initial executors as they last served and the load EWMA at the arrival rate', () => {
  // Two 1 GB executors against 20,000 msgs/s on redis without a codec. Per second (docs/SIMULATOR.md "Cluster"):
  //   working set per executor = 0.5 + (EWMA / executors that served last) x 1000 B x 60 s x 6 / 1e9 GB,
  //   slowdown at u = working set / 1 GB: 1 + 3(u - 1) up to u = 2, then + 10(u - 2),
  //   capacity = 2 executor-s / (200 us x slowdown + 2 us + 2e-12 s), served oldest first,
  //   EWMA += (processed - EWMA) / 20.
  // Before the first second the executors have been running (two served) and the EWMA is the arrival rate.
  const slowdown = (u: number): number => (u <= 1 ? 1 : u <= 2 ? 1 + 3 * (u - 1) : 1 + 3 + 10 * (u - 2));
  let ewma = 20_000;
  let backlog = 0;
  let processed = 0;
  let workingSetGb = 0;
  const interval = (): void => {
    processed = 0;
    for (let k = 0; k < 10; k++) {
      backlog += 20_000;
      workingSetGb = 0.5 + ((ewma / 2) * 1000 * 60 * 6) / 1e9;
      const capacity = 2 / (200e-6 * slowdown(workingSetGb) + 2e-6 + 2e-12);
      const served = Math.min(backlog, capacity);
      backlog -= served;
      processed += served;
      ewma += (served - ewma) / 20;
    }
  };
  const env = flatEnv(20_000, flatConfig({ executors: 2, memoryGb: 1, tier: 'redis', codec: 'none' }));
  interval();
  const s0 = snapshotOf(env.reset({ seed: 1 }).info);
  close(s0.processedRateMsgsPerS, processed / 10, 1e-9 * processed, 'warm-up processed rate');
  close(s0.backlogMsgs, backlog, 1e-6 * backlog, 'backlog at t = 0');
  close(s0.memoryUtilization, workingSetGb, 1e-9, 'working set of the last second / 1 GB');
  const hold: Action = { executors: 2, memoryGb: 1, tier: 'redis', codec: 'none' };
  for (let k = 1; k <= 2; k++) {
    interval();
    const r = recordOf(env.stepAction(hold).info);
    close(r.processedRateMsgsPerS, processed / 10, 1e-9 * processed, `step ${k} processed rate`);
    close(r.backlogMsgs, backlog, 1e-6 * backlog, `step ${k} backlog`);
  }
});

test('the load EWMA of the warm-up starts at the arrival rate of its first second (t = -10)', () => {
  // The looped ramp again, with twenty 4 GB executors serving every message in its second: the working set of the
  // warm-up's last second is 0.5 + (EWMA / 20) x 1000 B x 60 s x 6 / 1e9 GB.
  const ramp = Array.from({ length: 100 }, (_, i) => 500 * (i + 1));
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 2, trace: flatTrace(0, ramp), rescaleTrace: false, config: { cluster: { initial: { executors: 20 } } } });
  for (let seed = 1; seed <= 5; seed++) {
    const s0 = snapshotOf(env.reset({ seed }).info);
    const { arrivalsMsgs, offsetS } = env.exogenous();
    let ewma = arrivalsMsgs[offsetS - 10]!;
    let workingSetGb = 0;
    for (let t = -10; t < 0; t++) {
      workingSetGb = 0.5 + ((ewma / 20) * 1000 * 60 * 6) / 1e9;
      ewma += (arrivalsMsgs[offsetS + t]! - ewma) / 20;
    }
    assert.equal(s0.backlogMsgs, 0);
    close(s0.memoryUtilization, workingSetGb / 4, 1e-12, `seed ${seed}`);
  }
});
