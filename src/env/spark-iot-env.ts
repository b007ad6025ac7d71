/**
 * SparkIotEnv: the realistic serverless-Spark IoT simulator, Edgepilot's default environment.
 *
 * One step is one control interval (10 s by default) simulated at 1 s micro-batch resolution:
 *   apply the action (executor target, memory, tier and codec for new shuffle data)
 *   for each second: arrivals join the FIFO backlog (expired / overflowing messages are dropped), executors finish
 *     cold starts or drains and are billed, capacity = serving executor time / time per message (compute with memory
 *     slowdown + shuffle I/O and codec CPU) minus temperature-driven re-reads, the backlog is served oldest first,
 *     shuffle output is written to the tier, the edge gateways observe the device side leadTimeS ahead
 *   then the snapshot, the edge forecast, the observation (ObservationBuilder) and the reward.
 * All exogenous randomness (arrivals, bursts, sizes, temperature, cold-start draws) is drawn up front or from
 * dedicated forks of the episode seed, so every policy with the same seed faces the same world.
 * See docs/SIMULATOR.md.
 */
import { decodeAction, actionSpace as ACTION_SPACE } from '../core/action.ts';
import { loadConfig, type ConfigOverrides, type ScenarioConfig, type SimConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import type { BoxSpace, MultiDiscreteSpace } from '../core/spaces.ts';
import { CODECS, TIERS, type Action, type EdgeForecast, type SystemSnapshot, type Weights } from '../core/types.ts';
import { Backlog } from '../cluster/backlog.ts';
import { ColdStartDraws } from '../cluster/cold-start.ts';
import { ExecutorPool } from '../cluster/executors.ts';
import { LatencySample } from '../cluster/latency.ts';
import { computeSPerMsg, workingSetGb } from '../cluster/memory.ts';
import { ObservationBuilder, observationScales, observationSpace } from '../control/observation.ts';
import { computeReward } from '../control/reward.ts';
import { Forecaster } from '../edge/forecaster.ts';
import { shuffleExecS, shuffleOpLatencyMs, ShuffleState } from '../shuffle/model.ts';
import { nominalExecutorCapacityMsgsPerS } from '../cluster/capacity.ts';
import type { ExogenousSeries } from '../workload/series.ts';
import { generateSyntheticSeries } from '../workload/synthetic.ts';
import { loadTraceCsv, traceSeries, type Trace } from '../workload/trace.ts';
import { applyWorkloadVariation, assertWorkloadVariation } from '../workload/variation.ts';
import type { PolicyContext } from '../policies/types.ts';
import { SCENARIOS, type ScenarioName, type SparkIotInfo, type StepRecord } from './spark-iot-types.ts';
import type { Env, EnvAction, ResetOptions, ResetResult, StepResult } from './types.ts';

export interface SparkIotEnvOptions {
  scenario?: ScenarioName;
  maxSteps?: number;
  controlIntervalS?: number;
  /** A CSV trace (path or parsed Trace) to replay instead of the synthetic arrival process. */
  trace?: string | Trace;
  /** Seconds per unit of the trace's t column when `trace` is a path (default 1; 60 for per-minute files). */
  traceStepS?: number;
  /** When `trace` is a path: a gaps file to skip, or false to replay every row (default: gaps.csv beside the trace, if any). */
  traceGaps?: string | false;
  /** Rescale the trace so its 99th percentile maps to the scenario's peak rate (default true). */
  rescaleTrace?: boolean;
  weights?: Weights | 'scenario' | 'random';
  config?: ConfigOverrides;
  /** Zero features 11-12 (the no-edge ablation). */
  maskEdgeFeatures?: boolean;
  /** Fill info.context.future (only for the clairvoyant oracle's runs). */
  exposeFuture?: boolean;
  /**
   * The world the agent learns for. 'embedded' (default): every change is a rolling one. 'spark-k8s': Spark 3.5 on
   * Kubernetes, where the executor count changes live but a memory, codec or tier change restarts the application
   * (processing stops for config.sparkK8s.driverRestartS + checkpointRecoveryS while the backlog builds, all executors
   * are replaced and cold-start, then the query resumes from its checkpoint). See docs/SPARK.md.
   */
  target?: SparkIotTarget;
}

export const SPARK_IOT_TARGETS = ['embedded', 'spark-k8s'] as const;
export type SparkIotTarget = (typeof SPARK_IOT_TARGETS)[number];

/** What SparkIotEnv adds to `info` in the 'spark-k8s' target (absent in 'embedded'). */
export interface SparkK8sStepInfo {
  /** This step's action restarted the application. */
  restarted: boolean;
  /** Restarts so far in the episode. */
  restarts: number;
  /** Simulated second until which processing is stopped (-Infinity when never). */
  pausedUntilS: number;
}

/** Seconds between control decisions unless the env is given another interval (README "Control step"). */
export const DEFAULT_CONTROL_INTERVAL_S = 10;

/** The exogenous future, exposed to the oracle only (env option exposeFuture). */
export interface FutureView {
  /** Cloud time now (s) and the index of cloud time 0 in the arrays. */
  tSeconds: number;
  offsetS: number;
  arrivalsMsgs: Float64Array;
  messageBytes: Float64Array;
  reuseProbability: Float64Array;
  /** Duration (s) of the k-th cold start of the episode; `coldStartsUsed` draws were consumed so far. */
  coldStartS(k: number): number;
  coldStartsUsed: number;
  config: SimConfig;
  scenario: ScenarioConfig;
  controlIntervalS: number;
}

export class EnvStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvStateError';
  }
}

function assertScenario(name: unknown): ScenarioName {
  if (typeof name !== 'string' || !(SCENARIOS as readonly string[]).includes(name)) {
    throw new Error(`SparkIotEnv: unknown scenario ${JSON.stringify(name)} (expected one of ${SCENARIOS.join(', ')})`);
  }
  return name as ScenarioName;
}

function assertWeights(w: unknown, where: string): Weights {
  const o = w as Weights;
  if (!o || typeof o !== 'object' || ![o.alpha, o.beta, o.gamma].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new Error(`SparkIotEnv: ${where} must be 'scenario', 'random' or {alpha, beta, gamma} of finite numbers >= 0, got ${JSON.stringify(w)}`);
  }
  return { alpha: o.alpha, beta: o.beta, gamma: o.gamma };
}

/** Per-interval accumulators (reused; no allocation per step). */
interface IntervalStats {
  arrivals: number;
  processed: number;
  dropped: number;
  backlogStart: number;
  servingExecS: number;
  busyExecS: number;
  shuffleRawBytes: number;
  reuseSum: number;
  bytesWeighted: number;
  workingSetGb: number;
  burstActive: boolean;
  burstOnset: boolean;
}

export class SparkIotEnv implements Env<Float32Array, EnvAction> {
  readonly id = 'SparkIotEnv-v1';
  readonly observationSpace: BoxSpace = observationSpace();
  readonly actionSpace: MultiDiscreteSpace = ACTION_SPACE;
  readonly config: SimConfig;
  readonly maxSteps: number;
  readonly controlIntervalS: number;

  private scenarioName: ScenarioName;
  private scenario: ScenarioConfig;
  private readonly weightsMode: Weights | 'scenario' | 'random';
  private weights: Weights = { alpha: 0, beta: 0, gamma: 0 };
  private readonly trace: Trace | null;
  private readonly rescaleTrace: boolean;
  private readonly exposeFuture: boolean;
  private readonly builder: ObservationBuilder;

  private series: ExogenousSeries | null = null;
  private coldStarts: ColdStartDraws;
  private readonly pool: ExecutorPool;
  private readonly backlog: Backlog;
  private readonly shuffle: ShuffleState;
  private readonly forecaster: Forecaster;
  private readonly latency = new LatencySample();
  private readonly stats: IntervalStats = {
    arrivals: 0, processed: 0, dropped: 0, backlogStart: 0, servingExecS: 0, busyExecS: 0, shuffleRawBytes: 0,
    reuseSum: 0, bytesWeighted: 0, workingSetGb: 0, burstActive: false, burstOnset: false,
  };

  private seed = 0;
  private nextAutoSeed = 0;
  private tSeconds = 0;
  private stepIndex = 0;
  private done = true;
  private action: Action;
  private processedEwma = 0;
  private lastServing = 1;
  private forecast: EdgeForecast = { predictedRateMsgsPerS: 0, burstProbability: 0, horizonS: 0, gatewayId: '' };
  private snapshot: SystemSnapshot | null = null;
  private capacityPerExecutorMsgsPerS = 0;
  readonly target: SparkIotTarget;
  /** spark-k8s target: processing is stopped before this simulated second (a restart in progress). */
  private pausedUntilS = -Infinity;
  private restarts = 0;

  constructor(options: SparkIotEnvOptions = {}) {
    this.config = loadConfig(options.config ?? {});
    this.scenarioName = assertScenario(options.scenario ?? 'balanced');
    this.scenario = this.config.scenarios[this.scenarioName];
    this.maxSteps = options.maxSteps ?? 500;
    this.controlIntervalS = options.controlIntervalS ?? DEFAULT_CONTROL_INTERVAL_S;
    if (!Number.isInteger(this.maxSteps) || this.maxSteps < 1) throw new Error(`SparkIotEnv: maxSteps must be a positive integer, got ${options.maxSteps}`);
    if (!Number.isInteger(this.controlIntervalS) || this.controlIntervalS < 1) throw new Error(`SparkIotEnv: controlIntervalS must be a positive integer (seconds), got ${options.controlIntervalS}`);
    const w = options.weights ?? 'scenario';
    this.weightsMode = w === 'scenario' || w === 'random' ? w : assertWeights(w, 'weights');
    this.trace = typeof options.trace === 'string' ? loadTraceCsv(options.trace, { traceStepS: options.traceStepS, gaps: options.traceGaps }) : (options.trace ?? null);
    this.rescaleTrace = options.rescaleTrace ?? true;
    this.exposeFuture = options.exposeFuture ?? false;
    this.target = options.target ?? 'embedded';
    if (!(SPARK_IOT_TARGETS as readonly string[]).includes(this.target)) throw new Error(`SparkIotEnv: target must be one of ${SPARK_IOT_TARGETS.join(', ')}, got ${JSON.stringify(options.target)}`);
    this.builder = new ObservationBuilder(observationScales(this.config), options.maskEdgeFeatures ?? false);
    this.coldStarts = new ColdStartDraws(new Rng(0), this.config.cluster.coldStart);
    this.pool = new ExecutorPool(this.config, this.coldStarts);
    this.backlog = new Backlog(this.config.sim.retentionAgeS);
    this.shuffle = new ShuffleState(this.config);
    this.forecaster = new Forecaster({ leadTimeS: this.config.sim.edgeLeadTimeS, horizonS: this.config.sim.forecastHorizonS });
    this.action = this.initialAction();
  }

  private initialAction(): Action {
    const c = this.config;
    const init = c.cluster.initial;
    let executors = typeof init.executors === 'number' ? init.executors : 1;
    if (init.executors === 'auto' && this.series) {
      // Sized for the mean arrival rate of the minute before the warm-up interval, with headroom.
      const end = this.series.offsetS - this.controlIntervalS;
      let sum = 0;
      for (let i = end - 60; i < end; i++) sum += this.series.arrivalsMsgs[i]!;
      executors = Math.ceil((init.autoHeadroom * sum) / 60 / this.executorCapacityMsgsPerS());
    }
    executors = Math.min(c.cluster.maxExecutors, Math.max(1, executors));
    return { executors, memoryGb: init.memoryGb, tier: c.shuffle.initialTier, codec: c.shuffle.initialCodec };
  }

  get scenarioId(): ScenarioName {
    return this.scenarioName;
  }

  reset(opts: ResetOptions = {}): ResetResult<Float32Array> {
    const seed = opts.seed ?? this.nextAutoSeed;
    if (!Number.isFinite(seed)) throw new Error(`SparkIotEnv.reset: seed must be a finite number, got ${opts.seed}`);
    this.seed = seed;
    this.nextAutoSeed = seed + 1;
    const o = opts.options ?? {};
    if (o.scenario !== undefined) this.scenarioName = assertScenario(o.scenario);
    // options.workload: a per-episode variation of the arrival process (training-time domain randomization).
    const workload = o.workload === undefined ? undefined : assertWorkloadVariation(o.workload, 'SparkIotEnv.reset: options.workload');
    this.scenario = applyWorkloadVariation(this.config.scenarios[this.scenarioName], workload);
    const rng = new Rng(seed);
    this.capacityPerExecutorMsgsPerS = this.executorCapacityMsgsPerS();
    const wMode = o.weights !== undefined ? (o.weights === 'scenario' || o.weights === 'random' ? o.weights : assertWeights(o.weights, 'options.weights')) : this.weightsMode;
    this.weights = wMode === 'scenario' ? { ...this.scenario.defaultWeights } : wMode === 'random' ? randomWeights(rng.fork('weights')) : { ...wMode };

    const sim = this.config.sim;
    const offsetS = sim.warmupS;
    // Past the last decision the series must hold what the gateways see ahead (lead + horizon) and the oracle's window
    // (2 intervals + its next cold-start draw, at most coldStart.maxS). Every part of the series draws second by
    // second from its own stream, so a longer series only appends: the seconds before are the same.
    const aheadS = Math.max(sim.edgeLeadTimeS + sim.forecastHorizonS, Math.ceil(this.config.cluster.coldStart.maxS));
    const lengthS = offsetS + this.maxSteps * this.controlIntervalS + aheadS + 2 * this.controlIntervalS + 1;
    const world = rng.fork('world');
    this.series = this.trace
      ? traceSeries(this.trace, lengthS, offsetS, this.scenario, world, { rescale: this.rescaleTrace })
      : generateSyntheticSeries(lengthS, offsetS, this.scenario, world, this.series);
    this.coldStarts = new ColdStartDraws(rng.fork('cold-starts'), this.config.cluster.coldStart);

    // The world before t = 0: the initial configuration has been running; one interval is simulated to give the
    // first snapshot, then its cost and counters are discarded.
    this.action = this.initialAction();
    const start = -this.controlIntervalS;
    this.pool.reset(this.coldStarts, this.action.executors, this.action.memoryGb, start);
    this.backlog.clear(start);
    this.shuffle.reset();
    this.latency.clear();
    this.forecaster.reset();
    for (let i = 0; i < offsetS + start + sim.edgeLeadTimeS; i++) this.forecaster.observe(i, this.series.arrivalsMsgs[i]!);
    const i0 = offsetS + start;
    this.processedEwma = this.series.arrivalsMsgs[i0]!;
    this.lastServing = this.action.executors;
    this.tSeconds = start;
    this.pausedUntilS = -Infinity;
    this.restarts = 0;
    this.simulateInterval();
    this.pool.takeCost();
    this.shuffle.takeCost();
    this.stepIndex = 0;
    this.done = false;
    this.forecast = this.forecaster.forecast();
    this.snapshot = this.buildSnapshot(0);
    const obs = this.builder.build(this.snapshot, this.forecast, this.weights, this.obsScenario());
    const info: SparkIotInfo = { snapshot: this.snapshot, forecast: this.forecast, context: this.context(), action: { ...this.action }, weights: { ...this.weights } };
    return { obs, info: info as unknown as Record<string, unknown> };
  }

  /**
   * Change the reward weights mid-episode (the meta-controller and mode switches do this). They enter the next
   * observation and the reward of every following step.
   */
  setWeights(weights: Weights): void {
    this.weights = { ...assertWeights(weights, 'setWeights') };
  }

  /** Application restarts so far in the episode (always 0 in the 'embedded' target). */
  get restartCount(): number {
    return this.restarts;
  }

  /** The weights in force. */
  currentWeights(): Weights {
    return { ...this.weights };
  }

  /** Convenience: step with an Action object. */
  stepAction(action: Action): StepResult<Float32Array> {
    return this.step([action.executors - 1, action.memoryGb - 1, TIERS.indexOf(action.tier), CODECS.indexOf(action.codec)]);
  }

  step(indices: EnvAction): StepResult<Float32Array> {
    if (this.done || !this.series) throw new EnvStateError(this.series ? 'SparkIotEnv.step: the episode is over; call reset()' : 'SparkIotEnv.step: call reset() before step()');
    const requested = decodeAction(typeof indices === 'number' ? [indices] : indices);
    const shownForecast = this.forecast;
    const scaled = requested.executors !== this.pool.targetExecutors;

    const previous = this.action;
    this.action = requested;
    const drainS = this.shuffle.drainS(TIERS.indexOf(requested.tier));
    const restarted = this.target === 'spark-k8s' && (requested.memoryGb !== previous.memoryGb || requested.tier !== previous.tier || requested.codec !== previous.codec);
    if (restarted) {
      // The operator deletes the driver and every executor (spark-k8s.md 4.4): release them all now; the resubmitted
      // application then requests fresh executors, which cold-start. Billing them from now rather than from the
      // driver's start is conservative (the driver pod itself is not billed in this model).
      this.pool.setTarget(0, requested.memoryGb, this.tSeconds, 0);
      const k8s = this.config.sparkK8s;
      this.pausedUntilS = this.tSeconds + k8s.driverRestartS + k8s.checkpointRecoveryS;
      this.restarts++;
    }
    this.pool.setTarget(requested.executors, requested.memoryGb, this.tSeconds, drainS);
    const costBefore = this.pool.takeCost(); // cancellations at the switch are billed to this step
    this.simulateInterval();
    const costUsd = costBefore + this.pool.takeCost() + this.shuffle.takeCost();

    this.stepIndex++;
    this.forecast = this.forecaster.forecast();
    const snapshot = this.buildSnapshot(costUsd);
    this.snapshot = snapshot;
    const obs = this.builder.build(snapshot, this.forecast, this.weights, this.obsScenario());
    const st = this.stats;
    const terms = computeReward(
      {
        costRateUsdPerHour: snapshot.costRateUsdPerHour,
        budgetUsdPerHour: this.scenario.budgetUsdPerHour,
        p95LatencyMs: snapshot.p95LatencyMs,
        slaP95LatencyMs: this.scenario.slaP95LatencyMs,
        processedMsgs: st.processed,
        availableMsgs: st.backlogStart + st.arrivals,
        droppedMsgs: st.dropped,
      },
      this.weights,
      this.config.reward,
    );
    const truncated = this.stepIndex >= this.maxSteps;
    this.done = truncated;
    const record: StepRecord = {
      step: this.stepIndex - 1,
      tSeconds: this.tSeconds,
      scenario: this.scenarioName,
      trace: this.series.source,
      seed: this.seed,
      policy: '',
      arrivalRateMsgsPerS: snapshot.arrivalRateMsgsPerS,
      processedRateMsgsPerS: snapshot.processedRateMsgsPerS,
      backlogMsgs: snapshot.backlogMsgs,
      droppedMsgs: snapshot.droppedMsgs,
      p95LatencyMs: snapshot.p95LatencyMs,
      slaTargetMs: this.scenario.slaP95LatencyMs,
      slaViolated: terms.slaViolated,
      requestedExecutors: requested.executors,
      requestedMemoryGb: requested.memoryGb,
      requestedTier: requested.tier,
      requestedCodec: requested.codec,
      executorsRunning: snapshot.executorsRunning,
      executorsStarting: snapshot.executorsStarting,
      memoryGb: snapshot.memoryPerExecutorGb,
      tier: requested.tier,
      codec: requested.codec,
      scaled,
      costUsd,
      costRateUsdPerHour: snapshot.costRateUsdPerHour,
      predictedRateMsgsPerS: shownForecast.predictedRateMsgsPerS,
      burstProbability: shownForecast.burstProbability,
      burstActive: st.burstActive,
      burstOnset: st.burstOnset,
      reuseProbability: st.reuseSum / this.controlIntervalS,
      shuffleBytes: st.shuffleRawBytes,
      reward: terms.reward,
      alpha: this.weights.alpha,
      beta: this.weights.beta,
      gamma: this.weights.gamma,
    };
    const context = this.context();
    const info: SparkIotInfo = { record, snapshot, forecast: this.forecast, context, action: context.currentAction, weights: context.weights };
    if (this.target === 'spark-k8s') {
      const sparkK8s: SparkK8sStepInfo = { restarted, restarts: this.restarts, pausedUntilS: this.pausedUntilS };
      (info as unknown as Record<string, unknown>).sparkK8s = sparkK8s;
    }
    return { obs, reward: terms.reward, terminated: false, truncated, info: info as unknown as Record<string, unknown> };
  }

  /** Simulates one control interval from this.tSeconds at 1 s resolution, filling this.stats. */
  private simulateInterval(): void {
    const series = this.series!;
    const cfg = this.config;
    const cluster = cfg.cluster;
    const sim = cfg.sim;
    const st = this.stats;
    const tier = cfg.shuffle.tiers[this.action.tier];
    const tIdx = TIERS.indexOf(this.action.tier);
    const cIdx = CODECS.indexOf(this.action.codec);
    const codec = cfg.shuffle.codecs[this.action.codec];
    const nextTier = tIdx < TIERS.length - 1 ? cfg.shuffle.tiers[TIERS[tIdx + 1]!] : tier;
    const ewmaA = 1 / cluster.stateLoadTauS;
    const lead = sim.edgeLeadTimeS;
    const rereadAtResident = cfg.shuffle.rereadLatencyAt === 'resident-tier';

    st.arrivals = st.processed = st.dropped = st.servingExecS = st.busyExecS = st.shuffleRawBytes = st.reuseSum = st.bytesWeighted = 0;
    st.backlogStart = this.backlog.totalMsgs;
    st.burstActive = st.burstOnset = false;
    this.latency.clear();

    for (let k = 0; k < this.controlIntervalS; k++) {
      const t = this.tSeconds;
      const i = series.offsetS + t;
      const arrivals = series.arrivalsMsgs[i]!;
      const bytes = series.messageBytes[i]!;
      const reuse = series.reuseProbability[i]!;

      this.backlog.push(t, arrivals);
      st.dropped += this.backlog.dropExpired(t, sim.retentionAgeS) + this.backlog.dropOverflow(sim.maxBacklogMsgs);

      // Executors: the working set follows the recent processed load per serving executor.
      const wsGb = workingSetGb(this.processedEwma / Math.max(1, this.lastServing), bytes, cluster);
      const serving = this.pool.advanceSecond(t, wsGb, this.shuffle.drainS(tIdx));
      const effective = this.pool.effectiveExecS;
      this.shuffle.advanceSecond();
      const rereadS = this.shuffle.rereads(reuse);

      // Capacity of this second (messages): executor time / time per message.
      const rawShuffle = bytes * cfg.shuffle.bytesPerInputByte;
      const f = this.shuffle.overflowFraction;
      const shuffleS = (1 - f) * shuffleExecS(rawShuffle, tier, codec) + f * shuffleExecS(rawShuffle, nextTier, codec);
      const slowdown = effective > 0 ? serving / effective : 1;
      const perMsgS = computeSPerMsg(bytes, cluster) * slowdown + shuffleS;
      // spark-k8s target: nothing is processed while the application restarts (arrivals wait in the broker).
      const paused = t < this.pausedUntilS;
      const availableS = paused ? 0 : Math.max(0, serving - rereadS);
      const capacity = availableS / perMsgS;

      // Batch latency: trigger wait + overhead + processing time of the batch + shuffle round trips.
      const planned = Math.min(this.backlog.totalMsgs, capacity);
      const residentOpMs = rereadAtResident ? this.shuffle.residentOpLatencyMs() : null;
      const opMs = residentOpMs === null
        ? (1 - f) * shuffleOpLatencyMs(tier, reuse, cfg.shuffle.rereadsPerReuse)
          + f * (shuffleOpLatencyMs(nextTier, reuse, cfg.shuffle.rereadsPerReuse) + cfg.shuffle.overflowPenaltyMs)
        : (1 - f) * shuffleOpLatencyMs(tier, 0, 0) + f * (shuffleOpLatencyMs(nextTier, 0, 0) + cfg.shuffle.overflowPenaltyMs)
          + reuse * cfg.shuffle.rereadsPerReuse * residentOpMs;
      const processMs = serving > 0 ? 1000 * Math.min(1, (planned * perMsgS + rereadS) / serving) : 0;
      const batchMs = cluster.triggerWaitMs + cluster.batchOverheadMs + processMs + opMs;
      const processed = capacity > 0 ? this.backlog.serve(capacity, t, batchMs, this.latency) : 0;
      this.shuffle.write(processed * rawShuffle, tIdx, cIdx, serving);

      st.arrivals += arrivals;
      st.processed += processed;
      st.servingExecS += serving;
      st.busyExecS += processed * perMsgS + (paused ? 0 : Math.min(rereadS, serving));
      st.shuffleRawBytes += processed * rawShuffle;
      st.reuseSum += reuse;
      st.bytesWeighted += arrivals * bytes;
      st.workingSetGb = wsGb;
      if (series.burstActive[i]) st.burstActive = true;
      if (series.burstOnset[i]) st.burstOnset = true;

      this.processedEwma += ewmaA * (processed - this.processedEwma);
      if (serving > 0) this.lastServing = serving;
      this.tSeconds = t + 1;
      // The gateways see the device side lead seconds ahead of the cloud ingest.
      const edgeIdx = i + lead;
      if (edgeIdx < series.lengthS) this.forecaster.observe(edgeIdx, series.arrivalsMsgs[edgeIdx]!);
    }
  }

  private buildSnapshot(costUsd: number): SystemSnapshot {
    const st = this.stats;
    const interval = this.controlIntervalS;
    const t = this.tSeconds;
    const p95Completed = this.latency.quantile(0.95);
    // Messages still waiting are at least as late as their age: a policy cannot hide latency by not serving.
    const p95LatencyMs = Math.max(p95Completed, this.backlog.oldestAgeS(t) * 1000);
    const memoryGb = this.pool.meanRunningMemoryGb();
    return {
      tSeconds: t,
      arrivalRateMsgsPerS: st.arrivals / interval,
      processedRateMsgsPerS: st.processed / interval,
      backlogMsgs: this.backlog.totalMsgs,
      p95LatencyMs,
      cpuUtilization: st.servingExecS > 0 ? Math.min(1, st.busyExecS / st.servingExecS) : 0,
      memoryUtilization: st.workingSetGb / memoryGb,
      executorsRunning: this.pool.running,
      executorsStarting: this.pool.starting,
      executorsDraining: this.pool.draining,
      memoryPerExecutorGb: memoryGb,
      tier: this.action.tier,
      codec: this.action.codec,
      shuffleBytes: st.shuffleRawBytes,
      observedReuse: st.reuseSum / interval,
      costRateUsdPerHour: (costUsd / interval) * 3600,
      costUsd,
      droppedMsgs: st.dropped,
      meanMessageBytes: st.arrivals > 0 ? st.bytesWeighted / st.arrivals : this.scenario.messageBytes,
    };
  }

  private obsScenario(): { slaP95LatencyMs: number; controlIntervalS: number } {
    return { slaP95LatencyMs: this.scenario.slaP95LatencyMs, controlIntervalS: this.controlIntervalS };
  }

  /** Nominal capacity of one executor (msgs/s) at adequate memory with Spark's default shuffle (nvme, lz4). */
  executorCapacityMsgsPerS(): number {
    return nominalExecutorCapacityMsgsPerS(this.config, this.scenario);
  }

  private context(): PolicyContext {
    const ctx: PolicyContext = {
      snapshot: this.snapshot!,
      forecast: this.forecast,
      weights: { ...this.weights },
      scenario: this.scenarioName,
      slaP95LatencyMs: this.scenario.slaP95LatencyMs,
      controlIntervalS: this.controlIntervalS,
      currentAction: { ...this.action },
      executorCapacityMsgsPerS: this.capacityPerExecutorMsgsPerS,
    };
    if (this.exposeFuture) ctx.future = this.futureView();
    return ctx;
  }

  private futureView(): FutureView {
    const s = this.series!;
    const draws = this.coldStarts;
    return {
      tSeconds: this.tSeconds,
      offsetS: s.offsetS,
      arrivalsMsgs: s.arrivalsMsgs,
      messageBytes: s.messageBytes,
      reuseProbability: s.reuseProbability,
      coldStartS: (k: number) => draws.get(k),
      coldStartsUsed: this.pool.coldStartsUsed,
      config: this.config,
      scenario: this.scenario,
      controlIntervalS: this.controlIntervalS,
    };
  }

  /**
   * The exogenous series of the current episode (for tests and reports; never part of the observation). Its arrays
   * are reused by the next reset: copy them to keep them.
   */
  exogenous(): ExogenousSeries {
    if (!this.series) throw new EnvStateError('SparkIotEnv.exogenous: call reset() first');
    return this.series;
  }
}

/** Dirichlet(1, 1, 1) weights: uniform on the simplex. */
export function randomWeights(rng: Rng): Weights {
  const a = -Math.log(1 - rng.next());
  const b = -Math.log(1 - rng.next());
  const c = -Math.log(1 - rng.next());
  const s = a + b + c;
  return { alpha: a / s, beta: b / s, gamma: c / s };
}
