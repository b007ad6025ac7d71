/** PPO's rollout buffer (with GAE) and TD3's replay buffer, allocated once. */
import type { Rng } from '../core/rng.ts';

/**
 * Rollout storage, index = step * nEnvs + env. Rewards of truncated steps must already include
 * gamma * V(final_obs) (SB3's time-limit bootstrapping), so GAE treats every episode end as terminal.
 */
export class RolloutBuffer {
  readonly obs: Float64Array;
  readonly actions: Float64Array;
  readonly rewards: Float64Array;
  /** 1 when obs[step] is the first observation of an episode (SB3 episode_starts). */
  readonly episodeStarts: Float64Array;
  readonly values: Float64Array;
  readonly logProbs: Float64Array;
  readonly advantages: Float64Array;
  readonly returns: Float64Array;
  pos = 0;

  constructor(
    readonly nSteps: number,
    readonly nEnvs: number,
    readonly obsSize: number,
    readonly actionSize: number,
  ) {
    const n = nSteps * nEnvs;
    this.obs = new Float64Array(n * obsSize);
    this.actions = new Float64Array(n * actionSize);
    this.rewards = new Float64Array(n);
    this.episodeStarts = new Float64Array(n);
    this.values = new Float64Array(n);
    this.logProbs = new Float64Array(n);
    this.advantages = new Float64Array(n);
    this.returns = new Float64Array(n);
  }

  get size(): number {
    return this.nSteps * this.nEnvs;
  }
  get full(): boolean {
    return this.pos === this.nSteps;
  }

  reset(): void {
    this.pos = 0;
  }

  /** Adds one vectorised step: obs (nEnvs x obsSize), actions (nEnvs x actionSize), and per-env scalars. */
  add(obs: ArrayLike<number>, actions: ArrayLike<number>, rewards: ArrayLike<number>, episodeStarts: ArrayLike<number>, values: ArrayLike<number>, logProbs: ArrayLike<number>): void {
    if (this.pos >= this.nSteps) throw new Error(`RolloutBuffer.add: buffer is full (${this.nSteps} steps)`);
    const base = this.pos * this.nEnvs;
    for (let i = 0; i < this.nEnvs * this.obsSize; i++) this.obs[base * this.obsSize + i] = obs[i]!;
    for (let i = 0; i < this.nEnvs * this.actionSize; i++) this.actions[base * this.actionSize + i] = actions[i]!;
    for (let e = 0; e < this.nEnvs; e++) {
      this.rewards[base + e] = rewards[e]!;
      this.episodeStarts[base + e] = episodeStarts[e]!;
      this.values[base + e] = values[e]!;
      this.logProbs[base + e] = logProbs[e]!;
    }
    this.pos++;
  }

  /**
   * GAE(lambda) exactly as SB3's compute_returns_and_advantage. `lastValues` = V(obs after the last step),
   * `dones` = whether the last step ended an episode (terminated or truncated).
   */
  computeReturnsAndAdvantage(lastValues: ArrayLike<number>, dones: ArrayLike<number | boolean>, gamma: number, gaeLambda: number): void {
    const E = this.nEnvs;
    for (let e = 0; e < E; e++) {
      let lastGae = 0;
      for (let t = this.nSteps - 1; t >= 0; t--) {
        let nextNonTerminal: number;
        let nextValue: number;
        if (t === this.nSteps - 1) {
          nextNonTerminal = 1 - Number(dones[e]!);
          nextValue = lastValues[e]!;
        } else {
          nextNonTerminal = 1 - this.episodeStarts[(t + 1) * E + e]!;
          nextValue = this.values[(t + 1) * E + e]!;
        }
        const i = t * E + e;
        const delta = this.rewards[i]! + gamma * nextValue * nextNonTerminal - this.values[i]!;
        lastGae = delta + gamma * gaeLambda * nextNonTerminal * lastGae;
        this.advantages[i] = lastGae;
        this.returns[i] = lastGae + this.values[i]!;
      }
    }
  }
}

/**
 * Uniform replay (SB3 ReplayBuffer, n_envs 1, handle_timeout_termination): `done` is stored as
 * terminated only, so a time-limit cut is bootstrapped from the true final observation in `nextObs`.
 */
export class ReplayBuffer {
  readonly obs: Float64Array;
  readonly nextObs: Float64Array;
  readonly actions: Float64Array;
  readonly rewards: Float64Array;
  readonly dones: Float64Array;
  pos = 0;
  full = false;

  constructor(
    readonly capacity: number,
    readonly obsSize: number,
    readonly actionSize: number,
  ) {
    this.obs = new Float64Array(capacity * obsSize);
    this.nextObs = new Float64Array(capacity * obsSize);
    this.actions = new Float64Array(capacity * actionSize);
    this.rewards = new Float64Array(capacity);
    this.dones = new Float64Array(capacity);
  }

  get size(): number {
    return this.full ? this.capacity : this.pos;
  }

  add(obs: ArrayLike<number>, nextObs: ArrayLike<number>, action: ArrayLike<number>, reward: number, terminated: boolean): void {
    const p = this.pos;
    for (let i = 0; i < this.obsSize; i++) {
      this.obs[p * this.obsSize + i] = obs[i]!;
      this.nextObs[p * this.obsSize + i] = nextObs[i]!;
    }
    for (let i = 0; i < this.actionSize; i++) this.actions[p * this.actionSize + i] = action[i]!;
    this.rewards[p] = reward;
    this.dones[p] = terminated ? 1 : 0;
    this.pos = (p + 1) % this.capacity;
    if (this.pos === 0) this.full = true;
  }

  /** Samples `batch` indices uniformly with replacement into the given arrays. */
  sample(batch: number, rng: Rng, out: { obs: Float64Array; nextObs: Float64Array; actions: Float64Array; rewards: Float64Array; dones: Float64Array }): void {
    const n = this.size;
    if (n === 0) throw new Error('ReplayBuffer.sample: buffer is empty');
    const O = this.obsSize;
    const A = this.actionSize;
    for (let b = 0; b < batch; b++) {
      const j = rng.int(n);
      for (let i = 0; i < O; i++) {
        out.obs[b * O + i] = this.obs[j * O + i]!;
        out.nextObs[b * O + i] = this.nextObs[j * O + i]!;
      }
      for (let i = 0; i < A; i++) out.actions[b * A + i] = this.actions[j * A + i]!;
      out.rewards[b] = this.rewards[j]!;
      out.dones[b] = this.dones[j]!;
    }
  }
}
