/**
 * SparkIotMeta: the meta-controller's environment (registered as `SparkIotMeta`, docs/META.md).
 *
 * One meta step = K lower-level SparkIotEnv steps (K = windowSteps, default 10 = 100 s). The action is a raw
 * weight vector in [0, 1]^3, normalized to the simplex by normalizeWeights (src/meta/weights.ts) and put in force
 * for the K steps, during which the frozen lower-level PPO (models/edge-rl-ppo.json) acts on the observation with
 * those weights. The observation is the mode context (src/meta/meta-observation.ts); the reward is the change the
 * K steps make to n * J of the current mode phase, over K (PhaseObjective, src/meta/modes.ts): the window's J when
 * a phase starts, and in total the report's combined objective, caps over whole phases included. An episode is `episodeMetaSteps` meta steps (default
 * 30 = 300 control steps = 50 min) and ends with truncated = true (a time limit, so TD3 bootstraps past it).
 *
 * Each episode draws, from an Rng seeded by reset({seed}): the IoT scenario (uniform over the four when
 * 'mixed'), a world seed far from the tournament's (BASE_SEED + i), and a random mode schedule (a switch to
 * another mode at each meta-step boundary with probability modeSwitchProb; entering the budget mode leaves
 * 5-30 % of the budget).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { checkConfigOption, loadConfig, type ConfigOverrides, type SimConfig } from '../core/config.ts';
import { existsSync } from 'node:fs';
import { box, type BoxSpace } from '../core/spaces.ts';
import { Rng } from '../core/rng.ts';
import type { Weights } from '../core/types.ts';
import { SCENARIOS, type ScenarioName, type StepRecord } from '../env/spark-iot-types.ts';
import type { Env, EnvAction, ResetOptions, ResetResult, StepResult } from '../env/types.ts';
import { PpoAgentPolicy, withWeights } from '../policies/rl-agent.ts';
import type { CalmSettings } from '../policies/forecast-sizing.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import { DEFAULT_META_CONTEXT_FEATURES, MetaObservationTracker, assertMetaContextFeatures, metaObservationSpace, type MetaContextFeatures } from './meta-observation.ts';
import { ModeScheduleEnv } from './mode-env.ts';
import { MODES, PhaseObjective, assertMode, violatesModeSla, windowStats, type ModeName, type ModePhase } from './modes.ts';
import { normalizeWeights } from './weights.ts';
import { sampleWorkloadVariation, type WorkloadVariation } from '../workload/variation.ts';
import { PACKAGE_ROOT, shippedModel } from '../core/paths.ts';

export const META_ENV_ID = 'SparkIotMeta';
/** [assumed] K: lower steps per meta step (100 s at the 10 s control interval): long enough to see a cost and SLA trend. */
export const DEFAULT_WINDOW_STEPS = 10;
/** [assumed] Meta steps per episode (30 x 100 s = 50 min, a few mode phases). */
export const DEFAULT_EPISODE_META_STEPS = 30;
/** [assumed] Probability of a mode switch at each meta-step boundary (mean phase 6-7 meta steps). */
export const DEFAULT_MODE_SWITCH_PROB = 0.15;
/** World seeds of meta training start here, far from the tournament's 10_000 + i and A's 1e6 + U(1e9). */
export const META_SEED_BASE = 2_000_000_000;
const META_SEED_SPAN = 1_000_000_000;
/** The lower-level checkpoint and the command that produces it (engineer A's agent, docs/AGENT.md). */
export const DEFAULT_LOWER_CHECKPOINT = shippedModel('edge-rl-ppo.json');
/** The lower level of the no-edge ablation (option maskEdge): the PPO trained with the edge features masked. */
export const NO_EDGE_LOWER_CHECKPOINT = shippedModel('rl-no-edge-ppo.json');
export const LOWER_TRAIN_COMMAND = 'edgepilot train --env SparkIot --algo ppo --config configs/edge-rl-ppo.json --seed 1 --out models/edge-rl-ppo.json';
export const NO_EDGE_LOWER_TRAIN_COMMAND = 'edgepilot train --env SparkIot --algo ppo --config configs/rl-no-edge-ppo.json --seed 1 --out models/rl-no-edge-ppo.json';

export interface MetaEnvOptions {
  /** The IoT scenario, or 'mixed' (default): uniform over the four, redrawn every episode. */
  scenario?: ScenarioName | 'mixed';
  windowSteps?: number;
  episodeMetaSteps?: number;
  modeSwitchProb?: number;
  /**
   * Share of switches into the normal or critical mode that also set the budget left to U[0, 1] (default 0). Neither
   * mode's objective depends on the budget left, but without this, a low budget mostly co-occurs with the budget mode
   * in training and the meta-controller learns to cut costs whenever the budget is low, whatever the mode.
   */
  budgetResetShare?: number;
  /**
   * Share of episodes (default 0) that run one mode from start to end, drawn uniformly over the three, instead of a
   * random schedule. With switches every 6-7 windows on average, almost every training window of a mode follows
   * another mode's; the tournament runs the normal mode for 500 steps and the story holds each mode for 125, so
   * without this the meta-controller rarely meets a mode's steady state (docs/META.md "Steady modes in training").
   */
  singleModeShare?: number;
  /**
   * 'mode-default' (default 'none'): subtract from each reward the same quantity measured on a twin of the world
   * (same scenario, world seed and schedule) where the PPO runs with the active mode's default weights. The twin
   * never sees the agent's actions, so the subtracted term does not depend on them and the best action is unchanged;
   * it shares the world's bursts and arrivals, so it removes much of their noise from the reward (common random
   * numbers as a control variate). Costs a second lower-level simulation per step.
   */
  rewardBaseline?: 'none' | 'mode-default';
  /**
   * Share of episodes (default 0) whose arrival process is a random variation of the scenario's (noisier, burstier,
   * calmer, busier; src/workload/variation.ts, the same domain randomization as SparkIotTrainEnv's option), so that
   * the meta-controller meets worlds where the lower level's default trade-off is wrong and learns to read them from
   * its burst and SLA features. The twin world, if any, gets the same variation.
   */
  workloadVariationShare?: number;
  /**
   * The scenarios whose episodes may be varied (default: all four). A variation in one scenario teaches the
   * meta-controller headroom there on calm days too when its observation cannot tell the varied worlds apart.
   */
  workloadVariationScenarios?: ScenarioName[];
  /**
   * What the meta observation holds after feature 11 (src/meta/meta-observation.ts; default 'scenario', what ships).
   * Recorded in the checkpoint with the other options, so the policy that runs it builds the same observation.
   */
  metaContextFeatures?: MetaContextFeatures;
  /** A fixed schedule (in lower steps) instead of random ones (tests, evaluation of one story). */
  schedule?: ModePhase[];
  /** Lower-level PPO checkpoint (default models/edge-rl-ppo.json). */
  lowerCheckpoint?: string;
  /**
   * The no-edge ablation (default false): the lower PPO runs with its edge features zeroed (lowerCheckpoint then
   * defaults to models/rl-no-edge-ppo.json, trained that way) and the meta observation's edge features 6-8 are zeroed.
   */
  maskEdge?: boolean;
  /**
   * Whether the lower PPO's base rule keeps less latency headroom on calm load (docs/AGENT.md "Calm load"; default
   * true, as deployed). false trains over the rule as it was before session 14, as the shipped meta-controllers were
   * (session 10); their configs say so, which is what lets the documented command reproduce them.
   */
  lowerBaseCalm?: boolean;
  /** A lower-level policy object instead of the checkpoint (tests). */
  lowerPolicy?: Policy;
  seedBase?: number;
  /**
   * Overrides of the world model (src/core/config.ts), as `bench --config` takes them, for the story env and the lower
   * policy's base rule. The shipped configs name the drain-time model their meta-controllers were trained in
   * (`shuffle.drainTimeFrom`, docs/SIMULATOR.md "Drain time").
   */
  config?: ConfigOverrides;
}

const KNOWN_OPTIONS = ['scenario', 'windowSteps', 'episodeMetaSteps', 'modeSwitchProb', 'budgetResetShare', 'singleModeShare', 'rewardBaseline', 'workloadVariationShare', 'workloadVariationScenarios', 'metaContextFeatures', 'schedule', 'lowerCheckpoint', 'maskEdge', 'lowerBaseCalm', 'lowerPolicy', 'seedBase', 'config'];

/** Validates registry / config options; errors name the option. */
export function parseMetaEnvOptions(options: Record<string, unknown> = {}): MetaEnvOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new Error(`${META_ENV_ID}: unknown option '${key}'; known: ${KNOWN_OPTIONS.join(', ')}`);
  }
  const o = options as MetaEnvOptions;
  if (o.scenario !== undefined && o.scenario !== 'mixed' && !(SCENARIOS as readonly string[]).includes(o.scenario)) {
    throw new Error(`${META_ENV_ID}: option scenario must be 'mixed' or one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(o.scenario)}`);
  }
  for (const k of ['windowSteps', 'episodeMetaSteps'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new Error(`${META_ENV_ID}: option ${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (o.rewardBaseline !== undefined && o.rewardBaseline !== 'none' && o.rewardBaseline !== 'mode-default') {
    throw new Error(`${META_ENV_ID}: option rewardBaseline must be 'none' or 'mode-default', got ${JSON.stringify(o.rewardBaseline)}`);
  }
  for (const k of ['budgetResetShare', 'singleModeShare', 'workloadVariationShare'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new Error(`${META_ENV_ID}: option ${k} must be a number in [0, 1], got ${JSON.stringify(v)}`);
  }
  if (o.workloadVariationScenarios !== undefined) {
    const v = o.workloadVariationScenarios as unknown;
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => !(SCENARIOS as readonly unknown[]).includes(x))) {
      throw new Error(`${META_ENV_ID}: option workloadVariationScenarios must be a non-empty list of ${SCENARIOS.join(', ')}, got ${JSON.stringify(v)}`);
    }
  }
  if (o.metaContextFeatures !== undefined) assertMetaContextFeatures(o.metaContextFeatures, `${META_ENV_ID}: option`);
  if (o.modeSwitchProb !== undefined && !(typeof o.modeSwitchProb === 'number' && o.modeSwitchProb >= 0 && o.modeSwitchProb <= 1)) {
    throw new Error(`${META_ENV_ID}: option modeSwitchProb must be a number in [0, 1], got ${JSON.stringify(o.modeSwitchProb)}`);
  }
  if (o.maskEdge !== undefined && typeof o.maskEdge !== 'boolean') throw new Error(`${META_ENV_ID}: option maskEdge must be a boolean, got ${JSON.stringify(o.maskEdge)}`);
  if (o.lowerBaseCalm !== undefined && typeof o.lowerBaseCalm !== 'boolean') throw new Error(`${META_ENV_ID}: option lowerBaseCalm must be a boolean, got ${JSON.stringify(o.lowerBaseCalm)}`);
  if (o.lowerCheckpoint !== undefined && typeof o.lowerCheckpoint !== 'string') throw new Error(`${META_ENV_ID}: option lowerCheckpoint must be a path, got ${JSON.stringify(o.lowerCheckpoint)}`);
  if (o.seedBase !== undefined && !(typeof o.seedBase === 'number' && Number.isInteger(o.seedBase) && o.seedBase >= 0)) throw new Error(`${META_ENV_ID}: option seedBase must be an integer >= 0, got ${JSON.stringify(o.seedBase)}`);
  if (o.config !== undefined) checkConfigOption(META_ENV_ID, o.config);
  return { ...o };
}

/**
 * The lower-level PPO, or a clear error naming the missing checkpoint and the command that produces it.
 * `checkpoint` defaults to the edge-aware PPO, or with `maskEdge` to the one trained without the edge.
 * `scaleDownHoldS` (default 0): the meta-env trains on the PPO's own output; the HierarchicalPolicy that runs the
 * trained meta-controller adds the agents' scale-down hold below it (docs/META.md "Scale-down hold").
 */
export function loadLowerPolicy(checkpoint?: string, id = 'edge-rl-lower', scaleDownHoldS = 0, maskEdge = false, baseCalm?: CalmSettings | null, config?: SimConfig): PpoAgentPolicy {
  // The no-edge ablation defaults to the PPO trained without the edge.
  const path = checkpoint ?? (maskEdge ? NO_EDGE_LOWER_CHECKPOINT : DEFAULT_LOWER_CHECKPOINT);
  if (!existsSync(path)) {
    // A relative path (configs name models/...) run from another folder: the package's own copy is the likely intent.
    const shipped = isAbsolute(path) ? null : join(PACKAGE_ROOT, path);
    const hint = shipped !== null && existsSync(shipped) ? `the package has it at ${shipped}: run from ${resolve(PACKAGE_ROOT)} or give that path` : `produce it with: ${maskEdge ? NO_EDGE_LOWER_TRAIN_COMMAND : LOWER_TRAIN_COMMAND}`;
    throw new Error(`lower-level PPO checkpoint '${path}' not found${isAbsolute(path) ? '' : ` in the working directory ${process.cwd()}`}; ${hint}`);
  }
  const p = new PpoAgentPolicy({ id, checkpointPath: path, scaleDownHoldS, maskEdge, baseCalm, ...(config ? { config } : {}) });
  p.load();
  return p;
}

/** A random mode schedule of `metaSteps` windows of `windowSteps` (switches only at window boundaries). */
export function randomSchedule(rng: Rng, metaSteps: number, windowSteps: number, switchProb: number, budgetResetShare = 0): ModePhase[] {
  const budgetLeft = (): number => rng.uniform(0.05, 0.3);
  // Its own stream (fork does not consume parent draws): a share of 0 gives the schedules made before it existed.
  const resets = rng.fork('budget-resets');
  let mode: ModeName = MODES[rng.int(MODES.length)]!;
  const phases: ModePhase[] = [{ startStep: 0, mode, budgetLeftFraction: mode === 'budget' ? budgetLeft() : rng.uniform(0.5, 1) }];
  for (let m = 1; m < metaSteps; m++) {
    // Both draws are always made so the stream does not depend on the outcome.
    const u = rng.next();
    const pick = rng.int(MODES.length - 1);
    const left = budgetLeft();
    if (u >= switchProb) continue;
    const others = MODES.filter((x) => x !== mode);
    mode = others[pick]!;
    const phase: ModePhase = { startStep: m * windowSteps, mode };
    if (mode === 'budget') phase.budgetLeftFraction = left;
    else if (budgetResetShare > 0 && resets.next() < budgetResetShare) phase.budgetLeftFraction = resets.uniform(0, 1);
    phases.push(phase);
  }
  return phases;
}

/** One mode for a whole episode, with the budget left drawn as randomSchedule draws it for that mode. */
export function singleModeEpisode(rng: Rng): ModePhase[] {
  const mode: ModeName = MODES[rng.int(MODES.length)]!;
  return [{ startStep: 0, mode, budgetLeftFraction: mode === 'budget' ? rng.uniform(0.05, 0.3) : rng.uniform(0.5, 1) }];
}

export interface MetaStepInfo {
  mode: ModeName;
  weights: Weights;
  violationRate: number;
  costOverBudget: number;
  scenario: ScenarioName;
  /** The K lower-level steps of this meta step. */
  records: StepRecord[];
}

export class SparkIotMetaEnv implements Env<Float32Array, EnvAction> {
  readonly id = META_ENV_ID;
  readonly observationSpace: BoxSpace;
  readonly metaContextFeatures: MetaContextFeatures;
  /** Raw weights in [0, 1]^3, normalized by normalizeWeights. */
  readonly actionSpace: BoxSpace = box(0, 1, [3]);
  readonly windowSteps: number;
  readonly episodeMetaSteps: number;
  readonly modeSwitchProb: number;
  readonly budgetResetShare: number;
  readonly singleModeShare: number;
  readonly workloadVariationShare: number;
  readonly workloadVariationScenarios: readonly ScenarioName[];
  /** The reward baseline's twin world (null without one). */
  private readonly twin: { env: ModeScheduleEnv; objective: PhaseObjective; lower: Policy; obs: Float32Array | null; ctx: PolicyContext | null } | null;
  private readonly scenario: ScenarioName | 'mixed';
  private readonly fixedSchedule: ModePhase[] | undefined;
  private readonly seedBase: number;
  private readonly lower: Policy;
  private readonly env: ModeScheduleEnv;
  private readonly tracker: MetaObservationTracker;
  private readonly objective: PhaseObjective;
  private rng = new Rng(0).fork('meta-episodes');
  // Its own stream, so that the scenario / seed / schedule draws do not depend on the variation share.
  private variationRng = new Rng(0).fork('meta-workload-variation');
  // Its own stream too: a share of 0 draws nothing, so the schedules are those made before the option existed.
  private singleModeRng = new Rng(0).fork('meta-single-mode');
  private lowerObs: Float32Array | null = null;
  private ctx: PolicyContext | null = null;
  private metaStep = 0;
  private done = true;
  /** Scenario, world seed and schedule of the current episode (tests and logs). */
  episode: { scenario: ScenarioName; worldSeed: number; schedule: ModePhase[]; workload?: WorkloadVariation } | null = null;

  constructor(options: MetaEnvOptions = {}) {
    const o = parseMetaEnvOptions(options as Record<string, unknown>);
    this.windowSteps = o.windowSteps ?? DEFAULT_WINDOW_STEPS;
    this.episodeMetaSteps = o.episodeMetaSteps ?? DEFAULT_EPISODE_META_STEPS;
    this.modeSwitchProb = o.modeSwitchProb ?? DEFAULT_MODE_SWITCH_PROB;
    this.budgetResetShare = o.budgetResetShare ?? 0;
    this.singleModeShare = o.singleModeShare ?? 0;
    this.workloadVariationShare = o.workloadVariationShare ?? 0;
    this.workloadVariationScenarios = o.workloadVariationScenarios ?? SCENARIOS;
    this.metaContextFeatures = o.metaContextFeatures ?? DEFAULT_META_CONTEXT_FEATURES;
    this.observationSpace = metaObservationSpace(this.metaContextFeatures);
    this.scenario = o.scenario ?? 'mixed';
    this.fixedSchedule = o.schedule;
    this.seedBase = o.seedBase ?? META_SEED_BASE;
    const maskEdge = o.maskEdge ?? false;
    const baseCalm = o.lowerBaseCalm === false ? null : undefined;
    const simConfig = o.config ? loadConfig(o.config) : undefined;
    const envConfig = o.config ? { config: o.config } : {};
    this.lower = o.lowerPolicy ?? loadLowerPolicy(o.lowerCheckpoint, undefined, 0, maskEdge, baseCalm, simConfig);
    this.env = new ModeScheduleEnv({ maxSteps: this.windowSteps * this.episodeMetaSteps, scenario: this.scenario === 'mixed' ? 'balanced' : this.scenario, schedule: o.schedule, ...envConfig });
    this.tracker = new MetaObservationTracker(this.windowSteps, this.env.inner.config.observation.rateScaleMsgsPerS, this.env.inner.config.modes, maskEdge, this.metaContextFeatures);
    this.objective = new PhaseObjective(this.env.inner.config.modes);
    this.twin =
      (o.rewardBaseline ?? 'none') === 'mode-default'
        ? {
            env: new ModeScheduleEnv({ maxSteps: this.windowSteps * this.episodeMetaSteps, scenario: this.scenario === 'mixed' ? 'balanced' : this.scenario, schedule: o.schedule, ...envConfig }),
            objective: new PhaseObjective(this.env.inner.config.modes),
            // Its own instance: the lower policy keeps state (the scale-down hold). A given lowerPolicy (tests) is shared.
            lower: o.lowerPolicy ?? loadLowerPolicy(o.lowerCheckpoint, undefined, 0, maskEdge, baseCalm, simConfig),
            obs: null,
            ctx: null,
          }
        : null;
  }

  reset(opts: ResetOptions = {}): ResetResult<Float32Array> {
    if (opts.seed !== undefined) {
      if (!Number.isFinite(opts.seed)) throw new Error(`${META_ENV_ID}.reset: seed must be a finite number, got ${opts.seed}`);
      this.rng = new Rng(opts.seed).fork('meta-episodes');
      this.variationRng = new Rng(opts.seed).fork('meta-workload-variation');
      this.singleModeRng = new Rng(opts.seed).fork('meta-single-mode');
    }
    const scenario = this.scenario === 'mixed' ? SCENARIOS[this.rng.int(SCENARIOS.length)]! : this.scenario;
    const worldSeed = this.seedBase + this.rng.int(META_SEED_SPAN);
    const schedule = this.fixedSchedule ?? (this.singleModeShare > 0 && this.singleModeRng.next() < this.singleModeShare
      ? singleModeEpisode(this.singleModeRng)
      : randomSchedule(this.rng.fork(`schedule-${worldSeed}`), this.episodeMetaSteps, this.windowSteps, this.modeSwitchProb, this.budgetResetShare));
    // With all four scenarios varied (the default) the stream is the one from before workloadVariationScenarios.
    const varied = this.workloadVariationShare > 0 && this.variationRng.next() < this.workloadVariationShare;
    const workload = varied && this.workloadVariationScenarios.includes(scenario) ? sampleWorkloadVariation(this.variationRng) : undefined;
    this.episode = workload ? { scenario, worldSeed, schedule, workload } : { scenario, worldSeed, schedule };
    const worldOptions = { scenario, schedule, ...(workload ? { workload } : {}) };
    const r = this.env.reset({ seed: worldSeed, options: worldOptions });
    this.lower.reset(worldSeed);
    this.tracker.reset();
    this.tracker.observe(r.info.context, null, this.env.budgetUsdPerHour);
    this.objective.reset();
    if (this.twin) {
      const t = this.twin.env.reset({ seed: worldSeed, options: worldOptions });
      this.twin.objective.reset();
      if (this.twin.lower !== this.lower) this.twin.lower.reset(worldSeed);
      this.twin.obs = t.obs;
      this.twin.ctx = t.info.context;
    }
    this.lowerObs = r.obs;
    this.ctx = r.info.context;
    this.metaStep = 0;
    this.done = false;
    return { obs: this.observation(), info: { mode: this.env.mode, scenario } };
  }

  step(action: EnvAction): StepResult<Float32Array> {
    if (this.done || !this.lowerObs || !this.ctx) throw new Error(`${META_ENV_ID}.step: call reset() first${this.lowerObs ? ' (the episode is over)' : ''}`);
    if (typeof action === 'number' || action.length !== 3) throw new Error(`${META_ENV_ID}.step: action must be 3 raw weights in [0, 1], got ${typeof action === 'number' ? action : `${action.length} values`}`);
    const weights = normalizeWeights(action, `${META_ENV_ID}.step action`);
    const mode = assertMode(this.env.mode, META_ENV_ID);
    this.env.inner.setWeights(weights);
    const records: StepRecord[] = [];
    const budget = this.env.budgetUsdPerHour;
    let increments = 0;
    let truncated = false;
    for (let k = 0; k < this.windowSteps; k++) {
      const { r, rec, stepMode, increment } = this.lowerStep(this.env, this.objective, this.lower, this.lowerObs, this.ctx, weights);
      records.push(rec);
      this.tracker.observe(r.info.context, stepMode, budget);
      increments += increment;
      this.lowerObs = r.obs;
      this.ctx = r.info.context;
      if (r.truncated || r.terminated) {
        truncated = true;
        break;
      }
    }
    const stats = windowStats(records, budget, this.env.inner.config.modes[mode]);
    // Per-step scale: the window's change of n * J of its phase, over K (equals the window's J when the phase starts).
    const reward = (increments - this.twinIncrements(mode, records.length)) / this.windowSteps;
    this.metaStep++;
    truncated = truncated || this.metaStep >= this.episodeMetaSteps;
    this.done = truncated;
    const info: MetaStepInfo = { mode, weights, violationRate: stats.violationRate, costOverBudget: stats.costOverBudget, scenario: this.episode!.scenario, records };
    return { obs: this.observation(), reward, terminated: false, truncated, info: info as unknown as Record<string, unknown> };
  }

  /** The twin world's objective increments over the same steps, with the mode's default weights (0 without a twin). */
  private twinIncrements(mode: ModeName, steps: number): number {
    const twin = this.twin;
    if (!twin || !twin.obs || !twin.ctx) return 0;
    const weights = twin.env.inner.config.modes[mode].defaultWeights;
    twin.env.inner.setWeights(weights);
    let increments = 0;
    for (let k = 0; k < steps; k++) {
      const { r, increment } = this.lowerStep(twin.env, twin.objective, twin.lower, twin.obs, twin.ctx, weights);
      increments += increment;
      twin.obs = r.obs;
      twin.ctx = r.info.context;
      if (r.truncated || r.terminated) break;
    }
    return increments;
  }

  /** One lower-level step of `env` with `weights` in force: the PPO acts; returns the step and its objective increment. */
  private lowerStep(env: ModeScheduleEnv, objective: PhaseObjective, lower: Policy, obs: Float32Array, ctx: PolicyContext, weights: Weights) {
    const r = env.stepAction(lower.act(withWeights(obs, weights), ctx));
    const rec = r.info.record!;
    const stepMode = assertMode(r.info.stepMode, META_ENV_ID);
    const increment = objective.add(stepMode, violatesModeSla(env.inner.config.modes[stepMode], rec), rec.costRateUsdPerHour / env.budgetUsdPerHour);
    return { r, rec, stepMode, increment };
  }

  private observation(): Float32Array {
    const m = this.ctx!.mode!;
    return this.tracker.build(assertMode(m.mode, META_ENV_ID), m.budgetLeftFraction, m.budgetUsdPerHour);
  }
}
