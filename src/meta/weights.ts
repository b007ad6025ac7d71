/**
 * The ONE weight normalization of Edgepilot's meta level: any non-negative raw vector (a TD3 action in [0, 1]^3,
 * a grid point, a mode's default) -> weights on the simplex (alpha + beta + gamma = 1), alpha = cost, beta =
 * latency, gamma = throughput. The scenarios' default weights already sum to 1 (original-system.md 3.7), so a
 * simplex keeps the meta-controller's weights in the range the lower-level PPO saw in training (Dirichlet(1,1,1)
 * weights, src/env/spark-iot-train-env.ts).
 */
import type { Weights } from '../core/types.ts';

/** Added to each raw component so an all-zero action is the uniform vector rather than 0/0. */
export const WEIGHT_FLOOR = 1e-3;

/** Raw non-negative [alpha, beta, gamma] (array or Weights) -> simplex weights. Bad input throws naming `where`. */
export function normalizeWeights(raw: ArrayLike<number> | Weights, where = 'normalizeWeights'): Weights {
  const v = isWeights(raw) ? [raw.alpha, raw.beta, raw.gamma] : Array.from(raw);
  if (v.length !== 3) throw new Error(`${where}: expected 3 weight components (alpha, beta, gamma), got ${v.length}`);
  for (let i = 0; i < 3; i++) {
    const x = v[i]!;
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${where}: weight component ${i} is not a finite number: ${String(x)}`);
    // Tiny negatives come from float32 rounding of a Box action at its lower bound; larger ones are a caller bug.
    if (x < -1e-6) throw new Error(`${where}: weight component ${i} is negative: ${x}`);
  }
  const a = Math.max(0, v[0]!) + WEIGHT_FLOOR;
  const b = Math.max(0, v[1]!) + WEIGHT_FLOOR;
  const c = Math.max(0, v[2]!) + WEIGHT_FLOOR;
  const s = a + b + c;
  return { alpha: a / s, beta: b / s, gamma: c / s };
}

function isWeights(x: unknown): x is Weights {
  return typeof x === 'object' && x !== null && 'alpha' in x && 'beta' in x && 'gamma' in x;
}

/**
 * The simplex lattice with step 1/n as raw vectors [alpha, beta, gamma] (each sums to 1): (n+1)(n+2)/2 points
 * (n = 5 gives 21), ordered by alpha then beta. The fixed-weight grid of the meta report; a policy puts a point in
 * force through normalizeWeights like any other raw vector.
 */
export function weightGrid(n = 5): number[][] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`weightGrid: n must be a positive integer, got ${n}`);
  const out: number[][] = [];
  for (let i = n; i >= 0; i--) for (let j = n - i; j >= 0; j--) out.push([i / n, j / n, (n - i - j) / n]);
  return out;
}

/** Short label for reports, e.g. "w(0.60,0.20,0.20)". */
export function weightsLabel(w: Weights): string {
  return `w(${w.alpha.toFixed(2)},${w.beta.toFixed(2)},${w.gamma.toFixed(2)})`;
}
