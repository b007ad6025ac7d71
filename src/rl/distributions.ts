/**
 * Action distributions for PPO, one per action-space kind, with the gradients PPO needs.
 *
 * Each distribution reads one row of the actor's output (`out` at `o`) plus, for the Gaussian, the shared
 * state-independent log_std vector. `backward` accumulates dLoss/dOut and dLoss/dLogStd given the upstream
 * gradients of the loss with respect to the sample's log-probability and entropy.
 * - Categorical (Discrete n): logits, n outputs.
 * - MultiCategorical (MultiDiscrete nvec): concatenated logits; log-prob and entropy are sums over heads (SB3).
 * - DiagGaussian (Box d): means, d outputs; log_std initialised at 0 (SB3 log_std_init).
 */
import type { Rng } from '../core/rng.ts';
import type { Space } from '../core/spaces.ts';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface Distribution {
  readonly kind: 'categorical' | 'multi-categorical' | 'diag-gaussian';
  /** Actor outputs per sample. */
  readonly outputSize: number;
  /** Stored action entries per sample (1 for Discrete). */
  readonly actionSize: number;
  /** Size of the extra state-independent parameter (log_std), 0 if none. */
  readonly extraSize: number;
  sample(out: ArrayLike<number>, o: number, extra: ArrayLike<number>, rng: Rng, action: Float64Array, a: number): void;
  mode(out: ArrayLike<number>, o: number, action: Float64Array, a: number): void;
  logProb(out: ArrayLike<number>, o: number, extra: ArrayLike<number>, action: ArrayLike<number>, a: number): number;
  entropy(out: ArrayLike<number>, o: number, extra: ArrayLike<number>): number;
  backward(out: ArrayLike<number>, o: number, extra: ArrayLike<number>, action: ArrayLike<number>, a: number, dLogProb: number, dEntropy: number, dOut: Float64Array, dExtra: Float64Array): void;
}

/** log-softmax helper over logits[o .. o+n): returns logsumexp. */
function logSumExp(x: ArrayLike<number>, o: number, n: number): number {
  let max = -Infinity;
  for (let j = 0; j < n; j++) if (x[o + j]! > max) max = x[o + j]!;
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(x[o + j]! - max);
  return max + Math.log(s);
}

function catSample(x: ArrayLike<number>, o: number, n: number, rng: Rng): number {
  const lse = logSumExp(x, o, n);
  const u = rng.next();
  let c = 0;
  for (let j = 0; j < n; j++) {
    c += Math.exp(x[o + j]! - lse);
    if (u < c) return j;
  }
  return n - 1; // rounding: the cumulative sum can end just below 1
}

function catMode(x: ArrayLike<number>, o: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (x[o + j]! > x[o + best]!) best = j; // first maximum, like torch.argmax
  return best;
}

function catEntropy(x: ArrayLike<number>, o: number, n: number): number {
  const lse = logSumExp(x, o, n);
  let h = 0;
  for (let j = 0; j < n; j++) {
    const lp = x[o + j]! - lse;
    h -= Math.exp(lp) * lp;
  }
  return h;
}

/** d logp(k)/dz_j = [j=k] - p_j;  dH/dz_j = -p_j (log p_j + H). */
function catBackward(x: ArrayLike<number>, o: number, n: number, k: number, dLogProb: number, dEntropy: number, dOut: Float64Array): void {
  const lse = logSumExp(x, o, n);
  let h = 0;
  if (dEntropy !== 0) {
    for (let j = 0; j < n; j++) {
      const lp = x[o + j]! - lse;
      h -= Math.exp(lp) * lp;
    }
  }
  for (let j = 0; j < n; j++) {
    const lp = x[o + j]! - lse;
    const p = Math.exp(lp);
    let g = dLogProb * ((j === k ? 1 : 0) - p);
    if (dEntropy !== 0) g += dEntropy * (-p * (lp + h));
    dOut[o + j] = dOut[o + j]! + g;
  }
}

export function categorical(n: number): Distribution {
  return {
    kind: 'categorical',
    outputSize: n,
    actionSize: 1,
    extraSize: 0,
    sample: (out, o, _e, rng, action, a) => void (action[a] = catSample(out, o, n, rng)),
    mode: (out, o, action, a) => void (action[a] = catMode(out, o, n)),
    logProb: (out, o, _e, action, a) => out[o + action[a]!]! - logSumExp(out, o, n),
    entropy: (out, o) => catEntropy(out, o, n),
    backward: (out, o, _e, action, a, dLp, dH, dOut) => catBackward(out, o, n, action[a]!, dLp, dH, dOut),
  };
}

export function multiCategorical(nvec: readonly number[]): Distribution {
  const offsets: number[] = [];
  let total = 0;
  for (const n of nvec) {
    offsets.push(total);
    total += n;
  }
  return {
    kind: 'multi-categorical',
    outputSize: total,
    actionSize: nvec.length,
    extraSize: 0,
    sample: (out, o, _e, rng, action, a) => {
      for (let h = 0; h < nvec.length; h++) action[a + h] = catSample(out, o + offsets[h]!, nvec[h]!, rng);
    },
    mode: (out, o, action, a) => {
      for (let h = 0; h < nvec.length; h++) action[a + h] = catMode(out, o + offsets[h]!, nvec[h]!);
    },
    logProb: (out, o, _e, action, a) => {
      let s = 0;
      for (let h = 0; h < nvec.length; h++) s += out[o + offsets[h]! + action[a + h]!]! - logSumExp(out, o + offsets[h]!, nvec[h]!);
      return s;
    },
    entropy: (out, o) => {
      let s = 0;
      for (let h = 0; h < nvec.length; h++) s += catEntropy(out, o + offsets[h]!, nvec[h]!);
      return s;
    },
    backward: (out, o, _e, action, a, dLp, dH, dOut) => {
      for (let h = 0; h < nvec.length; h++) catBackward(out, o + offsets[h]!, nvec[h]!, action[a + h]!, dLp, dH, dOut);
    },
  };
}

export function diagGaussian(d: number): Distribution {
  return {
    kind: 'diag-gaussian',
    outputSize: d,
    actionSize: d,
    extraSize: d,
    sample: (out, o, logStd, rng, action, a) => {
      for (let i = 0; i < d; i++) action[a + i] = out[o + i]! + Math.exp(logStd[i]!) * rng.normal();
    },
    mode: (out, o, action, a) => {
      for (let i = 0; i < d; i++) action[a + i] = out[o + i]!;
    },
    logProb: (out, o, logStd, action, a) => {
      let s = 0;
      for (let i = 0; i < d; i++) {
        const z = (action[a + i]! - out[o + i]!) / Math.exp(logStd[i]!);
        s += -0.5 * z * z - logStd[i]! - HALF_LOG_2PI;
      }
      return s;
    },
    entropy: (_out, _o, logStd) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += 0.5 + HALF_LOG_2PI + logStd[i]!;
      return s;
    },
    // d logp/d mu = (a - mu)/sigma^2;  d logp/d log_sigma = z^2 - 1;  dH/d log_sigma = 1.
    backward: (out, o, logStd, action, a, dLp, dH, dOut, dLogStd) => {
      for (let i = 0; i < d; i++) {
        const sigma = Math.exp(logStd[i]!);
        const diff = action[a + i]! - out[o + i]!;
        const z = diff / sigma;
        dOut[o + i] = dOut[o + i]! + (dLp * diff) / (sigma * sigma);
        dLogStd[i] = dLogStd[i]! + dLp * (z * z - 1) + dH;
      }
    },
  };
}

/** The distribution SB3 would pick for an action space. */
export function distributionFor(space: Space): Distribution {
  switch (space.kind) {
    case 'discrete':
      return categorical(space.n);
    case 'multi-discrete':
      return multiCategorical(space.nvec);
    case 'box':
      return diagGaussian(space.low.length);
  }
}
