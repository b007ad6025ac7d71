/**
 * The original's 500-step tournament (benchmarks/run_eval.py, original-system.md §6.2), run over many seeds.
 *
 * Per run: SLA violation % = share of steps with latency > 1000 ms; total cost = sum of the per-step $/h values;
 * P95 = 95th percentile of latency; stability = population std of executor counts. The original used one
 * 'balanced' env whose reset draws a random scenario; so do we, but seeded: every policy gets `reset({ seed })`
 * with the same seed, hence the same workload trace and scenario (paired runs; the original's were unpaired).
 */
import { decodeAction, encodeAction } from '../../core/action.ts';
import type { Action } from '../../core/types.ts';
import { SEED_MAX_STEPS, SeedCompatEnv, type SeedScenarioName } from '../../env/seed-compat-env.ts';
import type { Policy } from '../types.ts';
import { SEED_SLA_LATENCY_MS, seedPolicyContext } from './context.ts';

export interface SeedRunMetrics {
  slaViolationPct: number;
  costUsd: number;
  p95LatencyMs: number;
  stability: number;
  meanReward: number;
}

export interface SeedTournamentRow {
  policy: string;
  runs: number;
  slaViolationPct: number;
  slaP5: number;
  slaP95: number;
  costUsd: number;
  costP5: number;
  costP95: number;
  p95LatencyMs: number;
  stability: number;
  meanReward: number;
}

export interface SeedTournamentOptions {
  seeds: number;
  steps: number;
  /** 'random' (the original's setup): each reset draws the scenario. */
  scenario: SeedScenarioName | 'random';
  /** Seeds are firstSeed, firstSeed+1, ...; default 0. */
  firstSeed?: number;
  /** Called after each run (one policy, one seed). */
  onRun?: () => void;
}

/** Before the first decision no action is in force; the context shows the smallest one (index [0, 0, 0, 0]). */
const NO_ACTION_YET: Action = decodeAction([0, 0, 0, 0]);

export function runSeedEpisode(env: SeedCompatEnv, policy: Policy, seed: number, steps: number, scenario: SeedScenarioName | 'random'): SeedRunMetrics {
  let { obs } = env.reset({ seed, options: scenario === 'random' ? undefined : { scenario } });
  policy.reset(seed);
  const latenciesMs = new Float64Array(steps);
  const executors = new Float64Array(steps);
  let current = NO_ACTION_YET;
  let violations = 0;
  let costUsd = 0;
  let rewardSum = 0;
  for (let t = 0; t < steps; t++) {
    const action = policy.act(obs, seedPolicyContext(obs, current, env.currentScenario, t));
    const result = env.step(encodeAction(action));
    const latencyMs = result.info.latency as number;
    latenciesMs[t] = latencyMs;
    executors[t] = action.executors;
    if (latencyMs > SEED_SLA_LATENCY_MS) violations++;
    costUsd += result.info.cost as number;
    rewardSum += result.reward;
    obs = result.obs;
    current = action;
  }
  return {
    slaViolationPct: (100 * violations) / steps,
    costUsd,
    p95LatencyMs: percentile(latenciesMs, 95),
    stability: populationStd(executors),
    meanReward: rewardSum / steps,
  };
}

export function runSeedTournament(policies: readonly Policy[], opts: SeedTournamentOptions): SeedTournamentRow[] {
  if (!Number.isInteger(opts.seeds) || opts.seeds < 1) throw new Error(`seed tournament: seeds must be a positive integer, got ${opts.seeds}`);
  if (!Number.isInteger(opts.steps) || opts.steps < 1) throw new Error(`seed tournament: steps must be a positive integer, got ${opts.steps}`);
  // The 1000-step limit never cuts a run short: longer runs get a longer limit.
  const env = new SeedCompatEnv({ maxSteps: Math.max(SEED_MAX_STEPS, opts.steps) });
  const firstSeed = opts.firstSeed ?? 0;
  return policies.map((policy) => {
    const runs: SeedRunMetrics[] = [];
    for (let i = 0; i < opts.seeds; i++) {
      runs.push(runSeedEpisode(env, policy, firstSeed + i, opts.steps, opts.scenario));
      opts.onRun?.();
    }
    const sla = Float64Array.from(runs, (r) => r.slaViolationPct);
    const cost = Float64Array.from(runs, (r) => r.costUsd);
    return {
      policy: policy.id,
      runs: runs.length,
      slaViolationPct: mean(sla),
      slaP5: percentile(sla, 5),
      slaP95: percentile(sla, 95),
      costUsd: mean(cost),
      costP5: percentile(cost, 5),
      costP95: percentile(cost, 95),
      p95LatencyMs: mean(Float64Array.from(runs, (r) => r.p95LatencyMs)),
      stability: mean(Float64Array.from(runs, (r) => r.stability)),
      meanReward: mean(Float64Array.from(runs, (r) => r.meanReward)),
    };
  });
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Population std (numpy's default ddof=0, as the original's `np.std`). */
export function populationStd(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / xs.length);
}

/** Percentile with linear interpolation between order statistics (numpy's default, as `np.percentile`). */
export function percentile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) throw new Error('percentile: empty input');
  const sorted = Float64Array.from(xs).sort();
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
