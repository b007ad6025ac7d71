/**
 * ModeScheduleEnv: SparkIotEnv plus an operating-mode schedule (normal / budget / critical) and a cost budget.
 *
 * The world is SparkIotEnv's, untouched: the schedule is a pure function of the step index, so with the same seed
 * every policy faces the identical arrivals, bursts and cold starts AND the identical mode story. At each phase
 * start the env puts the mode's default weights in force (setWeights: they enter the observation and the reward,
 * like a live operator switching the objective) and, if the phase says so, resets the budget left. Policies read
 * the mode through `context.mode` (PolicyContext, optional field). Used by `bench --scenario mode-switch`, the
 * meta report and, with random schedules, the meta-env.
 */
import { loadConfig, type ConfigOverrides } from '../core/config.ts';
import type { Action, Weights } from '../core/types.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { ScenarioName, SparkIotInfo } from '../env/spark-iot-types.ts';
import type { Trace } from '../workload/trace.ts';
import type { WorkloadVariation } from '../workload/variation.ts';
import { withWeights } from '../policies/rl-agent.ts';
import type { ModeContext, PolicyContext } from '../policies/types.ts';
import { modeSwitchSchedule, phaseIndexAt, validateSchedule, type ModeName, type ModePhase } from './modes.ts';

/** The bench scenario name of the mode-switch story. */
export const MODE_SWITCH_SCENARIO = 'mode-switch';
/** [assumed] The base world of the mode-switch story: the balanced IoT scenario. */
export const MODE_SWITCH_BASE_SCENARIO: ScenarioName = 'balanced';

export interface ModeScheduleEnvOptions {
  /** The IoT scenario underneath (default balanced). */
  scenario?: ScenarioName;
  maxSteps: number;
  controlIntervalS?: number;
  trace?: string | Trace;
  traceStepS?: number;
  /** false: the trace's rates as msgs/s (SparkIotEnv option). */
  rescaleTrace?: boolean;
  exposeFuture?: boolean;
  config?: ConfigOverrides;
  /** Default: the mode-switch story for maxSteps. */
  schedule?: ModePhase[];
  /** Written to StepRecord.scenario (default: the IoT scenario's name). */
  recordScenario?: string;
}

export interface ModeStepInfo extends SparkIotInfo {
  /** The mode of the next step (the one the context describes). */
  mode: ModeName;
  /** After step: the mode the step just taken ran in. */
  stepMode?: ModeName;
}

export class ModeScheduleEnv {
  readonly inner: SparkIotEnv;
  readonly maxSteps: number;
  private readonly modes;
  private readonly recordScenario: string | undefined;
  private schedule: ModePhase[];
  private phaseIndex = 0;
  private stepIndex = 0;
  private budgetUsd = 0;
  private spentUsd = 0;

  constructor(opts: ModeScheduleEnvOptions) {
    const { schedule, recordScenario, config, ...envOpts } = opts;
    if (!Number.isInteger(opts.maxSteps) || opts.maxSteps < 1) throw new Error(`ModeScheduleEnv: maxSteps must be a positive integer, got ${opts.maxSteps}`);
    this.inner = new SparkIotEnv({ ...envOpts, scenario: opts.scenario ?? MODE_SWITCH_BASE_SCENARIO, config });
    this.modes = loadConfig(config ?? {}).modes;
    this.maxSteps = opts.maxSteps;
    this.recordScenario = recordScenario;
    this.schedule = validateSchedule(schedule ?? modeSwitchSchedule(opts.maxSteps), 'ModeScheduleEnv');
  }

  get observationSpace() {
    return this.inner.observationSpace;
  }

  get actionSpace() {
    return this.inner.actionSpace;
  }

  /** The schedule of the current (or next) episode. */
  get phases(): readonly ModePhase[] {
    return this.schedule;
  }

  get mode(): ModeName {
    return this.schedule[this.phaseIndex]!.mode;
  }

  get budgetLeftFraction(): number {
    return Math.min(1, Math.max(0, 1 - this.spentUsd / this.budgetUsd));
  }

  /** The scenario's budget rate (USD/h). */
  get budgetUsdPerHour(): number {
    return this.inner.config.scenarios[this.inner.scenarioId].budgetUsdPerHour;
  }

  /**
   * options.schedule replaces the schedule from this episode on; options.scenario changes the IoT scenario;
   * options.workload varies this episode's arrival process (SparkIotEnv.reset, src/workload/variation.ts).
   */
  reset(opts: { seed?: number; options?: { schedule?: ModePhase[]; scenario?: ScenarioName; workload?: WorkloadVariation } } = {}): { obs: Float32Array; info: ModeStepInfo } {
    const o = opts.options ?? {};
    if (o.schedule !== undefined) this.schedule = validateSchedule(o.schedule, 'ModeScheduleEnv.reset');
    this.phaseIndex = 0;
    this.stepIndex = 0;
    const first = this.schedule[0]!;
    const weights = { ...this.modes[first.mode].defaultWeights };
    const innerOpts: Record<string, unknown> = { weights };
    if (o.scenario !== undefined) innerOpts['scenario'] = o.scenario;
    if (o.workload !== undefined) innerOpts['workload'] = o.workload;
    const r = this.inner.reset({ seed: opts.seed, options: innerOpts });
    // The run's budget: the scenario's budget rate over the run's duration.
    this.budgetUsd = (this.budgetUsdPerHour * this.maxSteps * this.inner.controlIntervalS) / 3600;
    this.spentUsd = (1 - (first.budgetLeftFraction ?? 1)) * this.budgetUsd;
    return { obs: r.obs, info: this.decorate(r.info as unknown as SparkIotInfo) };
  }

  stepAction(action: Action): { obs: Float32Array; reward: number; terminated: boolean; truncated: boolean; info: ModeStepInfo } {
    const modeOfStep = this.mode;
    const r = this.inner.stepAction(action);
    const info = r.info as unknown as SparkIotInfo;
    const record = info.record!;
    this.spentUsd += record.costUsd;
    this.stepIndex++;
    let obs = r.obs;
    const next = phaseIndexAt(this.schedule, this.stepIndex);
    if (next !== this.phaseIndex) {
      this.phaseIndex = next;
      const phase = this.schedule[next]!;
      const w: Weights = { ...this.modes[phase.mode].defaultWeights };
      this.inner.setWeights(w);
      // The observation was built with the old weights; show the new ones, as the env would have.
      obs = withWeights(obs, w);
      info.context = { ...info.context, weights: { ...w } };
      info.weights = { ...w };
      if (phase.budgetLeftFraction !== undefined) this.spentUsd = (1 - phase.budgetLeftFraction) * this.budgetUsd;
    }
    const out = this.decorate(info);
    out.record = { ...record, scenario: this.recordScenario ?? record.scenario };
    // The decorated info carries the mode of the NEXT step; the record belongs to the step just taken.
    return { obs, reward: r.reward, terminated: r.terminated, truncated: r.truncated || this.stepIndex >= this.maxSteps, info: { ...out, stepMode: modeOfStep } };
  }

  private decorate(info: SparkIotInfo): ModeStepInfo {
    const mode: ModeContext = { mode: this.mode, budgetLeftFraction: this.budgetLeftFraction, budgetUsdPerHour: this.budgetUsdPerHour };
    const context: PolicyContext = { ...info.context, mode };
    return { ...info, context, mode: this.mode };
  }
}
