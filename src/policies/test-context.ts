/**
 * A PolicyContext for the baselines' unit tests: a snapshot with neutral defaults (override any field), the action in
 * force at `executors` executors, 100 msgs/s nominal capacity per executor and a 10 s control interval.
 */
import type { SystemSnapshot } from '../core/types.ts';
import type { PolicyContext } from './types.ts';

/** Nominal executor capacity (msgs/s) in these contexts. */
export const CAP = 100;

/** Baselines ignore the observation vector; they read the context. */
export const obs = new Float32Array(0);

export function ctx(snap: Partial<SystemSnapshot> = {}, executors = 4, extra: Partial<PolicyContext> = {}): PolicyContext {
  const snapshot: SystemSnapshot = {
    tSeconds: 0,
    arrivalRateMsgsPerS: 0,
    processedRateMsgsPerS: 0,
    backlogMsgs: 0,
    p95LatencyMs: 100,
    cpuUtilization: 0.7,
    memoryUtilization: 0.5,
    executorsRunning: executors,
    executorsStarting: 0,
    executorsDraining: 0,
    memoryPerExecutorGb: 4,
    tier: 'nvme',
    codec: 'lz4',
    shuffleBytes: 0,
    observedReuse: 0.5,
    costRateUsdPerHour: 1,
    costUsd: 0.01,
    droppedMsgs: 0,
    meanMessageBytes: 1000,
    ...snap,
  };
  return {
    snapshot,
    forecast: { predictedRateMsgsPerS: snapshot.arrivalRateMsgsPerS, burstProbability: 0, horizonS: 30, gatewayId: 'g' },
    weights: { alpha: 1, beta: 1, gamma: 1 },
    scenario: 'balanced',
    slaP95LatencyMs: 1000,
    controlIntervalS: 10,
    currentAction: { executors, memoryGb: 4, tier: 'nvme', codec: 'lz4' },
    executorCapacityMsgsPerS: CAP,
    ...extra,
  };
}
