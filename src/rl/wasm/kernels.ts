/**
 * Loads the wasm-SIMD dense-layer kernels (assembly/gemm.ts, inlined by scripts/build-wasm.mjs) and gives
 * each network its own small wasm memory ("arena") whose Float64Array views hold the network's parameters,
 * gradients and activations, so the kernels run on them without copies.
 *
 * EDGEPILOT_RL_KERNEL=ts forces the pure-TypeScript kernels (the reference implementation); by default the
 * wasm kernels are used whenever WebAssembly SIMD compiles.
 */
import { GEMM_WASM_BASE64 } from './gemm.generated.ts';

export interface GemmExports {
  /** C[M x N] (+)= A B with A(i, k) at a + (i * aRow + k * aCol) * 8 (so A may be read transposed). */
  gemm(a: number, aRow: number, aCol: number, b: number, c: number, M: number, K: number, N: number, accumulate: number): void;
  /** y[M x N] = x[M x K] W[N x K]^T + bias[N]. */
  linearForward(x: number, w: number, bias: number, y: number, M: number, K: number, N: number): void;
  sumRows(dy: number, db: number, rows: number, cols: number): void;
  tanhForward(y: number, n: number): void;
  reluForward(y: number, n: number): void;
  tanhBackward(d: number, y: number, n: number): void;
  reluBackward(d: number, y: number, n: number): void;
}

export type KernelKind = 'wasm' | 'ts';

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

/** One network's wasm memory, sized once; `alloc` hands out 16-byte-aligned Float64Array views. */
export class WasmArena {
  readonly memory: WasmMemory;
  readonly kernels: GemmExports;
  private offset = RESERVED_BYTES;

  constructor(totalFloat64s: number, extraViews: number) {
    const mod = kernelModule();
    if (!mod) throw new Error('WasmArena: WebAssembly SIMD kernels are unavailable here; use the TypeScript kernels');
    const bytes = RESERVED_BYTES + totalFloat64s * 8 + extraViews * 16;
    this.memory = new WA.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new WA.Instance(mod, { env: { memory: this.memory } });
    this.kernels = instance.exports as unknown as GemmExports;
  }

  alloc(length: number): Float64Array {
    const view = new Float64Array(this.memory.buffer, this.offset, length);
    this.offset += Math.ceil((length * 8) / 16) * 16;
    if (this.offset > this.memory.buffer.byteLength) throw new Error('WasmArena: out of memory (sizing bug)');
    return view;
  }
}
