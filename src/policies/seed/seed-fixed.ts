/** seed-fixed: the original's "Fixed (Static)" baseline, always [14, 3, 1, 1] (original-system.md §6.1). */
import { decodeAction } from '../../core/action.ts';
import type { Action } from '../../core/types.ts';
import type { Policy, PolicyContext } from '../types.ts';

/** 15 executors x 4 GB, NVMe, light compression. */
export const SEED_FIXED_ACTION_INDEX = [14, 3, 1, 1] as const;

export class SeedFixedPolicy implements Policy {
  readonly id = 'seed-fixed';
  private readonly action: Action = decodeAction(SEED_FIXED_ACTION_INDEX);

  reset(_seed: number): void {}

  act(_obs: Float32Array, _context: PolicyContext): Action {
    return { ...this.action };
  }
}
