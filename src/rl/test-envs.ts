/**
 * Tiny never-ending envs for the RL unit tests: observation [t / obsDivisor] after t steps (float32), reward
 * `reward(t)`; the action is ignored. They pin what the algorithms store and bootstrap at each step.
 */
import { box, discrete, type Space } from '../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../env/types.ts';

export interface CounterEnvOptions {
  id?: string;
  /** Observation = t / obsDivisor (default 10); its box is [0, 100 / obsDivisor]. */
  obsDivisor?: number;
  /** Reward of the t-th step (t from 1; default 0). */
  reward?: (t: number) => number;
  /** Default Discrete(2). */
  actionSpace?: Space;
}

export class CounterEnv implements Env {
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  private readonly obsDivisor: number;
  private readonly reward: (t: number) => number;
  private t = 0;

  constructor(opts: CounterEnvOptions = {}) {
    this.id = opts.id ?? 'Counter';
    this.obsDivisor = opts.obsDivisor ?? 10;
    this.observationSpace = box(0, 100 / this.obsDivisor, [1]);
    this.actionSpace = opts.actionSpace ?? discrete(2);
    this.reward = opts.reward ?? (() => 0);
  }

  reset(): ResetResult {
    this.t = 0;
    return { obs: Float32Array.of(0), info: {} };
  }

  step(): StepResult {
    this.t++;
    return { obs: Float32Array.of(this.t / this.obsDivisor), reward: this.reward(this.t), terminated: false, truncated: false, info: {} };
  }
}
