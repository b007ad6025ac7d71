/**
 * Executor compute and memory model: executor time per message, the working set of an executor and the slowdown
 * when it does not fit (spill to disk, then task failures and retries far below the working set).
 */
import type { SimConfig } from '../core/config.ts';

type ClusterConfig = SimConfig['cluster'];

/** Executor-seconds of compute per message of `messageBytes` at adequate memory. */
export function computeSPerMsg(messageBytes: number, c: ClusterConfig): number {
  return (c.computeUsPerMsg + c.computeUsPerByte * messageBytes) * 1e-6;
}

/** Working set (GB) of an executor handling `loadMsgsPerS` messages of `messageBytes` each. */
export function workingSetGb(loadMsgsPerS: number, messageBytes: number, c: ClusterConfig): number {
  return c.overheadGb + (loadMsgsPerS * messageBytes * c.stateWindowS * c.stateExpansion) / 1e9;
}

/** Compute-time multiplier at memory utilization u = working set / memory. */
export function memorySlowdown(u: number, c: ClusterConfig): number {
  if (u <= 1) return 1;
  if (u <= c.oomRatio) return 1 + c.spillSlope * (u - 1);
  return 1 + c.spillSlope * (c.oomRatio - 1) + c.retrySlope * (u - c.oomRatio);
}

/** Billed rate of one executor, USD per second. */
export function executorUsdPerS(memoryGb: number, config: SimConfig): number {
  const p = config.pricing;
  return (config.cluster.coresPerExecutor * p.vcpuUsdPerHour + memoryGb * p.memoryUsdPerGbHour) / 3600;
}
