import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../core/config.ts';
import type { MapTaskInput, MapTaskOutput } from './map-task.ts';
import { ExecutorPool } from './pool.ts';
import { InlineRunner, ThreadRunner, type TaskRunner } from './runners.ts';
import { MessageFactory } from './test-messages.ts';

const CONFIG = loadConfig();
/** USD per second of one emulated executor: 4 vCPU + memory at the config.ts prices. */
const usdPerS = (gb: number) => (4 * 0.052624 + gb * 0.0057785) / 3600;

/** A runner whose tasks finish only when the test says so. */
class HeldRunner implements TaskRunner {
  readonly ready = Promise.resolve();
  terminated = false;
  private release: (() => void) | undefined;
  run(input: MapTaskInput): Promise<MapTaskOutput> {
    return new Promise((resolve) => {
      this.release = () => resolve({ taskId: input.taskId, blocks: [], recordCounts: [], alerts: [], malformed: 0, malformedDetail: '', busyMs: 0 });
    });
  }
  finish(): void {
    this.release?.();
  }
  async terminate(): Promise<void> {
    this.terminated = true;
  }
}

function makePool(opts: { coldStartMs?: number; capacity?: number; runners?: TaskRunner[] } = {}) {
  const clock = { t: 1_000_000 };
  const made: TaskRunner[] = [];
  const pool = new ExecutorPool({
    capacityMsgsPerS: opts.capacity ?? 100,
    coldStartMs: opts.coldStartMs ?? 0,
    triggerIntervalMs: 1000,
    config: CONFIG,
    nowMs: () => clock.t,
    runnerFactory: () => {
      const r = opts.runners?.shift() ?? new InlineRunner();
      made.push(r);
      return r;
    },
  });
  return { pool, clock, made };
}

const EMPTY_TASK: MapTaskInput = { taskId: 0, partitions: 1, lines: new Uint8Array(0), receivedAtMs: new Float64Array(0) };

test('pool: scale-up serves only after the cold start on the injected clock', async () => {
  const { pool, clock } = makePool({ coldStartMs: 5000 });
  pool.startWarm(1, 4);
  await pool.whenOnline();
  pool.reconcile();
  assert.deepEqual(pool.counts(), { running: 1, starting: 0, draining: 0 }, 'the initial executors are warm');
  const r = pool.setTarget(3, 4);
  assert.deepEqual(r, { spawned: 2, cancelled: 0, drained: 0 });
  await pool.whenOnline();
  clock.t += 4999;
  pool.reconcile();
  assert.deepEqual(pool.counts(), { running: 1, starting: 2, draining: 0 }, 'threads are up but the cold start is not over');
  clock.t += 1;
  pool.reconcile();
  assert.deepEqual(pool.counts(), { running: 3, starting: 0, draining: 0 });
  assert.equal(pool.stats.coldStarts, 2);
});

test('pool: capacity grows with the executor count (token bucket per executor, not CPU speed)', async () => {
  const { pool, clock } = makePool({ capacity: 100 });
  pool.startWarm(2, 4);
  await pool.whenOnline();
  pool.reconcile();
  clock.t += 1000;
  const grants = pool.grant(1_000_000);
  assert.deepEqual(grants.map((g) => g.msgs), [100, 100], 'one second of two executors at 100 msgs/s');
  assert.deepEqual(pool.grant(1_000_000), [], 'buckets are empty until time passes');
  clock.t += 500;
  assert.deepEqual(pool.grant(30).map((g) => g.msgs), [15, 15], 'a small batch is spread evenly');
  clock.t += 10_000;
  assert.deepEqual(pool.grant(1_000_000).map((g) => g.msgs), [200, 200], 'idle time banks at most two triggers');
  clock.t += 1000;
  assert.deepEqual(pool.grant(1_000_000, 0.5).map((g) => g.msgs), [50, 50], 'a memory-starved executor runs slower');
  // Still behind (the last grant wanted more than the tokens): a slow 5 s batch does not cost capacity.
  clock.t += 5000;
  assert.deepEqual(pool.grant(1_000_000).map((g) => g.msgs), [500, 500], 'no cap while the executors are behind');
  const busy = pool.takeBusy();
  // Granted 200 + 30 + 400 + 100 + 1000 messages at 100 msgs/s = 17300 emulated busy ms; available = 2 x 17.5 s.
  assert.equal(Math.round(busy.busyMs), 17_300);
  assert.equal(busy.availableMs, 2 * 17_500);
});

test('pool: scale-down removes an idle executor before a busy one', async () => {
  const held = [new HeldRunner(), new HeldRunner()];
  const { pool } = makePool({ runners: [...held] });
  pool.startWarm(2, 4);
  await pool.whenOnline();
  pool.reconcile();
  const [busyId] = pool.list().map((e) => e.id);
  const task = pool.run(busyId!, EMPTY_TASK);
  const r = pool.setTarget(1, 4);
  assert.equal(r.drained, 1);
  assert.deepEqual(pool.list().map((e) => [e.id, e.state]), [[busyId, 'running']], 'the busy executor is kept');
  assert.deepEqual([held[0]!.terminated, held[1]!.terminated], [false, true], 'the idle one stopped at once');
  held[0]!.finish();
  await task;
  assert.equal(held[0]!.terminated, false);
});

test('pool: a draining busy executor stops only after its task completes', async () => {
  const held = [new HeldRunner(), new HeldRunner()];
  const { pool } = makePool({ runners: [...held] });
  pool.startWarm(2, 4);
  await pool.whenOnline();
  pool.reconcile();
  const ids = pool.list().map((e) => e.id);
  const t0 = pool.run(ids[0]!, EMPTY_TASK);
  const t1 = pool.run(ids[1]!, EMPTY_TASK);
  pool.setTarget(1, 4);
  assert.deepEqual(pool.counts(), { running: 1, starting: 0, draining: 1 });
  assert.equal(held[0]!.terminated || held[1]!.terminated, false, 'nobody is killed mid-task');
  held[0]!.finish();
  held[1]!.finish();
  await Promise.all([t0, t1]);
  assert.deepEqual(pool.counts(), { running: 1, starting: 0, draining: 0 });
  assert.equal([held[0]!.terminated, held[1]!.terminated].filter(Boolean).length, 1, 'exactly one stopped after its task');
});

test('pool: a memory change replaces executors; old ones serve until the new ones are ready', async () => {
  const { pool, clock } = makePool({ coldStartMs: 3000 });
  pool.startWarm(2, 4);
  await pool.whenOnline();
  pool.reconcile();
  const r = pool.setTarget(2, 8);
  assert.deepEqual(r, { spawned: 2, cancelled: 0, drained: 0 });
  await pool.whenOnline();
  pool.reconcile();
  assert.deepEqual(pool.counts(), { running: 2, starting: 2, draining: 0 }, 'the 4 GB executors keep serving');
  assert.equal(pool.servingMemoryGb(), 8);
  clock.t += 3000;
  pool.reconcile();
  assert.deepEqual(pool.counts(), { running: 2, starting: 0, draining: 0 });
  assert.deepEqual(pool.list().map((e) => e.memoryGb), [8, 8]);
  assert.equal(pool.servingMemoryGb(), 16);
  // Changing memory again while replacements start cancels the stale starters.
  pool.setTarget(2, 2);
  const again = pool.setTarget(2, 6);
  assert.equal(again.cancelled, 2);
});

test('pool: billing per second from the request, one-minute minimum per executor (golden)', async () => {
  const { pool, clock } = makePool({ coldStartMs: 10_000 });
  pool.startWarm(1, 4);
  await pool.whenOnline();
  pool.reconcile();
  clock.t += 20_000;
  assert.ok(Math.abs(pool.takeCostUsd() - 20 * usdPerS(4)) < 1e-12, 'a warm executor: 20 s');
  pool.setTarget(2, 4); // one more, billed from the request, cold start included
  await pool.whenOnline();
  clock.t += 15_000;
  pool.reconcile();
  pool.setTarget(1, 4); // the newest goes after 15 s of life: billed 60 s
  const cost = pool.takeCostUsd();
  assert.ok(Math.abs(cost - (15 + 60) * usdPerS(4)) < 1e-12, `cost ${cost}`);
});

test('pool: bad targets are refused with the value named', () => {
  const { pool } = makePool();
  assert.throws(() => pool.setTarget(0, 4), /executors must be an integer >= 1, got 0/);
  assert.throws(() => pool.setTarget(2, Number.NaN), /memoryGb must be > 0/);
  assert.throws(() => makePool({ capacity: 0 }), /capacityMsgsPerS must be > 0/);
});

test('pool: worker-thread executors start, run a map task and stop', async () => {
  const pool = new ExecutorPool({
    capacityMsgsPerS: 100,
    coldStartMs: 0,
    triggerIntervalMs: 1000,
    config: CONFIG,
    nowMs: Date.now,
    runnerFactory: () => new ThreadRunner(),
  });
  pool.startWarm(2, 4);
  await pool.whenOnline();
  pool.reconcile();
  assert.deepEqual(pool.counts(), { running: 2, starting: 0, draining: 0 });
  // Line 1 breaks the payload schema (fields missing); line 2 does not. Both are validated on the executor.
  const bad = JSON.stringify({ schemaVersion: 1, kind: 'smart-city', scenario: 'smart-city', deviceId: 'SC-1', seq: 0, sentAtMs: 5, payload: { type: 'air', aqi: 200 } });
  const good = JSON.stringify(new MessageFactory({ devices: 1, scenario: 'smart-city' }).next(0, 5));
  const out = await pool.run(pool.list()[0]!.id, {
    taskId: 9,
    partitions: 2,
    lines: new TextEncoder().encode(`${bad}\n${good}`),
    receivedAtMs: Float64Array.of(6, 6),
    validate: Uint8Array.of(1, 1),
  });
  assert.equal(out.taskId, 9);
  assert.equal(out.recordCounts.reduce((a, b) => a + b, 0), 1);
  assert.equal(out.malformed, 1);
  assert.match(out.malformedDetail, /^line 1: payload\./);
  await pool.close();
  assert.deepEqual(pool.counts(), { running: 0, starting: 0, draining: 0 });
});

test('thread executors: a stopped executor parks its idle thread for the next one; one stopped mid-task does not', async () => {
  const good = JSON.stringify(new MessageFactory({ devices: 1, scenario: 'smart-city' }).next(0, 5));
  const task = (taskId: number): MapTaskInput => ({ taskId, partitions: 2, lines: new TextEncoder().encode(good), receivedAtMs: Float64Array.of(6) });
  const first = new ThreadRunner();
  await first.ready;
  assert.equal((await first.run(task(1))).recordCounts.reduce((a, b) => a + b, 0), 1);
  const firstThread = first.threadId;
  await first.terminate();
  await assert.rejects(first.run(task(2)), /terminated/, 'a stopped executor takes no more tasks');

  const second = new ThreadRunner();
  assert.equal(second.threadId, firstThread, 'the parked thread is reused');
  await second.ready;
  const out = await second.run(task(3));
  assert.equal(out.taskId, 3);
  assert.equal(out.recordCounts.reduce((a, b) => a + b, 0), 1, 'a reused thread computes the same result');

  // Stopped while a task runs: its thread may still answer, so it is ended, never handed to the next executor.
  const running = second.run(task(4));
  await second.terminate();
  await running.catch(() => undefined);
  const third = new ThreadRunner();
  assert.notEqual(third.threadId, firstThread);
  await third.ready;
  assert.equal((await third.run(task(5))).taskId, 5);
  await third.terminate();
});

test('pool: close() waits for the task in flight, then stops its executor', { timeout: 10_000 }, async () => {
  const held = new HeldRunner();
  const { pool } = makePool({ runners: [held] });
  pool.startWarm(1, 4);
  await pool.whenOnline();
  pool.reconcile();
  const task = pool.run(pool.list()[0]!.id, EMPTY_TASK);
  let closed = false;
  const closing = pool.close().then(() => (closed = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, false, 'close waits for the busy executor');
  assert.equal(held.terminated, false, 'nobody is killed mid-task');
  held.finish();
  await task;
  await closing;
  assert.equal(held.terminated, true);
  assert.deepEqual(pool.counts(), { running: 0, starting: 0, draining: 0 });
});

test('pool: an executor whose thread fails to start is stopped, counted and replaced', async () => {
  const broken: TaskRunner = { ready: Promise.reject(new Error('worker failed to boot')), run: () => Promise.reject(new Error('not started')), terminate: async () => undefined };
  broken.ready.catch(() => undefined);
  const { pool } = makePool({ runners: [broken] });
  pool.startWarm(1, 4);
  await pool.whenOnline();
  pool.reconcile(); // the replacement (an InlineRunner) starts
  await pool.whenOnline();
  pool.reconcile();
  assert.deepEqual(pool.counts(), { running: 1, starting: 0, draining: 0 });
  assert.equal(pool.stats.failures, 1);
  await pool.close();
});

test('thread executors: at most 8 idle threads are parked, and a parked thread keeps nothing that holds the process open', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const first = Array.from({ length: 9 }, () => new ThreadRunner());
  const second: ThreadRunner[] = [];
  try {
    await Promise.all(first.map((r) => r.ready));
    const ids = new Set(first.map((r) => r.threadId));
    const timersBefore = timers();
    for (const r of first) await r.terminate();
    assert.equal(timers(), timersBefore, 'the expiry timers of parked threads are unref\'d');
    for (let i = 0; i < 9; i++) second.push(new ThreadRunner());
    assert.equal(second.filter((r) => ids.has(r.threadId)).length, 8, 'eight threads were parked, the ninth was ended');
    await Promise.all(second.map((r) => r.ready));
  } finally {
    for (const r of [...first, ...second]) await r.terminate();
  }
});

test('thread executors: a parked thread handed to a new executor is no longer ended by its parking timer (mock timers)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const good = JSON.stringify(new MessageFactory({ devices: 1, scenario: 'smart-city' }).next(0, 5));
  const parked = new ThreadRunner();
  await parked.ready;
  await parked.terminate(); // parked, with its one-minute expiry timer
  const reused = new ThreadRunner();
  await reused.ready;
  t.mock.timers.tick(120_000); // long past the parking timer's minute
  const out = await reused.run({ taskId: 1, partitions: 1, lines: new TextEncoder().encode(good), receivedAtMs: Float64Array.of(6) });
  assert.equal(out.taskId, 1);
  await reused.terminate();
});
