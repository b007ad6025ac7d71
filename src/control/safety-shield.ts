/**
 * The SafetyShield: the last gate between any policy and the world. Pure: (proposed, current, limits, spend)
 * -> (action, reasons). It never throws on a bad proposal (a policy bug must not stop the controller): a field it
 * cannot use is replaced by the current one and the reason is recorded.
 *
 * Rules, in order (docs/CONTROLLER.md):
 *   1. sanity: executors / memory must be finite; memory is rounded and clamped to [1, MAX_MEMORY_GB]; an unknown
 *      tier or codec keeps the current one;
 *   2. executor bounds: clamp to [minExecutors, maxExecutors];
 *   3. rate of change: at most maxExecutorStepPerInterval executors added or removed per interval;
 *   4. budget: if the action scales up (more executors or more memory per executor) and the projected spend
 *      (spent so far + the new configuration billed over the projection horizon) exceeds budgetUsd, the scale-up
 *      is refused (executors and memory stay as they are). Scale-downs and tier/codec changes always pass: the
 *      shield never forces a scale-down, because starving the job to save money is the policy's trade-off.
 *   The executor floor (rule 2) wins over the budget: a world below minExecutors is brought up to it.
 */
import { MAX_EXECUTORS, MAX_MEMORY_GB } from '../core/action.ts';
import { CODECS, TIERS, type Action, type Codec, type Tier } from '../core/types.ts';
import type { SafetyLimits } from './types.ts';

/** What the budget rule needs to know about money. */
export interface SpendState {
  /** USD billed so far in this run. */
  spentUsd: number;
  /** Billed rate of one executor with `memoryGb` of memory, USD per second (src/cluster/memory.ts executorUsdPerS). */
  executorUsdPerS: (memoryGb: number) => number;
  /** How far ahead the proposed configuration is billed for the projection (s); usually one control interval. */
  horizonS: number;
}

export interface ShieldResult {
  action: Action;
  /** Why the shield changed something; empty when the proposal passed unchanged. */
  reasons: string[];
  /** Projected spend of the returned action (USD), when a SpendState was given. */
  projectedSpendUsd?: number;
}

/** Checks SafetyLimits themselves (once, at construction of whatever uses them). */
export function validateLimits(limits: SafetyLimits, where = 'SafetyLimits'): SafetyLimits {
  const { minExecutors, maxExecutors, maxExecutorStepPerInterval, budgetUsd } = limits;
  if (!Number.isInteger(minExecutors) || minExecutors < 1 || minExecutors > MAX_EXECUTORS) {
    throw new Error(`${where}: minExecutors must be an integer in [1, ${MAX_EXECUTORS}], got ${minExecutors}`);
  }
  if (!Number.isInteger(maxExecutors) || maxExecutors < minExecutors || maxExecutors > MAX_EXECUTORS) {
    throw new Error(`${where}: maxExecutors must be an integer in [minExecutors=${minExecutors}, ${MAX_EXECUTORS}], got ${maxExecutors}`);
  }
  if (!Number.isInteger(maxExecutorStepPerInterval) || maxExecutorStepPerInterval < 1) {
    throw new Error(`${where}: maxExecutorStepPerInterval must be an integer >= 1, got ${maxExecutorStepPerInterval}`);
  }
  if (typeof budgetUsd !== 'number' || Number.isNaN(budgetUsd) || budgetUsd <= 0) {
    throw new Error(`${where}: budgetUsd must be a number > 0 (Infinity = no cap), got ${budgetUsd}`);
  }
  return limits;
}

/**
 * Defaults: the whole action space, and a step of 4 executors per interval. [assumed] 4 per 10 s interval is of
 * the order of the Kubernetes HPA default scale-up policy (max(4 pods, 100 %) per 15 s; anchors.md 1.1), so a shielded
 * policy can still follow a burst but cannot thrash the cluster from 1 to 20 in one tick.
 */
export const DEFAULT_SAFETY_LIMITS: SafetyLimits = {
  minExecutors: 1,
  maxExecutors: MAX_EXECUTORS,
  maxExecutorStepPerInterval: 4,
  budgetUsd: Infinity,
};

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** Projected spend (USD) of running `action` for spend.horizonS after what was already spent. */
export function projectedSpendUsd(action: Action, spend: SpendState): number {
  return spend.spentUsd + action.executors * spend.executorUsdPerS(action.memoryGb) * spend.horizonS;
}

export function shieldAction(proposed: Action, current: Action, limits: SafetyLimits, spend?: SpendState): ShieldResult {
  const reasons: string[] = [];
  const p = (proposed ?? {}) as Partial<Action>;

  // 1. sanity
  let executors: number;
  if (typeof p.executors !== 'number' || !Number.isFinite(p.executors)) {
    executors = current.executors;
    reasons.push(`invalid executors ${String(p.executors)}: kept ${current.executors}`);
  } else {
    executors = Math.round(p.executors);
    if (executors !== p.executors) reasons.push(`executors ${p.executors} rounded to ${executors}`);
  }
  let memoryGb: number;
  if (typeof p.memoryGb !== 'number' || !Number.isFinite(p.memoryGb)) {
    memoryGb = current.memoryGb;
    reasons.push(`invalid memoryGb ${String(p.memoryGb)}: kept ${current.memoryGb}`);
  } else {
    memoryGb = clamp(Math.round(p.memoryGb), 1, MAX_MEMORY_GB);
    if (memoryGb !== p.memoryGb) reasons.push(`memoryGb ${p.memoryGb} clamped to ${memoryGb}`);
  }
  let tier: Tier = p.tier as Tier;
  if (!TIERS.includes(tier)) {
    reasons.push(`invalid tier ${JSON.stringify(p.tier)}: kept ${current.tier}`);
    tier = current.tier;
  }
  let codec: Codec = p.codec as Codec;
  if (!CODECS.includes(codec)) {
    reasons.push(`invalid codec ${JSON.stringify(p.codec)}: kept ${current.codec}`);
    codec = current.codec;
  }

  // 2. executor bounds
  const bounded = clamp(executors, limits.minExecutors, limits.maxExecutors);
  if (bounded !== executors) reasons.push(`executors ${executors} outside [${limits.minExecutors}, ${limits.maxExecutors}]: clamped to ${bounded}`);
  executors = bounded;

  // 3. rate of change (relative to what is in force; the floor/ceiling still win if current is outside them)
  const step = limits.maxExecutorStepPerInterval;
  const limited = clamp(clamp(executors, current.executors - step, current.executors + step), limits.minExecutors, limits.maxExecutors);
  if (limited !== executors) reasons.push(`executor change ${current.executors} -> ${executors} exceeds ${step} per interval: limited to ${limited}`);
  executors = limited;

  // 4. budget
  let action: Action = { executors, memoryGb, tier, codec };
  let projected: number | undefined;
  if (spend) {
    projected = projectedSpendUsd(action, spend);
    const scalesUp = executors > current.executors || memoryGb > current.memoryGb;
    if (scalesUp && projected > limits.budgetUsd) {
      const keptExecutors = clamp(Math.min(executors, current.executors), limits.minExecutors, limits.maxExecutors);
      const keptMemory = Math.min(memoryGb, current.memoryGb);
      reasons.push(
        `budget: projected spend ${projected.toFixed(4)} USD > budget ${limits.budgetUsd} USD: scale-up refused ` +
          `(executors ${executors} -> ${keptExecutors}, memoryGb ${memoryGb} -> ${keptMemory})`,
      );
      action = { executors: keptExecutors, memoryGb: keptMemory, tier, codec };
      projected = projectedSpendUsd(action, spend);
    }
  }
  return projected === undefined ? { action, reasons } : { action, reasons, projectedSpendUsd: projected };
}

/** Stateful wrapper: counts interventions by rule, for /metrics. */
export class SafetyShield {
  readonly limits: SafetyLimits;
  interventions = 0;
  readonly interventionsByRule: Record<ShieldRule, number> = { sanity: 0, bounds: 0, rate: 0, budget: 0 };

  constructor(limits: Partial<SafetyLimits> = {}) {
    this.limits = validateLimits({ ...DEFAULT_SAFETY_LIMITS, ...limits });
  }

  apply(proposed: Action, current: Action, spend?: SpendState): ShieldResult {
    const result = shieldAction(proposed, current, this.limits, spend);
    if (result.reasons.length > 0) {
      this.interventions++;
      for (const r of new Set(result.reasons.map(ruleOf))) this.interventionsByRule[r]++;
    }
    return result;
  }
}

export const SHIELD_RULES = ['sanity', 'bounds', 'rate', 'budget'] as const;
export type ShieldRule = (typeof SHIELD_RULES)[number];

/**
 * Which rule produced a reason string, by the rule-specific start of the reasons above. By the start only: a sanity
 * reason quotes the policy's own garbage (`invalid tier "... per interval"`), which must not count for another rule.
 */
export function ruleOf(reason: string): ShieldRule {
  if (reason.startsWith('budget:')) return 'budget';
  if (reason.startsWith('executor change ')) return 'rate';
  if (/^executors \S+ outside \[/.test(reason)) return 'bounds';
  return 'sanity';
}
