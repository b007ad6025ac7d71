/**
 * Loads the wasm-SIMD dense-layer kernels (assembly/gemm.ts, inlined by scripts/build-wasm.mjs) and gives
 * each network its own small wasm memory ("arena") whose typed-array views hold the network's parameters,
 * gradients and activations, so the kernels run on them without copies. A network is float32 (f32x4 kernels,
 * Float32Array views) or float64 (f64x2 kernels, Float64Array views): its `Dtype`.
 *
 * EDGEPILOT_RL_KERNEL=ts forces the pure-TypeScript kernels (the reference implementation); by default the
 * wasm kernels are used whenever WebAssembly SIMD compiles.
 */
import { GEMM_WASM_BASE64 } from './gemm.generated.ts';

/** The kernels of one dtype; pointers are byte offsets into the arena's memory. */
export interface GemmExports {
  /** C[M x N] (+)= A B with A(i, k) at a + (i * aRow + k * aCol) * bytesPerElement (so A may be read transposed). */
  gemm(a: number, aRow: number, aCol: number, b: number, c: number, M: number, K: number, N: number, accumulate: number): void;
  /** y[M x N] = x[M x K] W[N x K]^T + bias[N]. */
  linearForward(x: number, w: number, bias: number, y: number, M: number, K: number, N: number): void;
  sumRows(dy: number, db: number, rows: number, cols: number): void;
  tanhForward(y: number, n: number): void;
  reluForward(y: number, n: number): void;
  tanhBackward(d: number, y: number, n: number): void;
  reluBackward(d: number, y: number, n: number): void;
  /** One torch Adam step over n parameters in place (float64 arithmetic, the same bits as the loop in adam.ts). */
  adamStep(p: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, stepSize: number, bc2Sqrt: number, eps: number): void;
}

export type KernelKind = 'wasm' | 'ts';

/** Element type of a network's buffers: 'f32' as torch/SB3 train by default, 'f64' for exact gradient checks. */
export type Dtype = 'f32' | 'f64';
export type FloatArray = Float32Array | Float64Array;
/** The typed array of a dtype (a union when the dtype is only known at run time). */
export type ArrayOf<D extends Dtype> = D extends 'f32' ? Float32Array : Float64Array;

export const BYTES_PER_ELEMENT: Readonly<Record<Dtype, number>> = { f32: 4, f64: 8 };

export function parseDtype(value: unknown, where: string): Dtype {
  if (value === 'f32' || value === 'f64') return value;
  throw new Error(`${where}: dtype must be 'f32' or 'f64', got ${JSON.stringify(value)}`);
}

/** A zero-filled array of `length` elements of `dtype` on the JS heap. */
export function newArray<D extends Dtype>(dtype: D, length: number): ArrayOf<D> {
  return (dtype === 'f32' ? new Float32Array(length) : new Float64Array(length)) as ArrayOf<D>;
}

const KERNEL_NAMES = ['gemm', 'linearForward', 'sumRows', 'tanhForward', 'reluForward', 'tanhBackward', 'reluBackward', 'adamStep'] as const;

// The project's tsconfig has no DOM lib, so the few WebAssembly JS-API pieces used here are typed locally.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

function kernelModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new WA.Module(Buffer.from(GEMM_WASM_BASE64, 'base64'));
    } catch {
      compiled = null; // no SIMD support: fall back to the TypeScript kernels
    }
  }
  return compiled;
}

/** The kernel a new network will use: EDGEPILOT_RL_KERNEL (wasm|ts) if set, else wasm when available. */
export function defaultKernel(): KernelKind {
  const env = process.env['EDGEPILOT_RL_KERNEL'];
  if (env !== undefined && env !== 'wasm' && env !== 'ts') throw new Error(`EDGEPILOT_RL_KERNEL must be 'wasm' or 'ts', got '${env}'`);
  if (env === 'ts') return 'ts';
  return kernelModule() ? 'wasm' : 'ts';
}

const RESERVED_BYTES = 1024; // keep address 0 and a little headroom unused

/**
 * One network's wasm memory, sized once; `alloc` hands out 16-byte-aligned views of the arena's dtype, and
 * `kernels` are that dtype's exports (gemm or gemmF32, ...), so callers are written once for both dtypes.
 */
export class WasmArena<D extends Dtype = Dtype> {
  readonly memory: WasmMemory;
  readonly kernels: GemmExports;
  readonly bytesPerElement: number;
  private offset = RESERVED_BYTES;

  constructor(
    readonly dtype: D,
    totalElements: number,
    extraViews: number,
  ) {
    const mod = kernelModule();
    if (!mod) throw new Error('WasmArena: WebAssembly SIMD kernels are unavailable here; use the TypeScript kernels');
    this.bytesPerElement = BYTES_PER_ELEMENT[dtype];
    const bytes = RESERVED_BYTES + totalElements * this.bytesPerElement + extraViews * 16;
    this.memory = new WA.Memory({ initial: Math.ceil(bytes / 65536) });
    const exports = new WA.Instance(mod, { env: { memory: this.memory } }).exports;
    const suffix = dtype === 'f32' ? 'F32' : '';
    this.kernels = Object.fromEntries(KERNEL_NAMES.map((name) => [name, exports[name + suffix]])) as unknown as GemmExports;
  }

  alloc(length: number): ArrayOf<D> {
    const view = this.dtype === 'f32' ? new Float32Array(this.memory.buffer, this.offset, length) : new Float64Array(this.memory.buffer, this.offset, length);
    this.offset += Math.ceil((length * this.bytesPerElement) / 16) * 16;
    if (this.offset > this.memory.buffer.byteLength) throw new Error('WasmArena: out of memory (sizing bug)');
    return view as ArrayOf<D>;
  }
}
