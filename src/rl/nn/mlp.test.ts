import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.ts';
import { Mlp } from './mlp.ts';
import type { MlpSpec } from './mlp.ts';
import { Adam, clipGradNorm, ParamVector } from './adam.ts';
import { orthogonalInit } from './init.ts';

/**
 * Loss = sum_k c_k * out_k, so dLoss/dOut = c. Compares analytic and central-difference gradients. The step
 * actually taken is read back after storing (in float32 it is rounded), so only the loss's rounding remains.
 */
function gradCheck(spec: MlpSpec, batch: number, seed: number, h = 1e-6): { maxParamErr: number; maxInputErr: number } {
  const rng = new Rng(seed);
  const net = new Mlp(spec, batch);
  net.initTorchDefault(rng);
  const nIn = spec.sizes[0]!;
  const nOut = spec.sizes[spec.sizes.length - 1]!;
  const x = spec.dtype === 'f32' ? new Float32Array(batch * nIn) : new Float64Array(batch * nIn);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const c = Float64Array.from({ length: batch * nOut }, () => rng.normal());
  const loss = (input: ArrayLike<number>): number => {
    const y = net.forward(input, batch);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += c[i]! * y[i]!;
    return s;
  };
  net.zeroGrad();
  loss(x);
  const dx = new Float64Array(batch * nIn);
  net.backward(c, dx);
  let maxParamErr = 0;
  for (let i = 0; i < net.params.length; i++) {
    const p0 = net.params[i]!;
    net.params[i] = p0 + h;
    const pPlus = net.params[i]!;
    const lp = loss(x);
    net.params[i] = p0 - h;
    const pMinus = net.params[i]!;
    const lm = loss(x);
    net.params[i] = p0;
    const num = (lp - lm) / (pPlus - pMinus);
    maxParamErr = Math.max(maxParamErr, Math.abs(num - net.grads[i]!) / Math.max(1, Math.abs(num)));
  }
  let maxInputErr = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    x[i] = x0 + h;
    const xPlus = x[i]!;
    const lp = loss(x);
    x[i] = x0 - h;
    const xMinus = x[i]!;
    const lm = loss(x);
    x[i] = x0;
    const num = (lp - lm) / (xPlus - xMinus);
    maxInputErr = Math.max(maxInputErr, Math.abs(num - dx[i]!) / Math.max(1, Math.abs(num)));
  }
  return { maxParamErr, maxInputErr };
}

test('MLP gradients match finite differences (tanh, identity head; odd batch exercises the kernel tails)', () => {
  const r = gradCheck({ sizes: [5, 7, 6, 3], activation: 'tanh' }, 7, 1);
  assert.ok(r.maxParamErr < 1e-6, `param grad error ${r.maxParamErr}`);
  assert.ok(r.maxInputErr < 1e-6, `input grad error ${r.maxInputErr}`);
});

test('MLP gradients match finite differences (relu, tanh head as the TD3 actor)', () => {
  const r = gradCheck({ sizes: [4, 9, 8, 2], activation: 'relu', outputActivation: 'tanh' }, 8, 2);
  assert.ok(r.maxParamErr < 1e-6, `param grad error ${r.maxParamErr}`);
  assert.ok(r.maxInputErr < 1e-6, `input grad error ${r.maxInputErr}`);
});

test('float32 MLP gradients match finite differences to float32 precision', () => {
  // h = 2^-7: float32 rounding of the loss (~1e-7 relative) divided by h stays ~1e-4; a wrong gradient is off by O(1).
  for (const outputActivation of ['identity', 'tanh'] as const) {
    const r = gradCheck({ sizes: [5, 7, 6, 3], activation: 'tanh', outputActivation, dtype: 'f32' }, 7, 3, 2 ** -7);
    assert.ok(r.maxParamErr < 5e-3, `param grad error ${r.maxParamErr}`);
    assert.ok(r.maxInputErr < 5e-3, `input grad error ${r.maxInputErr}`);
  }
});

test('Adam in wasm gives the same bits as the TypeScript loop, in float64 and float32', () => {
  for (const dtype of ['f64', 'f32'] as const) {
    const spec: MlpSpec = { sizes: [3, 5, 2], activation: 'relu', dtype }; // 32 parameters: even, so also test an odd tensor below
    const wasm = new Mlp({ ...spec, kernel: 'wasm' }, 1);
    const ts = new Mlp({ ...spec, kernel: 'ts' }, 1);
    wasm.initTorchDefault(new Rng(4));
    ts.params.set(wasm.params);
    const odd = new Mlp({ sizes: [2, 1], activation: 'relu', dtype, kernel: 'wasm' }, 1); // 3 parameters
    const oddTs = new Mlp({ sizes: [2, 1], activation: 'relu', dtype, kernel: 'ts' }, 1);
    odd.params.set([0.3, -0.7, 0.1]);
    oddTs.params.set(odd.params);
    const a = new Adam([wasm, odd], { lr: 1e-3 });
    const b = new Adam([ts, oddTs], { lr: 1e-3 });
    const rng = new Rng(5);
    for (let step = 0; step < 5; step++) {
      for (const [x, y] of [[wasm, ts], [odd, oddTs]] as const) {
        for (let i = 0; i < x.grads.length; i++) x.grads[i] = rng.normal() * 10 ** (rng.int(7) - 4);
        y.grads.set(x.grads);
      }
      a.step();
      b.step();
    }
    assert.deepEqual(Array.from(wasm.params), Array.from(ts.params), dtype);
    assert.deepEqual(Array.from(odd.params), Array.from(oddTs.params), dtype);
    assert.notDeepEqual(Array.from(odd.params), [0.3, -0.7, 0.1].map((v) => (dtype === 'f32' ? Math.fround(v) : v)));
  }
});

test('orthogonal init: rows (or columns) are orthonormal times the gain', () => {
  const rng = new Rng(3);
  for (const [rows, cols] of [
    [8, 5],
    [5, 8],
    [6, 6],
  ] as const) {
    const w = new Float64Array(rows * cols);
    orthogonalInit(w, 0, rows, cols, 2, rng);
    // W W^T = 4 I when rows <= cols, W^T W = 4 I when rows >= cols.
    const small = Math.min(rows, cols);
    for (let a = 0; a < small; a++) {
      for (let b = 0; b < small; b++) {
        let dot = 0;
        if (rows <= cols) for (let k = 0; k < cols; k++) dot += w[a * cols + k]! * w[b * cols + k]!;
        else for (let k = 0; k < rows; k++) dot += w[k * cols + a]! * w[k * cols + b]!;
        assert.ok(Math.abs(dot - (a === b ? 4 : 0)) < 1e-9, `${rows}x${cols} entry (${a},${b}) = ${dot}`);
      }
    }
  }
});

test('SB3 ortho init: zero biases, and the same seed gives the same weights', () => {
  const a = new Mlp({ sizes: [4, 64, 64, 2], activation: 'tanh' }, 1);
  const b = new Mlp({ sizes: [4, 64, 64, 2], activation: 'tanh' }, 1);
  a.initOrthogonal(new Rng(5), Math.SQRT2, 0.01);
  b.initOrthogonal(new Rng(5), Math.SQRT2, 0.01);
  assert.deepEqual(a.params, b.params);
  const y = a.forward([0.1, -0.2, 0.3, 0.05], 1);
  assert.ok(Math.abs(y[0]!) < 0.05 && Math.abs(y[1]!) < 0.05, 'a 0.01-gain head gives near-zero logits');
});

test('torch default init stays within 1/sqrt(fan_in)', () => {
  const net = new Mlp({ sizes: [16, 4], activation: 'relu' }, 1);
  net.initTorchDefault(new Rng(9));
  for (const v of net.params) assert.ok(Math.abs(v) <= 0.25);
});

test('Adam matches hand-computed torch steps', () => {
  const p = new ParamVector(2);
  p.params.set([1, -2]);
  const opt = new Adam([p], { lr: 0.1, eps: 1e-8 });
  p.grads.set([0.5, -3]);
  opt.step();
  // First step: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps) = 0.1 * sign(g).
  assert.ok(Math.abs(p.params[0]! - 0.9) < 1e-7);
  assert.ok(Math.abs(p.params[1]! - -1.9) < 1e-7);
  const after1 = p.params[1]!;
  p.grads.set([0.5, 0]);
  opt.step();
  // Second step for entry 1 (gradient 0): m = 0.9 * 0.1 * g1, v = 0.999 * 0.001 * g1^2, bias-corrected.
  const m = 0.9 * 0.1 * -3;
  const v = 0.999 * 0.001 * 9;
  const expected = after1 - (0.1 / (1 - 0.81)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8));
  assert.ok(Math.abs(p.params[1]! - expected) < 1e-12, `${p.params[1]} vs ${expected}`);
});

test('clipGradNorm scales to the max norm and leaves small gradients alone', () => {
  const a = new ParamVector(2);
  const b = new ParamVector(1);
  a.grads.set([3, 0]);
  b.grads.set([4]);
  const norm = clipGradNorm([a, b], 1);
  assert.equal(norm, 5);
  assert.ok(Math.abs(Math.hypot(a.grads[0]!, a.grads[1]!, b.grads[0]!) - 1) < 1e-6);
  a.grads.set([0.1, 0]);
  b.grads.set([0]);
  clipGradNorm([a, b], 1);
  assert.equal(a.grads[0], 0.1);
});

test('Mlp rejects a batch larger than it was built for', () => {
  const net = new Mlp({ sizes: [2, 2], activation: 'tanh' }, 2);
  assert.throws(() => net.forward(new Float64Array(6), 3), /batch 3 exceeds maxBatch 2/);
});

test('backward with paramGrads: false gives the same input gradient and leaves grads untouched', () => {
  const net = new Mlp({ sizes: [3, 8, 1], activation: 'relu' }, 5);
  net.initTorchDefault(new Rng(8));
  const x = Float64Array.from({ length: 15 }, (_, i) => Math.sin(i));
  const d = Float64Array.from({ length: 5 }, (_, i) => i - 2);
  const full = new Float64Array(15);
  const only = new Float64Array(15);
  net.zeroGrad();
  net.forward(x, 5);
  net.backward(d, full);
  net.zeroGrad();
  net.forward(x, 5);
  net.backward(d, only, { paramGrads: false });
  assert.deepEqual(only, full);
  assert.ok(net.grads.every((g) => g === 0));
});
