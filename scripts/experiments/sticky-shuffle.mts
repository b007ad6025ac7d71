/**
 * Does the agent's tier / codec switching do work? `edge-rl` changes its shuffle tier on most control steps
 * (redis <-> s3 in turn: a time share of the two tiers, since one action picks one tier). This runs it behind a
 * hysteresis that applies a new tier or codec only after the agent has asked for the same one on `hold` steps in a row
 * (hold 1 = as shipped), on the tournament's seeds, and prints SLA violation %, cost and the share of steps with a
 * tier change, per scenario. If holding cost nothing, the switching would be noise.
 * Run: node --import tsx scripts/experiments/sticky-shuffle.mts [--policy edge-rl] [--holds 1,3,6,30] [--seeds 20] [--steps 500] [--trace FILE [--trace-step-s S]]
 */
import './stdout-pipe.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import type { Action } from '../../src/core/types.ts';
import type { Policy, PolicyContext } from '../../src/policies/types.ts';
import { loadTraceCsv } from '../../src/workload/trace.ts';
import { scoreOnBenchSeeds } from './bench-score.ts';
import { flag } from './flag.ts';

class StickyShuffle implements Policy {
  readonly id: string;
  readonly clairvoyant?: boolean;
  private pending: { tier: Action['tier']; codec: Action['codec'] } | null = null;
  private streak = 0;
  tierChanges = 0;
  steps = 0;

  constructor(private readonly inner: Policy, private readonly hold: number) {
    this.id = `${inner.id}-hold${hold}`;
    if (inner.clairvoyant) this.clairvoyant = true;
  }

  reset(seed: number): void {
    this.inner.reset(seed);
    this.pending = null;
    this.streak = 0;
  }

  act(obs: Float32Array, ctx: PolicyContext): Action {
    const want = this.inner.act(obs, ctx);
    const cur = ctx.currentAction;
    let out = want;
    if (want.tier !== cur.tier || want.codec !== cur.codec) {
      const same = this.pending !== null && this.pending.tier === want.tier && this.pending.codec === want.codec;
      this.streak = same ? this.streak + 1 : 1;
      this.pending = { tier: want.tier, codec: want.codec };
      if (this.streak < this.hold) out = { ...want, tier: cur.tier, codec: cur.codec };
      else this.pending = null;
    } else {
      this.pending = null;
      this.streak = 0;
    }
    this.steps++;
    if (out.tier !== cur.tier) this.tierChanges++;
    return out;
  }
}

const policyId = flag('--policy', 'edge-rl');
const holds = flag('--holds', '1,3,6,30').split(',').map(Number);
const seeds = Number(flag('--seeds', '20'));
const steps = Number(flag('--steps', '500'));
const tracePath = flag('--trace', '');
const trace = tracePath ? loadTraceCsv(tracePath, { traceStepS: Number(flag('--trace-step-s', '1')) }) : undefined;
console.log(`${policyId} behind a tier/codec hysteresis, ${seeds} seeds x ${steps} steps${tracePath ? `, trace ${tracePath}` : ''}`);
console.log('scenario    hold  SLA viol %  cost USD  tier changed on');
for (const scenario of SCENARIOS) {
  for (const hold of holds) {
    let wrapper: StickyShuffle | null = null;
    const r = scoreOnBenchSeeds(() => (wrapper = new StickyShuffle(createPolicy(policyId), hold)), scenario, seeds, steps, trace);
    const w = wrapper as unknown as StickyShuffle;
    console.log(`${scenario.padEnd(12)}${String(hold).padStart(4)}${r.violationPct.toFixed(2).padStart(12)}${r.costUsd.toFixed(3).padStart(10)}${((100 * w.tierChanges) / w.steps).toFixed(1).padStart(11)} % of steps`);
  }
}
