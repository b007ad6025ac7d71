/** PPO hyper-parameters: SB3 defaults (ml-stack.md §4, verified against SB3 2.9.0a4) and the zod schema for config files. */
import { z } from 'zod';

/**
 * A value, constant or linearly decayed to 0 (`lin_<start>`, rl-zoo's notation): > 0 for clip ranges, >= 0 for the
 * learning rate (0 freezes the networks: the tests use it to check targets against a fixed value function).
 */
const scheduleAbove = (min: 0 | 'positive') => {
  const ok = (v: number): boolean => (min === 'positive' ? v > 0 : v >= 0);
  const words = min === 'positive' ? '> 0' : '>= 0';
  return z.union([
    z.number().refine(ok, `expected a number ${words}`),
    z
      .string()
      .regex(/^lin_[0-9.eE+-]+$/, `expected a number ${words} or "lin_<value>"`)
      .refine((v) => ok(Number(v.slice(4))), `expected "lin_<value>" with a value ${words}`),
  ]);
};
const schedule = scheduleAbove('positive');

export const PpoConfigSchema = z
  .object({
    nEnvs: z.number().int().min(1),
    nSteps: z.number().int().min(1),
    batchSize: z.number().int().min(1),
    nEpochs: z.number().int().min(1),
    learningRate: scheduleAbove(0),
    gamma: z.number().min(0).max(1),
    gaeLambda: z.number().min(0).max(1),
    clipRange: schedule,
    /** null = no value clipping (SB3 default). */
    clipRangeVf: schedule.nullable(),
    normalizeAdvantage: z.boolean(),
    entCoef: z.number(),
    vfCoef: z.number(),
    maxGradNorm: z.number().positive(),
    targetKl: z.number().positive().nullable(),
    adamEps: z.number().positive(),
    piLayers: z.array(z.number().int().min(1)),
    vfLayers: z.array(z.number().int().min(1)),
    activation: z.enum(['tanh', 'relu']),
    orthoInit: z.boolean(),
    logStdInit: z.number(),
    /** Running observation normalisation like VecNormalize(norm_obs=True, norm_reward=False, clip_obs=10). */
    normalizeObs: z.boolean(),
    /**
     * Not in SB3 (optional; absent = SB3's init): for a Discrete / MultiDiscrete action, the action head's bias for
     * these indices (one per component) starts at `logit` instead of 0, so the initial policy prefers that action
     * (about e^logit / (e^logit + n - 1) of the probability of each component). Residual agents use it to start at
     * the identity correction, i.e. at the base rule (residual policy learning, Silver et al. 2018, start from a
     * zero residual).
     */
    initialAction: z.object({ action: z.array(z.number().int().min(0)).min(1), logit: z.number() }).strict().optional(),
    /**
     * Not in SB3: 2 runs the critic's forward and backward passes on a worker thread beside the actor's
     * (src/rl/ppo/critic-threads.ts); the results are bit-identical to 1. A run setting, not saved in checkpoints.
     */
    threads: z.union([z.literal(1), z.literal(2)]),
  })
  .strict();

export type PpoConfig = z.infer<typeof PpoConfigSchema>;

export const PPO_DEFAULTS: PpoConfig = {
  nEnvs: 1,
  nSteps: 2048,
  batchSize: 64,
  nEpochs: 10,
  learningRate: 3e-4,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeVf: null,
  normalizeAdvantage: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  adamEps: 1e-5,
  piLayers: [64, 64],
  vfLayers: [64, 64],
  activation: 'tanh',
  orthoInit: true,
  logStdInit: 0,
  normalizeObs: false,
  threads: 1,
};
