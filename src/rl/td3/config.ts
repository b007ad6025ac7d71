/** TD3 hyper-parameters: SB3 defaults (ml-stack.md §4, verified against SB3 2.9.0a4) and the zod schema for config files. */
import { z } from 'zod';

export const Td3ConfigSchema = z
  .object({
    learningRate: z.number().positive(),
    bufferSize: z.number().int().min(1),
    learningStarts: z.number().int().min(0),
    batchSize: z.number().int().min(1),
    tau: z.number().min(0).max(1),
    gamma: z.number().min(0).max(1),
    /** Train every N env steps, or every N episodes ({every, unit: 'episode'}, the zoo's train_freq [1, "episode"]). */
    trainFreq: z.union([z.number().int().min(1), z.object({ every: z.number().int().min(1), unit: z.enum(['step', 'episode']) }).strict()]),
    /** -1 = as many gradient steps as env steps collected since the last training round. */
    gradientSteps: z.number().int().min(-1).refine((v) => v !== 0, 'must be -1 (as many as env steps collected) or >= 1'),
    policyDelay: z.number().int().min(1),
    targetPolicyNoise: z.number().min(0),
    targetNoiseClip: z.number().min(0),
    /** Std of the Gaussian exploration noise in the [-1, 1] action scale (SB3 NormalActionNoise); 0 = none. */
    actionNoiseSigma: z.number().min(0),
    netArch: z.array(z.number().int().min(1)).min(1),
    adamEps: z.number().positive(),
    /** 2 = train the second critic on a worker thread (bit-identical results, about 1.5-1.8x faster updates). */
    threads: z.union([z.literal(1), z.literal(2)]),
    /** Element type of all networks: 'f32' (torch's default, f32x4 kernels, about 2x faster) or 'f64'. */
    dtype: z.enum(['f32', 'f64']),
    /**
     * Number of critics. 2 = TD3 as in SB3: twin critics, clipped double-Q target, the actor climbs critic 1.
     * N > 2 keeps all of that and adds N - 2 critics fitted to the same target; the actor then climbs the mean of all
     * N, which lowers the variance of its gradient where the critics' errors exceed the action effects to be learned
     * (docs/META.md). Needs threads: 1.
     */
    criticEnsemble: z.number().int().min(2),
  })
  .strict();

export type Td3Config = z.infer<typeof Td3ConfigSchema>;

export const TD3_DEFAULTS: Td3Config = {
  learningRate: 1e-3,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 256,
  tau: 0.005,
  gamma: 0.99,
  trainFreq: 1,
  gradientSteps: 1,
  policyDelay: 2,
  targetPolicyNoise: 0.2,
  targetNoiseClip: 0.5,
  actionNoiseSigma: 0,
  netArch: [400, 300],
  adamEps: 1e-8,
  threads: 1,
  dtype: 'f32',
  criticEnsemble: 2,
};
