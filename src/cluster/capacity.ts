/**
 * Nominal capacity of one executor (msgs/s) at adequate memory with Spark's default shuffle (nvme, lz4). One formula
 * for the simulator (PolicyContext.executorCapacityMsgsPerS) and the live controller, so a policy sees in production
 * the figure it saw in training.
 */
import type { ScenarioConfig, SimConfig } from '../core/config.ts';
import { shuffleExecS } from '../shuffle/model.ts';
import { computeSPerMsg } from './memory.ts';

export function nominalExecutorCapacityMsgsPerS(config: SimConfig, scenario: ScenarioConfig): number {
  const bytes = scenario.messageBytes;
  return 1 / (computeSPerMsg(bytes, config.cluster) + shuffleExecS(bytes * config.shuffle.bytesPerInputByte, config.shuffle.tiers.nvme, config.shuffle.codecs.lz4));
}
