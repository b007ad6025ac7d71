/**
 * Session 32 (docs/AGENT.md "Undecided shuffle heads"): how decided is the lower-level PPO on each of its four action
 * heads, and what does its shuffle choice cost? For `edge-rl` (the meta-controller and SLO guard as shipped) over each
 * lower-level checkpoint given, per world and scenario, means over the seeds: SLA violation %, cost USD per run and the
 * shuffle's part of it (storage, requests, re-reads), tier switches per 100 steps, and the median over the visited
 * states of the PPO's top-choice probability on the executor, memory, tier and codec heads (1 = decided).
 * Worlds: the synthetic scenarios, plus `--traces` files given as NAME=PATH[@STEP_S] (comma-separated).
 * `--metas` gives each checkpoint its meta-controller (same order; default the shipped models/meta-td3.json for all).
 * Run: node --import tsx scripts/experiments/shuffle-heads.mts [--checkpoints models/edge-rl-ppo.json,OTHER.json]
 *      [--metas models/meta-td3.json,OTHER-META.json] [--seeds 8] [--seed-base 30000] [--scenarios smart-city,...]
 *      [--traces twitter=PATH@60]
 */
import './stdout-pipe.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { SLO_GUARD_DEFAULTS } from '../../src/meta/slo-guard.ts';
import { ActorCriticPolicy } from '../../src/rl/ppo/policy.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { flag } from './flag.ts';
import { ShuffleCostMeter } from './shuffle-meter.ts';
import { worldFlags } from './world-flags.ts';

const checkpoints = flag('--checkpoints', 'models/edge-rl-ppo.json').split(',');
const metaArg = flag('--metas', '');
const metas = metaArg === '' ? checkpoints.map(() => 'models/meta-td3.json') : metaArg.split(',');
if (metas.length !== checkpoints.length) throw new Error(`--metas: ${metas.length} given for ${checkpoints.length} checkpoints; give one per checkpoint`);
const { seeds, seedBase, scenarios, worlds } = worldFlags();

// The PPO's top-choice probability per head, read beside each prediction (the policy itself is unchanged: the
// recorder calls the original predict and only reads the actor's logits for the same observation).
let heads: number[][] = [];
const predict = ActorCriticPolicy.prototype.predict;
ActorCriticPolicy.prototype.predict = function (this: ActorCriticPolicy, obs, opts) {
  const space = this.actionSpace;
  if (space.kind === 'multi-discrete') {
    const logits = (this as unknown as { actor: { forward(x: ArrayLike<number>, n: number): Float64Array } }).actor.forward(this.normalize(obs, 1), 1);
    const top: number[] = [];
    let offset = 0;
    for (const n of space.nvec) {
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, logits[offset + i]!);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.exp(logits[offset + i]! - max);
      top.push(1 / sum);
      offset += n;
    }
    heads.push(top);
  }
  return predict.call(this, obs, opts);
};

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[(s.length - 1) >> 1]!;
};

process.stdout.write(`edge-rl over each lower-level checkpoint; seeds ${seedBase}..${seedBase + seeds - 1}, 500 steps; means per run\n`);
process.stdout.write('world | scenario | checkpoint | SLA viol % | cost USD | shuffle USD | tier switches /100 steps | median top-choice probability: executors memory tier codec\n');
for (const w of worlds) {
  for (const scenario of scenarios) {
    for (const [c, checkpoint] of checkpoints.entries()) {
      heads = [];
      let violated = 0, steps = 0, costUsd = 0, switches = 0, shuffleUsd = 0;
      for (let i = 0; i < seeds; i++) {
        const env = new SparkIotEnv({ scenario, maxSteps: 500, ...(w.trace ? { trace: w.trace } : {}) });
        const meter = new ShuffleCostMeter(env);
        const policy = new HierarchicalPolicy({ id: 'edge-rl', sloGuard: SLO_GUARD_DEFAULTS, lowerCheckpointPath: checkpoint, metaCheckpointPath: metas[c]! });
        const records = runEpisode(env, policy, 'edge-rl', seedBase + i, 500);
        shuffleUsd += meter.usd;
        records.forEach((r, k) => {
          steps++;
          violated += r.slaViolated ? 1 : 0;
          costUsd += r.costUsd;
          if (k > 0 && r.requestedTier !== records[k - 1]!.requestedTier) switches++;
        });
      }
      const tops = [0, 1, 2, 3].map((h) => median(heads.map((t) => t[h]!)).toFixed(2)).join(' ');
      process.stdout.write(
        `${w.name} | ${scenario} | ${metaArg === '' ? checkpoint : `${checkpoint} under ${metas[c]}`} | ${((100 * violated) / steps).toFixed(2)} | ${(costUsd / seeds).toFixed(3)} | ${(shuffleUsd / seeds).toFixed(3)} | ${((100 * switches) / steps).toFixed(1)} | ${tops}\n`,
      );
    }
  }
}
