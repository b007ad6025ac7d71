/**
 * Weight initialisers, matching PyTorch so that SB3 hyper-parameters transfer.
 *
 * - `orthogonalInit`: torch.nn.init.orthogonal_ (Householder QR of a Gaussian matrix, Q multiplied by
 *   sign(diag(R)) so Q is unique), as SB3's ActorCriticPolicy uses with ortho_init=True.
 * - `torchLinearInit`: torch.nn.Linear's default (kaiming_uniform with a=sqrt(5), which reduces to
 *   U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and biases), as SB3's TD3 uses.
 */
import type { Rng } from '../../core/rng.ts';
import type { FloatArray } from '../wasm/kernels.ts';

/**
 * Fills `out` (row-major, rows x cols) with a (semi-)orthogonal matrix times `gain`.
 * Like torch: a rows x cols Gaussian is drawn; when rows < cols it is transposed so QR runs on a tall matrix.
 */
export function orthogonalInit(out: FloatArray, offset: number, rows: number, cols: number, gain: number, rng: Rng): void {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const tall = rows >= cols;
  const m = tall ? rows : cols; // tall dimension
  const n = tall ? cols : rows;
  // Column-major copy of the tall m x n matrix (torch transposes the flattened matrix when rows < cols).
  const A = new Float64Array(m * n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = a[r * cols + c]!;
      if (tall) A[c * m + r] = v;
      else A[r * m + c] = v;
    }
  }
  const q = householderQ(A, m, n); // column-major m x n, columns already sign-corrected
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = tall ? q[c * m + r]! : q[r * m + c]!;
      out[offset + r * cols + c] = gain * v;
    }
  }
}

/**
 * Reduced Q (m x n, column-major) of the Householder QR of A (m x n, column-major, m >= n), with columns
 * multiplied by sign(R_jj) — torch's convention in orthogonal_.
 */
export function householderQ(A: Float64Array, m: number, n: number): Float64Array {
  const R = Float64Array.from(A);
  const vs: Float64Array[] = [];
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += R[k * m + i]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = R[k * m + k]!;
    const alpha = x0 >= 0 ? -norm : norm; // LAPACK-style choice avoids cancellation
    const v = new Float64Array(m);
    for (let i = k; i < m; i++) v[i] = R[k * m + i]!;
    v[k] = x0 - alpha;
    let vnorm2 = 0;
    for (let i = k; i < m; i++) vnorm2 += v[i]! ** 2;
    vs.push(v);
    if (vnorm2 > 0) {
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i]! * R[j * m + i]!;
        const f = (2 * dot) / vnorm2;
        for (let i = k; i < m; i++) R[j * m + i] = R[j * m + i]! - f * v[i]!;
      }
    }
    diag[k] = R[k * m + k]!;
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const Q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) Q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    let vnorm2 = 0;
    for (let i = k; i < m; i++) vnorm2 += v[i]! ** 2;
    if (vnorm2 === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i]! * Q[j * m + i]!;
      const f = (2 * dot) / vnorm2;
      for (let i = k; i < m; i++) Q[j * m + i] = Q[j * m + i]! - f * v[i]!;
    }
  }
  for (let j = 0; j < n; j++) {
    const s = diag[j]! >= 0 ? 1 : -1; // torch: d.sign(); a zero diagonal is measure-zero for Gaussian input
    if (s < 0) for (let i = 0; i < m; i++) Q[j * m + i] = -Q[j * m + i]!;
  }
  return Q;
}

/** torch.nn.Linear default init: weights and bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function torchLinearInit(out: FloatArray, wOffset: number, bOffset: number, rows: number, cols: number, rng: Rng): void {
  const bound = 1 / Math.sqrt(cols);
  for (let i = 0; i < rows * cols; i++) out[wOffset + i] = rng.uniform(-bound, bound);
  for (let i = 0; i < rows; i++) out[bOffset + i] = rng.uniform(-bound, bound);
}
