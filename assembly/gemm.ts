// Dense-layer kernels for Edgepilot's MLPs, compiled to WebAssembly with SIMD by `npm run build:wasm`.
// Two sets with the same operations: float64 (f64x2 lanes; these names) and float32 (f32x4 lanes, twice the
// lanes per instruction; the same names with an `F32` suffix, further down). Each set accumulates in its own
// precision, like torch does, so float64 matches the TypeScript reference up to summation order.
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

// ---------------------------------------------------------------------------------------------------------
// float32 kernels (f32x4). Same operations, layouts and argument lists as above; pointers are byte offsets and
// every element is 4 bytes. Sums accumulate in float32, as torch's float32 CPU kernels do.

// C[M x N] = (accumulate ? C : 0) + A * B[K x N], A(i, k) at a + (i * aRow + k * aCol) * 4 (see gemm).
// Register block: 4 rows x 8 columns (two f32x4 vectors) = 8 vector accumulators.
export function gemmF32(a: usize, aRow: i32, aCol: i32, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  const n8 = N & ~7;
  const m4 = M & ~3;
  const rowB = <usize>N << 2;
  const rowC = <usize>N << 2;
  const stepI = <usize>aRow << 2;
  const stepK = <usize>aCol << 2;
  for (let i = 0; i < m4; i += 4) {
    const a0 = a + <usize>i * stepI;
    const a1 = a0 + stepI;
    const a2 = a1 + stepI;
    const a3 = a2 + stepI;
    const c0 = c + <usize>i * rowC;
    const c1 = c0 + rowC;
    const c2 = c1 + rowC;
    const c3 = c2 + rowC;
    for (let j = 0; j < n8; j += 8) {
      const jo = <usize>j << 2;
      let s00 = f32x4.splat(0);
      let s01 = f32x4.splat(0);
      let s10 = f32x4.splat(0);
      let s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0);
      let s21 = f32x4.splat(0);
      let s30 = f32x4.splat(0);
      let s31 = f32x4.splat(0);
      let bp = b + jo;
      let ko: usize = 0;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const x0 = v128.load32_splat(a0 + ko);
        const x1 = v128.load32_splat(a1 + ko);
        const x2 = v128.load32_splat(a2 + ko);
        const x3 = v128.load32_splat(a3 + ko);
        s00 = f32x4.add(s00, f32x4.mul(x0, b0));
        s01 = f32x4.add(s01, f32x4.mul(x0, b1));
        s10 = f32x4.add(s10, f32x4.mul(x1, b0));
        s11 = f32x4.add(s11, f32x4.mul(x1, b1));
        s20 = f32x4.add(s20, f32x4.mul(x2, b0));
        s21 = f32x4.add(s21, f32x4.mul(x2, b1));
        s30 = f32x4.add(s30, f32x4.mul(x3, b0));
        s31 = f32x4.add(s31, f32x4.mul(x3, b1));
        bp += rowB;
        ko += stepK;
      }
      if (accumulate) {
        s00 = f32x4.add(s00, v128.load(c0 + jo));
        s01 = f32x4.add(s01, v128.load(c0 + jo, 16));
        s10 = f32x4.add(s10, v128.load(c1 + jo));
        s11 = f32x4.add(s11, v128.load(c1 + jo, 16));
        s20 = f32x4.add(s20, v128.load(c2 + jo));
        s21 = f32x4.add(s21, v128.load(c2 + jo, 16));
        s30 = f32x4.add(s30, v128.load(c3 + jo));
        s31 = f32x4.add(s31, v128.load(c3 + jo, 16));
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
  // Tails, still one running sum per element over k in order (so the same bits as a scalar loop): leftover
  // columns of the blocked rows, then leftover rows. The first layer (3-4 inputs) and the 1-output last layer
  // of TD3's networks live entirely in these tails, hence 4-wide vectors here too.
  for (let i = 0; i < M; i++) gemmRowTailF32(a + <usize>i * stepI, stepK, b, rowB, c + <usize>i * rowC, K, i < m4 ? n8 : 0, N, accumulate);
}

// One row of C from column jStart on: four columns per f32x4 vector, then scalar.
function gemmRowTailF32(ai: usize, stepK: usize, b: usize, rowB: usize, ci: usize, K: i32, jStart: i32, N: i32, accumulate: i32): void {
  let j = jStart;
  for (; j + 4 <= N; j += 4) {
    const jo = <usize>j << 2;
    let acc = f32x4.splat(0);
    let bp = b + jo;
    let ko: usize = 0;
    for (let k = 0; k < K; k++) {
      acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(ai + ko), v128.load(bp)));
      bp += rowB;
      ko += stepK;
    }
    if (accumulate) acc = f32x4.add(acc, v128.load(ci + jo));
    v128.store(ci + jo, acc);
  }
  for (; j < N; j++) {
    let s: f32 = 0;
    for (let k = 0; k < K; k++) s += load<f32>(ai + <usize>k * stepK) * load<f32>(b + <usize>k * rowB + (<usize>j << 2));
    const cp = ci + (<usize>j << 2);
    store<f32>(cp, accumulate ? load<f32>(cp) + s : s);
  }
}

// Horizontal sum of the four lanes, in a fixed order.
function hsum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// y[M x N] = x[M x K] W[N x K]^T + bias[N] (see linearForward). Register block: 2 rows of x x 4 rows of W,
// f32x4 over K. Layers with at most 4 inputs (TD3's first layers) take linearForwardSmallKF32 instead: dot
// products of length <= 4 would spend more on horizontal sums than on multiplies.
export function linearForwardF32(x: usize, w: usize, bias: usize, y: usize, M: i32, K: i32, N: i32): void {
  if (K <= 4) {
    linearForwardSmallKF32(x, w, bias, y, M, K, N);
    return;
  }
  const k4 = K & ~3;
  const m2 = M & ~1;
  const n4 = N & ~3;
  const rowX = <usize>K << 2;
  const rowW = <usize>K << 2;
  for (let i = 0; i < m2; i += 2) {
    const x0 = x + <usize>i * rowX;
    const x1 = x0 + rowX;
    const y0 = y + ((<usize>i * N) << 2);
    const y1 = y0 + (<usize>N << 2);
    for (let j = 0; j < n4; j += 4) {
      const w0 = w + <usize>j * rowW;
      const w1 = w0 + rowW;
      const w2 = w1 + rowW;
      const w3 = w2 + rowW;
      let s00 = f32x4.splat(0);
      let s01 = f32x4.splat(0);
      let s02 = f32x4.splat(0);
      let s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0);
      let s11 = f32x4.splat(0);
      let s12 = f32x4.splat(0);
      let s13 = f32x4.splat(0);
      for (let k = 0; k < k4; k += 4) {
        const ko = <usize>k << 2;
        const a0 = v128.load(x0 + ko);
        const a1 = v128.load(x1 + ko);
        const b0 = v128.load(w0 + ko);
        const b1 = v128.load(w1 + ko);
        const b2 = v128.load(w2 + ko);
        const b3 = v128.load(w3 + ko);
        s00 = f32x4.add(s00, f32x4.mul(a0, b0));
        s01 = f32x4.add(s01, f32x4.mul(a0, b1));
        s02 = f32x4.add(s02, f32x4.mul(a0, b2));
        s03 = f32x4.add(s03, f32x4.mul(a0, b3));
        s10 = f32x4.add(s10, f32x4.mul(a1, b0));
        s11 = f32x4.add(s11, f32x4.mul(a1, b1));
        s12 = f32x4.add(s12, f32x4.mul(a1, b2));
        s13 = f32x4.add(s13, f32x4.mul(a1, b3));
      }
      let r00 = hsum4(s00);
      let r01 = hsum4(s01);
      let r02 = hsum4(s02);
      let r03 = hsum4(s03);
      let r10 = hsum4(s10);
      let r11 = hsum4(s11);
      let r12 = hsum4(s12);
      let r13 = hsum4(s13);
      for (let k = k4; k < K; k++) {
        const ko = <usize>k << 2;
        const a0 = load<f32>(x0 + ko);
        const a1 = load<f32>(x1 + ko);
        r00 += a0 * load<f32>(w0 + ko);
        r01 += a0 * load<f32>(w1 + ko);
        r02 += a0 * load<f32>(w2 + ko);
        r03 += a0 * load<f32>(w3 + ko);
        r10 += a1 * load<f32>(w0 + ko);
        r11 += a1 * load<f32>(w1 + ko);
        r12 += a1 * load<f32>(w2 + ko);
        r13 += a1 * load<f32>(w3 + ko);
      }
      const jo = <usize>j << 2;
      store<f32>(y0 + jo, r00 + load<f32>(bias + jo));
      store<f32>(y0 + jo, r01 + load<f32>(bias + jo, 4), 4);
      store<f32>(y0 + jo, r02 + load<f32>(bias + jo, 8), 8);
      store<f32>(y0 + jo, r03 + load<f32>(bias + jo, 12), 12);
      store<f32>(y1 + jo, r10 + load<f32>(bias + jo));
      store<f32>(y1 + jo, r11 + load<f32>(bias + jo, 4), 4);
      store<f32>(y1 + jo, r12 + load<f32>(bias + jo, 8), 8);
      store<f32>(y1 + jo, r13 + load<f32>(bias + jo, 12), 12);
    }
  }
  // Tails: leftover row (all outputs) and leftover outputs (blocked rows), one dot product each.
  for (let i = 0; i < M; i++) {
    const jStart = i < m2 ? n4 : 0;
    const xi = x + <usize>i * rowX;
    for (let j = jStart; j < N; j++) {
      const wj = w + <usize>j * rowW;
      let acc = f32x4.splat(0);
      for (let k = 0; k < k4; k += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(xi + (<usize>k << 2)), v128.load(wj + (<usize>k << 2))));
      let s = hsum4(acc);
      for (let k = k4; k < K; k++) s += load<f32>(xi + (<usize>k << 2)) * load<f32>(wj + (<usize>k << 2));
      store<f32>(y + ((<usize>i * N + j) << 2), s + load<f32>(bias + (<usize>j << 2)));
    }
  }
}

// y = x W^T + bias for K <= 4, eight outputs at a time: the 8 x K block of W is transposed into registers
// (w{k}a, w{k}b hold W[j..j+7, k]) and reused for every row; each output is bias + x0 w0 + x1 w1 + ... in order.
function linearForwardSmallKF32(x: usize, w: usize, bias: usize, y: usize, M: i32, K: i32, N: i32): void {
  const n8 = N & ~7;
  const rowX = <usize>K << 2;
  const rowY = <usize>N << 2;
  for (let j = 0; j < n8; j += 8) {
    const wj = w + ((<usize>j * K) << 2);
    const w0a = gatherColumn4(wj, K, 0);
    const w0b = gatherColumn4(wj + (rowX << 2), K, 0);
    const w1a = K > 1 ? gatherColumn4(wj, K, 1) : f32x4.splat(0);
    const w1b = K > 1 ? gatherColumn4(wj + (rowX << 2), K, 1) : f32x4.splat(0);
    const w2a = K > 2 ? gatherColumn4(wj, K, 2) : f32x4.splat(0);
    const w2b = K > 2 ? gatherColumn4(wj + (rowX << 2), K, 2) : f32x4.splat(0);
    const w3a = K > 3 ? gatherColumn4(wj, K, 3) : f32x4.splat(0);
    const w3b = K > 3 ? gatherColumn4(wj + (rowX << 2), K, 3) : f32x4.splat(0);
    const ba = v128.load(bias + (<usize>j << 2));
    const bb = v128.load(bias + (<usize>j << 2), 16);
    for (let i = 0; i < M; i++) {
      const xi = x + <usize>i * rowX;
      let x0 = v128.load32_splat(xi);
      let sa = f32x4.add(ba, f32x4.mul(x0, w0a));
      let sb = f32x4.add(bb, f32x4.mul(x0, w0b));
      if (K > 1) {
        x0 = v128.load32_splat(xi + 4);
        sa = f32x4.add(sa, f32x4.mul(x0, w1a));
        sb = f32x4.add(sb, f32x4.mul(x0, w1b));
      }
      if (K > 2) {
        x0 = v128.load32_splat(xi + 8);
        sa = f32x4.add(sa, f32x4.mul(x0, w2a));
        sb = f32x4.add(sb, f32x4.mul(x0, w2b));
      }
      if (K > 3) {
        x0 = v128.load32_splat(xi + 12);
        sa = f32x4.add(sa, f32x4.mul(x0, w3a));
        sb = f32x4.add(sb, f32x4.mul(x0, w3b));
      }
      const yi = y + <usize>i * rowY + (<usize>j << 2);
      v128.store(yi, sa);
      v128.store(yi, sb, 16);
    }
  }
  // Leftover outputs, scalar, in the same order.
  for (let i = 0; i < M; i++) {
    const xi = x + <usize>i * rowX;
    for (let j = n8; j < N; j++) {
      const wj = w + ((<usize>j * K) << 2);
      let s = load<f32>(bias + (<usize>j << 2));
      for (let k = 0; k < K; k++) s += load<f32>(xi + (<usize>k << 2)) * load<f32>(wj + (<usize>k << 2));
      store<f32>(y + <usize>i * rowY + (<usize>j << 2), s);
    }
  }
}

// [W[j, k], W[j+1, k], W[j+2, k], W[j+3, k]] for W row-major with K columns, starting at row j (address wj).
function gatherColumn4(wj: usize, K: i32, k: i32): v128 {
  const rowW = <usize>K << 2;
  const p = wj + (<usize>k << 2);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + rowW));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * rowW));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * rowW));
}

// db[o] += sum_b dy[b, o]; four columns per vector, rows added in order (so the same sums as a scalar loop).
export function sumRowsF32(dy: usize, db: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const dr = dy + ((<usize>r * cols) << 2);
    for (let c = 0; c < c4; c += 4) {
      const o = <usize>c << 2;
      v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(dr + o)));
    }
    for (let c = c4; c < cols; c++) store<f32>(db + (<usize>c << 2), load<f32>(db + (<usize>c << 2)) + load<f32>(dr + (<usize>c << 2)));
  }
}

// tanh in float64 rounded to float32: the output layer is small (batch x actions), so accuracy beats speed.
// (AssemblyScript's Math.tanh, musl's algorithm; tanh2 is kept to one call site so binaryen inlines it there.)
export function tanhForwardF32(y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    store<f32>(p, <f32>Math.tanh(<f64>load<f32>(p)));
  }
}

// y = y > 0 ? y : 0; pmax(0, y) is exactly `0 < y ? y : 0` (NaN and -0 become +0, as in the scalar form).
export function reluForwardF32(y: usize, n: i32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const p = y + (<usize>i << 2);
    v128.store(p, f32x4.pmax(zero, v128.load(p)));
  }
  for (let i = n4; i < n; i++) {
    const p = y + (<usize>i << 2);
    const v = load<f32>(p);
    store<f32>(p, v > 0 ? v : 0);
  }
}

// d *= 1 - y^2
export function tanhBackwardF32(d: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(y + o);
    store<f32>(d + o, load<f32>(d + o) * (1 - v * v));
  }
}

// d = y > 0 ? d : 0 (a lane mask: where y > 0 fails the bits are cleared, i.e. +0).
export function reluBackwardF32(d: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, v128.and(v128.load(d + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    if (!(load<f32>(y + o) > 0)) store<f32>(d + o, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Adam (torch.optim.Adam, no weight decay) over n parameters, in float64 arithmetic whatever the storage, with
// exactly the operations and order of the TypeScript loop in src/rl/nn/adam.ts, so both give the same bits:
//   m = b1 m + (1 - b1) g;  v = b2 v + ((1 - b2) g) g;  p = p - (stepSize m) / (sqrt(v) / bc2Sqrt + eps)
// (the update uses m and v before they are rounded to the storage type, as the TypeScript loop does).
// f64x2 lanes; sqrt and div are IEEE correctly rounded and nothing is fused, so the lanes equal the scalar loop.

// The three lines of the update on two lanes, with the constants splatted.
function adamM(m: v128, g: v128, b1: v128, c1: v128): v128 {
  return f64x2.add(f64x2.mul(b1, m), f64x2.mul(c1, g));
}
function adamV(v: v128, g: v128, b2: v128, c2: v128): v128 {
  return f64x2.add(f64x2.mul(b2, v), f64x2.mul(f64x2.mul(c2, g), g));
}
function adamP(p: v128, mi: v128, vi: v128, stepSize: v128, bc2Sqrt: v128, eps: v128): v128 {
  return f64x2.sub(p, f64x2.div(f64x2.mul(stepSize, mi), f64x2.add(f64x2.div(f64x2.sqrt(vi), bc2Sqrt), eps)));
}

// float64 storage: two parameters per iteration; an odd last one goes through lane 0 of splats.
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f64, beta2: f64, stepSize: f64, bc2Sqrt: f64, eps: f64): void {
  const b1 = f64x2.splat(beta1);
  const c1 = f64x2.splat(1 - beta1);
  const b2 = f64x2.splat(beta2);
  const c2 = f64x2.splat(1 - beta2);
  const ss = f64x2.splat(stepSize);
  const bc = f64x2.splat(bc2Sqrt);
  const ep = f64x2.splat(eps);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = <usize>i << 3;
    const gi = v128.load(g + o);
    const mi = adamM(v128.load(m + o), gi, b1, c1);
    const vi = adamV(v128.load(v + o), gi, b2, c2);
    v128.store(p + o, adamP(v128.load(p + o), mi, vi, ss, bc, ep));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
  }
  if (n2 < n) {
    const o = <usize>n2 << 3;
    const gi = f64x2.splat(load<f64>(g + o));
    const mi = adamM(f64x2.splat(load<f64>(m + o)), gi, b1, c1);
    const vi = adamV(f64x2.splat(load<f64>(v + o)), gi, b2, c2);
    store<f64>(p + o, f64x2.extract_lane(adamP(f64x2.splat(load<f64>(p + o)), mi, vi, ss, bc, ep), 0));
    store<f64>(m + o, f64x2.extract_lane(mi, 0));
    store<f64>(v + o, f64x2.extract_lane(vi, 0));
  }
}

// float32 storage: two parameters per iteration, widened to float64 (load64_zero + promote), rounded back
// once on store (demote + store64_lane), as a JS loop over a Float32Array does.
function load2F32(ptr: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(ptr));
}
function store2F32(ptr: usize, x: v128): void {
  v128.store64_lane(ptr, f32x4.demote_f64x2_zero(x), 0);
}

export function adamStepF32(p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f64, beta2: f64, stepSize: f64, bc2Sqrt: f64, eps: f64): void {
  const b1 = f64x2.splat(beta1);
  const c1 = f64x2.splat(1 - beta1);
  const b2 = f64x2.splat(beta2);
  const c2 = f64x2.splat(1 - beta2);
  const ss = f64x2.splat(stepSize);
  const bc = f64x2.splat(bc2Sqrt);
  const ep = f64x2.splat(eps);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = <usize>i << 2;
    const gi = load2F32(g + o);
    const mi = adamM(load2F32(m + o), gi, b1, c1);
    const vi = adamV(load2F32(v + o), gi, b2, c2);
    store2F32(p + o, adamP(load2F32(p + o), mi, vi, ss, bc, ep));
    store2F32(m + o, mi);
    store2F32(v + o, vi);
  }
  if (n2 < n) {
    const o = <usize>n2 << 2;
    const gi = f64x2.splat(<f64>load<f32>(g + o));
    const mi = adamM(f64x2.splat(<f64>load<f32>(m + o)), gi, b1, c1);
    const vi = adamV(f64x2.splat(<f64>load<f32>(v + o)), gi, b2, c2);
    store<f32>(p + o, <f32>f64x2.extract_lane(adamP(f64x2.splat(<f64>load<f32>(p + o)), mi, vi, ss, bc, ep), 0));
    store<f32>(m + o, <f32>f64x2.extract_lane(mi, 0));
    store<f32>(v + o, <f32>f64x2.extract_lane(vi, 0));
  }
}
