/**
 * Environment ids -> factories. Every env made here is wrapped like a Gymnasium registration:
 * TimeLimit (when the id has a step limit) and RecordEpisodeStatistics (info.episode on episode end).
 *
 * Registered here: CartPole-v1, Pendulum-v1, SparkIot (alias SparkIot-v1: the training wrapper around
 * SparkIotEnv, see spark-iot-train-env.ts; with the option residualBase, its residual-action form, residual-env.ts)
 * and SeedCompat-v0 (registered by seed-compat-env.ts, imported below so
 * `makeEnv('SeedCompat-v0')` works without other imports). Other modules may add envs with `registerEnv`.
 *
 * Import order matters (cycle-safe): the table (registry-core.ts) is evaluated before any env module that
 * registers itself at import time.
 */
export { registerEnv, envIds, hasEnv, makeEnv } from './registry-core.ts';
export type { EnvFactory } from './registry-core.ts';
import { registerEnv } from './registry-core.ts';
import { CartPoleEnv } from './classic/cartpole.ts';
import { PendulumEnv } from './classic/pendulum.ts';
import { SparkIotTrainEnv, parseSparkIotTrainOptions } from './spark-iot-train-env.ts';
import { SparkIotResidualEnv } from './residual-env.ts';
import './seed-compat-env.ts'; // registers SeedCompat-v0
import '../meta/register.ts'; // registers SparkIotMeta (engineer B)

// Gymnasium registrations: CartPole-v1 max_episode_steps=500, Pendulum-v1 max_episode_steps=200.
registerEnv('CartPole-v1', () => new CartPoleEnv(), { maxEpisodeSteps: 500 });
registerEnv('Pendulum-v1', () => new PendulumEnv(), { maxEpisodeSteps: 200 });
// SparkIotEnv truncates by itself at maxSteps (default 500), so no TimeLimit here.
// With the option residualBase the action is a correction to that rule's action (src/env/residual-env.ts).
const sparkIot = (id: string) => (options?: Record<string, unknown>) => {
  const o = parseSparkIotTrainOptions(options, id);
  return o.residualBase ? new SparkIotResidualEnv(o) : new SparkIotTrainEnv(o);
};
registerEnv('SparkIot', sparkIot('SparkIot'));
registerEnv('SparkIot-v1', sparkIot('SparkIot-v1'));
