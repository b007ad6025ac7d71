/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad): bias corrections applied to the step size
 * and to the denominator, eps added after the square root. One optimiser may span several tensors (SB3's PPO
 * optimises actor, critic and log_std together). The moment estimates have their tensor's dtype (as torch's
 * optimiser state does); the arithmetic is done in JS doubles and rounded once when stored.
 */
import type { OptimizerState, ParamTensor } from './mlp.ts';
import type { FloatArray } from '../wasm/kernels.ts';

export interface AdamOptions {
  lr: number;
  /** 1e-5 for SB3's ActorCriticPolicy (PPO), torch's default 1e-8 for TD3. */
  eps?: number;
  beta1?: number;
  beta2?: number;
}

export class Adam {
  lr: number;
  readonly eps: number;
  readonly beta1: number;
  readonly beta2: number;
  private t = 0;
  /** Per tensor: first and second moments, and the wasm kernels when they live in the tensor's wasm memory. */
  private state: OptimizerState[] | null = null;

  constructor(
    private readonly tensors: readonly ParamTensor[],
    opts: AdamOptions,
  ) {
    this.lr = opts.lr;
    this.eps = opts.eps ?? 1e-8;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
  }

  get stepCount(): number {
    return this.t;
  }

  /** Allocated on the first step, so only an optimiser that is used claims a network's wasm-side buffers. */
  private moments(): OptimizerState[] {
    const zerosLike = (a: FloatArray): FloatArray => (a instanceof Float32Array ? new Float32Array(a.length) : new Float64Array(a.length));
    this.state ??= this.tensors.map((t): OptimizerState => t.claimOptimizerState?.() ?? { m: zerosLike(t.params), v: zerosLike(t.params), kernels: null });
    return this.state;
  }

  step(): void {
    this.t++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const bc1 = 1 - b1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    const stepSize = this.lr / bc1;
    const eps = this.eps;
    const state = this.moments();
    for (let k = 0; k < this.tensors.length; k++) {
      const p = this.tensors[k]!.params;
      const g = this.tensors[k]!.grads;
      const { m, v, kernels } = state[k]!;
      if (kernels) {
        // The same arithmetic in wasm (assembly/gemm.ts adamStep): identical bits, several times faster.
        kernels.adamStep(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, p.length, b1, b2, stepSize, bc2Sqrt, eps);
        continue;
      }
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = b1 * m[i]! + (1 - b1) * gi;
        const vi = b2 * v[i]! + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
      }
    }
  }
}

/** The global L2 norm of several gradient arrays, summed in the order given (the order fixes the bits). */
function globalNorm(grads: readonly ArrayLike<number>[]): number {
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  return Math.sqrt(sq);
}

/** Multiplies every gradient by `coef` (the clip's scaling, shared by clipGradNorm and PPO's critic worker). */
export function scaleGrads(grads: FloatArray, coef: number): void {
  for (let i = 0; i < grads.length; i++) grads[i] = grads[i]! * coef;
}

/**
 * The factor clipGradNorm scales the gradients by (1: none), from gradient arrays in the order clipGradNorm would
 * visit their tensors, so the factor has the same bits (PPO's critic worker, src/rl/ppo/critic-threads.ts).
 */
export function clipCoefficient(grads: readonly ArrayLike<number>[], maxNorm: number): number {
  const coef = maxNorm / (globalNorm(grads) + 1e-6); // torch adds 1e-6 and clamps the coefficient at 1
  return coef < 1 ? coef : 1;
}

/** torch.nn.utils.clip_grad_norm_: scales all gradients so their global L2 norm is at most maxNorm. Returns the norm before clipping. */
export function clipGradNorm(tensors: readonly ParamTensor[], maxNorm: number): number {
  const grads = tensors.map((t) => t.grads);
  const norm = globalNorm(grads);
  const coef = maxNorm / (norm + 1e-6); // torch adds 1e-6 and clamps the coefficient at 1
  if (coef < 1) for (const g of grads) scaleGrads(g, coef);
  return norm;
}

/** A bare parameter vector (e.g. PPO's state-independent log_std) that an optimiser can update. */
export class ParamVector implements ParamTensor {
  readonly params: Float64Array;
  readonly grads: Float64Array;
  constructor(size: number, init = 0) {
    this.params = new Float64Array(size).fill(init);
    this.grads = new Float64Array(size);
  }
  zeroGrad(): void {
    this.grads.fill(0);
  }
}
