/**
 * DryRunActuator: carries nothing into the world, only records what it would have done. The controller runs with it
 * when no engine or cluster is attached (`edgepilot edge --dry-run`, tests), and it is the reference for what every
 * real actuator reports: which fields changed and whether that would be live or a restart.
 */
import { actionsEqual } from '../core/action.ts';
import type { Action } from '../core/types.ts';
import type { Actuator, AppliedAction } from './types.ts';

export interface DryRunEntry {
  /** Sequence number of the apply() call, from 0. */
  index: number;
  action: Action;
  /** Human-readable changes against the previous action ("executors 3 -> 5"). */
  changes: string[];
}

export class DryRunActuator implements Actuator {
  readonly id = 'dry-run';
  /** Everything apply() was asked to do, oldest first (bounded by maxHistory). */
  readonly history: DryRunEntry[] = [];
  private previous: Action | null;
  private calls = 0;

  constructor(
    initial: Action | null = null,
    private readonly maxHistory = 10_000,
  ) {
    this.previous = initial ? { ...initial } : null;
  }

  get applyCount(): number {
    return this.calls;
  }

  /** The action it would have in force now. */
  get current(): Action | null {
    return this.previous ? { ...this.previous } : null;
  }

  async apply(action: Action): Promise<AppliedAction> {
    const changes = describeChanges(this.previous, action);
    this.history.push({ index: this.calls++, action: { ...action }, changes });
    if (this.history.length > this.maxHistory) this.history.shift();
    const unchanged = this.previous !== null && actionsEqual(this.previous, action);
    this.previous = { ...action };
    return {
      action: { ...action },
      path: 'dry-run',
      notes: unchanged ? ['dry-run: no change'] : [`dry-run: would apply ${changes.join(', ')}`],
    };
  }
}

export function describeChanges(previous: Action | null, next: Action): string[] {
  if (previous === null) return [`executors ${next.executors}, memoryGb ${next.memoryGb}, tier ${next.tier}, codec ${next.codec}`];
  const out: string[] = [];
  if (previous.executors !== next.executors) out.push(`executors ${previous.executors} -> ${next.executors}`);
  if (previous.memoryGb !== next.memoryGb) out.push(`memoryGb ${previous.memoryGb} -> ${next.memoryGb}`);
  if (previous.tier !== next.tier) out.push(`tier ${previous.tier} -> ${next.tier}`);
  if (previous.codec !== next.codec) out.push(`codec ${previous.codec} -> ${next.codec}`);
  return out;
}
