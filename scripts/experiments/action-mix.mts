/**
 * Where does a policy's cost go? Per policy, over the bench's paired seeds: mean executors (running + starting), mean
 * memory per executor, cost and SLA violations per run (and the shuffle's part of the cost: storage, requests and
 * re-reads), and the most used shuffle tier/codec pairs. A policy is a
 * registry id or `oracle:<capacity margin>:<latency share>` (a clairvoyant setting of `bench --oracle-sweep`, src/bench/oracle-sweep.ts),
 * either followed by `+<tier>/<codec>` to keep its scaling and fix its shuffle pair (src/policies/shuffle-override.ts).
 * docs/BENCHMARKS.md "How far foresight gets: the oracle frontier".
 * Run: node --import tsx scripts/experiments/action-mix.mts [--scenario healthcare] [--seeds 10] [--policies edge-rl,oracle,oracle:1.4:0.75]
 */
import './stdout-pipe.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { OraclePolicy } from '../../src/policies/oracle.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import type { Policy } from '../../src/policies/types.ts';
import { runEpisode, seedFor } from '../../src/bench/tournament.ts';
import { ShuffleOverridePolicy, fixedShuffleChooser } from '../../src/policies/shuffle-override.ts';
import { CODECS, TIERS, type Codec, type Tier } from '../../src/core/types.ts';
import { flag } from './flag.ts';
import { ShuffleCostMeter } from './shuffle-meter.ts';

const scenario = flag('--scenario', 'healthcare') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario: unknown scenario '${scenario}' (known: ${SCENARIOS.join(', ')})`);
const seeds = Number(flag('--seeds', '10'));
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be a positive integer, got ${seeds}`);
const ids = flag('--policies', 'edge-rl,oracle,oracle:1.4:0.75').split(',');
const STEPS = 500;

function make(id: string): Policy {
  const o = /^(.+)\+([a-z0-9]+)\/([a-z0-9]+)$/.exec(id);
  if (o) {
    if (!TIERS.includes(o[2] as Tier) || !CODECS.includes(o[3] as Codec)) throw new Error(`--policies: '${id}' needs a tier (${TIERS.join(', ')}) and a codec (${CODECS.join(', ')})`);
    return new ShuffleOverridePolicy(make(o[1]!), fixedShuffleChooser(o[2] as Tier, o[3] as Codec), id);
  }
  const m = /^oracle:([0-9.]+):([0-9.]+)$/.exec(id);
  if (!m) return createPolicy(id);
  const capacityMargin = Number(m[1]);
  const latencyShareOfSla = Number(m[2]);
  if (!(capacityMargin >= 1 && latencyShareOfSla > 0 && latencyShareOfSla <= 1)) throw new Error(`--policies: '${id}' needs a margin >= 1 and a latency share in (0, 1]`);
  return new OraclePolicy({ capacityMargin, latencyShareOfSla });
}

const env = new SparkIotEnv({ scenario, maxSteps: STEPS, exposeFuture: true });
const shuffleMeter = new ShuffleCostMeter(env);
process.stdout.write(`${scenario}, ${seeds} bench seeds x ${STEPS} steps: per policy mean executors, memory GB, cost USD per run (the shuffle's part), SLA violation %, top tier/codec pairs (share of steps)\n`);
for (const id of ids) {
  const policy = make(id);
  let steps = 0, executors = 0, memoryGb = 0, costUsd = 0, violated = 0;
  shuffleMeter.reset();
  const pairs = new Map<string, number>();
  for (let i = 0; i < seeds; i++) {
    for (const r of runEpisode(env, policy, id, seedFor(i), STEPS)) {
      steps++;
      executors += r.executorsRunning + r.executorsStarting;
      memoryGb += r.memoryGb;
      costUsd += r.costUsd;
      violated += r.slaViolated ? 1 : 0;
      const pair = `${r.tier}/${r.codec}`;
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    }
  }
  const top = [...pairs].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${((100 * v) / steps).toFixed(0)} %`).join(', ');
  process.stdout.write(`${id}: executors ${(executors / steps).toFixed(2)}, memory ${(memoryGb / steps).toFixed(2)} GB, cost ${(costUsd / seeds).toFixed(3)} USD (shuffle ${(shuffleMeter.usd / seeds).toFixed(3)}), violations ${((100 * violated) / steps).toFixed(2)} %; ${top}\n`);
}
