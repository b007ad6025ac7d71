/**
 * A small stand-in for SparkIotEnv (test helper only, not a model of anything): it implements the BenchEnv contract
 * (reset({seed}) -> {obs, info.context}; stepAction(action) -> info.record / info.context) with a fluid queue,
 * a 30 s executor cold start and bursty arrivals drawn at reset from the seed alone, so every policy faces the
 * same arrival series. Used by the bench tests until the real env exists.
 */
import { Rng, hashString } from '../core/rng.ts';
import type { Action, EdgeForecast, SystemSnapshot } from '../core/types.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';
import type { PolicyContext } from '../policies/types.ts';
import type { BenchEnv, BenchEnvOptions } from './tournament.ts';

const BASE_RATE: Record<string, number> = { 'smart-city': 300, healthcare: 150, industrial: 450, balanced: 350 };
const CAPACITY_MSGS_PER_S = 50;
const COLD_START_S = 30;

export class FakeSparkIotEnv implements BenchEnv {
  readonly intervalS: number;
  private arrivals: number[] = [];
  private bursts: boolean[] = [];
  private t = 0;
  private backlog = 0;
  private running = 0;
  private starting: number[] = []; // ready times (s)
  private action: Action = { executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  private seed = 0;
  private snapshot!: SystemSnapshot;

  constructor(readonly opts: BenchEnvOptions) {
    if (!(opts.scenario in BASE_RATE)) throw new Error(`FakeSparkIotEnv: unknown scenario '${opts.scenario}'`);
    this.intervalS = opts.controlIntervalS ?? 10;
  }

  reset({ seed }: { seed: number }): { obs: Float32Array; info: unknown } {
    this.seed = seed;
    const rng = new Rng(seed ^ hashString(this.opts.scenario)).fork('arrivals');
    const base = BASE_RATE[this.opts.scenario]!;
    const n = this.opts.maxSteps + 20;
    this.arrivals = [];
    this.bursts = [];
    let burstLeft = 0;
    for (let i = 0; i < n; i++) {
      if (burstLeft === 0 && rng.bernoulli(0.03)) burstLeft = 6 + rng.int(6);
      const burst = burstLeft > 0;
      if (burstLeft > 0) burstLeft--;
      this.bursts.push(burst);
      this.arrivals.push(Math.max(0, base * (burst ? 3 : 1) * (1 + 0.1 * rng.normal())));
    }
    this.t = 0;
    this.backlog = 0;
    this.running = 4;
    this.starting = [];
    this.action = { executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
    this.snapshot = this.makeSnapshot(this.arrivals[0]!, this.arrivals[0]!, 300, 0, 0);
    return { obs: new Float32Array(4), info: { context: this.context() } };
  }

  stepAction(action: Action): { obs: Float32Array; reward: number; terminated: boolean; truncated: boolean; info: unknown } {
    const dt = this.intervalS;
    const nowS = this.t * dt;
    const allocated = this.running + this.starting.length;
    const scaled = action.executors !== this.action.executors;
    if (action.executors > allocated) for (let i = allocated; i < action.executors; i++) this.starting.push(nowS + COLD_START_S);
    else {
      let remove = allocated - action.executors;
      while (remove > 0 && this.starting.length > 0) {
        this.starting.pop();
        remove--;
      }
      this.running -= remove;
    }
    this.action = { ...action };
    const ready = this.starting.filter((r) => r <= nowS + dt).length;
    this.starting = this.starting.filter((r) => r > nowS + dt);
    this.running += ready;

    const rate = this.arrivals[this.t]!;
    const memFactor = Math.min(1, action.memoryGb / 2);
    const capacity = this.running * CAPACITY_MSGS_PER_S * memFactor;
    const work = this.backlog + rate * dt;
    const processed = Math.min(work, capacity * dt);
    this.backlog = work - processed;
    const retention = 600 * BASE_RATE[this.opts.scenario]!;
    const dropped = Math.max(0, this.backlog - retention);
    this.backlog -= dropped;
    const util = capacity > 0 ? processed / (capacity * dt) : 0;
    const p95 = 200 + 600 * util * util + (capacity > 0 ? (this.backlog / capacity) * 1000 : 60_000);
    const costRate = (this.running + this.starting.length) * (4 * 0.052624 + action.memoryGb * 0.0057785);
    const cost = (costRate * dt) / 3600;
    const sla = this.opts.scenario === 'healthcare' ? 800 : 1000;
    this.snapshot = this.makeSnapshot(rate, processed / dt, p95, util, cost, costRate, dropped);
    const forecast = this.forecast();
    const record: StepRecord = {
      step: this.t,
      tSeconds: nowS + dt,
      scenario: this.opts.scenario,
      trace: '',
      seed: this.seed,
      policy: '',
      arrivalRateMsgsPerS: rate,
      processedRateMsgsPerS: processed / dt,
      backlogMsgs: this.backlog,
      droppedMsgs: dropped,
      p95LatencyMs: p95,
      slaTargetMs: sla,
      slaViolated: p95 > sla || dropped > 0,
      requestedExecutors: action.executors,
      requestedMemoryGb: action.memoryGb,
      requestedTier: action.tier,
      requestedCodec: action.codec,
      executorsRunning: this.running,
      executorsStarting: this.starting.length,
      memoryGb: action.memoryGb,
      tier: action.tier,
      codec: action.codec,
      scaled,
      costUsd: cost,
      costRateUsdPerHour: costRate,
      predictedRateMsgsPerS: forecast.predictedRateMsgsPerS,
      burstProbability: forecast.burstProbability,
      burstActive: this.bursts[this.t]!,
      burstOnset: this.bursts[this.t]! && (this.t === 0 || !this.bursts[this.t - 1]!),
      reuseProbability: 0.5,
      shuffleBytes: processed * 1000,
      reward: -cost,
      alpha: 1,
      beta: 1,
      gamma: 1,
    };
    this.t++;
    const truncated = this.t >= this.opts.maxSteps;
    return { obs: new Float32Array(4), reward: -cost, terminated: false, truncated, info: { record, context: this.context() } };
  }

  private forecast(): EdgeForecast {
    const next = this.arrivals[this.t + 1] ?? this.arrivals[this.t]!;
    return { predictedRateMsgsPerS: next, burstProbability: this.bursts[this.t + 1] ? 0.8 : 0.1, horizonS: this.intervalS, gatewayId: 'fake' };
  }

  private context(): PolicyContext {
    const ctx: PolicyContext = {
      snapshot: this.snapshot,
      forecast: this.forecast(),
      weights: { alpha: 1, beta: 1, gamma: 1 },
      scenario: this.opts.scenario,
      slaP95LatencyMs: this.opts.scenario === 'healthcare' ? 800 : 1000,
      controlIntervalS: this.intervalS,
      currentAction: { ...this.action },
      executorCapacityMsgsPerS: CAPACITY_MSGS_PER_S,
    };
    if (this.opts.exposeFuture) ctx.future = this.arrivals.slice(this.t);
    return ctx;
  }

  private makeSnapshot(rate: number, processed: number, p95: number, util: number, cost: number, costRate = 0, dropped = 0): SystemSnapshot {
    return {
      tSeconds: this.t * this.intervalS,
      arrivalRateMsgsPerS: rate,
      processedRateMsgsPerS: processed,
      backlogMsgs: this.backlog,
      p95LatencyMs: p95,
      cpuUtilization: util,
      memoryUtilization: 0.3 + 0.4 * util,
      executorsRunning: this.running,
      executorsStarting: this.starting.length,
      executorsDraining: 0,
      memoryPerExecutorGb: this.action.memoryGb,
      tier: this.action.tier,
      codec: this.action.codec,
      shuffleBytes: processed * 1000,
      observedReuse: 0.5,
      costRateUsdPerHour: costRate,
      costUsd: cost,
      droppedMsgs: dropped,
      meanMessageBytes: 1000,
    };
  }
}

export const makeFakeEnv = (opts: BenchEnvOptions): FakeSparkIotEnv => new FakeSparkIotEnv(opts);
