/**
 * `spark-streaming-dra`: the DStreams streaming allocator (streaming/.../scheduler/ExecutorAllocationManager.scala),
 * anchors.md section 1.4 [read]. Every scalingInterval (60 s): ratio = average batch processing time / batch interval;
 * ratio >= scalingUpRatio (0.9) -> request max(round(ratio), 1) more executors; ratio <= scalingDownRatio (0.3) ->
 * kill one executor. minExecutors = max(1, receivers) = 1 (Structured Streaming has no receivers).
 * Mapping to this world: the batch interval is the control interval (one micro-batch per step) and a batch's
 * processing time is the messages it must process (backlog + arrivals) over the serving executors' nominal rate.
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { SensibleResources } from './sensible-config.ts';
import { clampExecutors, secondsToSteps, Window } from './timing.ts';

export interface StreamingDraSettings {
  scalingIntervalS: number;
  scalingUpRatio: number;
  scalingDownRatio: number;
  minExecutors: number;
  maxExecutors: number;
}

export const STREAMING_DRA_SETTINGS: StreamingDraSettings = {
  scalingIntervalS: 60,
  scalingUpRatio: 0.9,
  scalingDownRatio: 0.3,
  minExecutors: 1,
  maxExecutors: 20,
};

/** Batch processing time over batch interval for one micro-batch. */
export function batchProcessingRatio(backlogMsgs: number, arrivalRateMsgsPerS: number, servingExecutors: number, executorCapacityMsgsPerS: number, intervalS: number): number {
  const work = Math.max(0, backlogMsgs) + Math.max(0, arrivalRateMsgsPerS) * intervalS;
  const capacityPerS = Math.max(1, servingExecutors) * executorCapacityMsgsPerS;
  return work / capacityPerS / intervalS;
}

/** The allocator's decision for one scaling interval: executors to add (> 0), remove (< 0) or 0. */
export function streamingDraDelta(avgRatio: number, s: StreamingDraSettings = STREAMING_DRA_SETTINGS): number {
  if (avgRatio >= s.scalingUpRatio) return Math.max(Math.round(avgRatio), 1);
  if (avgRatio <= s.scalingDownRatio) return -1;
  return 0;
}

export class SparkStreamingDraPolicy implements Policy {
  readonly id = 'spark-streaming-dra';
  private readonly resources = new SensibleResources();
  private ratios: Window | null = null;
  private stepIndex = 0;

  constructor(readonly settings: StreamingDraSettings = STREAMING_DRA_SETTINGS) {}

  reset(_seed: number): void {
    this.resources.reset();
    this.ratios = null;
    this.stepIndex = 0;
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    const s = this.settings;
    const snap = ctx.snapshot;
    this.resources.observe(snap);
    const everySteps = secondsToSteps(s.scalingIntervalS, ctx.controlIntervalS);
    this.ratios ??= new Window(everySteps);
    this.ratios.push(batchProcessingRatio(snap.backlogMsgs, snap.arrivalRateMsgsPerS, snap.executorsRunning, ctx.executorCapacityMsgsPerS, ctx.controlIntervalS));
    this.stepIndex++;
    let executors = ctx.currentAction.executors;
    if (this.stepIndex % everySteps === 0) {
      executors = clampExecutors(executors + streamingDraDelta(this.ratios.mean(), s), s.minExecutors, s.maxExecutors);
    }
    return this.resources.action(executors, ctx.currentAction);
  }
}
