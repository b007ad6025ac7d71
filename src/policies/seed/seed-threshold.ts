/**
 * seed-threshold: the spec author's "oracle cheap-safe" three-line rule (original-system.md §6.4), which has the
 * same information as Seer and beats every original policy: executors = ceil(100·obs11/920/8), 8 GB, Redis, no
 * compression. 100·W/(E·8) is the compute latency (§1.5); sizing it to <= 920 ms leaves 80 ms for Redis shuffle
 * access (at most 5·250/100 = 12.5 ms), so no step exceeds the 1000 ms SLA.
 */
import type { Action } from '../../core/types.ts';
import { MAX_EXECUTORS } from '../../core/action.ts';
import { COMPUTE_MS_FACTOR, SEED_OBS } from '../../env/seed-compat-env.ts';
import type { Policy, PolicyContext } from '../types.ts';

const TARGET_COMPUTE_MS = 920;
const MEMORY_GB = 8;

export class SeedThresholdPolicy implements Policy {
  readonly id = 'seed-threshold';

  reset(_seed: number): void {}

  act(obs: Float32Array, _context: PolicyContext): Action {
    const nextWorkload = obs[SEED_OBS.nextWorkload]!;
    const executors = Math.ceil((COMPUTE_MS_FACTOR * nextWorkload) / TARGET_COMPUTE_MS / MEMORY_GB);
    return { executors: Math.min(MAX_EXECUTORS, Math.max(1, executors)), memoryGb: MEMORY_GB, tier: 'redis', codec: 'none' };
  }
}
