/** Gymnasium-style spaces: Box, Discrete, MultiDiscrete. */
import type { Rng } from './rng.ts';

export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: Float32Array;
  readonly high: Float32Array;
}
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
}
export interface MultiDiscreteSpace {
  readonly kind: 'multi-discrete';
  readonly nvec: readonly number[];
}
export type Space = BoxSpace | DiscreteSpace | MultiDiscreteSpace;

export function box(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]): BoxSpace {
  const size = shape ? shape.reduce((a, b) => a * b, 1) : typeof low === 'number' ? (typeof high === 'number' ? 1 : high.length) : low.length;
  const lo = new Float32Array(size);
  const hi = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    lo[i] = typeof low === 'number' ? low : low[i]!;
    hi[i] = typeof high === 'number' ? high : high[i]!;
    if (!(lo[i]! <= hi[i]!)) throw new Error(`box: low[${i}]=${lo[i]} must not exceed high[${i}]=${hi[i]}`);
  }
  return { kind: 'box', shape: shape ?? [size], low: lo, high: hi };
}

export function discrete(n: number): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1) throw new Error(`discrete: n must be a positive integer, got ${n}`);
  return { kind: 'discrete', n };
}

export function multiDiscrete(nvec: readonly number[]): MultiDiscreteSpace {
  for (const n of nvec) if (!Number.isInteger(n) || n < 1) throw new Error(`multiDiscrete: every entry must be a positive integer, got ${n}`);
  return { kind: 'multi-discrete', nvec: [...nvec] };
}

/** Flat size of a sample of the space (1 for Discrete). */
export function flatSize(space: Space): number {
  switch (space.kind) {
    case 'box':
      return space.low.length;
    case 'discrete':
      return 1;
    case 'multi-discrete':
      return space.nvec.length;
  }
}

/** Whether `x` is a valid member of `space`; returns a reason string when it is not. */
export function checkMember(space: Space, x: unknown): string | null {
  if (space.kind === 'discrete') {
    const v = typeof x === 'number' ? x : ArrayLike(x) && (x as ArrayLike<number>).length === 1 ? (x as ArrayLike<number>)[0] : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) return `expected an integer in [0, ${space.n}), got ${fmt(x)}`;
    if (v < 0 || v >= space.n) return `value ${v} is outside [0, ${space.n})`;
    return null;
  }
  if (!ArrayLike(x)) return `expected an array of length ${flatSize(space)}, got ${fmt(x)}`;
  const arr = x as ArrayLike<number>;
  const n = flatSize(space);
  if (arr.length !== n) return `expected length ${n}, got length ${arr.length}`;
  for (let i = 0; i < n; i++) {
    const v = arr[i]!;
    if (typeof v !== 'number' || Number.isNaN(v)) return `element ${i} is not a number (${fmt(v)})`;
    if (space.kind === 'multi-discrete') {
      if (!Number.isInteger(v) || v < 0 || v >= space.nvec[i]!) return `element ${i} = ${v} is not an integer in [0, ${space.nvec[i]})`;
    } else if (!(Math.fround(v) >= space.low[i]! && Math.fround(v) <= space.high[i]!)) {
      // Compared in the box's float32, as Gymnasium's Box.contains casts a list to its dtype first: 0.1 is a member
      // of a box whose low is 0.1 (stored as 0.100000001...).
      return `element ${i} = ${v} is outside [${space.low[i]}, ${space.high[i]}]`;
    }
  }
  return null;
}

export function sample(space: Space, rng: Rng): number | Float32Array | Int32Array {
  switch (space.kind) {
    case 'discrete':
      return rng.int(space.n);
    case 'multi-discrete': {
      const out = new Int32Array(space.nvec.length);
      for (let i = 0; i < out.length; i++) out[i] = rng.int(space.nvec[i]!);
      return out;
    }
    case 'box': {
      const out = new Float32Array(space.low.length);
      for (let i = 0; i < out.length; i++) {
        const lo = space.low[i]!;
        const hi = space.high[i]!;
        out[i] = Number.isFinite(lo) && Number.isFinite(hi) ? rng.uniform(lo, hi) : rng.normal();
      }
      return out;
    }
  }
}

function ArrayLike(x: unknown): boolean {
  return Array.isArray(x) || ArrayBuffer.isView(x);
}
function fmt(x: unknown): string {
  try {
    return ArrayBuffer.isView(x) ? `[${Array.from(x as unknown as ArrayLike<number>).join(', ')}]` : JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
