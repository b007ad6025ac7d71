/**
 * Environment ids -> factories. Every env made here is wrapped like a Gymnasium registration:
 * TimeLimit (when the id has a step limit) and RecordEpisodeStatistics (info.episode on episode end).
 * Other modules add their envs with `registerEnv` (e.g. SparkIot, SeedCompat).
 */
import { CartPoleEnv } from './classic/cartpole.ts';
import { PendulumEnv } from './classic/pendulum.ts';
import { RecordEpisodeStatistics, TimeLimit } from './wrappers.ts';
import type { Env } from './types.ts';

export type EnvFactory = (options?: Record<string, unknown>) => Env;

interface Registration {
  factory: EnvFactory;
  maxEpisodeSteps?: number;
}

const REGISTRY = new Map<string, Registration>();

export function registerEnv(id: string, factory: EnvFactory, opts: { maxEpisodeSteps?: number } = {}): void {
  if (REGISTRY.has(id)) throw new Error(`registerEnv: '${id}' is already registered`);
  REGISTRY.set(id, { factory, maxEpisodeSteps: opts.maxEpisodeSteps });
}

export function envIds(): string[] {
  return [...REGISTRY.keys()].sort();
}

export function hasEnv(id: string): boolean {
  return REGISTRY.has(id);
}

export function makeEnv(id: string, options?: Record<string, unknown>): Env {
  const reg = REGISTRY.get(id);
  if (!reg) throw new Error(`unknown env '${id}'; valid ids: ${envIds().join(', ')}`);
  let env: Env = reg.factory(options);
  if (reg.maxEpisodeSteps !== undefined) env = new TimeLimit(env, reg.maxEpisodeSteps);
  return new RecordEpisodeStatistics(env);
}

// Gymnasium registrations: CartPole-v1 max_episode_steps=500, Pendulum-v1 max_episode_steps=200.
registerEnv('CartPole-v1', () => new CartPoleEnv(), { maxEpisodeSteps: 500 });
registerEnv('Pendulum-v1', () => new PendulumEnv(), { maxEpisodeSteps: 200 });
