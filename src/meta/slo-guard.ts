/**
 * The SLO guard of the hierarchical policy (docs/META.md "The SLO guard"): a rule on top of the meta-controller's
 * weights. While the current mode phase has missed its SLA cap with evidence (the Wilson lower bound of its
 * violation rate, one-sided 95 %, is above the mode's maxSlaViolationRate after at least `minSteps` steps), the PPO
 * is given the critical mode's default weights instead of the meta-controller's: "we are breaking the SLO, act as in an
 * incident". It releases as soon as the evidence does. Why a rule: the TD3 meta-controller never met sustained
 * violations in training (its synthetic worlds stay within the 1 % SLO), and on on/off load it keeps cost-heavy
 * weights although its observation shows the violation rate (docs/META.md, session 12's weights-on-trace table).
 */
import type { SimConfig } from '../core/config.ts';
import type { Weights } from '../core/types.ts';
import type { ModeName } from './modes.ts';

export interface SloGuardSettings {
  /** Phase steps before the guard may act (a few violations at a phase start are no evidence). */
  minSteps: number;
  /** z of the one-sided Wilson lower bound (1.645: 95 %). */
  z: number;
  /**
   * The evidence is the phase's last `windowSteps` steps at most, so that a controller that runs in one mode for days
   * (the live system) reacts to the last hour, not to its lifetime average.
   */
  windowSteps: number;
}

/**
 * minSteps and z were chosen before any run on a trace: 5 min of steps (the meta observation's volatility window),
 * one-sided 95 %. windowSteps (session 20, after the runs): 500 steps, 83 min at the default 10 s interval, an
 * hour-scale window like the long window of the SRE workbook's multiwindow burn-rate alerts (1 h; Beyer et al., "The
 * Site Reliability Workbook", ch. 5); as long as the tournament's runs, so every tournament phase is seen whole.
 */
export const SLO_GUARD_DEFAULTS: SloGuardSettings = { minSteps: 30, z: 1.645, windowSteps: 500 };

/** The violation flags of the current mode phase's last `maxSteps` steps (a ring). */
export class SloWindow {
  private readonly flags: Uint8Array;
  private head = 0;
  private size = 0;
  private violated = 0;
  private phaseMode: string | null = null;

  constructor(readonly maxSteps: number) {
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new Error(`SloWindow: maxSteps must be a positive integer, got ${maxSteps}`);
    this.flags = new Uint8Array(maxSteps);
  }

  reset(): void {
    this.head = this.size = this.violated = 0;
    this.phaseMode = null;
  }

  /** One step that ran in `mode`; a new mode starts a new phase (the window empties). */
  push(mode: string, violated: boolean): void {
    if (mode !== this.phaseMode) {
      this.reset();
      this.phaseMode = mode;
    }
    if (this.size === this.maxSteps) this.violated -= this.flags[this.head]!;
    else this.size++;
    this.flags[this.head] = violated ? 1 : 0;
    this.violated += violated ? 1 : 0;
    this.head = (this.head + 1) % this.maxSteps;
  }

  get mode(): string | null {
    return this.phaseMode;
  }

  get steps(): number {
    return this.size;
  }

  get violatedSteps(): number {
    return this.violated;
  }
}

/** Wilson score lower bound of a binomial rate: k successes of n trials, at `z`. */
export function wilsonLowerBound(k: number, n: number, z: number): number {
  if (!(Number.isInteger(k) && Number.isInteger(n) && n > 0 && k >= 0 && k <= n)) throw new Error(`wilsonLowerBound: need integers 0 <= k <= n, n > 0; got k=${k}, n=${n}`);
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** True when the phase's violations are, with evidence, above the mode's cap (a cap of 1 never binds). */
export function sloBreached(mode: SimConfig['modes'][ModeName], violatedSteps: number, steps: number, s: SloGuardSettings): boolean {
  if (mode.maxSlaViolationRate >= 1 || steps < s.minSteps) return false;
  return wilsonLowerBound(violatedSteps, steps, s.z) > mode.maxSlaViolationRate;
}

/** The weights the guard puts in force: the critical mode's defaults (src/core/config.ts `modes.critical`). */
export function guardWeights(modes: SimConfig['modes']): Weights {
  return { ...modes.critical.defaultWeights };
}
