/** Loading a trained model for inference, whatever the algorithm, with compatibility checks against an env. */
import type { Env, EnvAction } from '../env/types.ts';
import { assertCompatible, readCheckpoint } from './checkpoint.ts';
import type { CheckpointContent } from './checkpoint.ts';
import { ppoPolicyFromCheckpoint } from './ppo/ppo.ts';
import { td3ActorFromCheckpoint } from './td3/td3.ts';

export interface TrainedModel {
  readonly algo: 'ppo' | 'td3';
  readonly checkpoint: CheckpointContent;
  /** Deterministic by default (the distribution's mode for PPO; TD3's actor is deterministic). */
  predict(obs: ArrayLike<number>): EnvAction;
}

export function modelFromCheckpoint(ckpt: CheckpointContent, where: string): TrainedModel {
  if (ckpt.algo === 'ppo') {
    const policy = ppoPolicyFromCheckpoint(ckpt, where);
    return { algo: 'ppo', checkpoint: ckpt, predict: (obs) => policy.predict(obs, { deterministic: true }) };
  }
  const actor = td3ActorFromCheckpoint(ckpt, where);
  return { algo: 'td3', checkpoint: ckpt, predict: (obs) => actor.predict(obs) };
}

/** Reads, verifies and (when `env` is given) checks the model against the env's spaces. */
export function loadModel(path: string, env?: Pick<Env, 'observationSpace' | 'actionSpace'>, algo?: 'ppo' | 'td3'): TrainedModel {
  const ckpt = readCheckpoint(path);
  if (env) assertCompatible(ckpt, { algo, observationSpace: env.observationSpace, actionSpace: env.actionSpace }, `'${path}'`);
  return modelFromCheckpoint(ckpt, `'${path}'`);
}
