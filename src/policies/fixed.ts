/**
 * `fixed`: static allocation of 15 executors, the original thesis's Fixed baseline
 * (original-system.md section 6.1: [14, 3, 1, 1] = 15 executors), but with sensible memory/tier/codec instead of the
 * original's 4 GB lock.
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { SensibleResources } from './sensible-config.ts';

export const FIXED_EXECUTORS = 15;

export class FixedPolicy implements Policy {
  readonly id = 'fixed';
  private readonly resources = new SensibleResources();

  constructor(readonly executors = FIXED_EXECUTORS) {}

  reset(_seed: number): void {
    this.resources.reset();
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    this.resources.observe(ctx.snapshot);
    return this.resources.action(this.executors, ctx.currentAction);
  }
}
