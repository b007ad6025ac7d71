/**
 * A multi-layer perceptron with a hand-written backward pass, on buffers allocated once.
 *
 * Layout follows torch.nn.Linear: layer l has a weight matrix W_l [out x in] (row-major) and a bias b_l [out];
 * y = x W^T + b. All parameters live in one flat typed array (`params`) and their gradients in `grads`, so the
 * optimiser and the gradient-norm clip see a flat vector.
 *
 * The element type is the network's `dtype`: 'f64' (the default; Float64Array, f64x2 wasm kernels) keeps
 * finite-difference gradient checks meaningful and is what PPO and the shipped PPO models use; 'f32'
 * (Float32Array, f32x4 kernels with twice the lanes) is torch's default and what TD3 uses for speed. One code
 * path serves both: only the arena's views and kernels differ (src/rl/wasm/kernels.ts).
 */
import type { Rng } from '../../core/rng.ts';
import { orthogonalInit, torchLinearInit } from './init.ts';
import { gemmForward, gemmBackwardInput, gemmBackwardWeights } from './gemm.ts';
import { BYTES_PER_ELEMENT, WasmArena, defaultKernel, newArray } from '../wasm/kernels.ts';
import type { ArrayOf, Dtype, FloatArray, GemmExports, KernelKind } from '../wasm/kernels.ts';

export type Activation = 'tanh' | 'relu';
export type OutputActivation = 'identity' | 'tanh';

export interface MlpSpec<D extends Dtype = Dtype> {
  /** Layer widths, input first, output last, e.g. [4, 64, 64, 2]. */
  sizes: readonly number[];
  activation: Activation;
  outputActivation?: OutputActivation;
  /** 'wasm' (SIMD, default when available) or 'ts' (the pure-TypeScript reference). */
  kernel?: KernelKind;
  /** Element type of every buffer; 'f64' when omitted. */
  dtype?: D;
}

export interface ParamTensor {
  readonly params: FloatArray;
  readonly grads: FloatArray;
  /** Optional: zeroed moment buffers next to the parameters, and the wasm kernels that can update them in place. */
  claimOptimizerState?(): OptimizerState | null;
}

/** An optimiser's per-parameter moments; `kernels` when they sit in the network's wasm memory (else null). */
export interface OptimizerState {
  m: FloatArray;
  v: FloatArray;
  kernels: GemmExports | null;
}

export class Mlp<D extends Dtype = 'f64'> implements ParamTensor {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly outputActivation: OutputActivation;
  readonly dtype: D;
  readonly params: ArrayOf<D>;
  readonly grads: ArrayOf<D>;
  readonly maxBatch: number;
  private readonly wOff: number[] = [];
  private readonly bOff: number[] = [];
  /** acts[0] is a copy of the input; acts[l] is the post-activation output of layer l. */
  private readonly acts: ArrayOf<D>[] = [];
  /** Scratch for the gradient flowing backwards into each layer's output. */
  private readonly deltas: ArrayOf<D>[] = [];
  readonly kernel: KernelKind;
  /** Scratch for transposed weights in the TypeScript input-gradient kernel. */
  private readonly wt: ArrayOf<D>;
  private readonly wasm: GemmExports | null = null;
  /** Bytes per element, to turn element offsets into the kernels' byte pointers. */
  private readonly bytes: number;
  private lastBatch = 0;
  /** Room in the wasm memory for one optimiser's two moment buffers, handed out once (claimOptimizerState). */
  private optimizerState: OptimizerState | null = null;

  constructor(spec: MlpSpec<D>, maxBatch: number) {
    if (spec.sizes.length < 2) throw new Error(`Mlp: sizes needs at least input and output, got [${spec.sizes.join(', ')}]`);
    for (const s of spec.sizes) if (!Number.isInteger(s) || s < 1) throw new Error(`Mlp: layer sizes must be positive integers, got [${spec.sizes.join(', ')}]`);
    this.sizes = [...spec.sizes];
    this.activation = spec.activation;
    this.outputActivation = spec.outputActivation ?? 'identity';
    this.maxBatch = maxBatch;
    this.dtype = spec.dtype ?? ('f64' as D);
    this.bytes = BYTES_PER_ELEMENT[this.dtype];
    let n = 0;
    let maxW = 0;
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      this.wOff.push(n);
      n += this.sizes[l]! * this.sizes[l + 1]!;
      this.bOff.push(n);
      n += this.sizes[l + 1]!;
      maxW = Math.max(maxW, this.sizes[l]! * this.sizes[l + 1]!);
    }
    this.kernel = spec.kernel ?? defaultKernel();
    let alloc = (length: number): ArrayOf<D> => newArray(this.dtype, length);
    if (this.kernel === 'wasm') {
      const actsTotal = this.sizes.reduce((t, s) => t + maxBatch * s, 0);
      const views = 4 + 2 * this.sizes.length;
      const arena = new WasmArena(this.dtype, 4 * n + 2 * actsTotal, views + 2);
      this.wasm = arena.kernels;
      alloc = (length) => arena.alloc(length);
    }
    this.params = alloc(n);
    this.grads = alloc(n);
    if (this.wasm) this.optimizerState = { m: alloc(n), v: alloc(n), kernels: this.wasm };
    this.wt = newArray(this.dtype, this.kernel === 'ts' ? maxW : 0);
    for (const s of this.sizes) {
      this.acts.push(alloc(maxBatch * s));
      this.deltas.push(alloc(maxBatch * s));
    }
  }

  get numLayers(): number {
    return this.sizes.length - 1;
  }
  get inputSize(): number {
    return this.sizes[0]!;
  }
  get outputSize(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** SB3 ortho_init: orthogonal weights with `hiddenGain` for hidden layers and `outputGain` for the last, zero biases. */
  initOrthogonal(rng: Rng, hiddenGain: number, outputGain: number): void {
    this.params.fill(0);
    for (let l = 0; l < this.numLayers; l++) {
      const gain = l === this.numLayers - 1 ? outputGain : hiddenGain;
      orthogonalInit(this.params, this.wOff[l]!, this.sizes[l + 1]!, this.sizes[l]!, gain, rng);
    }
  }

  /** Sets one bias of the output layer (e.g. to start a categorical head at a preferred action). */
  setOutputBias(unit: number, value: number): void {
    const nOut = this.sizes[this.numLayers]!;
    if (!(Number.isInteger(unit) && unit >= 0 && unit < nOut)) throw new Error(`Mlp.setOutputBias: unit ${unit} is outside the output layer's ${nOut} units`);
    this.params[this.bOff[this.numLayers - 1]! + unit] = value;
  }

  /** PyTorch's default nn.Linear init (what SB3 TD3 uses). */
  initTorchDefault(rng: Rng): void {
    for (let l = 0; l < this.numLayers; l++) torchLinearInit(this.params, this.wOff[l]!, this.bOff[l]!, this.sizes[l + 1]!, this.sizes[l]!, rng);
  }

  /**
   * The moment buffers in this network's wasm memory, for the first optimiser that asks (target networks never
   * do; TD3 with threads: 2 steps a different optimiser than it built first, so this is claimed on first step).
   * Null afterwards or with the TypeScript kernels: the optimiser then keeps its own buffers.
   */
  claimOptimizerState(): OptimizerState | null {
    const state = this.optimizerState;
    this.optimizerState = null;
    return state;
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /** Forward pass for `batch` rows of `input` (row-major, batch x inputSize). Returns a view of the output. */
  forward(input: ArrayLike<number>, batch: number): ArrayOf<D> {
    if (batch > this.maxBatch) throw new Error(`Mlp.forward: batch ${batch} exceeds maxBatch ${this.maxBatch}`);
    const inSize = this.sizes[0]!;
    const a0 = this.acts[0]!;
    for (let i = 0; i < batch * inSize; i++) a0[i] = input[i]!;
    for (let l = 0; l < this.numLayers; l++) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      const y = this.acts[l + 1]!;
      const act = l === this.numLayers - 1 ? this.outputActivation : this.activation;
      const len = batch * nOut;
      if (this.wasm) {
        const k = this.wasm;
        const P = this.params.byteOffset;
        k.linearForward(this.acts[l]!.byteOffset, P + this.wOff[l]! * this.bytes, P + this.bOff[l]! * this.bytes, y.byteOffset, batch, nIn, nOut);
        if (act === 'tanh') k.tanhForward(y.byteOffset, len);
        else if (act === 'relu') k.reluForward(y.byteOffset, len);
        continue;
      }
      gemmForward(this.acts[l]!, this.params, this.wOff[l]!, this.bOff[l]!, y, batch, nIn, nOut);
      if (act === 'tanh') for (let i = 0; i < len; i++) y[i] = Math.tanh(y[i]!);
      else if (act === 'relu') for (let i = 0; i < len; i++) y[i] = y[i]! > 0 ? y[i]! : 0;
    }
    this.lastBatch = batch;
    return this.acts[this.numLayers]!.subarray(0, batch * this.outputSize) as ArrayOf<D>;
  }

  /**
   * Backward pass for the batch of the last `forward`: accumulates dLoss/dParams into `grads`. `dOutput` is
   * dLoss/dOutput (post output-activation). If `dInput` is given it receives dLoss/dInput (TD3's actor needs
   * dQ/da through the critic). With `paramGrads: false` only the input gradient is computed (TD3's actor step
   * does not need the critic's parameter gradients).
   */
  backward(dOutput: ArrayLike<number>, dInput?: FloatArray, opts: { paramGrads?: boolean } = {}): void {
    const paramGrads = opts.paramGrads ?? true;
    const batch = this.lastBatch;
    const L = this.numLayers;
    let d = this.deltas[L]!;
    for (let i = 0; i < batch * this.outputSize; i++) d[i] = dOutput[i]!;
    for (let l = L - 1; l >= 0; l--) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      const y = this.acts[l + 1]!;
      const act = l === L - 1 ? this.outputActivation : this.activation;
      const len = batch * nOut;
      const needInput = l > 0 || dInput !== undefined;
      // deltas[0] receives dLoss/dInput and is then copied out to the caller's array.
      const dPrev = this.deltas[l]!;
      if (this.wasm) {
        const k = this.wasm;
        const G = this.grads.byteOffset;
        if (act === 'tanh') k.tanhBackward(d.byteOffset, y.byteOffset, len);
        else if (act === 'relu') k.reluBackward(d.byteOffset, y.byteOffset, len);
        // dW += dy^T x (dy read transposed in place);  db += column sums of dy;  dx = dy W.
        if (paramGrads) {
          k.gemm(d.byteOffset, 1, nOut, this.acts[l]!.byteOffset, G + this.wOff[l]! * this.bytes, nOut, batch, nIn, 1);
          k.sumRows(d.byteOffset, G + this.bOff[l]! * this.bytes, batch, nOut);
        }
        if (needInput) k.gemm(d.byteOffset, nOut, 1, this.params.byteOffset + this.wOff[l]! * this.bytes, dPrev.byteOffset, batch, nOut, nIn, 0);
      } else {
        // Through the activation, using the stored post-activation values.
        if (act === 'tanh') for (let i = 0; i < len; i++) d[i] = d[i]! * (1 - y[i]! * y[i]!);
        else if (act === 'relu') for (let i = 0; i < len; i++) if (!(y[i]! > 0)) d[i] = 0;
        if (paramGrads) gemmBackwardWeights(d, this.acts[l]!, this.grads, this.wOff[l]!, this.bOff[l]!, batch, nIn, nOut);
        if (needInput) gemmBackwardInput(d, this.params, this.wOff[l]!, dPrev, batch, nIn, nOut, this.wt);
      }
      if (!needInput) break;
      d = dPrev;
    }
    if (dInput) {
      const n = batch * this.inputSize;
      for (let i = 0; i < n; i++) dInput[i] = this.deltas[0]![i]!;
    }
  }

  /** Copies parameters from another network of the same shape. */
  copyFrom(other: Mlp<Dtype>): void {
    if (other.params.length !== this.params.length) throw new Error('Mlp.copyFrom: shape mismatch');
    this.params.set(other.params);
  }

  /** Polyak averaging: this = tau * source + (1 - tau) * this (SB3 polyak_update). */
  polyakFrom(source: Mlp<Dtype>, tau: number): void {
    const p = this.params;
    const s = source.params;
    for (let i = 0; i < p.length; i++) p[i] = p[i]! * (1 - tau) + s[i]! * tau;
  }
}
