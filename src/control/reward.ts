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
  const latencyTerm = Math.min(settings.latencyCap, x.p95LatencyMs / x.slaP95LatencyMs);
  const throughputTerm = x.availableMsgs > 0 ? Math.min(1, x.processedMsgs / x.availableMsgs) : 1;
  const violated = slaViolated(x.p95LatencyMs, x.slaP95LatencyMs, x.droppedMsgs);
  const reward = -w.alpha * costTerm - w.beta * latencyTerm + w.gamma * throughputTerm - (violated ? settings.slaPenalty : 0);
  return { costTerm, latencyTerm, throughputTerm, slaViolated: violated, reward };
}
