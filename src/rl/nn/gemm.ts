/**
 * The three dense-layer kernels of an MLP in plain TypeScript (the reference implementation), for float32 and
 * float64 buffers alike (sums are carried in JS doubles and rounded once when stored).
 * W is [nOut x nIn] row-major at `wOff` in `params`; the bias is at `bOff`.
 *
 * Register blocking over 4 batch rows: every weight loaded from memory is used for 4 multiply-adds, which
 * roughly doubles throughput in V8 compared with the naive triple loop (ml-stack.md §2: blocked JS 2x naive).
 */
import type { FloatArray } from '../wasm/kernels.ts';

/** y[b, o] = b_o + sum_i x[b, i] * W[o, i]. */
export function gemmForward(x: FloatArray, params: FloatArray, wOff: number, bOff: number, y: FloatArray, batch: number, nIn: number, nOut: number): void {
  let b = 0;
  for (; b + 3 < batch; b += 4) {
    const x0 = b * nIn;
    const x1 = x0 + nIn;
    const x2 = x1 + nIn;
    const x3 = x2 + nIn;
    for (let o = 0; o < nOut; o++) {
      const wo = wOff + o * nIn;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < nIn; i++) {
        const w = params[wo + i]!;
        s0 += x[x0 + i]! * w;
        s1 += x[x1 + i]! * w;
        s2 += x[x2 + i]! * w;
        s3 += x[x3 + i]! * w;
      }
      const bias = params[bOff + o]!;
      y[b * nOut + o] = s0 + bias;
      y[(b + 1) * nOut + o] = s1 + bias;
      y[(b + 2) * nOut + o] = s2 + bias;
      y[(b + 3) * nOut + o] = s3 + bias;
    }
  }
  for (; b < batch; b++) {
    const xo = b * nIn;
    for (let o = 0; o < nOut; o++) {
      const wo = wOff + o * nIn;
      let s = 0;
      for (let i = 0; i < nIn; i++) s += x[xo + i]! * params[wo + i]!;
      y[b * nOut + o] = s + params[bOff + o]!;
    }
  }
}

/** dW[o, i] += sum_b dy[b, o] * x[b, i];  db[o] += sum_b dy[b, o]. */
export function gemmBackwardWeights(dy: FloatArray, x: FloatArray, grads: FloatArray, wOff: number, bOff: number, batch: number, nIn: number, nOut: number): void {
  for (let o = 0; o < nOut; o++) {
    const wo = wOff + o * nIn;
    let b = 0;
    let gb = 0;
    for (; b + 3 < batch; b += 4) {
      const g0 = dy[b * nOut + o]!;
      const g1 = dy[(b + 1) * nOut + o]!;
      const g2 = dy[(b + 2) * nOut + o]!;
      const g3 = dy[(b + 3) * nOut + o]!;
      gb += g0 + g1 + g2 + g3;
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue; // dead ReLU units: skipping is exact
      const x0 = b * nIn;
      const x1 = x0 + nIn;
      const x2 = x1 + nIn;
      const x3 = x2 + nIn;
      for (let i = 0; i < nIn; i++) grads[wo + i] = grads[wo + i]! + (g0 * x[x0 + i]! + g1 * x[x1 + i]! + g2 * x[x2 + i]! + g3 * x[x3 + i]!);
    }
    for (; b < batch; b++) {
      const g = dy[b * nOut + o]!;
      gb += g;
      const xo = b * nIn;
      for (let i = 0; i < nIn; i++) grads[wo + i] = grads[wo + i]! + g * x[xo + i]!;
    }
    grads[bOff + o] = grads[bOff + o]! + gb;
  }
}

/** dx[b, i] = sum_o dy[b, o] * W[o, i], via a transposed copy wt [nIn x nOut] so the inner loop is contiguous. */
export function gemmBackwardInput(dy: FloatArray, params: FloatArray, wOff: number, dx: FloatArray, batch: number, nIn: number, nOut: number, wt: FloatArray): void {
  for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) wt[i * nOut + o] = params[wOff + o * nIn + i]!;
  let b = 0;
  for (; b + 3 < batch; b += 4) {
    const d0 = b * nOut;
    const d1 = d0 + nOut;
    const d2 = d1 + nOut;
    const d3 = d2 + nOut;
    for (let i = 0; i < nIn; i++) {
      const wi = i * nOut;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let o = 0; o < nOut; o++) {
        const w = wt[wi + o]!;
        s0 += dy[d0 + o]! * w;
        s1 += dy[d1 + o]! * w;
        s2 += dy[d2 + o]! * w;
        s3 += dy[d3 + o]! * w;
      }
      dx[b * nIn + i] = s0;
      dx[(b + 1) * nIn + i] = s1;
      dx[(b + 2) * nIn + i] = s2;
      dx[(b + 3) * nIn + i] = s3;
    }
  }
  for (; b < batch; b++) {
    const d0 = b * nOut;
    for (let i = 0; i < nIn; i++) {
      let s = 0;
      for (let o = 0; o < nOut; o++) s += dy[d0 + o]! * wt[i * nOut + o]!;
      dx[b * nIn + i] = s;
    }
  }
}
