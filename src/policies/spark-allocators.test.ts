/**
 * Mutation-audit tests for the Spark allocators (spark-dra.ts, spark-streaming-dra.ts): maxNeeded rounds up
 * (ceil(tasks x ratio / tasksPerExecutor)), each executor keeps its own 60 s idle timer, and the DStreams allocator
 * averages the batch processing ratio over the whole scaling interval, counts the backlog as work, measures it on the
 * executors serving now and adds max(round(ratio), 1) (anchors.md sections 1.3 and 1.4; ExecutorAllocationManager.scala).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { draMaxNeeded, SparkDraPolicy } from './spark-dra.ts';
import { batchProcessingRatio, SparkStreamingDraPolicy, streamingDraDelta } from './spark-streaming-dra.ts';
import { ctx, obs } from './test-context.ts';

test('Spark DRA maxNeeded rounds a partial executor up', () => {
  assert.equal(draMaxNeeded(0, 210, 100, 10), 3); // 2100 msgs / 1000 per executor-interval = 2.1 -> 3
  assert.equal(draMaxNeeded(400, 200, 100, 10), 3); // (400 + 2000) / 1000 = 2.4 -> 3
  assert.equal(draMaxNeeded(0, 200, 100, 10), 2); // exactly 2
});

test('spark-dra: after an idle removal the remaining executors keep their own 60 s idle timers', () => {
  const p = new SparkDraPolicy();
  p.reset(0);
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 1500 }, 2)).executors, 15);
  // 5 needed: 10 idle executors go after 60 s.
  const five = ctx({ arrivalRateMsgsPerS: 500 }, 15);
  const first: number[] = [];
  for (let i = 0; i < 6; i++) first.push(p.act(obs, five).executors);
  assert.deepEqual(first, [15, 15, 15, 15, 15, 5]);
  // Then 3 needed: the 2 executors that just became idle wait their own 60 s, they do not inherit the old timers.
  const three = ctx({ arrivalRateMsgsPerS: 300 }, 5);
  const second: number[] = [];
  for (let i = 0; i < 6; i++) second.push(p.act(obs, three).executors);
  assert.deepEqual(second, [5, 5, 5, 5, 5, 3]);
});

test('streaming allocator: adds max(round(ratio), 1) executors', () => {
  assert.equal(streamingDraDelta(1.4), 1);
  assert.equal(streamingDraDelta(2.2), 2);
  assert.equal(streamingDraDelta(1.5), 2);
});

test('streaming allocator: a batch processing ratio counts the backlog as work', () => {
  // (1000 queued + 10 s x 100 msgs/s) / (2 executors x 100 msgs/s) / 10 s = 1.0
  assert.equal(batchProcessingRatio(1000, 100, 2, 100, 10), 1);
});

test('streaming allocator: decides on the mean ratio of the scaling interval, not its peak', () => {
  const p = new SparkStreamingDraPolicy();
  p.reset(0);
  // Ratios 0.5, 0.5, 1.5, 0.5, 0.5, 0.5 on 4 executors: mean 0.67, between 0.3 and 0.9 -> no change.
  const rates = [200, 200, 600, 200, 200, 200];
  assert.deepEqual(rates.map((r) => p.act(obs, ctx({ arrivalRateMsgsPerS: r }, 4)).executors), [4, 4, 4, 4, 4, 4]);
});

test('streaming allocator: the ratio is measured on the executors serving now, not on those still starting', () => {
  const p = new SparkStreamingDraPolicy();
  p.reset(0);
  // 2 running (2 more starting) at 200 msgs/s: ratio 2000 / (2 x 100) / 10 = 1.0 >= 0.9 -> one more executor.
  const c = ctx({ arrivalRateMsgsPerS: 200, executorsRunning: 2, executorsStarting: 2 }, 4);
  let last = 0;
  for (let i = 0; i < 6; i++) last = p.act(obs, c).executors;
  assert.equal(last, 5);
});

test('spark-dra: when demand falls below the target, pending executors are cancelled at once, running ones idle out', () => {
  // 10 in force, 4 running and 6 still starting; demand falls to 5 executors' worth: the target drops to 5 now
  // (ExecutorAllocationManager sets numExecutorsTarget = maxNeeded and the allocator deletes the surplus pending pods).
  const p = new SparkDraPolicy();
  p.reset(0);
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 500, executorsRunning: 4, executorsStarting: 6 }, 10)).executors, 5);
  // 8 running and 2 starting: the 2 pending go, the 3 running above the need stay until 60 s idle.
  const q = new SparkDraPolicy();
  q.reset(0);
  const eight = ctx({ arrivalRateMsgsPerS: 500, executorsRunning: 8, executorsStarting: 2 }, 10);
  assert.equal(q.act(obs, eight).executors, 8);
  const running = ctx({ arrivalRateMsgsPerS: 500, executorsRunning: 8 }, 8);
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) seen.push(q.act(obs, running).executors);
  assert.deepEqual(seen, [8, 8, 8, 8, 5]);
});
