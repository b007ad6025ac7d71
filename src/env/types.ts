/**
 * The Gymnasium-style environment API shared by every Edgepilot environment (SparkIotEnv, SeedCompatEnv,
 * classic control) and by the RL engine.
 */
import type { Space } from '../core/spaces.ts';

/** An action as the env accepts it: an index (Discrete), indices (MultiDiscrete) or a vector (Box). */
export type EnvAction = number | ArrayLike<number>;

export type Info = Record<string, unknown>;

export interface ResetOptions {
  seed?: number;
  options?: Record<string, unknown>;
}

export interface ResetResult<O = Float32Array> {
  obs: O;
  info: Info;
}

export interface StepResult<O = Float32Array> {
  obs: O;
  reward: number;
  /** The episode ended in a terminal state (no bootstrapping past it). */
  terminated: boolean;
  /** The episode was cut (time limit); the value of `obs` should still be bootstrapped. */
  truncated: boolean;
  info: Info;
}

export interface Env<O = Float32Array, A = EnvAction> {
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  reset(opts?: ResetOptions): ResetResult<O>;
  step(action: A): StepResult<O>;
  close?(): void;
}

/** Error thrown for an action that is not a member of the action space. */
export class InvalidActionError extends Error {
  constructor(envId: string, reason: string) {
    super(`${envId}: invalid action: ${reason}`);
    this.name = 'InvalidActionError';
  }
}
