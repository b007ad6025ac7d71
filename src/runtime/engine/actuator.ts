/**
 * LocalEngineActuator: the Actuator (src/control/types.ts) of the embedded engine. Everything applies live:
 * - executors -> pool size (new executors cold-start, removed ones drain);
 * - memoryGb -> per-executor memory budget; as design.md says, that replaces the executors (new ones at the new
 *   budget cold-start, old ones keep serving until replacements are ready, then drain);
 * - tier / codec -> shuffle settings for blocks written from now on (blocks already written stay where they are).
 */
import { validateAction } from '../../core/action.ts';
import type { Action } from '../../core/types.ts';
import type { Actuator, AppliedAction } from '../../control/types.ts';
import type { StreamEngine } from './engine.ts';

export class LocalEngineActuator implements Actuator {
  readonly id = 'local-engine';

  constructor(private readonly engine: StreamEngine) {}

  async apply(action: Action): Promise<AppliedAction> {
    validateAction(action);
    const before = this.engine.target;
    const notes: string[] = [];
    if (action.executors !== before.executors || action.memoryGb !== before.memoryGb) {
      const result = this.engine.scale(action.executors, action.memoryGb);
      if (action.memoryGb !== before.memoryGb) {
        notes.push(`memory ${before.memoryGb} -> ${action.memoryGb} GB per executor: executors are replaced (old ones serve until the new ones are ready)`);
      }
      if (action.executors !== before.executors) notes.push(`executors ${before.executors} -> ${action.executors}`);
      notes.push(`${result.spawned} requested (cold start ${this.engine.options.coldStartMs} ms), ${result.cancelled} cancelled while starting, ${result.drained} draining`);
    }
    if (action.tier !== before.tier || action.codec !== before.codec) {
      this.engine.selectShuffle({ tier: action.tier, codec: action.codec });
      if (action.tier !== before.tier) notes.push(`shuffle tier ${before.tier} -> ${action.tier} for new blocks`);
      if (action.codec !== before.codec) notes.push(`shuffle codec ${before.codec} -> ${action.codec} for new blocks`);
    }
    const applied = this.engine.target;
    return { action: { executors: applied.executors, memoryGb: applied.memoryGb, tier: applied.tier, codec: applied.codec }, path: notes.length === 0 ? 'noop' : 'live', notes };
  }
}
