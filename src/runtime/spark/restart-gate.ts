/**
 * The restart gate: on Spark 3.5 on Kubernetes a memory, codec or shuffle-storage change restarts the application
 * (spark-k8s.md 4.4, 6), so the controller lets one through only when
 *   1. the expected gain over a horizon exceeds the restart's cost,
 *   2. the last restart is at least `minRestartIntervalS` ago, and
 *   3. no burst is likely (edge burst probability below `maxBurstProbability`): a restart during a burst stops
 *      processing exactly when the backlog grows fastest.
 *
 * Gain and cost are in USD, with SLA-violating seconds priced at `slaViolationUsdPerS` (config.sparkK8s):
 *   gain    = horizon x [ (cost rate now - cost rate proposed) + slaUsd x (violation share now - proposed) ]
 *   restart = slaUsd x min(horizon, downtime + catch-up) + cost rate proposed x downtime
 * where catch-up = arrival rate x downtime / (capacity proposed - arrival rate) is the time to work off the backlog
 * that built while the query was down and resumed from its checkpoint, and downtime is MEASURED: it starts at the
 * configured driver restart + checkpoint recovery + median executor cold start and follows the restarts observed
 * (an EWMA of the gaps between a query's last progress and the first progress of its new run).
 * Capacity uses the simulator's world model (src/cluster/memory.ts, src/shuffle/model.ts), so the gate and the
 * agent trained in SparkIotEnv's 'spark-k8s' target price restarts the same way.
 */
import { loadConfig, type ScenarioConfig, type SimConfig } from '../../core/config.ts';
import type { Action, EdgeForecast, SystemSnapshot } from '../../core/types.ts';
import { computeSPerMsg, executorUsdPerS, memorySlowdown } from '../../cluster/memory.ts';
import { shuffleExecS } from '../../shuffle/model.ts';
import { restartClassChanged } from './spark-conf.ts';

export interface RestartGateOptions {
  config?: SimConfig;
  scenario?: keyof SimConfig['scenarios'];
  minRestartIntervalS?: number;
  gainHorizonS?: number;
  maxBurstProbability?: number;
  slaViolationUsdPerS?: number;
  /** Starting estimate of the restart downtime (s); default driver restart + checkpoint recovery + cold-start median. */
  initialDowntimeS?: number;
}

export interface GateInput {
  nowS: number;
  current: Action;
  proposed: Action;
  snapshot: SystemSnapshot;
  forecast: EdgeForecast;
}

export interface GateDecision {
  allow: boolean;
  /** Why, in one line (goes to the decision log's notes). */
  reason: string;
  gainUsd: number;
  restartCostUsd: number;
  downtimeS: number;
}

/** EWMA weight of a newly measured restart downtime. [assumed] */
const DOWNTIME_EWMA = 0.5;
/** A proposal counts as fully SLA-violating when its capacity is this share short of the expected rate. [assumed] */
const FULL_VIOLATION_SHORTFALL = 0.1;

export class RestartGate {
  readonly config: SimConfig;
  private readonly scenario: ScenarioConfig;
  readonly minRestartIntervalS: number;
  readonly gainHorizonS: number;
  readonly maxBurstProbability: number;
  readonly slaViolationUsdPerS: number;
  private downtimeS: number;
  private lastRestartS = -Infinity;
  restartsAllowed = 0;
  restartsRefused = 0;

  constructor(opts: RestartGateOptions = {}) {
    this.config = opts.config ?? loadConfig();
    this.scenario = this.config.scenarios[opts.scenario ?? 'balanced'];
    const k = this.config.sparkK8s;
    this.minRestartIntervalS = opts.minRestartIntervalS ?? k.minRestartIntervalS;
    this.gainHorizonS = opts.gainHorizonS ?? k.gainHorizonS;
    this.maxBurstProbability = opts.maxBurstProbability ?? k.maxBurstProbability;
    this.slaViolationUsdPerS = opts.slaViolationUsdPerS ?? k.slaViolationUsdPerS;
    this.downtimeS = opts.initialDowntimeS ?? k.driverRestartS + k.checkpointRecoveryS + this.config.cluster.coldStart.medianS;
    for (const [name, v] of Object.entries({ minRestartIntervalS: this.minRestartIntervalS, gainHorizonS: this.gainHorizonS, slaViolationUsdPerS: this.slaViolationUsdPerS, initialDowntimeS: this.downtimeS })) {
      if (!Number.isFinite(v) || v < 0) throw new Error(`RestartGate: ${name} must be a finite number >= 0, got ${v}`);
    }
  }

  get expectedDowntimeS(): number {
    return this.downtimeS;
  }

  /** A restart was measured (s of processing lost); the estimate follows it. */
  recordMeasuredDowntime(downtimeS: number): void {
    if (!Number.isFinite(downtimeS) || downtimeS < 0) return;
    this.downtimeS += DOWNTIME_EWMA * (downtimeS - this.downtimeS);
  }

  /** A restart was sent at nowS (starts the minimum interval). */
  recordRestart(nowS: number): void {
    this.lastRestartS = nowS;
    this.restartsAllowed++;
  }

  /** Messages per second `action` can serve with the working set seen in `snapshot`. */
  capacityMsgsPerS(action: Action, snapshot: SystemSnapshot): number {
    const c = this.config;
    const bytes = snapshot.meanMessageBytes > 0 ? snapshot.meanMessageBytes : this.scenario.messageBytes;
    // Working set per executor does not depend on the memory size: rescale the utilization to the proposed memory.
    const wsGb = Math.max(0, snapshot.memoryUtilization) * (snapshot.memoryPerExecutorGb || action.memoryGb);
    const slowdown = memorySlowdown(wsGb / action.memoryGb, c.cluster);
    const perMsgS = computeSPerMsg(bytes, c.cluster) * slowdown + shuffleExecS(bytes * c.shuffle.bytesPerInputByte, c.shuffle.tiers[action.tier], c.shuffle.codecs[action.codec]);
    return action.executors / perMsgS;
  }

  private violationShare(capacity: number, rate: number): number {
    if (rate <= 0 || capacity >= rate) return 0;
    return Math.min(1, (rate - capacity) / (FULL_VIOLATION_SHORTFALL * rate));
  }

  /** Decides on a proposal (no state change; call recordRestart when the restart is sent). */
  evaluate(input: GateInput): GateDecision {
    const { current, proposed, snapshot, forecast, nowS } = input;
    const downtimeS = this.downtimeS;
    const base = { gainUsd: 0, restartCostUsd: 0, downtimeS };
    if (!restartClassChanged(current, proposed)) return { ...base, allow: true, reason: 'no restart-class change' };
    const sinceS = nowS - this.lastRestartS;
    if (sinceS < this.minRestartIntervalS) {
      this.restartsRefused++;
      return { ...base, allow: false, reason: `restart deferred: last restart ${sinceS.toFixed(0)} s ago (< ${this.minRestartIntervalS} s)` };
    }
    if (forecast.burstProbability >= this.maxBurstProbability) {
      this.restartsRefused++;
      return { ...base, allow: false, reason: `restart deferred: burst probability ${forecast.burstProbability.toFixed(2)} >= ${this.maxBurstProbability}` };
    }
    const rate = Math.max(snapshot.arrivalRateMsgsPerS, forecast.predictedRateMsgsPerS, 0);
    // Compare like with like: the proposal's memory/tier/codec at the executor count that will be in force.
    const after = { ...proposed };
    const before = { ...current, executors: proposed.executors };
    const capBefore = this.capacityMsgsPerS(before, snapshot);
    const capAfter = this.capacityMsgsPerS(after, snapshot);
    const costBefore = before.executors * executorUsdPerS(before.memoryGb, this.config);
    const costAfter = after.executors * executorUsdPerS(after.memoryGb, this.config);
    const sla = this.slaViolationUsdPerS;
    const H = this.gainHorizonS;
    const gainUsd = H * (costBefore - costAfter + sla * (this.violationShare(capBefore, rate) - this.violationShare(capAfter, rate)));
    const catchUpS = capAfter > rate ? (rate * downtimeS) / (capAfter - rate) : Infinity;
    const restartCostUsd = sla * Math.min(H, downtimeS + catchUpS) + costAfter * downtimeS;
    if (gainUsd > restartCostUsd) {
      return { allow: true, reason: `restart: gain ${gainUsd.toFixed(3)} USD over ${H} s > cost ${restartCostUsd.toFixed(3)} USD (${downtimeS.toFixed(0)} s down)`, gainUsd, restartCostUsd, downtimeS };
    }
    this.restartsRefused++;
    return { allow: false, reason: `restart deferred: gain ${gainUsd.toFixed(3)} USD over ${H} s <= cost ${restartCostUsd.toFixed(3)} USD (${downtimeS.toFixed(0)} s down)`, gainUsd, restartCostUsd, downtimeS };
  }
}
