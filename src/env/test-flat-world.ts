/**
 * The flat world of the env tests (test helper only): a constant 1 s trace (arrivals = the rate exactly, 1000 B
 * messages = the balanced scenario's size, so nothing is rescaled), a constant reuse probability (reuseSigma 0),
 * deterministic 20 s cold starts and, unless a test asks for them, no re-reads. In it every number the env produces
 * can be derived by hand from docs/SIMULATOR.md.
 */
import assert from 'node:assert/strict';
import type { ConfigOverrides } from '../core/config.ts';
import type { Trace } from '../workload/trace-formats.ts';
import { SparkIotEnv, type SparkIotEnvOptions } from './spark-iot-env.ts';
import type { SparkIotInfo, StepRecord } from './spark-iot-types.ts';

/** A 1 s trace of `rate` msgs/s (or `rates`, looped) of 1000 B messages. */
export function flatTrace(rate: number, rates?: readonly number[]): Trace {
  const values = rates ?? new Array<number>(100).fill(rate);
  const n = values.length;
  return {
    name: `flat-${rate}.csv`,
    stepS: 1,
    tS: Float64Array.from({ length: n }, (_, i) => i),
    rate: Float64Array.from(values),
    size: new Float64Array(n).fill(1000),
  };
}

export interface FlatConfigOptions {
  executors: number | 'auto';
  memoryGb: number;
  tier: 'redis' | 'nvme' | 's3' | 'archive';
  codec: 'none' | 'lz4' | 'zstd';
  reuseMean?: number;
  rereadsPerReuse?: number;
  shuffle?: Record<string, unknown>;
  cluster?: Record<string, unknown>;
  sim?: Record<string, unknown>;
}

/** Config of the flat world; `cluster`, `shuffle` and `sim` are merged one level down. */
export function flatConfig(extra: FlatConfigOptions): ConfigOverrides {
  return {
    scenarios: { balanced: { reuseSigma: 0, reuseMean: extra.reuseMean ?? 0.5 } },
    cluster: { coldStart: { medianS: 20, sigma: 0, minS: 0, maxS: 120 }, initial: { executors: extra.executors, memoryGb: extra.memoryGb }, ...(extra.cluster ?? {}) },
    shuffle: { initialTier: extra.tier, initialCodec: extra.codec, rereadsPerReuse: extra.rereadsPerReuse ?? 0, ...(extra.shuffle ?? {}) },
    ...(extra.sim ? { sim: extra.sim } : {}),
  } as ConfigOverrides;
}

export function flatEnv(rate: number, config: ConfigOverrides, opts: SparkIotEnvOptions = {}): SparkIotEnv {
  return new SparkIotEnv({ scenario: 'balanced', maxSteps: 20, trace: flatTrace(rate), rescaleTrace: false, config, ...opts });
}

export const recordOf = (info: unknown): StepRecord => (info as SparkIotInfo).record!;
export const snapshotOf = (info: unknown) => (info as SparkIotInfo).snapshot;

export const close = (actual: number, expected: number, tol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs expected ${expected} (tol ${tol})`);
};
