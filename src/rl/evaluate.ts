/** Deterministic evaluation on a separate env (SB3 evaluate_policy): undiscounted return per episode. */
import type { Env, EnvAction } from '../env/types.ts';

export interface EvalResult {
  returns: number[];
  lengths: number[];
  meanReturn: number;
  /** Population std, like numpy's np.std in SB3's evaluate_policy. */
  stdReturn: number;
}

/** Runs `episodes` episodes; episode k is reset with seed `seed + k` so evaluations are reproducible. */
export function evaluatePolicy(env: Env, act: (obs: Float32Array) => EnvAction, episodes: number, seed: number): EvalResult {
  if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`evaluatePolicy: episodes must be a positive integer, got ${episodes}`);
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let k = 0; k < episodes; k++) {
    let { obs } = env.reset({ seed: seed + k });
    let total = 0;
    let length = 0;
    for (;;) {
      const r = env.step(act(obs));
      total += r.reward;
      length++;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    returns.push(total);
    lengths.push(length);
  }
  const mean = returns.reduce((s, x) => s + x, 0) / episodes;
  const std = Math.sqrt(returns.reduce((s, x) => s + (x - mean) ** 2, 0) / episodes);
  return { returns, lengths, meanReturn: mean, stdReturn: std };
}
