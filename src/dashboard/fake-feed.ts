/**
 * A synthetic, seeded stream of DecisionRecords for the dashboard's tests and the screenshot script: a load with a
 * burst, a forecast that leads it, executors that follow with a cold start. Illustrative only, no real-world claim.
 */
import { Rng } from '../core/rng.ts';
import type { Action, SystemSnapshot } from '../core/types.ts';
import type { DecisionRecord } from '../control/types.ts';
import type { DashboardInfo } from './state.ts';

/** The run description the dashboard's tests serve (two policies and two modes to switch between). */
export const FAKE_DASHBOARD_INFO: DashboardInfo = {
  scenario: 'smart-city',
  policy: 'threshold-forecast',
  mode: 'demo',
  slaP95LatencyMs: 2000,
  policies: ['threshold-forecast', 'fixed'],
  modes: ['demo', 'paused'],
  notes: [],
};

export class FakeDecisionFeed {
  private readonly rng: Rng;
  private t = 0;
  private executors = 2;
  private starting = 0;
  private backlog = 0;
  private readonly controlIntervalS: number;

  constructor(seed: number, controlIntervalS = 1) {
    this.rng = new Rng(seed).fork('dashboard:fake-feed');
    this.controlIntervalS = controlIntervalS;
  }

  /** Arrival rate at time t: 200 msgs/s base, a burst to 900 between 40 and 70 s of every 120 s. */
  private rateAt(tS: number): number {
    const phase = tS % 120;
    return phase >= 40 && phase < 70 ? 900 : 200;
  }

  next(policy = 'threshold-forecast'): DecisionRecord {
    this.t += this.controlIntervalS;
    const arrival = this.rateAt(this.t) * (1 + this.rng.normal(0, 0.05));
    const capacityPerExecutor = 150;
    const capacity = this.executors * capacityPerExecutor;
    const processed = Math.min(arrival + this.backlog / this.controlIntervalS, capacity);
    this.backlog = Math.max(0, this.backlog + (arrival - processed) * this.controlIntervalS);
    const forecast = this.rateAt(this.t + 10);
    const wanted = Math.max(1, Math.min(20, Math.ceil((Math.max(arrival, forecast) * 1.25) / capacityPerExecutor)));
    // A scale-up serves one tick later (a cold start); a scale-down is immediate.
    this.executors += this.starting;
    this.starting = Math.max(0, wanted - this.executors);
    if (wanted < this.executors) this.executors = wanted;
    const action: Action = { executors: this.executors + this.starting, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
    const costRate = (this.executors + this.starting) * 0.23;
    const snapshot: SystemSnapshot = {
      tSeconds: this.t,
      arrivalRateMsgsPerS: arrival,
      processedRateMsgsPerS: processed,
      backlogMsgs: Math.round(this.backlog),
      p95LatencyMs: 400 + (this.backlog / Math.max(capacity, 1)) * 1000 + this.rng.uniform(0, 80),
      cpuUtilization: Math.min(1, processed / Math.max(capacity, 1)),
      memoryUtilization: 0.4 + 0.3 * Math.min(1, processed / Math.max(capacity, 1)),
      executorsRunning: this.executors,
      executorsStarting: this.starting,
      executorsDraining: 0,
      memoryPerExecutorGb: 4,
      tier: 'nvme',
      codec: 'lz4',
      shuffleBytes: processed * 1000,
      observedReuse: 0.3,
      costRateUsdPerHour: costRate,
      costUsd: (costRate * this.controlIntervalS) / 3600,
      droppedMsgs: 0,
      meanMessageBytes: 1000,
    };
    return {
      tSeconds: this.t,
      policy,
      snapshot,
      forecast: { predictedRateMsgsPerS: forecast, burstProbability: forecast > 500 ? 0.9 : 0.05, horizonS: 10, gatewayId: 'edge-0' },
      weights: { alpha: 0.3, beta: 0.5, gamma: 0.2 },
      proposed: action,
      applied: action,
      path: 'live',
      shieldReasons: [],
      decisionMicros: 40 + this.rng.uniform(0, 20),
    };
  }
}
