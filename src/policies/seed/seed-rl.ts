/**
 * seed-rl: the original's RL row, a PPO agent trained on SeedCompatEnv (the original trained SB3 PPO,
 * original-system.md §2). The checkpoint is models/seed-rl-ppo.json, trained by
 * `edgepilot train --config configs/seed-rl-ppo.json` (docs/AGENT.md). `act` reads the raw 13-vector
 * (SeedCompatEnv's observation; the checkpoint carries its own running normalisation) and maps the deterministic
 * MultiDiscrete [20, 8, 4, 3] prediction to an Action.
 */
import { decodeAction } from '../../core/action.ts';
import type { Action } from '../../core/types.ts';
import { SeedCompatEnv, SEED_OBS_SIZE } from '../../env/seed-compat-env.ts';
import { loadModel, type TrainedModel } from '../../rl/model.ts';
import type { Policy, PolicyContext } from '../types.ts';
import { shippedModel } from '../../core/paths.ts';

/** Where `reproduce-seed` looks for the checkpoint when `--rl-checkpoint` is not given (the shipped one). */
export const SEED_RL_DEFAULT_CHECKPOINT = shippedModel('seed-rl-ppo.json');

class SeedRlPolicy implements Policy {
  readonly id = 'seed-rl';
  constructor(private readonly model: TrainedModel) {}
  reset(_seed: number): void {}
  act(obs: Float32Array, _ctx?: PolicyContext): Action {
    if (obs.length !== SEED_OBS_SIZE) throw new Error(`seed-rl: observation has ${obs.length} features, expected SeedCompatEnv's ${SEED_OBS_SIZE}`);
    const a = this.model.predict(obs);
    return decodeAction(typeof a === 'number' ? [a] : Array.from(a));
  }
}

/** Reads and verifies the checkpoint against SeedCompatEnv's spaces (a CheckpointError names the file and the mismatch). */
export async function loadSeedRlPolicy(checkpointPath: string): Promise<Policy> {
  const spaces = new SeedCompatEnv();
  return new SeedRlPolicy(loadModel(checkpointPath, spaces, 'ppo'));
}
