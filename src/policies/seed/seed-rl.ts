/**
 * seed-rl: the hook for the original's RL row, a PPO agent trained on SeedCompatEnv (the original trained SB3 PPO,
 * original-system.md §2). The trainer and checkpoint format arrive later with src/rl; until then this loader
 * refuses clearly, and `edgepilot reproduce-seed` prints the RL row only when a checkpoint exists and loads.
 *
 * To plug the agent in: implement `loadSeedRlPolicy` to read the checkpoint and return a Policy whose `act` reads
 * the raw 13-vector (SeedCompatEnv's observation) and maps the MultiDiscrete [20, 8, 4, 3] sample to an Action.
 */
import type { Policy } from '../types.ts';

/** Where `reproduce-seed` looks for the checkpoint when `--rl-checkpoint` is not given. */
export const SEED_RL_DEFAULT_CHECKPOINT = 'runs/seed-rl/checkpoint.json';

export async function loadSeedRlPolicy(checkpointPath: string): Promise<Policy> {
  throw new Error(`seed-rl: cannot load ${checkpointPath}: the PPO checkpoint loader for SeedCompatEnv is not implemented yet (it arrives with src/rl)`);
}
