import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../core/rng.ts';
import { Mlp } from '../nn/mlp.ts';
import type { MlpSpec } from '../nn/mlp.ts';
import type { Dtype } from './kernels.ts';

test('the committed wasm module matches a fresh compile of assembly/gemm.ts', () => {
  const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

function pair(spec: MlpSpec, batch: number, seed: number): { wasm: Mlp<Dtype>; ts: Mlp<Dtype> } {
  const wasm = new Mlp({ ...spec, kernel: 'wasm' }, batch);
  const ts = new Mlp({ ...spec, kernel: 'ts' }, batch);
  wasm.initTorchDefault(new Rng(seed));
  ts.params.set(wasm.params);
  return { wasm, ts };
}

// float64: the same sums up to order (1e-12); float32: wasm sums in float32, the TypeScript kernels in doubles
// rounded once, so they differ by float32 rounding over up to 64 terms (a broken kernel is off by O(1)).
for (const [dtype, tol] of [
  ['f64', 1e-12],
  ['f32', 2e-5],
] as const) {
test(`wasm-SIMD and TypeScript kernels agree on forward, parameter and input gradients (${dtype})`, () => {
  // Sizes that hit both the SIMD register blocks and the scalar tails.
  for (const [base, batch] of [
    [{ sizes: [3, 64, 64, 1], activation: 'relu' }, 256],
    [{ sizes: [13, 37, 30, 8], activation: 'tanh' }, 7],
    [{ sizes: [4, 6, 2], activation: 'tanh', outputActivation: 'tanh' }, 1],
    [{ sizes: [4, 20, 3], activation: 'relu' }, 5], // inputs <= 4: the float32 small-K forward, with leftover outputs
    [{ sizes: [2, 9, 1], activation: 'relu' }, 3],
  ] as [MlpSpec, number][]) {
    const spec = { ...base, dtype };
    const { wasm, ts } = pair(spec, batch, batch);
    assert.ok(wasm.params instanceof (dtype === 'f32' ? Float32Array : Float64Array));
    assert.equal(wasm.kernel, 'wasm');
    const rng = new Rng(7);
    const x = Float64Array.from({ length: batch * spec.sizes[0]! }, () => rng.normal());
    const yw = Float64Array.from(wasm.forward(x, batch));
    const yt = Float64Array.from(ts.forward(x, batch));
    const dOut = Float64Array.from({ length: yw.length }, () => rng.normal());
    const dxw = new Float64Array(x.length);
    const dxt = new Float64Array(x.length);
    wasm.zeroGrad();
    ts.zeroGrad();
    wasm.backward(dOut, dxw);
    ts.backward(dOut, dxt);
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let m = 0;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
      return m;
    };
    assert.ok(maxDiff(yw, yt) < tol, `forward ${maxDiff(yw, yt)}`);
    assert.ok(maxDiff(wasm.grads, ts.grads) < tol, `grads ${maxDiff(wasm.grads, ts.grads)}`);
    assert.ok(maxDiff(dxw, dxt) < tol, `input grads ${maxDiff(dxw, dxt)}`);
  }
});
}

test('float32 and float64 networks with the same weights agree to float32 precision', () => {
  const spec: MlpSpec = { sizes: [4, 256, 256, 1], activation: 'relu' };
  const n64 = new Mlp({ ...spec, dtype: 'f64' }, 64);
  const n32 = new Mlp({ ...spec, dtype: 'f32' }, 64);
  n64.initTorchDefault(new Rng(5));
  n32.initTorchDefault(new Rng(5)); // the same draws, rounded to float32
  const rng = new Rng(6);
  const x = Float64Array.from({ length: 64 * 4 }, () => rng.normal());
  const y64 = n64.forward(x, 64);
  const y32 = n32.forward(x, 64);
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(y32[i]! - y64[i]!) < 1e-5 * Math.max(1, Math.abs(y64[i]!)), `row ${i}: ${y32[i]} vs ${y64[i]}`);
  assert.notDeepEqual(Array.from(y32), Array.from(y64)); // really computed in float32
});

test('float32 ReLU and tanh kernels follow the scalar definitions exactly', () => {
  // Identity layers, so the outputs are relu(x) / tanh(x) of the float32 inputs.
  const xs = Float32Array.from([-2, -0, 0, 1e-30, -1e-30, 0.5, 3, NaN, -Infinity, 7, 0.625, -0.7, 20]);
  const relu = new Mlp({ sizes: [1, 1, 1], activation: 'relu', dtype: 'f32', kernel: 'wasm' }, xs.length);
  relu.params.set([1, 0, 1, 0]);
  const yr = relu.forward(xs, xs.length);
  for (let i = 0; i < xs.length; i++) assert.ok(Object.is(yr[i], xs[i]! > 0 ? xs[i]! : 0), `relu(${xs[i]}) = ${yr[i]}`);
  const grid = Float32Array.from({ length: 4001 }, (_, i) => (i - 2000) / 80); // [-25, 25]
  const zs = Float32Array.of(...xs, ...grid);
  const th = new Mlp({ sizes: [1, 1], activation: 'tanh', outputActivation: 'tanh', dtype: 'f32', kernel: 'wasm' }, zs.length);
  th.params.set([1, 0]);
  const yt = th.forward(zs, zs.length);
  for (let i = 0; i < zs.length; i++) if (!Number.isNaN(zs[i]!)) assert.equal(yt[i], Math.fround(Math.tanh(zs[i]! + 0)), `tanh(${zs[i]})`); // + 0: the layer turns -0 into +0
});

test('the SIMD tanh in wasm matches Math.tanh to a few ulp, keeps odd symmetry and saturates', () => {
  const net = new Mlp({ sizes: [1, 1], activation: 'tanh', outputActivation: 'tanh', kernel: 'wasm' }, 4001);
  net.params.set([1, 0]); // identity layer, so the output is tanh(input)
  const xs = Float64Array.from({ length: 4001 }, (_, i) => (i - 2000) / 80); // [-25, 25], crosses the 0.625 branch point
  const y = net.forward(xs, xs.length);
  let maxRel = 0;
  for (let i = 0; i < xs.length; i++) {
    const t = Math.tanh(xs[i]!);
    maxRel = Math.max(maxRel, Math.abs(y[i]! - t) / Math.max(Math.abs(t), 1e-300));
    assert.ok(y[i] === -y[xs.length - 1 - i]!, `odd symmetry at ${xs[i]}`);
  }
  assert.ok(maxRel < 1e-15, `max relative error ${maxRel}`);
  assert.equal(y[0], -1);
  assert.equal(y[2000], 0);
});
