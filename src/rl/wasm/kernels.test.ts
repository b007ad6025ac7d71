import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../core/rng.ts';
import { Mlp } from '../nn/mlp.ts';
import type { MlpSpec } from '../nn/mlp.ts';

test('the committed wasm module matches a fresh compile of assembly/gemm.ts', () => {
  const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

function pair(spec: MlpSpec, batch: number, seed: number): { wasm: Mlp; ts: Mlp } {
  const wasm = new Mlp({ ...spec, kernel: 'wasm' }, batch);
  const ts = new Mlp({ ...spec, kernel: 'ts' }, batch);
  wasm.initTorchDefault(new Rng(seed));
  ts.params.set(wasm.params);
  return { wasm, ts };
}

test('wasm-SIMD and TypeScript kernels agree on forward, parameter and input gradients', () => {
  // Sizes that hit both the 4x4 SIMD blocks and the scalar tails.
  for (const [spec, batch] of [
    [{ sizes: [3, 64, 64, 1], activation: 'relu' }, 256],
    [{ sizes: [13, 37, 30, 8], activation: 'tanh' }, 7],
    [{ sizes: [4, 6, 2], activation: 'tanh', outputActivation: 'tanh' }, 1],
  ] as [MlpSpec, number][]) {
    const { wasm, ts } = pair(spec, batch, batch);
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
    assert.ok(maxDiff(yw, yt) < 1e-12, `forward ${maxDiff(yw, yt)}`);
    assert.ok(maxDiff(wasm.grads, ts.grads) < 1e-12, `grads ${maxDiff(wasm.grads, ts.grads)}`);
    assert.ok(maxDiff(dxw, dxt) < 1e-12, `input grads ${maxDiff(dxw, dxt)}`);
  }
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
