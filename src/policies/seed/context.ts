/**
 * The adapter from SeedCompatEnv's raw 13-vector to the shared PolicyContext.
 *
 * The seed policies read `obs` directly (as the original's benchmarks/policies.py did) and ignore the context;
 * the context exists so they fit the one Policy interface, and so a policy written for the shared interface can
 * still be run on SeedCompatEnv. Every field is derived from the observation; where the original has no notion of
 * a quantity (there is no time, no cold start, no backlog), the field is 0 and says so.
 */
import type { Action } from '../../core/types.ts';
import { SEED_OBS } from '../../env/seed-compat-env.ts';
import type { PolicyContext } from '../types.ts';

/** The original tournament's SLA: latency > 1000 ms is a violation (original-system.md §6.2). */
export const SEED_SLA_LATENCY_MS = 1000;
/** The original tournament sums $/h values per step, i.e. each step counts as one hour (§6.2). */
export const SEED_STEP_SECONDS = 3600;
/**
 * Derived, not measured: compute latency = 100·W/(E·M) ms (§1.5) stays at or below the 1000 ms SLA while
 * W <= 10·E·M, i.e. 80 msgs/s per executor at the largest memory size, 8 GB.
 */
export const SEED_EXECUTOR_CAPACITY_MSGS_PER_S = 80;
/** Bytes per "MB" of the original (it divides MB by 1024 to get GB, so MiB). */
const BYTES_PER_MB = 1024 * 1024;

/** Builds a PolicyContext from a SeedCompatEnv observation and the action in force. */
export function seedPolicyContext(obs: Float32Array, currentAction: Action, scenario: string, stepIndex: number): PolicyContext {
  const o = (i: number): number => obs[i]!;
  return {
    snapshot: {
      tSeconds: stepIndex * SEED_STEP_SECONDS,
      arrivalRateMsgsPerS: o(SEED_OBS.workload),
      // The original's throughput is not a processed rate; it has no backlog, so everything arriving is "processed".
      processedRateMsgsPerS: o(SEED_OBS.workload),
      backlogMsgs: 0,
      p95LatencyMs: o(SEED_OBS.latency),
      cpuUtilization: o(SEED_OBS.cpuUtil) / 100,
      memoryUtilization: o(SEED_OBS.memUtil) / 100,
      executorsRunning: currentAction.executors,
      executorsStarting: 0,
      executorsDraining: 0,
      memoryPerExecutorGb: currentAction.memoryGb,
      tier: currentAction.tier,
      codec: currentAction.codec,
      shuffleBytes: o(SEED_OBS.shuffleSize) * BYTES_PER_MB,
      observedReuse: o(SEED_OBS.dataTemperature),
      costRateUsdPerHour: o(SEED_OBS.cost),
      costUsd: (o(SEED_OBS.cost) * SEED_STEP_SECONDS) / 3600,
      droppedMsgs: 0,
      meanMessageBytes: 0,
    },
    // obs 11/12 are the exact next workload and burst label (oracle, §1.10.3), passed through as the "forecast".
    forecast: {
      predictedRateMsgsPerS: o(SEED_OBS.nextWorkload),
      burstProbability: o(SEED_OBS.burstSignal),
      horizonS: SEED_STEP_SECONDS,
      gatewayId: 'seed-oracle',
    },
    weights: { alpha: o(SEED_OBS.alpha), beta: o(SEED_OBS.beta), gamma: o(SEED_OBS.gamma) },
    scenario,
    slaP95LatencyMs: SEED_SLA_LATENCY_MS,
    controlIntervalS: SEED_STEP_SECONDS,
    currentAction,
    executorCapacityMsgsPerS: SEED_EXECUTOR_CAPACITY_MSGS_PER_S,
  };
}
