/**
 * Experiment (session 13): state-dependent headroom below the meta-controller, without retraining anything. The
 * shipped `edge-rl` runs unchanged, and its executor count is then held at the max of its last `--long-s` seconds of
 * decisions whenever the arrivals looked on/off over the last 5 min (the meta observation's off share,
 * src/meta/meta-observation.ts: the share of the last 30 steps under a quarter of their max, at least `--off`);
 * otherwise the shipped 25 s hold applies as before. Development worlds as scripts/experiments/edge-rl-dev.mts
 * (synthetic, the Azure event log, Twitter; seeds 30000..). Prints violations, cost USD and the normal-mode J.
 * Run: node --import tsx scripts/experiments/adaptive-hold.mts [--long-s 300] [--off 0.3] [--seeds 8]
 */
import './stdout-pipe.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import { ScaleDownHold } from '../../src/policies/scale-down-hold.ts';
import { VOLATILITY_HISTORY_STEPS } from '../../src/meta/meta-observation.ts';
import type { Policy, PolicyContext } from '../../src/policies/types.ts';
import type { Action } from '../../src/core/types.ts';
import { DEV_STEPS, printDevTable } from './dev-worlds.ts';
import { flag } from './flag.ts';

const longS = Number(flag('--long-s', '300'));
const offShare = Number(flag('--off', '0.3'));
const seeds = Number(flag('--seeds', '8'));
const seedBase = Number(flag('--seed-base', '30000'));

/** `inner`, with a long scale-down hold while the recent arrivals are on/off. */
class AdaptiveHold implements Policy {
  readonly id = 'edge-rl';
  private arrivals: number[] = [];
  private readonly hold = new ScaleDownHold(longS);
  constructor(private readonly inner: Policy) {}
  reset(seed: number): void {
    this.inner.reset(seed);
    this.arrivals = [];
    this.hold.reset();
  }
  act(obs: Float32Array, ctx: PolicyContext): Action {
    const a = this.inner.act(obs, ctx);
    this.arrivals.push(ctx.snapshot.arrivalRateMsgsPerS);
    if (this.arrivals.length > VOLATILITY_HISTORY_STEPS) this.arrivals.shift();
    const peak = Math.max(...this.arrivals);
    const off = peak > 0 ? this.arrivals.filter((x) => x < 0.25 * peak).length / this.arrivals.length : 0;
    // The long hold always sees the decisions, so it holds from the moment the load turns on/off.
    const held = this.hold.apply(a.executors, ctx.controlIntervalS);
    return off >= offShare ? { ...a, executors: held } : a;
  }
}

process.stdout.write(`edge-rl with a ${longS} s hold when the off share >= ${offShare}, seeds ${seedBase}..${seedBase + seeds - 1}, ${DEV_STEPS} steps: violations, cost USD, normal-mode J\n`);
printDevTable(() => new AdaptiveHold(createPolicy('edge-rl')), 'edge-rl', seeds, seedBase);
