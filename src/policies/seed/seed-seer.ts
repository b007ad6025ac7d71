/**
 * seed-seer: the original's "Seer (Predictive)" baseline exactly as coded (original-system.md §6.1):
 * executor index = int(obs 11 / 50) clamped to 0..19, always 4 GB, Redis, no compression. obs 11 is the exact next
 * workload, so Seer is clairvoyant; with 4 GB its compute latency is above 1000 ms for almost every W >= 200.
 */
import { decodeAction } from '../../core/action.ts';
import type { Action } from '../../core/types.ts';
import { SEED_OBS } from '../../env/seed-compat-env.ts';
import type { Policy, PolicyContext } from '../types.ts';

const MSGS_PER_S_PER_INDEX = 50;
const MAX_INDEX = 19;
/** Memory index 3 = 4 GB, tier 0 = Redis, codec 0 = none. */
const MEMORY_INDEX = 3;
const TIER_INDEX = 0;
const CODEC_INDEX = 0;

export class SeedSeerPolicy implements Policy {
  readonly id = 'seed-seer';

  reset(_seed: number): void {}

  act(obs: Float32Array, _context: PolicyContext): Action {
    // obs is float32 and numpy divides float32 by an int in float32: Math.fround reproduces that rounding.
    const index = Math.trunc(Math.fround(obs[SEED_OBS.nextWorkload]! / MSGS_PER_S_PER_INDEX));
    return decodeAction([Math.min(MAX_INDEX, Math.max(0, index)), MEMORY_INDEX, TIER_INDEX, CODEC_INDEX]);
  }
}
