/**
 * `node --import tsx src/rl/wasm/kernel-speed.ts`: micro-benchmark of one dense layer of TD3's critic
 * ([256 -> 256], batch 256) in the float64 and float32 wasm kernels: the forward product and the two backward
 * products (dW += dy^T x, dx = dy W). Prints GFLOP/s (2 flops per multiply-add) of the fastest of 60
 * repetitions: on a shared machine the fastest one is the least disturbed by other processes.
 */
import { Rng } from '../../core/rng.ts';
import { WasmArena } from './kernels.ts';
import type { Dtype } from './kernels.ts';

const B = 256;
const K = 256;
const N = 256;

function measure(dtype: Dtype): Record<string, number> {
  const arena = new WasmArena(dtype, 3 * B * K + 2 * N * K + N + B * N, 8);
  const k = arena.kernels;
  const rng = new Rng(1);
  const x = arena.alloc(B * K);
  const w = arena.alloc(N * K);
  const bias = arena.alloc(N);
  const y = arena.alloc(B * N);
  const dW = arena.alloc(N * K);
  const dx = arena.alloc(B * K);
  for (const a of [x, w, bias, y]) for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const ops: Record<string, () => void> = {
    'forward y = x W^T + b': () => k.linearForward(x.byteOffset, w.byteOffset, bias.byteOffset, y.byteOffset, B, K, N),
    'dW += dy^T x': () => k.gemm(y.byteOffset, 1, N, x.byteOffset, dW.byteOffset, N, B, K, 1),
    'dx = dy W': () => k.gemm(y.byteOffset, N, 1, w.byteOffset, dx.byteOffset, B, N, K, 0),
  };
  const out: Record<string, number> = {};
  for (const [name, op] of Object.entries(ops)) {
    for (let i = 0; i < 20; i++) op();
    const ms: number[] = [];
    for (let r = 0; r < 60; r++) {
      const t = performance.now();
      for (let i = 0; i < 5; i++) op();
      ms.push((performance.now() - t) / 5);
    }
    ms.sort((a, b) => a - b);
    out[name] = (2 * B * K * N) / (ms[0]! * 1e6); // GFLOP/s
  }
  return out;
}

const f64 = measure('f64');
const f32 = measure('f32');
process.stdout.write(`layer [${K} -> ${N}], batch ${B}: GFLOP/s (fastest of 60)\n`);
for (const name of Object.keys(f64)) process.stdout.write(`${name.padEnd(24)} f64 ${f64[name]!.toFixed(1).padStart(6)}   f32 ${f32[name]!.toFixed(1).padStart(6)}   x${(f32[name]! / f64[name]!).toFixed(2)}\n`);
