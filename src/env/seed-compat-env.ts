/**
 * SeedCompatEnv: a faithful port of the original thesis environment (`SparkResourceEnv` in
 * manvith2003/serverless-spark-iot-framework, optimization/resource_allocation/rl_environment.py), as specified in
 * /work/shared/reference/original-system.md §1.1-1.10. Every formula, constant, the step order and the quirks are
 * kept on purpose, because this env exists to reproduce the original's numbers:
 *
 * - the 13 raw, unnormalised features, including the stale volume / shuffle / temperature (obs 1, 9, 10) and the
 *   oracle next workload and burst label (obs 11, 12);
 * - a new scenario drawn uniformly at every reset unless `options.scenario` is given (the constructor's scenario
 *   is ignored by the original's reset, so there is no constructor scenario here at all);
 * - the 1000-step limit reported as `terminated` (pass `{ fixTimeLimit: true }` to report it as `truncated`).
 *
 * The one deliberate difference: the original draws from the global, unseeded `np.random`, so its `reset(seed=...)`
 * has no effect. Here one Rng per env is drawn in the original's exact order, and `reset({ seed })` re-seeds it,
 * so runs are reproducible and every policy can be shown the same trace.
 */
import { actionSpace, decodeAction } from '../core/action.ts';
import { Rng } from '../core/rng.ts';
import { box, type BoxSpace, type MultiDiscreteSpace } from '../core/spaces.ts';
import { registerEnv } from './registry.ts';
import type { Env, EnvAction, Info, ResetOptions, ResetResult, StepResult } from './types.ts';

// ---- Scenario table: configs/iot_scenarios.yaml (original-system.md §3.7). alpha = cost, beta = latency, gamma = throughput.
export const SEED_SCENARIOS = {
  healthcare_critical: { alpha: 0.1, beta: 0.8, gamma: 0.1 },
  industrial_high_throughput: { alpha: 0.2, beta: 0.3, gamma: 0.5 },
  smart_city_budget: { alpha: 0.9, beta: 0.05, gamma: 0.05 },
  balanced: { alpha: 0.33, beta: 0.33, gamma: 0.33 },
} as const;
export type SeedScenarioName = keyof typeof SEED_SCENARIOS;
/** In YAML key order, which is the order `np.random.choice(list(scenarios))` draws from. */
export const SEED_SCENARIO_NAMES = Object.keys(SEED_SCENARIOS) as SeedScenarioName[];

// ---- Cost model, $/h per step (§1.4).
export const EXECUTOR_COST_USD_PER_H = 0.1;
export const MEMORY_COST_USD_PER_GB_H = 0.05;
/** Storage rate per tier in $/GB-h: Redis, NVMe, S3, Glacier. */
export const TIER_STORAGE_USD_PER_GB_H = [0.1, 0.05, 0.02, 0.005] as const;
/** Compressed/raw size per codec: none, light ("LZ4"), heavy ("ZSTD"). */
export const COMPRESSION_RATIO = [1.0, 0.6, 0.3] as const;
/** The original divides MB by 1024 to get GB. */
const MB_PER_GB = 1024;

// ---- Latency model, ms (§1.5).
/** ms per (msg/s) per unit of resource factor (executors x GB); the only live use of `base_latency_ms = 100`. */
export const COMPUTE_MS_FACTOR = 100;
/** Shuffle access ms per 100 compressed MB, per tier. */
export const TIER_ACCESS_MS_PER_100MB = [5, 20, 100, 5000] as const;
/** Decompression ms per 100 raw MB, per codec. */
export const DECOMPRESSION_MS_PER_100MB = [0, 10, 50] as const;
export const LATENCY_FLOOR_MS = 10;

// ---- Reward (§1.6).
export const COST_SCALE_USD_PER_H = 10;
export const LATENCY_SCALE_MS = 1000;
export const THROUGHPUT_SCALE = 1000;
export const STABILITY_PENALTY = 0.5;
/** Penalty applies when the (current, hidden) temperature exceeds this and the tier is S3 or Glacier. */
export const HOT_DATA_TEMPERATURE = 0.7;
export const COLD_TIER_MIN_INDEX = 2;

// ---- Workload / "edge" process (§1.7) and reset draws (§1.8).
export const BURST_PROBABILITY = 0.2;
export const BURST_FACTOR_RANGE = [2.0, 4.0] as const;
export const DRIFT_FACTOR_RANGE = [0.8, 1.2] as const;
export const WORKLOAD_MIN_MSGS_PER_S = 10;
export const WORKLOAD_CAP_MSGS_PER_S = 900;
export const RESET_WORKLOAD_RANGE = [10, 200] as const;
export const DATA_VOLUME_RANGE_MB = [10, 500] as const;
export const SHUFFLE_FACTOR_RANGE = [0.1, 0.5] as const;
/** Reset values of cpu util, mem util, latency and cost in the first observation (§1.2). */
const RESET_CPU_UTIL = 50;
const RESET_MEM_UTIL = 50;
const RESET_LATENCY_MS = 500;
const RESET_COST_USD_PER_H = 5.0;

export const SEED_MAX_STEPS = 1000;
export const SEED_OBS_SIZE = 13;
/** The declared (and violated: latency goes past 10,000) upper bounds of the original's Box (§1.2). */
export const SEED_OBS_HIGH = [1000, 1000, 100, 100, 10000, 100, 1, 1, 1, 10000, 1, 1000, 1] as const;

/** Indices of the 13 raw features (§1.2). */
export const SEED_OBS = {
  workload: 0,
  dataVolume: 1,
  cpuUtil: 2,
  memUtil: 3,
  latency: 4,
  cost: 5,
  alpha: 6,
  beta: 7,
  gamma: 8,
  shuffleSize: 9,
  dataTemperature: 10,
  nextWorkload: 11,
  burstSignal: 12,
} as const;

// ---- The per-step model as pure functions (what one step computes from the action and the current state).

export interface SeedStepInputs {
  executors: number;
  memoryGb: number;
  tierIndex: number;
  codecIndex: number;
  workloadMsgsPerS: number;
  shuffleMb: number;
  /** The current hidden data temperature (not the stale obs 10). */
  temperature: number;
}

export interface SeedStepOutputs {
  costUsdPerHour: number;
  latencyMs: number;
  throughput: number;
  penalty: number;
}

export function seedStepModel(x: SeedStepInputs): SeedStepOutputs {
  const executorCost = x.executors * EXECUTOR_COST_USD_PER_H;
  const memoryCost = x.executors * x.memoryGb * MEMORY_COST_USD_PER_GB_H;
  const compressedShuffleMb = x.shuffleMb * COMPRESSION_RATIO[x.codecIndex]!;
  const storageCost = (compressedShuffleMb / MB_PER_GB) * TIER_STORAGE_USD_PER_GB_H[x.tierIndex]!;
  const costUsdPerHour = executorCost + memoryCost + storageCost;

  const resourceFactor = x.executors * x.memoryGb;
  const computeMs = (COMPUTE_MS_FACTOR * x.workloadMsgsPerS) / resourceFactor;
  const accessMs = (TIER_ACCESS_MS_PER_100MB[x.tierIndex]! * compressedShuffleMb) / 100;
  const decompressionMs = (DECOMPRESSION_MS_PER_100MB[x.codecIndex]! * x.shuffleMb) / 100;
  const latencyMs = Math.max(LATENCY_FLOOR_MS, computeMs + accessMs + decompressionMs);
  // Not capped by the arrival rate: it grows with resources and shrinks with latency (§1.5).
  const throughput = (resourceFactor * 1000) / latencyMs;

  const penalty = x.temperature > HOT_DATA_TEMPERATURE && x.tierIndex >= COLD_TIER_MIN_INDEX ? STABILITY_PENALTY : 0;
  return { costUsdPerHour, latencyMs, throughput, penalty };
}

export function seedReward(weights: { alpha: number; beta: number; gamma: number }, out: SeedStepOutputs): number {
  return (
    -weights.alpha * (out.costUsdPerHour / COST_SCALE_USD_PER_H) -
    weights.beta * (out.latencyMs / LATENCY_SCALE_MS) +
    weights.gamma * (out.throughput / THROUGHPUT_SCALE) -
    out.penalty
  );
}

// ---- The env.

export interface SeedCompatEnvOptions {
  /** Episode length; the original's default is 1000. */
  maxSteps?: number;
  /** Report the time limit as `truncated` instead of the original's `terminated` (quirk, §1.8 step 11). */
  fixTimeLimit?: boolean;
  /** Seed of the env's Rng until the first `reset({ seed })`. */
  seed?: number;
}

export class SeedCompatEnv implements Env<Float32Array, EnvAction> {
  readonly id = 'SeedCompatEnv';
  readonly observationSpace: BoxSpace = box(0, SEED_OBS_HIGH);
  readonly actionSpace: MultiDiscreteSpace = actionSpace;
  readonly maxSteps: number;
  readonly fixTimeLimit: boolean;

  private rng: Rng;
  private scenario: SeedScenarioName = 'balanced';
  private weights: { alpha: number; beta: number; gamma: number } = SEED_SCENARIOS.balanced;
  private stepCount = 0;
  private nextWorkloadMsgsPerS = 0;
  private burstSignal = 0;
  private dataVolumeMb = 0;
  private shuffleMb = 0;
  private temperature = 0;

  constructor(opts: SeedCompatEnvOptions = {}) {
    const maxSteps = opts.maxSteps ?? SEED_MAX_STEPS;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new Error(`SeedCompatEnv: maxSteps must be a positive integer, got ${maxSteps}`);
    this.maxSteps = maxSteps;
    this.fixTimeLimit = opts.fixTimeLimit ?? false;
    this.rng = new Rng(opts.seed ?? 0);
    // The original's constructor calls reset() once, so step() works without an explicit reset.
    this.reset();
  }

  get currentScenario(): SeedScenarioName {
    return this.scenario;
  }

  reset(opts: ResetOptions = {}): ResetResult<Float32Array> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const requested = opts.options?.scenario;
    if (requested !== undefined) {
      // Deviation: the original falls back to 'balanced' on an unknown name; we refuse it loudly.
      if (typeof requested !== 'string' || !(requested in SEED_SCENARIOS)) {
        throw new Error(`SeedCompatEnv.reset: options.scenario must be one of ${SEED_SCENARIO_NAMES.join(', ')}, got ${JSON.stringify(requested)}`);
      }
      this.scenario = requested as SeedScenarioName;
    } else {
      this.scenario = SEED_SCENARIO_NAMES[this.rng.int(SEED_SCENARIO_NAMES.length)]!;
    }
    this.weights = SEED_SCENARIOS[this.scenario];

    // Reset draws in the original's order: (scenario), workload, volume, shuffle factor, temperature.
    const workload = this.rng.uniform(RESET_WORKLOAD_RANGE[0], RESET_WORKLOAD_RANGE[1]);
    this.dataVolumeMb = this.rng.uniform(DATA_VOLUME_RANGE_MB[0], DATA_VOLUME_RANGE_MB[1]);
    this.shuffleMb = this.dataVolumeMb * this.rng.uniform(SHUFFLE_FACTOR_RANGE[0], SHUFFLE_FACTOR_RANGE[1]);
    this.temperature = this.rng.next();
    this.nextWorkloadMsgsPerS = workload;
    this.burstSignal = 0;
    this.stepCount = 0;

    const obs = this.buildObs(workload, RESET_CPU_UTIL, RESET_MEM_UTIL, RESET_LATENCY_MS, RESET_COST_USD_PER_H);
    return { obs, info: { scenario: this.scenario } };
  }

  step(action: EnvAction): StepResult<Float32Array> {
    // 1. The workload of this step is the one announced last step (obs 11).
    const workloadMsgsPerS = this.nextWorkloadMsgsPerS;
    // 2. Decode (same errors as src/core/action.ts).
    const decoded = decodeAction(action as ArrayLike<number>);
    const idx = action as ArrayLike<number>;
    const tierIndex = idx[2]!;
    const codecIndex = idx[3]!;
    // 3-6. Cost, latency, throughput, penalty, all from the *current* hidden volume / shuffle / temperature.
    const out = seedStepModel({
      executors: decoded.executors,
      memoryGb: decoded.memoryGb,
      tierIndex,
      codecIndex,
      workloadMsgsPerS,
      shuffleMb: this.shuffleMb,
      temperature: this.temperature,
    });
    // 7. Draw the next workload and its burst label (obs 11 and 12: exact future, not a forecast).
    if (this.rng.next() < BURST_PROBABILITY) {
      this.nextWorkloadMsgsPerS = Math.min(WORKLOAD_CAP_MSGS_PER_S, workloadMsgsPerS * this.rng.uniform(BURST_FACTOR_RANGE[0], BURST_FACTOR_RANGE[1]));
      this.burstSignal = 1;
    } else {
      const drifted = workloadMsgsPerS * this.rng.uniform(DRIFT_FACTOR_RANGE[0], DRIFT_FACTOR_RANGE[1]);
      this.nextWorkloadMsgsPerS = Math.min(WORKLOAD_CAP_MSGS_PER_S, Math.max(WORKLOAD_MIN_MSGS_PER_S, drifted));
      this.burstSignal = 0;
    }
    // 8. Utilisations (observation only; they do not feed latency).
    const resourceFactor = decoded.executors * decoded.memoryGb;
    const cpuUtil = Math.min(100, (100 * workloadMsgsPerS) / resourceFactor);
    const memUtil = Math.min(100, (100 * this.dataVolumeMb) / resourceFactor);
    // 9. Observation, with this step's volume / shuffle / temperature (they go stale at step 13).
    const obs = this.buildObs(workloadMsgsPerS, cpuUtil, memUtil, out.latencyMs, out.costUsdPerHour);
    // 10. Reward.
    const reward = seedReward(this.weights, out);
    // 11. Time limit (the original reports it as terminated).
    this.stepCount++;
    const timeUp = this.stepCount >= this.maxSteps;
    // 12. Info, as in the original.
    const info: Info = {
      cost: out.costUsdPerHour,
      latency: out.latencyMs,
      throughput: out.throughput,
      tier: tierIndex,
      burst_signal: this.burstSignal,
      predicted_load: this.nextWorkloadMsgsPerS,
    };
    // 13. Resample the hidden data state *after* the observation was built: obs 1, 9, 10 are now stale.
    this.dataVolumeMb = this.rng.uniform(DATA_VOLUME_RANGE_MB[0], DATA_VOLUME_RANGE_MB[1]);
    this.shuffleMb = this.dataVolumeMb * this.rng.uniform(SHUFFLE_FACTOR_RANGE[0], SHUFFLE_FACTOR_RANGE[1]);
    this.temperature = this.rng.next();

    return { obs, reward, terminated: timeUp && !this.fixTimeLimit, truncated: timeUp && this.fixTimeLimit, info };
  }

  private buildObs(workload: number, cpuUtil: number, memUtil: number, latencyMs: number, costUsdPerHour: number): Float32Array {
    const obs = new Float32Array(SEED_OBS_SIZE);
    obs[SEED_OBS.workload] = workload;
    obs[SEED_OBS.dataVolume] = this.dataVolumeMb;
    obs[SEED_OBS.cpuUtil] = cpuUtil;
    obs[SEED_OBS.memUtil] = memUtil;
    obs[SEED_OBS.latency] = latencyMs;
    obs[SEED_OBS.cost] = costUsdPerHour;
    obs[SEED_OBS.alpha] = this.weights.alpha;
    obs[SEED_OBS.beta] = this.weights.beta;
    obs[SEED_OBS.gamma] = this.weights.gamma;
    obs[SEED_OBS.shuffleSize] = this.shuffleMb;
    obs[SEED_OBS.dataTemperature] = this.temperature;
    obs[SEED_OBS.nextWorkload] = this.nextWorkloadMsgsPerS;
    obs[SEED_OBS.burstSignal] = this.burstSignal;
    return obs;
  }
}

/** Checks the options given to `makeEnv('SeedCompat-v0', options)`. */
export function parseSeedCompatOptions(options: Record<string, unknown> = {}): SeedCompatEnvOptions {
  const known = ['maxSteps', 'fixTimeLimit', 'seed'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`SeedCompat-v0: unknown option '${key}'; known: ${known.join(', ')}`);
  }
  const { maxSteps, fixTimeLimit, seed } = options;
  if (maxSteps !== undefined && typeof maxSteps !== 'number') throw new Error(`SeedCompat-v0: option maxSteps must be a number, got ${JSON.stringify(maxSteps)}`);
  if (fixTimeLimit !== undefined && typeof fixTimeLimit !== 'boolean') throw new Error(`SeedCompat-v0: option fixTimeLimit must be a boolean, got ${JSON.stringify(fixTimeLimit)}`);
  if (seed !== undefined && typeof seed !== 'number') throw new Error(`SeedCompat-v0: option seed must be a number, got ${JSON.stringify(seed)}`);
  return { maxSteps, fixTimeLimit, seed };
}

// No TimeLimit wrapper: the env enforces its own limit (1000 steps, reported as terminated like the original,
// or as truncated with { fixTimeLimit: true }).
registerEnv('SeedCompat-v0', (options) => new SeedCompatEnv(parseSeedCompatOptions(options)));
