/**
 * The residual action: a correction to a model-based base action (src/policies/forecast-sizing.ts) instead of an
 * absolute choice. Why: the forecast-sizing rule alone sits close to the clairvoyant cost front on smooth load, where
 * the absolute PPO pays 1.1-1.4x (docs/BENCHMARKS.md "How far foresight gets"), but it collapses on on/off load;
 * learning only the corrections keeps the rule's sizing and lets the agent learn the headroom the rule lacks.
 *
 * MultiDiscrete [12, 4, 5, 4]:
 * - executors: base + offset, offset in -3..+8 (headroom for on/off load up to 8; trimming down to 3), clamped to
 *   1..MAX_EXECUTORS;
 * - memory: base + offset, offset in -1..+2 GB, clamped to 1..MAX_MEMORY_GB;
 * - tier: index 0 keeps the base's tier, 1..4 pick TIERS[i - 1];
 * - codec: index 0 keeps the base's codec, 1..3 pick CODECS[i - 1].
 */
import { MAX_EXECUTORS, MAX_MEMORY_GB, InvalidActionValueError } from './action.ts';
import { multiDiscrete } from './spaces.ts';
import { CODECS, TIERS, type Action } from './types.ts';

export const RESIDUAL_EXECUTOR_OFFSETS = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
export const RESIDUAL_MEMORY_OFFSETS_GB = [-1, 0, 1, 2] as const;
export const RESIDUAL_NVEC = [RESIDUAL_EXECUTOR_OFFSETS.length, RESIDUAL_MEMORY_OFFSETS_GB.length, TIERS.length + 1, CODECS.length + 1] as const;
export const residualActionSpace = multiDiscrete(RESIDUAL_NVEC);

/** The residual that leaves the base action unchanged (offsets 0, keep tier and codec). */
export const IDENTITY_RESIDUAL: readonly number[] = [RESIDUAL_EXECUTOR_OFFSETS.indexOf(0), RESIDUAL_MEMORY_OFFSETS_GB.indexOf(0), 0, 0];

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** The absolute action: `base` corrected by the residual indices (throws on indices outside RESIDUAL_NVEC). */
export function applyResidual(base: Action, index: ArrayLike<number>): Action {
  if (!index || typeof index.length !== 'number' || index.length !== 4) {
    throw new InvalidActionValueError(`residual action must have 4 indices [executor offset 0-11, memory offset 0-3, tier 0-4, codec 0-3], got ${JSON.stringify(Array.from(index ?? []))}`);
  }
  const names = ['executor offset', 'memory offset', 'tier', 'codec'];
  for (let i = 0; i < 4; i++) {
    const v = index[i]!;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= RESIDUAL_NVEC[i]!) {
      throw new InvalidActionValueError(`residual action index ${i} (${names[i]}) must be an integer in [0, ${RESIDUAL_NVEC[i]! - 1}], got ${v}`);
    }
  }
  return {
    executors: clamp(base.executors + RESIDUAL_EXECUTOR_OFFSETS[index[0]!]!, 1, MAX_EXECUTORS),
    memoryGb: clamp(base.memoryGb + RESIDUAL_MEMORY_OFFSETS_GB[index[1]!]!, 1, MAX_MEMORY_GB),
    tier: index[2]! === 0 ? base.tier : TIERS[index[2]! - 1]!,
    codec: index[3]! === 0 ? base.codec : CODECS[index[3]! - 1]!,
  };
}
