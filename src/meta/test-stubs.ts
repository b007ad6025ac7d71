/**
 * Stand-ins for the tests of src/meta and the meta report, so they need no trained checkpoint: a lower-level
 * policy that reads the weight features of its observation (more latency weight -> more executors) and a
 * meta-controller that puts the cost weight up in the budget mode and the latency weight up in the critical mode.
 */
import type { Action } from '../core/types.ts';
import { OBSERVATION_FEATURES } from '../control/observation.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';

const A = OBSERVATION_FEATURES.indexOf('alpha');
const B = OBSERVATION_FEATURES.indexOf('beta');

export class WeightReadingStub implements Policy {
  readonly id = 'weight-reading-stub';
  /** The weight features of every observation it was shown (for assertions). */
  readonly seen: { alpha: number; beta: number; gamma: number }[] = [];
  reset(_seed: number): void {
    this.seen.length = 0;
  }
  act(obs: Float32Array, ctx: PolicyContext): Action {
    this.seen.push({ alpha: obs[A]!, beta: obs[B]!, gamma: obs[B + 1]! });
    const headroom = 0.8 + 1.2 * obs[B]! - 0.3 * obs[A]!;
    const need = (ctx.snapshot.arrivalRateMsgsPerS * headroom) / ctx.executorCapacityMsgsPerS;
    return { executors: Math.min(20, Math.max(1, Math.ceil(need))), memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  }
}

/** Raw weights by mode one-hot (meta features 0-2). */
export function modeRuleMeta(obs: Float32Array): number[] {
  if (obs[1] === 1) return [0.9, 0.05, 0.05];
  if (obs[2] === 1) return [0.05, 0.9, 0.05];
  return [0.34, 0.33, 0.33];
}
