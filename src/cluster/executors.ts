/**
 * The simulated executor pool: requests cold-start before serving and are billed from the request; scale-down drains
 * (billed until drained); changing memory per executor replaces executors (new ones cold-start, old ones keep serving
 * until replacements are ready, then drain; both billed meanwhile). Billing is per second with a one-minute minimum
 * per worker (anchors.md section 9). Typed arrays, no per-executor objects.
 */
import type { SimConfig } from '../core/config.ts';
import { ColdStartDraws } from './cold-start.ts';
import { executorUsdPerS, memorySlowdown } from './memory.ts';

const FREE = 0;
const STARTING = 1;
const RUNNING = 2;
const DRAINING = 3;

export class ExecutorPool {
  private readonly capacity: number;
  private readonly state: Uint8Array;
  private readonly memoryGb: Float64Array;
  private readonly requestedAtS: Float64Array;
  private readonly readyAtS: Float64Array;
  private readonly drainEndS: Float64Array;
  private readonly usdPerS: Float64Array;
  private highWater = 0;

  running = 0;
  starting = 0;
  draining = 0;
  targetExecutors = 0;
  targetMemoryGb = 0;
  /** Cold starts drawn so far (the index of the next draw). */
  coldStartsUsed = 0;
  /** Billed USD since the last takeCost(). */
  private costUsd = 0;

  constructor(
    private readonly config: SimConfig,
    private coldStarts: ColdStartDraws,
  ) {
    this.capacity = 4 * config.cluster.maxExecutors + 48;
    this.state = new Uint8Array(this.capacity);
    this.memoryGb = new Float64Array(this.capacity);
    this.requestedAtS = new Float64Array(this.capacity);
    this.readyAtS = new Float64Array(this.capacity);
    this.drainEndS = new Float64Array(this.capacity);
    this.usdPerS = new Float64Array(this.capacity);
  }

  /** Empty pool with `executors` warm executors of `memoryGb` (requested long ago: no minimum-minute charge). */
  reset(coldStarts: ColdStartDraws, executors: number, memoryGb: number, tNowS: number): void {
    this.coldStarts = coldStarts;
    this.state.fill(FREE);
    this.highWater = 0;
    this.running = this.starting = this.draining = 0;
    this.coldStartsUsed = 0;
    this.costUsd = 0;
    for (let k = 0; k < executors; k++) {
      const i = this.freeSlot();
      this.state[i] = RUNNING;
      this.memoryGb[i] = memoryGb;
      this.usdPerS[i] = executorUsdPerS(memoryGb, this.config);
      this.requestedAtS[i] = tNowS - 3600;
      this.readyAtS[i] = tNowS - 3600;
      this.running++;
    }
    this.targetExecutors = executors;
    this.targetMemoryGb = memoryGb;
  }

  /** Billed cost since the last call, USD. */
  takeCost(): number {
    const c = this.costUsd;
    this.costUsd = 0;
    return c;
  }

  /** Sets the target and reconciles at time tNowS; `drainS` is how long a removed executor drains. */
  setTarget(executors: number, memoryGb: number, tNowS: number, drainS: number): void {
    // Unchanged target: the pool already converges on it (replacements reconcile when they become ready).
    if (executors === this.targetExecutors && memoryGb === this.targetMemoryGb) return;
    this.targetExecutors = executors;
    this.targetMemoryGb = memoryGb;
    this.reconcile(tNowS, drainS);
  }

  /** Running executors with the target memory / other memory, and starting ones likewise. */
  private reconcile(t: number, drainS: number): void {
    const n = this.targetExecutors;
    const m = this.targetMemoryGb;
    let newRunning = 0;
    let newStarting = 0;
    let oldRunning = 0;
    for (let i = 0; i < this.highWater; i++) {
      const s = this.state[i];
      if (s === STARTING) {
        if (this.memoryGb[i] === m) newStarting++;
        else this.release(i, t); // an old-memory request is useless now: cancel (billed its minimum)
      } else if (s === RUNNING) {
        if (this.memoryGb[i] === m) newRunning++;
        else oldRunning++;
      }
    }
    // Too many new-memory executors: cancel the latest requests first, then drain running ones.
    let excess = newRunning + newStarting - n;
    for (let i = this.highWater - 1; i >= 0 && excess > 0; i--) {
      if (this.state[i] === STARTING && this.memoryGb[i] === m) {
        this.release(i, t);
        excess--;
        newStarting--;
      }
    }
    for (let i = this.highWater - 1; i >= 0 && excess > 0; i--) {
      if (this.state[i] === RUNNING && this.memoryGb[i] === m) {
        this.drain(i, t, drainS);
        excess--;
        newRunning--;
      }
    }
    for (let k = newRunning + newStarting; k < n; k++) this.request(m, t);
    // Old-memory executors serve until enough replacements run; the surplus drains.
    let oldSurplus = oldRunning - Math.max(0, n - newRunning);
    for (let i = this.highWater - 1; i >= 0 && oldSurplus > 0; i--) {
      if (this.state[i] === RUNNING && this.memoryGb[i] !== m) {
        this.drain(i, t, drainS);
        oldSurplus--;
      }
    }
  }

  private freeSlot(): number {
    for (let i = 0; i < this.capacity; i++) {
      if (this.state[i] === FREE) {
        if (i >= this.highWater) this.highWater = i + 1;
        return i;
      }
    }
    throw new Error(`ExecutorPool: more than ${this.capacity} executors alive at once`);
  }

  private request(memoryGb: number, t: number): void {
    const i = this.freeSlot();
    this.state[i] = STARTING;
    this.memoryGb[i] = memoryGb;
    this.usdPerS[i] = executorUsdPerS(memoryGb, this.config);
    this.requestedAtS[i] = t;
    this.readyAtS[i] = t + this.coldStarts.get(this.coldStartsUsed++);
    this.starting++;
  }

  private drain(i: number, t: number, drainS: number): void {
    this.state[i] = DRAINING;
    this.drainEndS[i] = t + drainS;
    this.running--;
    this.draining++;
    if (drainS <= 0) this.release(i, t);
  }

  /** Stops billing of slot i at time t, charging the rest of the minimum billed duration. */
  private release(i: number, t: number): void {
    const s = this.state[i];
    if (s === STARTING) this.starting--;
    else if (s === RUNNING) this.running--;
    else if (s === DRAINING) this.draining--;
    const lifetimeS = t - this.requestedAtS[i]!;
    const minimumS = this.config.pricing.minimumBilledS;
    if (lifetimeS < minimumS) this.costUsd += (minimumS - lifetimeS) * this.usdPerS[i]!;
    this.state[i] = FREE;
    while (this.highWater > 0 && this.state[this.highWater - 1] === FREE) this.highWater--;
  }

  /**
   * Advances one second [t, t + 1): cold starts complete, drains finish, billing accrues. Returns the serving
   * executor-seconds and sets `effectiveExecS` = sum of serving fraction / memory slowdown at working set
   * `workingSetGb` per executor.
   */
  advanceSecond(t: number, workingSetGb: number, drainS: number): number {
    const cluster = this.config.cluster;
    let serving = 0;
    let effective = 0;
    let becameReady = false;
    const tEnd = t + 1;
    for (let i = 0; i < this.highWater; i++) {
      const s = this.state[i];
      if (s === FREE) continue;
      const mem = this.memoryGb[i]!;
      const usdPerS = this.usdPerS[i]!;
      if (s === DRAINING) {
        const end = this.drainEndS[i]!;
        if (end <= tEnd) {
          this.costUsd += usdPerS * Math.max(0, end - t);
          this.release(i, end);
          continue;
        }
        this.costUsd += usdPerS;
        continue;
      }
      this.costUsd += usdPerS;
      let frac = 1;
      if (s === STARTING) {
        const ready = this.readyAtS[i]!;
        if (ready > tEnd) continue; // ready exactly at tEnd: running from the next second (frac 0)
        frac = tEnd - Math.max(t, ready);
        this.state[i] = RUNNING;
        this.starting--;
        this.running++;
        becameReady = true;
      }
      serving += frac;
      effective += frac / memorySlowdown(workingSetGb / mem, cluster);
    }
    this.effectiveExecS = effective;
    // A replacement became ready: old-memory executors beyond the target can now drain.
    if (becameReady) this.reconcile(tEnd, drainS);
    return serving;
  }

  effectiveExecS = 0;

  /** Mean memory (GB) of running executors (the target memory when none runs). */
  meanRunningMemoryGb(): number {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < this.highWater; i++) {
      if (this.state[i] === RUNNING) {
        sum += this.memoryGb[i]!;
        n++;
      }
    }
    return n > 0 ? sum / n : this.targetMemoryGb;
  }
}
