// Dense-layer kernels for Edgepilot's MLPs, compiled to WebAssembly with SIMD by `npm run build:wasm`.
// Everything is float64 (f64x2 lanes) so results match the TypeScript reference kernels up to summation order.
// All pointers are byte offsets into the imported memory; the caller (src/rl/wasm/kernels.ts) owns the layout.
// No allocation happens here, and no matrix is ever transposed in memory: each product reads its operands
// in the layout they are stored in (torch's Linear layout, W[out x in]).

// C[M x N] = (accumulate ? C : 0) + A * B[K x N] (row-major B and C), where A(i, k) is read at
// a + (i * aRow + k * aCol) * 8, so A can be a row-major M x K matrix (aRow = K, aCol = 1) or the
// transpose of a row-major K x M matrix (aRow = 1, aCol = M).
// Register block: 4 rows x 4 columns (two f64x2 vectors) = 8 vector accumulators.
export function gemm(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  const n4 = N & ~3;
  const m4 = M & ~3;
  const rowB = <usize>N << 3;
  const rowC = <usize>N << 3;
  const stepI = <usize>aRow << 3;
  const stepK = <usize>aCol << 3;
  for (let i = 0; i < m4; i += 4) {
    const a0 = a + <usize>i * stepI;
    const a1 = a0 + stepI;
    const a2 = a1 + stepI;
    const a3 = a2 + stepI;
    const c0 = c + <usize>i * rowC;
    const c1 = c0 + rowC;
    const c2 = c1 + rowC;
    const c3 = c2 + rowC;
    for (let j = 0; j < n4; j += 4) {
      const jo = <usize>j << 3;
      let s00 = f64x2.splat(0);
      let s01 = f64x2.splat(0);
      let s10 = f64x2.splat(0);
      let s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0);
      let s21 = f64x2.splat(0);
      let s30 = f64x2.splat(0);
      let s31 = f64x2.splat(0);
      let bp = b + jo;
      let ko: usize = 0;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const x0 = f64x2.splat(load<f64>(a0 + ko));
        const x1 = f64x2.splat(load<f64>(a1 + ko));
        const x2 = f64x2.splat(load<f64>(a2 + ko));
        const x3 = f64x2.splat(load<f64>(a3 + ko));
        s00 = f64x2.add(s00, f64x2.mul(x0, b0));
        s01 = f64x2.add(s01, f64x2.mul(x0, b1));
        s10 = f64x2.add(s10, f64x2.mul(x1, b0));
        s11 = f64x2.add(s11, f64x2.mul(x1, b1));
        s20 = f64x2.add(s20, f64x2.mul(x2, b0));
        s21 = f64x2.add(s21, f64x2.mul(x2, b1));
        s30 = f64x2.add(s30, f64x2.mul(x3, b0));
        s31 = f64x2.add(s31, f64x2.mul(x3, b1));
        bp += rowB;
        ko += stepK;
      }
      if (accumulate) {
        s00 = f64x2.add(s00, v128.load(c0 + jo));
        s01 = f64x2.add(s01, v128.load(c0 + jo, 16));
        s10 = f64x2.add(s10, v128.load(c1 + jo));
        s11 = f64x2.add(s11, v128.load(c1 + jo, 16));
        s20 = f64x2.add(s20, v128.load(c2 + jo));
        s21 = f64x2.add(s21, v128.load(c2 + jo, 16));
        s30 = f64x2.add(s30, v128.load(c3 + jo));
        s31 = f64x2.add(s31, v128.load(c3 + jo, 16));
      }
      v128.store(c0 + jo, s00);
      v128.store(c0 + jo, s01, 16);
      v128.store(c1 + jo, s10);
      v128.store(c1 + jo, s11, 16);
      v128.store(c2 + jo, s20);
      v128.store(c2 + jo, s21, 16);
      v128.store(c3 + jo, s30);
      v128.store(c3 + jo, s31, 16);
    }
  }
  // Tails: leftover rows (all columns) and leftover columns (blocked rows), scalar.
  for (let i = 0; i < M; i++) {
    const jStart = i < m4 ? n4 : 0;
    const ai = a + <usize>i * stepI;
    const ci = c + <usize>i * rowC;
    for (let j = jStart; j < N; j++) {
      let s: f64 = 0;
      for (let k = 0; k < K; k++) s += load<f64>(ai + <usize>k * stepK) * load<f64>(b + <usize>k * rowB + (<usize>j << 3));
      const cp = ci + (<usize>j << 3);
      store<f64>(cp, accumulate ? load<f64>(cp) + s : s);
    }
  }
}

// Dense layer forward: y[M x N] = x[M x K] W[N x K]^T + bias[N] (torch Linear layout), i.e. dot products of
// rows of x with rows of W. Register block: 2 rows of x x 4 rows of W, f64x2 over K.
export function linearForward(x: usize, w: usize, bias: usize, y: usize, M: i32, K: i32, N: i32): void {
  const k2 = K & ~1;
  const m2 = M & ~1;
  const n4 = N & ~3;
  const rowX = <usize>K << 3;
  const rowW = <usize>K << 3;
  for (let i = 0; i < m2; i += 2) {
    const x0 = x + <usize>i * rowX;
    const x1 = x0 + rowX;
    const y0 = y + ((<usize>i * N) << 3);
    const y1 = y0 + (<usize>N << 3);
    for (let j = 0; j < n4; j += 4) {
      const w0 = w + <usize>j * rowW;
      const w1 = w0 + rowW;
      const w2 = w1 + rowW;
      const w3 = w2 + rowW;
      let s00 = f64x2.splat(0);
      let s01 = f64x2.splat(0);
      let s02 = f64x2.splat(0);
      let s03 = f64x2.splat(0);
      let s10 = f64x2.splat(0);
      let s11 = f64x2.splat(0);
      let s12 = f64x2.splat(0);
      let s13 = f64x2.splat(0);
      for (let k = 0; k < k2; k += 2) {
        const ko = <usize>k << 3;
        const a0 = v128.load(x0 + ko);
        const a1 = v128.load(x1 + ko);
        const b0 = v128.load(w0 + ko);
        const b1 = v128.load(w1 + ko);
        const b2 = v128.load(w2 + ko);
        const b3 = v128.load(w3 + ko);
        s00 = f64x2.add(s00, f64x2.mul(a0, b0));
        s01 = f64x2.add(s01, f64x2.mul(a0, b1));
        s02 = f64x2.add(s02, f64x2.mul(a0, b2));
        s03 = f64x2.add(s03, f64x2.mul(a0, b3));
        s10 = f64x2.add(s10, f64x2.mul(a1, b0));
        s11 = f64x2.add(s11, f64x2.mul(a1, b1));
        s12 = f64x2.add(s12, f64x2.mul(a1, b2));
        s13 = f64x2.add(s13, f64x2.mul(a1, b3));
      }
      let r00 = f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1);
      let r01 = f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1);
      let r02 = f64x2.extract_lane(s02, 0) + f64x2.extract_lane(s02, 1);
      let r03 = f64x2.extract_lane(s03, 0) + f64x2.extract_lane(s03, 1);
      let r10 = f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1);
      let r11 = f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1);
      let r12 = f64x2.extract_lane(s12, 0) + f64x2.extract_lane(s12, 1);
      let r13 = f64x2.extract_lane(s13, 0) + f64x2.extract_lane(s13, 1);
      if (k2 < K) {
        const ko = <usize>k2 << 3;
        const a0 = load<f64>(x0 + ko);
        const a1 = load<f64>(x1 + ko);
        r00 += a0 * load<f64>(w0 + ko);
        r01 += a0 * load<f64>(w1 + ko);
        r02 += a0 * load<f64>(w2 + ko);
        r03 += a0 * load<f64>(w3 + ko);
        r10 += a1 * load<f64>(w0 + ko);
        r11 += a1 * load<f64>(w1 + ko);
        r12 += a1 * load<f64>(w2 + ko);
        r13 += a1 * load<f64>(w3 + ko);
      }
      const jo = <usize>j << 3;
      store<f64>(y0 + jo, r00 + load<f64>(bias + jo));
      store<f64>(y0 + jo, r01 + load<f64>(bias + jo, 8), 8);
      store<f64>(y0 + jo, r02 + load<f64>(bias + jo, 16), 16);
      store<f64>(y0 + jo, r03 + load<f64>(bias + jo, 24), 24);
      store<f64>(y1 + jo, r10 + load<f64>(bias + jo));
      store<f64>(y1 + jo, r11 + load<f64>(bias + jo, 8), 8);
      store<f64>(y1 + jo, r12 + load<f64>(bias + jo, 16), 16);
      store<f64>(y1 + jo, r13 + load<f64>(bias + jo, 24), 24);
    }
  }
  // Tails: leftover row (all outputs) and leftover outputs (blocked rows), one dot product each.
  for (let i = 0; i < M; i++) {
    const jStart = i < m2 ? n4 : 0;
    const xi = x + <usize>i * rowX;
    for (let j = jStart; j < N; j++) {
      const wj = w + <usize>j * rowW;
      let acc = f64x2.splat(0);
      for (let k = 0; k < k2; k += 2) acc = f64x2.add(acc, f64x2.mul(v128.load(xi + (<usize>k << 3)), v128.load(wj + (<usize>k << 3))));
      let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      if (k2 < K) s += load<f64>(xi + (<usize>k2 << 3)) * load<f64>(wj + (<usize>k2 << 3));
      store<f64>(y + ((<usize>i * N + j) << 3), s + load<f64>(bias + (<usize>j << 3)));
    }
  }
}

// db[o] += sum_b dy[b, o].
export function sumRows(dy: usize, db: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const dr = dy + ((<usize>r * cols) << 3);
    for (let c = 0; c < cols; c++) store<f64>(db + (<usize>c << 3), load<f64>(db + (<usize>c << 3)) + load<f64>(dr + (<usize>c << 3)));
  }
}

// In-place activations and their backward passes (from the stored post-activation values y).

// tanh on two lanes, Cephes' algorithm (cephes/double/tanh.c, exp.c; relative error ~2e-16):
// |x| <= 0.625: x + x^3 P(x^2)/Q(x^2); otherwise 1 - 2/(exp(2|x|) + 1) with exp by range reduction
// (2^n * Pade(r)). Only IEEE add/mul/div/floor, so it is deterministic and much faster than scalar libm tanh.
function tanh2(x: v128): v128 {
  const signMask = i64x2.splat(0x8000000000000000);
  const a = v128.andnot(x, signMask); // |x|
  // Small branch.
  const s = f64x2.mul(a, a);
  let p = f64x2.add(f64x2.mul(f64x2.splat(-0.9643991794250523), s), f64x2.splat(-99.28772310019185));
  p = f64x2.add(f64x2.mul(p, s), f64x2.splat(-1614.6876844170845));
  let q = f64x2.add(s, f64x2.splat(112.81167849163293));
  q = f64x2.add(f64x2.mul(q, s), f64x2.splat(2235.4883906010045));
  q = f64x2.add(f64x2.mul(q, s), f64x2.splat(4844.063053251255));
  const small = f64x2.add(a, f64x2.mul(f64x2.mul(a, s), f64x2.div(p, q)));
  // Large branch: e = exp(2a), clamped where tanh is 1 to the last bit anyway.
  const z = f64x2.min(f64x2.add(a, a), f64x2.splat(40.0));
  const n = f64x2.floor(f64x2.add(f64x2.mul(z, f64x2.splat(1.4426950408889634)), f64x2.splat(0.5)));
  let r = f64x2.sub(z, f64x2.mul(n, f64x2.splat(0.693145751953125)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(1.4286068203094173e-06)));
  const rr = f64x2.mul(r, r);
  let ep = f64x2.add(f64x2.mul(f64x2.splat(0.00012617719307481058), rr), f64x2.splat(0.030299440770744195));
  ep = f64x2.mul(r, f64x2.add(f64x2.mul(ep, rr), f64x2.splat(1.0)));
  let eq = f64x2.add(f64x2.mul(f64x2.splat(3.0019850513866446e-06), rr), f64x2.splat(0.002524483403496841));
  eq = f64x2.add(f64x2.mul(eq, rr), f64x2.splat(0.22726554820815503));
  eq = f64x2.add(f64x2.mul(eq, rr), f64x2.splat(2.0));
  const er = f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.splat(2.0), f64x2.div(ep, f64x2.sub(eq, ep))));
  const ni = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n));
  const pow2n = i64x2.shl(i64x2.add(ni, i64x2.splat(1023)), 52);
  const e = f64x2.mul(er, pow2n);
  const large = f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.splat(2.0), f64x2.add(e, f64x2.splat(1.0))));
  const t = v128.bitselect(large, small, f64x2.gt(a, f64x2.splat(0.625)));
  return v128.or(t, v128.and(x, signMask)); // tanh is odd
}

export function tanhForward(y: usize, n: i32): void {
  // One call site, so binaryen inlines tanh2; an odd last element goes through lane 0 of a splat.
  for (let i = 0; i < n; i += 2) {
    const p = y + (<usize>i << 3);
    const odd = i + 1 >= n;
    const t = tanh2(odd ? f64x2.splat(load<f64>(p)) : v128.load(p));
    if (odd) store<f64>(p, f64x2.extract_lane(t, 0));
    else v128.store(p, t);
  }
}

export function reluForward(y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 3);
    const v = load<f64>(p);
    store<f64>(p, v > 0 ? v : 0);
  }
}

// d *= 1 - y^2
export function tanhBackward(d: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const v = load<f64>(y + o);
    store<f64>(d + o, load<f64>(d + o) * (1 - v * v));
  }
}

// d = y > 0 ? d : 0
export function reluBackward(d: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    if (!(load<f64>(y + o) > 0)) store<f64>(d + o, 0);
  }
}
