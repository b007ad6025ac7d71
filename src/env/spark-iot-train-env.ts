/**
 * SparkIotTrainEnv: the training wrapper registered as `SparkIot` (and `SparkIot-v1`).
 *
 * Each episode it picks a scenario (uniformly over all four when scenario = 'mixed'), a weight vector (Dirichlet
 * random by default, so the policy learns to read the alpha/beta/gamma features; optionally the scenario's
 * defaults in a share of episodes) and a world seed drawn from a range far above the tournament's seeds 0..N-1,
 * so training never sees an evaluation world. Everything is drawn from one Rng seeded by reset({seed}), so a
 * training run is reproducible; reset() without a seed continues that stream.
 */
import { checkConfigOption, type ConfigOverrides } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { latencyTerm } from '../control/reward.ts';
import { sampleRampVariation, sampleWorkloadVariation, type WorkloadVariation } from '../workload/variation.ts';
import type { Weights } from '../core/types.ts';
import { SparkIotEnv, SPARK_IOT_TARGETS, type SparkIotTarget } from './spark-iot-env.ts';
import { SCENARIOS, type ScenarioName, type StepRecord } from './spark-iot-types.ts';
import type { Env, EnvAction, ResetOptions, ResetResult, StepResult } from './types.ts';

/** World seeds used for training start here; the tournament uses 0..N-1 (docs/BASELINES.md). */
export const TRAIN_SEED_BASE = 1_000_000;
const TRAIN_SEED_SPAN = 1_000_000_000;

export interface SparkIotTrainEnvOptions {
  /** A fixed scenario, or 'mixed' (default): uniform over all four, redrawn every episode. */
  scenario?: ScenarioName | 'mixed';
  /** 'random' (default): Dirichlet(1,1,1) per episode; 'scenario': the scenario's defaults; or fixed weights. */
  weights?: 'random' | 'scenario' | Weights;
  /** With weights 'random': the share of episodes that use the scenario's default weights instead (0..1, default 0). */
  scenarioWeightsShare?: number;
  /** Zero the edge-forecast features (the rl-no-edge ablation). */
  maskEdgeFeatures?: boolean;
  /** Steps per episode (default 500, the tournament's length). */
  maxSteps?: number;
  /** 'embedded' (default) or 'spark-k8s' (restart-class changes pause the application; docs/SPARK.md). */
  target?: SparkIotTarget;
  /** First world seed used for training (default TRAIN_SEED_BASE). */
  seedBase?: number;
  /**
   * Training-reward constants (same formula, src/control/reward.ts): the SLA penalty and the latency-free fraction
   * of the SLA. Unset = the simulator's reward unchanged. Only the reward the agent learns from changes; the
   * StepRecords (record.reward included) stay the simulator's. `slaPenaltyScaling: 'service-weights'` scales the SLA
   * penalty by the episode's service weights, beta + gamma = 1 - alpha, so a cost-only agent (alpha = 1) pays no
   * penalty and the weights trade violations for cost, not only cost for latency headroom (default 'none').
   */
  trainingReward?: { slaPenalty?: number; latencyFreeFraction?: number; slaPenaltyScaling?: SlaPenaltyScaling };
  /**
   * Share of episodes (0..1, default 0) whose synthetic arrival process is varied at random
   * (src/workload/variation.ts: noisier, burstier, calmer, busier worlds): domain randomization for robustness to
   * workloads unlike the four scenarios. Drawn from its own stream, so 0 reproduces runs made before it existed.
   */
  workloadVariationShare?: number;
  /**
   * The share of episodes (0..1, default 0) whose slow cycle is replaced by a fast one (sampleRampVariation): steady
   * ramps, which the scenarios lack (docs/STATUS.md "Next" (h)). Drawn from a stream of its own, so the other draws
   * of a config without it stay as they were.
   */
  rampShare?: number;
  /**
   * 'forecast-sizing': the action is a correction to that rule's action (src/core/residual-action.ts,
   * src/env/residual-env.ts: the registry then builds SparkIotResidualEnv around this env). Unset: absolute actions.
   */
  residualBase?: 'forecast-sizing';
  /**
   * With residualBase: whether the base rule keeps less latency headroom on calm load (docs/AGENT.md "Calm load",
   * default true, as deployed). false trains over the rule as it was before session 14: the shipped PPO checkpoints
   * were trained so (session 10), and their configs say so, which is what lets the documented command reproduce them.
   */
  residualBaseCalm?: boolean;
  /**
   * Overrides of the world model (src/core/config.ts), as `bench --config` takes them: train on your prices, SLA
   * targets or loads. Unset: the built-in config.
   */
  config?: ConfigOverrides;
}

export const RESIDUAL_BASES = ['forecast-sizing'] as const;

export const SLA_PENALTY_SCALINGS = ['none', 'service-weights'] as const;
export type SlaPenaltyScaling = (typeof SLA_PENALTY_SCALINGS)[number];

const KNOWN_OPTIONS = ['scenario', 'weights', 'scenarioWeightsShare', 'maskEdgeFeatures', 'maxSteps', 'seedBase', 'trainingReward', 'target', 'workloadVariationShare', 'rampShare', 'residualBase', 'residualBaseCalm', 'config'];

/** Validates registry options (e.g. a config file's envOptions); `envId` names the env in errors. */
export function parseSparkIotTrainOptions(options: Record<string, unknown> = {}, envId = 'SparkIot'): SparkIotTrainEnvOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new Error(`${envId}: unknown option '${key}'; known: ${KNOWN_OPTIONS.join(', ')}`);
  }
  const o = options as SparkIotTrainEnvOptions & Record<string, unknown>;
  if (o.scenario !== undefined && o.scenario !== 'mixed' && !(SCENARIOS as readonly string[]).includes(o.scenario)) {
    throw new Error(`${envId}: option scenario must be 'mixed' or one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(o.scenario)}`);
  }
  if (o.weights !== undefined && o.weights !== 'random' && o.weights !== 'scenario') {
    const w = o.weights as Weights;
    if (typeof w !== 'object' || w === null || ![w.alpha, w.beta, w.gamma].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new Error(`${envId}: option weights must be 'random', 'scenario' or {alpha, beta, gamma} >= 0, got ${JSON.stringify(o.weights)}`);
    }
  }
  for (const key of ['scenarioWeightsShare', 'workloadVariationShare', 'rampShare'] as const) {
    const share = o[key];
    if (share !== undefined && (typeof share !== 'number' || !(share >= 0 && share <= 1))) throw new Error(`${envId}: option ${key} must be a number in [0, 1], got ${JSON.stringify(share)}`);
  }
  if (o.maskEdgeFeatures !== undefined && typeof o.maskEdgeFeatures !== 'boolean') throw new Error(`${envId}: option maskEdgeFeatures must be a boolean, got ${JSON.stringify(o.maskEdgeFeatures)}`);
  if (o.maxSteps !== undefined && (typeof o.maxSteps !== 'number' || !Number.isInteger(o.maxSteps) || o.maxSteps < 1)) throw new Error(`${envId}: option maxSteps must be a positive integer, got ${JSON.stringify(o.maxSteps)}`);
  if (o.seedBase !== undefined && (typeof o.seedBase !== 'number' || !Number.isInteger(o.seedBase) || o.seedBase < 0)) throw new Error(`${envId}: option seedBase must be a non-negative integer, got ${JSON.stringify(o.seedBase)}`);
  if (o.target !== undefined && !(SPARK_IOT_TARGETS as readonly string[]).includes(o.target)) throw new Error(`${envId}: option target must be one of ${SPARK_IOT_TARGETS.join(', ')}, got ${JSON.stringify(o.target)}`);
  if (o.residualBase !== undefined && !(RESIDUAL_BASES as readonly string[]).includes(o.residualBase)) throw new Error(`${envId}: option residualBase must be one of ${RESIDUAL_BASES.join(', ')}, got ${JSON.stringify(o.residualBase)}`);
  if (o.residualBaseCalm !== undefined) {
    if (typeof o.residualBaseCalm !== 'boolean') throw new Error(`${envId}: option residualBaseCalm must be a boolean, got ${JSON.stringify(o.residualBaseCalm)}`);
    if (o.residualBase === undefined) throw new Error(`${envId}: option residualBaseCalm applies only with residualBase`);
  }
  if (o.config !== undefined) checkConfigOption(envId, o.config);
  const tr = o.trainingReward as Record<string, unknown> | undefined;
  if (tr !== undefined) {
    if (typeof tr !== 'object' || tr === null) throw new Error(`${envId}: option trainingReward must be an object, got ${JSON.stringify(tr)}`);
    for (const key of Object.keys(tr)) if (!['slaPenalty', 'latencyFreeFraction', 'slaPenaltyScaling'].includes(key)) throw new Error(`${envId}: unknown option 'trainingReward.${key}'; known: slaPenalty, latencyFreeFraction, slaPenaltyScaling`);
    const scaling = tr['slaPenaltyScaling'];
    if (scaling !== undefined && !(SLA_PENALTY_SCALINGS as readonly unknown[]).includes(scaling)) throw new Error(`${envId}: option trainingReward.slaPenaltyScaling must be one of ${SLA_PENALTY_SCALINGS.join(', ')}, got ${JSON.stringify(scaling)}`);
    if (tr['slaPenalty'] !== undefined && !(typeof tr['slaPenalty'] === 'number' && tr['slaPenalty'] >= 0)) throw new Error(`${envId}: option trainingReward.slaPenalty must be a number >= 0, got ${JSON.stringify(tr['slaPenalty'])}`);
    const f = tr['latencyFreeFraction'];
    if (f !== undefined && !(typeof f === 'number' && f >= 0 && f < 1)) throw new Error(`${envId}: option trainingReward.latencyFreeFraction must be a number in [0, 1), got ${JSON.stringify(f)}`);
  }
  return { ...o };
}

export class SparkIotTrainEnv implements Env<Float32Array, EnvAction> {
  readonly id = 'SparkIot';
  readonly inner: SparkIotEnv;
  private readonly scenario: ScenarioName | 'mixed';
  private readonly weights: 'random' | 'scenario' | Weights;
  private readonly scenarioWeightsShare: number;
  private readonly seedBase: number;
  private readonly slaPenalty: number | undefined;
  private readonly latencyFreeFraction: number;
  private readonly slaPenaltyScaling: SlaPenaltyScaling;
  private readonly workloadVariationShare: number;
  private readonly rampShare: number;
  private rng = new Rng(0).fork('train-episodes');
  private variationRng = new Rng(0).fork('train-workload-variation');
  private rampRng = new Rng(0).fork('train-ramps');
  /** The scenario, world seed and workload variation (if any) of the current episode (for tests and logs). */
  episode: { scenario: ScenarioName; worldSeed: number; workload?: WorkloadVariation } | null = null;

  constructor(options: SparkIotTrainEnvOptions = {}) {
    const o = parseSparkIotTrainOptions(options as Record<string, unknown>);
    this.scenario = o.scenario ?? 'mixed';
    this.weights = o.weights ?? 'random';
    this.scenarioWeightsShare = o.scenarioWeightsShare ?? 0;
    this.seedBase = o.seedBase ?? TRAIN_SEED_BASE;
    this.slaPenalty = o.trainingReward?.slaPenalty;
    this.latencyFreeFraction = o.trainingReward?.latencyFreeFraction ?? 0;
    this.slaPenaltyScaling = o.trainingReward?.slaPenaltyScaling ?? 'none';
    this.workloadVariationShare = o.workloadVariationShare ?? 0;
    this.rampShare = o.rampShare ?? 0;
    this.inner = new SparkIotEnv({ scenario: this.scenario === 'mixed' ? 'balanced' : this.scenario, maxSteps: o.maxSteps ?? 500, maskEdgeFeatures: o.maskEdgeFeatures ?? false, target: o.target ?? 'embedded', ...(o.config ? { config: o.config } : {}) });
  }

  get observationSpace() {
    return this.inner.observationSpace;
  }

  get actionSpace() {
    return this.inner.actionSpace;
  }

  reset(opts: ResetOptions = {}): ResetResult<Float32Array> {
    if (opts.seed !== undefined) {
      if (!Number.isFinite(opts.seed)) throw new Error(`SparkIot.reset: seed must be a finite number, got ${opts.seed}`);
      this.rng = new Rng(opts.seed).fork('train-episodes');
      this.variationRng = new Rng(opts.seed).fork('train-workload-variation');
      this.rampRng = new Rng(opts.seed).fork('train-ramps');
    }
    const scenario = this.scenario === 'mixed' ? SCENARIOS[this.rng.int(SCENARIOS.length)]! : this.scenario;
    const worldSeed = this.seedBase + this.rng.int(TRAIN_SEED_SPAN);
    // Always drawn, so the scenario / seed stream does not depend on the weights mode.
    const useScenarioWeights = this.rng.next() < this.scenarioWeightsShare;
    const weights = this.weights === 'random' && useScenarioWeights ? 'scenario' : this.weights;
    const varied = this.workloadVariationShare > 0 && this.variationRng.next() < this.workloadVariationShare ? sampleWorkloadVariation(this.variationRng) : undefined;
    const ramp = this.rampShare > 0 && this.rampRng.next() < this.rampShare ? sampleRampVariation(this.rampRng) : undefined;
    const workload = varied || ramp ? { ...varied, ...ramp } : undefined;
    this.episode = workload ? { scenario, worldSeed, workload } : { scenario, worldSeed };
    return this.inner.reset({ seed: worldSeed, options: { ...opts.options, scenario, weights, ...(workload ? { workload } : {}) } });
  }

  step(action: EnvAction): StepResult<Float32Array> {
    const r = this.inner.step(action);
    if (this.slaPenalty === undefined && this.latencyFreeFraction === 0 && this.slaPenaltyScaling === 'none') return r;
    return { ...r, reward: this.trainingRewardOf(r.reward, (r.info as { record: StepRecord }).record) };
  }

  /** The simulator's reward with the training constants swapped in (only the latency and penalty terms differ). */
  trainingRewardOf(simReward: number, rec: StepRecord): number {
    const settings = this.inner.config.reward;
    const simLatency = latencyTerm(rec.p95LatencyMs, rec.slaTargetMs, settings.latencyCap);
    const trainLatency = latencyTerm(rec.p95LatencyMs, rec.slaTargetMs, settings.latencyCap, this.latencyFreeFraction);
    const penaltyScale = this.slaPenaltyScaling === 'service-weights' ? rec.beta + rec.gamma : 1;
    const penaltyDelta = rec.slaViolated ? (this.slaPenalty ?? settings.slaPenalty) * penaltyScale - settings.slaPenalty : 0;
    return simReward + rec.beta * (simLatency - trainLatency) - penaltyDelta;
  }
}
