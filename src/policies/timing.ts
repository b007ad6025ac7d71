/**
 * Converting the autoscalers' time constants (seconds, as their docs state them) into control steps.
 *
 * A policy is asked once per control step of `controlIntervalS`, so a period of P seconds becomes
 * max(1, round(P / interval)) steps. With the default 10 s step: HPA sync 15 s -> 2 steps (20 s), 300 s -> 30 steps,
 * KEDA polling 30 s -> 3 steps, DRA idle 60 s -> 6 steps. The effective seconds are reported next to the nominal ones.
 */
export function secondsToSteps(seconds: number, controlIntervalS: number): number {
  if (!(controlIntervalS > 0)) throw new Error(`secondsToSteps: controlIntervalS must be > 0, got ${controlIntervalS}`);
  if (!(seconds >= 0)) throw new Error(`secondsToSteps: seconds must be >= 0, got ${seconds}`);
  return Math.max(1, Math.round(seconds / controlIntervalS));
}

/** Clamp an executor count into the action space [1, 20] (src/core/action.ts). */
export function clampExecutors(n: number, minExecutors = 1, maxExecutors = 20): number {
  if (!Number.isFinite(n)) return minExecutors;
  return Math.min(maxExecutors, Math.max(minExecutors, Math.round(n)));
}

/** A sliding window of the last `size` numbers (oldest first). */
export class Window {
  private readonly values: number[] = [];
  constructor(readonly size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`Window: size must be an integer >= 1, got ${size}`);
  }
  push(v: number): void {
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
  }
  get length(): number {
    return this.values.length;
  }
  get full(): boolean {
    return this.values.length === this.size;
  }
  items(): readonly number[] {
    return this.values;
  }
  mean(): number {
    if (this.values.length === 0) return 0;
    let s = 0;
    for (const v of this.values) s += v;
    return s / this.values.length;
  }
  min(): number {
    return this.values.length === 0 ? 0 : Math.min(...this.values);
  }
  max(): number {
    return this.values.length === 0 ? 0 : Math.max(...this.values);
  }
  /** Add `delta` to every value (e.g. after removing executors that every entry counted). */
  addToAll(delta: number): void {
    for (let i = 0; i < this.values.length; i++) this.values[i]! += delta;
  }
  clear(): void {
    this.values.length = 0;
  }
}
