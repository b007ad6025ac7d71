/**
 * The weight-conditioned reward (alpha = cost, beta = latency, gamma = throughput everywhere):
 *   reward = -alpha * costTerm - beta * latencyTerm + gamma * throughputTerm - slaPenalty * violated
 * Normalizers, so every term is O(1):
 *   costTerm       = cost rate over the interval (USD/h) / the scenario budget (USD/h)
 *   latencyTerm    = min(latencyCap, p95 / SLA target)            (1 = at the target)
 *   throughputTerm = processed / available, available = backlog at the start + arrivals (demand-capped, 0..1)
 * A step violates the SLA when its p95 exceeds the target or it drops messages.
 */
import type { Weights } from '../core/types.ts';

export interface RewardInputs {
  costRateUsdPerHour: number;
  budgetUsdPerHour: number;
  p95LatencyMs: number;
  slaP95LatencyMs: number;
  processedMsgs: number;
  availableMsgs: number;
  droppedMsgs: number;
}

export interface RewardSettings {
  slaPenalty: number;
  latencyCap: number;
  /**
   * Optional (default 0 = the formula above): latency up to this fraction of the SLA target costs nothing, and the
   * term is rescaled so it is still 1 at the target: latencyTerm = min(cap, max(0, p95/SLA - f) / (1 - f)).
   * The training env (SparkIot, docs/AGENT.md) uses it so an SLA-bound agent is not paid for latency far below its
   * SLA, which it would otherwise buy with executors; the simulator's own reward keeps f = 0.
   */
  latencyFreeFraction?: number;
}

/** The latency term of the reward (see RewardSettings.latencyFreeFraction). */
export function latencyTerm(p95LatencyMs: number, slaP95LatencyMs: number, latencyCap: number, latencyFreeFraction = 0): number {
  if (!(latencyFreeFraction >= 0 && latencyFreeFraction < 1)) throw new Error(`reward: latencyFreeFraction must be in [0, 1), got ${latencyFreeFraction}`);
  const ratio = p95LatencyMs / slaP95LatencyMs;
  if (latencyFreeFraction === 0) return Math.min(latencyCap, ratio);
  return Math.min(latencyCap, Math.max(0, ratio - latencyFreeFraction) / (1 - latencyFreeFraction));
}

export interface RewardTerms {
  costTerm: number;
  latencyTerm: number;
  throughputTerm: number;
  slaViolated: boolean;
  reward: number;
}

export function slaViolated(p95LatencyMs: number, slaP95LatencyMs: number, droppedMsgs: number): boolean {
  return p95LatencyMs > slaP95LatencyMs || droppedMsgs > 0;
}

export function computeReward(x: RewardInputs, w: Weights, settings: RewardSettings): RewardTerms {
  const costTerm = x.costRateUsdPerHour / x.budgetUsdPerHour;
  const latency = latencyTerm(x.p95LatencyMs, x.slaP95LatencyMs, settings.latencyCap, settings.latencyFreeFraction ?? 0);
  const throughputTerm = x.availableMsgs > 0 ? Math.min(1, x.processedMsgs / x.availableMsgs) : 1;
  const violated = slaViolated(x.p95LatencyMs, x.slaP95LatencyMs, x.droppedMsgs);
  const reward = -w.alpha * costTerm - w.beta * latency + w.gamma * throughputTerm - (violated ? settings.slaPenalty : 0);
  return { costTerm, latencyTerm: latency, throughputTerm, slaViolated: violated, reward };
}
