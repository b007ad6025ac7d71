/**
 * A synchronous vector of environments with auto-reset, like SB3's DummyVecEnv: when env i ends an episode
 * its returned observation is already the first of the next episode, and the true last observation is kept
 * in `finalObs[i]` (SB3's info["terminal_observation"]) so a truncated episode can be bootstrapped.
 */
import { flatSize } from '../core/spaces.ts';
import type { Space } from '../core/spaces.ts';
import type { Env, EnvAction, Info } from './types.ts';

export interface VecStepResult {
  /** nEnvs x obsSize, the observations to act on next (post-reset where an episode ended). */
  obs: Float64Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** For env i that ended an episode this step: its last observation; otherwise null. */
  finalObs: (Float64Array | null)[];
  infos: Info[];
}

export class SyncVecEnv {
  readonly nEnvs: number;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly obsSize: number;
  private readonly result: VecStepResult;

  constructor(readonly envs: Env[]) {
    if (envs.length === 0) throw new Error('SyncVecEnv: needs at least one env');
    this.nEnvs = envs.length;
    this.observationSpace = envs[0]!.observationSpace;
    this.actionSpace = envs[0]!.actionSpace;
    this.obsSize = flatSize(this.observationSpace);
    const n = this.nEnvs;
    this.result = {
      obs: new Float64Array(n * this.obsSize),
      rewards: new Float64Array(n),
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
      finalObs: new Array<Float64Array | null>(n).fill(null),
      infos: new Array<Info>(n).fill({}),
    };
  }

  /** Resets every env; env i is seeded with seed + i (SB3's VecEnv.seed convention). */
  reset(seed?: number): Float64Array {
    for (let i = 0; i < this.nEnvs; i++) {
      const r = this.envs[i]!.reset(seed === undefined ? {} : { seed: seed + i });
      this.result.obs.set(r.obs, i * this.obsSize);
    }
    return this.result.obs;
  }

  /** Steps every env with its action. The returned object and its arrays are reused by the next call. */
  step(actions: readonly EnvAction[]): VecStepResult {
    const res = this.result;
    for (let i = 0; i < this.nEnvs; i++) {
      const r = this.envs[i]!.step(actions[i]!);
      res.rewards[i] = r.reward;
      res.terminated[i] = r.terminated ? 1 : 0;
      res.truncated[i] = r.truncated ? 1 : 0;
      res.infos[i] = r.info;
      if (r.terminated || r.truncated) {
        res.finalObs[i] = Float64Array.from(r.obs);
        res.obs.set(this.envs[i]!.reset().obs, i * this.obsSize);
      } else {
        res.finalObs[i] = null;
        res.obs.set(r.obs, i * this.obsSize);
      }
    }
    return res;
  }

  close(): void {
    for (const e of this.envs) e.close?.();
  }
}
