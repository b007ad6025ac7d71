/**
 * The executor pool of the embedded engine: a set of workers that grows and shrinks at run time.
 *
 * Emulation (docs/ENGINE.md): on one small machine an executor is a worker with a configured capacity, so that
 * capacity grows with the executor count as on a cluster. The cap is a token bucket per executor (messages per
 * second), enforced here, not by CPU speed; the largest configuration (20 executors) is sized to fit 2 cores.
 *
 * Realism rules (design.md):
 * - a new executor serves only after its cold start (`coldStartMs` on the injected clock, and its thread is up);
 *   it is billed from the request;
 * - scale-down drains: a draining executor takes no new task, finishes the one it runs, then stops; billed until
 *   it stops;
 * - memory per executor is a property of an executor: changing it replaces executors (new ones cold-start, old
 *   ones keep serving until replacements are ready, then drain);
 * - billing per second of the emulated executor (4 vCPU + its memory at config.ts prices) with a one-minute
 *   minimum per executor (anchors.md §9), like src/cluster/executors.ts in the simulator.
 */
import type { SimConfig } from '../../core/config.ts';
import { executorUsdPerS } from '../../cluster/memory.ts';
import type { MapTaskInput, MapTaskOutput } from './map-task.ts';
import type { RunnerFactory, TaskRunner } from './runners.ts';

export type ExecutorState = 'starting' | 'running' | 'draining' | 'stopped';

export interface ExecutorInfo {
  id: number;
  state: ExecutorState;
  memoryGb: number;
  requestedAtMs: number;
  busy: boolean;
}

interface Executor extends ExecutorInfo {
  readyAtMs: number;
  online: boolean;
  failed: boolean;
  runner: TaskRunner;
  tokens: number;
  /** Its last grant was limited by its tokens, not by the work waiting. */
  hungry: boolean;
  lastRefillMs: number;
  billedToMs: number;
}

export interface PoolOptions {
  capacityMsgsPerS: number;
  coldStartMs: number;
  triggerIntervalMs: number;
  config: SimConfig;
  runnerFactory: RunnerFactory;
  nowMs: () => number;
}

/** What a target change did: executors requested (cold-starting), starting ones cancelled, running ones drained. */
export interface ReshapeResult {
  spawned: number;
  cancelled: number;
  drained: number;
}

export interface Grant {
  executorId: number;
  msgs: number;
}

export class ExecutorPool {
  private readonly executors: Executor[] = [];
  private nextId = 0;
  private targetExecutors = 0;
  private targetMemoryGb = 1;
  private costUsd = 0;
  /** Emulated busy executor time (granted msgs / capacity) and serving executor time, ms, since the last take. */
  private busyMs = 0;
  private availableMs = 0;
  private availableToMs: number;
  /** Real time the map tasks took on the threads, ms, since the last take. */
  private threadBusyMs = 0;
  private coldStarts = 0;
  private failures = 0;
  private closed = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly options: PoolOptions) {
    if (!(options.capacityMsgsPerS > 0)) throw new Error(`executor pool: capacityMsgsPerS must be > 0, got ${options.capacityMsgsPerS}`);
    if (!(options.coldStartMs >= 0)) throw new Error(`executor pool: coldStartMs must be >= 0, got ${options.coldStartMs}`);
    this.availableToMs = options.nowMs();
  }

  /** Starts `executors` executors that serve at once (the job was already running: no cold start). */
  startWarm(executors: number, memoryGb: number): void {
    this.checkTarget(executors, memoryGb);
    const now = this.options.nowMs();
    this.targetExecutors = executors;
    this.targetMemoryGb = memoryGb;
    // Requested long ago, like the simulator's initial pool: no minimum-minute charge, no cold start (they serve
    // as soon as their threads are up).
    for (let i = 0; i < executors; i++) this.spawn(memoryGb, now - 3_600_000, now - 3_600_000);
  }

  /** The executor count and memory to converge on; returns what changed. */
  setTarget(executors: number, memoryGb: number): ReshapeResult {
    this.checkTarget(executors, memoryGb);
    this.targetExecutors = executors;
    this.targetMemoryGb = memoryGb;
    const now = this.options.nowMs();
    this.bill(now);
    return this.reshape(now);
  }

  get target(): { executors: number; memoryGb: number } {
    return { executors: this.targetExecutors, memoryGb: this.targetMemoryGb };
  }

  /** Advances the pool to `nowMs`: promotes started executors, stops drained ones, bills. */
  reconcile(): void {
    const now = this.options.nowMs();
    this.bill(now);
    this.accrueAvailable(now);
    for (const e of this.executors) {
      if (e.state === 'starting' && e.online && now >= e.readyAtMs) {
        e.state = 'running';
        e.tokens = 0;
        e.lastRefillMs = now;
      }
    }
    this.reshape(now);
  }

  /**
   * Hands out the messages the serving executors may process now: each running, idle executor's bucket refills
   * at `capacity x speedFactor` per second (speedFactor < 1 models a memory-starved executor); an executor that
   * ran out of work banks at most two triggers' worth; at most `wanted` messages are granted in total.
   */
  grant(wanted: number, speedFactor = 1): Grant[] {
    const now = this.options.nowMs();
    const rate = this.options.capacityMsgsPerS * Math.max(0, speedFactor);
    const bucketMax = this.options.capacityMsgsPerS * Math.max(1, (2 * this.options.triggerIntervalMs) / 1000);
    const grants: Grant[] = [];
    let left = Math.max(0, Math.floor(wanted));
    const serving = this.executors.filter((e) => e.state === 'running' && !e.busy);
    for (const e of serving) {
      // An executor that had more work than tokens last time was busy all along: a long (slow) batch does not
      // cost it capacity. Only an executor that ran out of work banks at most two triggers' worth.
      const refill = e.tokens + (rate * Math.max(0, now - e.lastRefillMs)) / 1000;
      e.tokens = e.hungry ? refill : Math.min(bucketMax, refill);
      e.lastRefillMs = now;
    }
    // Water-filling: visit executors from the fewest tokens up, each taking at most an equal share of what is
    // left, so the work of a batch is spread and runs in parallel instead of going to the first full bucket.
    const byTokens = [...serving].sort((a, b) => a.tokens - b.tokens || a.id - b.id);
    const granted = new Map<number, number>();
    byTokens.forEach((e, i) => {
      const share = Math.ceil(left / (byTokens.length - i));
      const msgs = Math.min(share, Math.floor(e.tokens));
      e.hungry = share > msgs;
      if (msgs <= 0) return;
      e.tokens -= msgs;
      left -= msgs;
      this.busyMs += (msgs / this.options.capacityMsgsPerS) * 1000;
      granted.set(e.id, msgs);
    });
    for (const e of serving) {
      const msgs = granted.get(e.id);
      if (msgs !== undefined) grants.push({ executorId: e.id, msgs });
    }
    return grants;
  }

  /** Runs a map task on an executor; a draining executor stops once its task is done. */
  async run(executorId: number, input: MapTaskInput): Promise<MapTaskOutput> {
    const e = this.executors.find((x) => x.id === executorId);
    if (e === undefined || (e.state !== 'running' && e.state !== 'draining')) throw new Error(`executor pool: executor ${executorId} is not serving`);
    if (e.busy) throw new Error(`executor pool: executor ${executorId} is busy`);
    e.busy = true;
    try {
      const out = await e.runner.run(input);
      this.threadBusyMs += out.busyMs;
      return out;
    } catch (err) {
      e.failed = true;
      this.failures++;
      throw err;
    } finally {
      e.busy = false;
      if (e.state === 'draining' || e.failed) this.stop(e, this.options.nowMs());
      if (e.failed && !this.closed) this.reshape(this.options.nowMs());
      for (const wake of this.idle) wake();
    }
  }

  /** Waits until every executor asked for has its thread up (tests; cold start still counts on the clock). */
  async whenOnline(): Promise<void> {
    await Promise.all(this.executors.filter((e) => e.state === 'starting').map((e) => e.runner.ready.catch(() => undefined)));
  }

  counts(): { running: number; starting: number; draining: number } {
    let running = 0;
    let starting = 0;
    let draining = 0;
    for (const e of this.executors) {
      if (e.state === 'running') running++;
      else if (e.state === 'starting') starting++;
      else if (e.state === 'draining') draining++;
    }
    return { running, starting, draining };
  }

  list(): ExecutorInfo[] {
    return this.executors.map(({ id, state, memoryGb, requestedAtMs, busy }) => ({ id, state, memoryGb, requestedAtMs, busy }));
  }

  /** Memory budget of the serving executors, in emulated GB. */
  servingMemoryGb(): number {
    let gb = 0;
    for (const e of this.executors) if (e.state === 'running') gb += e.memoryGb;
    return gb;
  }

  /** Billed USD since the last call. */
  takeCostUsd(): number {
    this.bill(this.options.nowMs());
    const c = this.costUsd;
    this.costUsd = 0;
    return c;
  }

  /** Emulated busy and available executor-ms, and real thread-ms, since the last call. */
  takeBusy(): { busyMs: number; availableMs: number; threadBusyMs: number } {
    this.accrueAvailable(this.options.nowMs());
    const out = { busyMs: this.busyMs, availableMs: this.availableMs, threadBusyMs: this.threadBusyMs };
    this.busyMs = this.availableMs = this.threadBusyMs = 0;
    return out;
  }

  get stats(): { coldStarts: number; failures: number } {
    return { coldStarts: this.coldStarts, failures: this.failures };
  }

  /** Stops every executor once its current task is done. */
  async close(): Promise<void> {
    this.closed = true;
    for (const e of this.executors) if (e.state === 'starting' || e.state === 'running') e.state = 'draining';
    while (this.executors.some((e) => e.busy)) await new Promise<void>((resolve) => this.idle.add(resolve)).then(() => this.idle.clear());
    const now = this.options.nowMs();
    const remaining = this.executors.filter((e) => e.state !== 'stopped');
    for (const e of remaining) this.stop(e, now);
    const runners = remaining.map((e) => e.runner);
    await Promise.all(runners.map((r) => r.terminate()));
  }

  private checkTarget(executors: number, memoryGb: number): void {
    if (!Number.isInteger(executors) || executors < 1) throw new Error(`executor pool: executors must be an integer >= 1, got ${executors}`);
    if (!(Number.isFinite(memoryGb) && memoryGb > 0)) throw new Error(`executor pool: memoryGb must be > 0, got ${memoryGb}`);
  }

  private spawn(memoryGb: number, requestedAtMs: number, readyAtMs: number): Executor {
    const runner = this.options.runnerFactory();
    const e: Executor = {
      id: this.nextId++,
      state: 'starting',
      memoryGb,
      requestedAtMs,
      readyAtMs,
      online: false,
      failed: false,
      busy: false,
      runner,
      tokens: 0,
      hungry: false,
      lastRefillMs: readyAtMs,
      billedToMs: Math.max(requestedAtMs, this.options.nowMs()),
    };
    runner.ready.then(
      () => {
        e.online = true;
      },
      () => {
        e.failed = true;
        this.failures++;
        if (e.state !== 'stopped') this.stop(e, this.options.nowMs());
      },
    );
    this.executors.push(e);
    return e;
  }

  /** Converges the executor set on the target (see the realism rules at the top). */
  private reshape(now: number): ReshapeResult {
    let spawned = 0;
    let cancelled = 0;
    let drained = 0;
    if (this.closed) return { spawned, cancelled, drained };
    const alive = (e: Executor) => e.state === 'starting' || e.state === 'running';
    // Stale starting executors (wrong memory) never served: cancel them.
    for (const e of [...this.executors]) {
      if (e.state === 'starting' && e.memoryGb !== this.targetMemoryGb) {
        this.stop(e, now);
        cancelled++;
      }
    }
    const current = this.executors.filter((e) => alive(e) && e.memoryGb === this.targetMemoryGb);
    for (let k = current.length; k < this.targetExecutors; k++) {
      current.push(this.spawn(this.targetMemoryGb, now, now + this.options.coldStartMs));
      this.coldStarts++;
      spawned++;
    }
    if (current.length > this.targetExecutors) {
      // Remove the excess: starting ones first (newest first), then running ones (idle first).
      const excess = current.length - this.targetExecutors;
      const order = [...current].sort((a, b) => rank(a) - rank(b) || b.id - a.id);
      for (const e of order.slice(0, excess)) {
        if (e.state === 'starting') {
          this.stop(e, now);
          cancelled++;
        } else {
          this.drain(e, now);
          drained++;
        }
      }
    }
    // Stale running executors keep serving until replacements are ready, then drain.
    const currentRunning = this.executors.filter((e) => e.state === 'running' && e.memoryGb === this.targetMemoryGb).length;
    const staleRunning = this.executors.filter((e) => e.state === 'running' && e.memoryGb !== this.targetMemoryGb).sort((a, b) => Number(a.busy) - Number(b.busy));
    const surplus = Math.min(staleRunning.length, currentRunning + staleRunning.length - this.targetExecutors);
    for (const e of staleRunning.slice(0, Math.max(0, surplus))) {
      this.drain(e, now);
      drained++;
    }
    return { spawned, cancelled, drained };
  }

  /** No new tasks; an idle executor stops now, a busy one when its task is done (run()). */
  private drain(e: Executor, now: number): void {
    e.state = 'draining';
    if (!e.busy) this.stop(e, now);
  }

  private stop(e: Executor, now: number): void {
    if (e.state === 'stopped') return;
    this.bill(now, e);
    // A one-minute minimum per worker (anchors.md §9).
    const minimumMs = this.options.config.pricing.minimumBilledS * 1000;
    const lifetimeMs = now - e.requestedAtMs;
    if (lifetimeMs < minimumMs) this.costUsd += ((minimumMs - lifetimeMs) / 1000) * executorUsdPerS(e.memoryGb, this.options.config);
    e.state = 'stopped';
    void e.runner.terminate().catch(() => undefined);
    // Forget stopped executors so the list stays small over a long run.
    const i = this.executors.indexOf(e);
    if (i >= 0) this.executors.splice(i, 1);
  }

  private bill(now: number, only?: Executor): void {
    for (const e of only ? [only] : this.executors) {
      if (e.state === 'stopped') continue;
      if (now > e.billedToMs) {
        this.costUsd += ((now - e.billedToMs) / 1000) * executorUsdPerS(e.memoryGb, this.options.config);
        e.billedToMs = now;
      }
    }
  }

  private accrueAvailable(now: number): void {
    if (now > this.availableToMs) {
      this.availableMs += this.counts().running * (now - this.availableToMs);
      this.availableToMs = now;
    }
  }
}

/** Removal order on scale-down: starting before running, idle before busy. */
function rank(e: Executor): number {
  return e.state === 'starting' ? 0 : e.busy ? 2 : 1;
}
