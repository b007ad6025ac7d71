/**
 * One training run, shared by the CLI and the benchmarks: builds the envs, trains PPO or TD3, evaluates
 * deterministically on a separate env every `evalFreq` steps (saving the best model), writes a JSONL
 * training log next to the checkpoint, and finishes with a >= 20-episode deterministic evaluation.
 */
import { writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { didYouMean } from '../core/did-you-mean.ts';
import { makeEnv, envIds, hasEnv } from '../env/registry.ts';
import { SyncVecEnv } from '../env/vector.ts';
import type { EnvAction } from '../env/types.ts';
import { recordableEnvOptions, saveCheckpoint, type CheckpointContent } from './checkpoint.ts';
import { evaluatePolicy } from './evaluate.ts';
import type { EvalResult } from './evaluate.ts';
import { PpoConfigSchema } from './ppo/config.ts';
import { PPO, ppoCheckpoint } from './ppo/ppo.ts';
import { Td3ConfigSchema } from './td3/config.ts';
import { TD3, td3Checkpoint } from './td3/td3.ts';

export const ALGOS = ['ppo', 'td3'] as const;
export type Algo = (typeof ALGOS)[number];

/**
 * [assumed] The most env steps one training run may take: PPO on SparkIot runs ~4,300 steps/s and TD3 far fewer, so
 * 10^8 is hours to days; the shipped models took at most 4,000,000.
 */
export const MAX_TIMESTEPS = 100_000_000;
export const MAX_TIMESTEPS_WHY = 'more would run for days; the shipped models took at most 4,000,000';

/** A training config file (configs/*.json). Every key is optional; unknown keys are errors. */
export const TrainConfigSchema = z
  .object({
    algo: z.enum(ALGOS).optional(),
    env: z.string().optional(),
    timesteps: z.number().int().min(1).max(MAX_TIMESTEPS, `must be <= ${MAX_TIMESTEPS.toLocaleString('en-US')} (${MAX_TIMESTEPS_WHY})`).optional(),
    seed: z.number().int().min(0).optional(),
    /** Env steps between deterministic evaluations (0 = only the final one). */
    evalFreq: z.number().int().min(0).optional(),
    /** Episodes per periodic evaluation. */
    evalEpisodes: z.number().int().min(1).optional(),
    hyperparameters: z.record(z.unknown()).optional(),
    /** Options passed to the env factory (e.g. SparkIot: scenario, weights, maskEdgeFeatures); validated by the env. */
    envOptions: z.record(z.unknown()).optional(),
    /** Free text (e.g. where the hyper-parameters come from). */
    notes: z.string().optional(),
  })
  .strict();
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** Validates a parsed config; the error names the offending key and the file. */
export function parseTrainConfig(raw: unknown, where: string): TrainConfig {
  const top = TrainConfigSchema.safeParse(raw);
  if (!top.success) throw new Error(`${where}: ${formatZodError(top.error, undefined, Object.keys(TrainConfigSchema.shape))}`);
  const cfg = top.data;
  if (cfg.hyperparameters && cfg.algo) {
    const schema = cfg.algo === 'ppo' ? PpoConfigSchema.partial() : Td3ConfigSchema.partial();
    const hp = schema.safeParse(cfg.hyperparameters);
    if (!hp.success) throw new Error(`${where}: ${formatZodError(hp.error, 'hyperparameters', Object.keys(schema.shape))}`);
  }
  return cfg;
}

/** `validKeys`: the object's own keys, for a "did you mean" after an unknown key at its top level. */
export function formatZodError(err: z.ZodError, prefix?: string, validKeys?: readonly string[]): string {
  return err.issues
    .map((i) => {
      const keys = i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [];
      const path = [prefix, ...i.path].filter((p) => p !== undefined && p !== '').join('.');
      const hint = (k: string): string => (validKeys && i.path.length === 0 ? didYouMean(k, validKeys) : '');
      if (keys.length) return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${[prefix, k].filter(Boolean).join('.')}'${hint(k)}`).join(', ')}`;
      return `'${path || '(root)'}': ${i.message}`;
    })
    .join('; ');
}

export interface TrainOptions {
  envId: string;
  algo: Algo;
  timesteps: number;
  seed: number;
  hyperparameters?: Record<string, unknown>;
  /** Passed to makeEnv for the training and evaluation envs. */
  envOptions?: Record<string, unknown>;
  evalFreq?: number;
  evalEpisodes?: number;
  /** Final evaluation episodes (at least 20). */
  finalEvalEpisodes?: number;
  /** Checkpoint path; the best model goes to <out>.best.json and the log to <out>.log.jsonl (".json" stripped). */
  out?: string;
  onProgress?: (numTimesteps: number, meanEpisodeReturn: number | null) => void;
}

export interface TrainSummary {
  algo: Algo;
  env: string;
  timesteps: number;
  seed: number;
  meanReturn: number;
  stdReturn: number;
  stepsPerSecond: number;
  wallSeconds: number;
  checkpoint: string | null;
  bestEvalMeanReturn: number | null;
  logPath: string | null;
  /** Mean episode returns per logged row (for determinism checks). */
  curve: (number | null)[];
}

export function artifactPaths(out: string): { best: string; log: string } {
  const stem = out.endsWith('.json') ? out.slice(0, -5) : out;
  return { best: `${stem}.best.json`, log: `${stem}.log.jsonl` };
}

export function runTraining(opts: TrainOptions): TrainSummary {
  if (!hasEnv(opts.envId)) throw new Error(`unknown env '${opts.envId}'; valid ids: ${envIds().join(', ')}`);
  if (!(ALGOS as readonly string[]).includes(opts.algo)) throw new Error(`unknown algo '${opts.algo}'; valid: ${ALGOS.join(', ')}`);
  const evalFreq = opts.evalFreq ?? 0;
  const evalEpisodes = opts.evalEpisodes ?? 10;
  const finalEpisodes = Math.max(20, opts.finalEvalEpisodes ?? 20);
  const paths = opts.out ? artifactPaths(opts.out) : null;
  if (paths) {
    mkdirSync(dirname(paths.log), { recursive: true });
    writeFileSync(paths.log, '');
  }
  const log = (row: Record<string, unknown>): void => {
    if (paths) appendFileSync(paths.log, `${JSON.stringify(row)}\n`);
  };
  const evalEnv = makeEnv(opts.envId, opts.envOptions);
  const recorded = recordableEnvOptions(opts.envOptions);
  const withEnvOptions = (c: CheckpointContent): CheckpointContent => (recorded ? { ...c, envOptions: recorded } : c);
  const evalSeedBase = opts.seed * 1000 + 1_000_000; // disjoint from the training env seeds
  const t0 = performance.now();
  const curve: (number | null)[] = [];
  let bestEval: number | null = null;
  let nextEvalAt = evalFreq > 0 ? evalFreq : Infinity;
  let act: (obs: Float32Array) => EnvAction;
  let checkpoint: () => ReturnType<typeof ppoCheckpoint>;
  let numTimesteps: () => number;
  let closeAlgo = (): void => {};

  const maybeEvaluate = (steps: number): void => {
    if (steps < nextEvalAt) return;
    while (nextEvalAt <= steps) nextEvalAt += evalFreq;
    const r = evaluatePolicy(evalEnv, act, evalEpisodes, evalSeedBase);
    const isBest = bestEval === null || r.meanReturn > bestEval;
    if (isBest) {
      bestEval = r.meanReturn;
      if (paths) saveCheckpoint(paths.best, checkpoint());
    }
    log({ type: 'eval', numTimesteps: steps, meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: evalEpisodes, best: isBest, wallSeconds: (performance.now() - t0) / 1000 });
  };

  if (opts.algo === 'ppo') {
    const hp = PpoConfigSchema.partial().parse(opts.hyperparameters ?? {});
    const nEnvs = hp.nEnvs ?? 1;
    const vec = new SyncVecEnv(Array.from({ length: nEnvs }, () => makeEnv(opts.envId, opts.envOptions)));
    const ppo = new PPO(vec, hp, opts.seed);
    act = (obs) => ppo.predict(obs, { deterministic: true });
    checkpoint = () => withEnvOptions(ppoCheckpoint(ppo, opts.envId));
    numTimesteps = () => ppo.numTimesteps;
    closeAlgo = () => ppo.close();
    ppo.learn(opts.timesteps, (s) => {
      curve.push(s.meanEpisodeReturn);
      const wall = (performance.now() - t0) / 1000;
      log({ type: 'rollout', ...s, stepsPerSecond: s.numTimesteps / wall, wallSeconds: wall });
      opts.onProgress?.(s.numTimesteps, s.meanEpisodeReturn);
      maybeEvaluate(s.numTimesteps);
    });
  } else {
    const hp = Td3ConfigSchema.partial().parse(opts.hyperparameters ?? {});
    const td3 = new TD3(makeEnv(opts.envId, opts.envOptions), hp, opts.seed);
    act = (obs) => td3.predict(obs);
    checkpoint = () => withEnvOptions(td3Checkpoint(td3, opts.envId));
    numTimesteps = () => td3.numTimesteps;
    closeAlgo = () => td3.close();
    td3.learn(opts.timesteps, (s) => {
      // One row per finished episode (a TD3 round can be a single env step).
      if (td3.lastRoundEndedEpisode) {
        curve.push(s.meanEpisodeReturn);
        const wall = (performance.now() - t0) / 1000;
        log({ type: 'episode', ...s, stepsPerSecond: s.numTimesteps / wall, wallSeconds: wall });
      }
      opts.onProgress?.(s.numTimesteps, s.meanEpisodeReturn);
      maybeEvaluate(s.numTimesteps);
    });
  }
  const trainWall = (performance.now() - t0) / 1000;
  const steps = numTimesteps();
  if (paths && opts.out) saveCheckpoint(opts.out, checkpoint());
  const final: EvalResult = evaluatePolicy(evalEnv, act, finalEpisodes, evalSeedBase + 500_000);
  closeAlgo();
  log({ type: 'final-eval', numTimesteps: steps, meanReturn: final.meanReturn, stdReturn: final.stdReturn, episodes: finalEpisodes });
  return {
    algo: opts.algo,
    env: opts.envId,
    timesteps: steps,
    seed: opts.seed,
    meanReturn: final.meanReturn,
    stdReturn: final.stdReturn,
    stepsPerSecond: steps / trainWall,
    wallSeconds: (performance.now() - t0) / 1000,
    checkpoint: opts.out ?? null,
    bestEvalMeanReturn: bestEval,
    logPath: paths ? paths.log : null,
    curve,
  };
}
