/**
 * `spark-dra`: Spark core dynamic allocation (ExecutorAllocationManager), anchors.md section 1.3 [read].
 *  - While tasks are backlogged, a request round fires after schedulerBacklogTimeout (1 s) and then every
 *    sustainedSchedulerBacklogTimeout (1 s); each round adds 1, 2, 4, 8, ... executors (numExecutorsToAdd doubles when
 *    the whole amount was granted, else resets to 1); a 10 s control step therefore holds 10 rounds.
 *  - The target is capped each tick by maxNeeded = ceil(tasks x executorAllocationRatio / tasksPerExecutor) and
 *    lowered to maxNeeded when demand falls (numExecutorsToAdd resets to 1): pending requests above it are cancelled,
 *    running executors stay until their idle timeout.
 *  - An executor idle for executorIdleTimeout (60 s) is removed.
 * Mapping to this world: one micro-batch per control step; its tasks are the messages it must process
 * (backlog + one interval of arrivals) in units of one task slot's work, so maxNeeded =
 * ceil((backlog + rate x interval) / (executorCapacity x interval)). Tasks are backlogged when maxNeeded exceeds the
 * executors serving now. Executors not needed by maxNeeded in every one of the last 60 s count as idle and are
 * removed; this is generous to DRA, since with micro-batches spread over all executors real ones are rarely idle
 * for 60 s (anchors.md section 1.4, opensearch-spark #302).
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { SensibleResources } from './sensible-config.ts';
import { clampExecutors, secondsToSteps, Window } from './timing.ts';

export interface SparkDraSettings {
  schedulerBacklogTimeoutS: number;
  sustainedSchedulerBacklogTimeoutS: number;
  executorIdleTimeoutS: number;
  executorAllocationRatio: number;
  minExecutors: number;
  maxExecutors: number;
}

export const SPARK_DRA_SETTINGS: SparkDraSettings = {
  schedulerBacklogTimeoutS: 1,
  sustainedSchedulerBacklogTimeoutS: 1,
  executorIdleTimeoutS: 60,
  executorAllocationRatio: 1.0,
  minExecutors: 1, // Spark's default is 0; the action space floors at 1
  maxExecutors: 20, // Spark's default is infinity; the action space caps at 20
};

/** maxNeeded for one micro-batch, in executors. */
export function draMaxNeeded(backlogMsgs: number, arrivalRateMsgsPerS: number, executorCapacityMsgsPerS: number, intervalS: number, ratio = 1): number {
  const work = Math.max(0, backlogMsgs) + Math.max(0, arrivalRateMsgsPerS) * intervalS;
  return Math.ceil((work * ratio) / (executorCapacityMsgsPerS * intervalS));
}

/** The request rounds of one control step: returns the new target and the next numExecutorsToAdd. */
export function draRampRounds(target: number, numToAdd: number, maxNeeded: number, maxExecutors: number, rounds: number): { target: number; numToAdd: number } {
  for (let r = 0; r < rounds; r++) {
    if (target >= maxNeeded || target >= maxExecutors) {
      numToAdd = 1;
      break;
    }
    const old = target;
    target = Math.min(target + numToAdd, maxNeeded, maxExecutors);
    const delta = target - old;
    numToAdd = delta === numToAdd ? numToAdd * 2 : 1;
  }
  return { target, numToAdd };
}

export class SparkDraPolicy implements Policy {
  readonly id = 'spark-dra';
  private readonly resources = new SensibleResources();
  private numToAdd = 1;
  private backloggedForS = 0;
  private excess: Window | null = null;

  constructor(readonly settings: SparkDraSettings = SPARK_DRA_SETTINGS) {}

  reset(_seed: number): void {
    this.resources.reset();
    this.numToAdd = 1;
    this.backloggedForS = 0;
    this.excess = null;
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    const s = this.settings;
    const snap = ctx.snapshot;
    this.resources.observe(snap);
    const interval = ctx.controlIntervalS;
    this.excess ??= new Window(secondsToSteps(s.executorIdleTimeoutS, interval));
    const maxNeeded = clampExecutors(
      draMaxNeeded(snap.backlogMsgs, snap.arrivalRateMsgsPerS, ctx.executorCapacityMsgsPerS, interval, s.executorAllocationRatio),
      s.minExecutors,
      s.maxExecutors,
    );
    let target = ctx.currentAction.executors;
    // Demand fell below the target: upstream lowers the target to maxNeeded at once, which cancels the pending
    // requests (on Kubernetes the allocator deletes pods not yet running); running executors wait for their idle timeout.
    if (maxNeeded < target) target = Math.min(target, Math.max(maxNeeded, snap.executorsRunning));

    if (maxNeeded > snap.executorsRunning) {
      // Backlogged: rounds at 1 s, then every 1 s, within this step (the first step of a backlog loses the 1 s timeout).
      const first = this.backloggedForS === 0 ? s.schedulerBacklogTimeoutS : 0;
      const rounds = Math.max(0, Math.floor((interval - first) / s.sustainedSchedulerBacklogTimeoutS) + (first > 0 ? 1 : 0));
      this.backloggedForS += interval;
      ({ target, numToAdd: this.numToAdd } = draRampRounds(target, this.numToAdd, maxNeeded, s.maxExecutors, rounds));
    } else {
      this.backloggedForS = 0;
      this.numToAdd = 1;
    }

    // Idle removal: executors beyond maxNeeded throughout the last 60 s go away.
    this.excess.push(Math.max(0, target - maxNeeded));
    if (this.excess.full) {
      const idle = this.excess.min();
      if (idle > 0) {
        target -= idle;
        this.excess.addToAll(-idle); // the others keep their own idle timers
      }
    }
    return this.resources.action(clampExecutors(target, s.minExecutors, s.maxExecutors), ctx.currentAction);
  }
}
