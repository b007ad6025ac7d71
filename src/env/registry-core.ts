/**
 * The env-id table itself (ids -> factories, with Gymnasium-style TimeLimit + RecordEpisodeStatistics wrapping).
 * It lives apart from registry.ts so that env modules which register themselves (seed-compat-env.ts calls
 * registerEnv at import time) can be imported BY registry.ts without hitting the table before it exists:
 * registry.ts imports this module first, then the env modules.
 */
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
