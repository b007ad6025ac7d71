/**
 * `npm run bench:rl [-- --json] [-- --only ppo|td3] [-- --seeds N]`: the RL engine's correctness benchmark
 * against the rl-baselines3-zoo anchors (anchors.md §5.1):
 *  - PPO on CartPole-v1 with configs/ppo-cartpole.json, 5 seeds, pass: deterministic eval >= 475 in >= 4 of 5;
 *  - TD3 on Pendulum-v1 with configs/td3-pendulum.json, 3 seeds, pass: deterministic eval >= -200 in >= 2 of 3.
 * "eval" is the final model's mean return over 20 deterministic episodes on a separate env; the best
 * periodic evaluation is shown for information.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseTrainConfig, runTraining } from '../rl/trainer.ts';
import type { Algo, TrainSummary } from '../rl/trainer.ts';
import { defaultKernel } from '../rl/wasm/kernels.ts';
import { TD3_DEFAULTS } from '../rl/td3/config.ts';
import { exitWithUsage, parseBenchArgs } from './bench-args.ts';

interface Suite {
  algo: Algo;
  configPath: string;
  seeds: number;
  bar: number;
  needed: number;
  anchor: string;
}

const SUITES: Suite[] = [
  { algo: 'ppo', configPath: 'configs/ppo-cartpole.json', seeds: 5, bar: 475, needed: 4, anchor: 'zoo PPO CartPole-v1: 500.0 ± 0.0 at 100k' },
  { algo: 'td3', configPath: 'configs/td3-pendulum.json', seeds: 3, bar: -200, needed: 2, anchor: 'zoo TD3 Pendulum-v1: -151.9 ± 90.2 at 20k' },
];

const USAGE = `npm run bench:rl -- [options]   (PPO CartPole-v1 and TD3 Pendulum-v1 against the rl-baselines3-zoo anchors)
  --only ppo|td3   run one suite
  --seeds N        seeds per suite (default 5 for PPO, 3 for TD3)
  --json           print one JSON summary as the last stdout line`;
const args = parseBenchArgs('bench:rl', USAGE, { json: { type: 'boolean', default: false }, only: { type: 'string' }, seeds: { type: 'string' } });
const json = args.json === true;
const only = args.only;
if (only !== undefined && only !== 'ppo' && only !== 'td3') exitWithUsage('bench:rl', USAGE, `--only must be ppo or td3, got '${only}'`);
const seedsOverride = args.seeds === undefined ? undefined : Number(args.seeds);
if (seedsOverride !== undefined && !(Number.isInteger(seedsOverride) && seedsOverride >= 1)) exitWithUsage('bench:rl', USAGE, `--seeds must be a positive integer, got '${args.seeds}'`);

const log = (s: string): void => void process.stderr.write(`${s}\n`);
const results: Record<string, unknown>[] = [];
let allPass = true;
log(`bench:rl  kernel=${defaultKernel()}  load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const suite of SUITES) {
  if (only && only !== suite.algo) continue;
  const cfg = parseTrainConfig(JSON.parse(readFileSync(suite.configPath, 'utf8')), suite.configPath);
  const nSeeds = seedsOverride ?? suite.seeds;
  const dtype = suite.algo === 'td3' ? ` dtype ${String(cfg.hyperparameters?.['dtype'] ?? TD3_DEFAULTS.dtype)},` : '';
  log(`\n${suite.algo.toUpperCase()} on ${cfg.env}, ${cfg.timesteps} steps,${dtype} ${nSeeds} seeds (${suite.configPath}); anchor: ${suite.anchor}`);
  log(`seed  final-eval (20 ep)      best periodic  pass   wall s  steps/s`);
  const rows: TrainSummary[] = [];
  let passes = 0;
  for (let seed = 1; seed <= nSeeds; seed++) {
    const r = runTraining({ envId: cfg.env!, algo: suite.algo, timesteps: cfg.timesteps!, seed, hyperparameters: cfg.hyperparameters, evalFreq: cfg.evalFreq, evalEpisodes: cfg.evalEpisodes });
    const pass = r.meanReturn >= suite.bar;
    if (pass) passes++;
    rows.push(r);
    log(`${String(seed).padStart(4)}  ${r.meanReturn.toFixed(1).padStart(8)} ± ${r.stdReturn.toFixed(1).padEnd(8)}   ${(r.bestEvalMeanReturn ?? NaN).toFixed(1).padStart(12)}  ${pass ? 'yes' : 'NO '}  ${r.wallSeconds.toFixed(1).padStart(7)}  ${r.stepsPerSecond.toFixed(0).padStart(7)}`);
  }
  const ok = passes >= Math.min(suite.needed, nSeeds);
  allPass &&= ok;
  log(`${suite.algo.toUpperCase()}: ${passes}/${nSeeds} seeds >= ${suite.bar} (need ${suite.needed} of ${suite.seeds}) -> ${ok ? 'PASS' : 'FAIL'}`);
  results.push({ algo: suite.algo, env: cfg.env, timesteps: cfg.timesteps, bar: suite.bar, passes, seeds: nSeeds, pass: ok, perSeed: rows.map((r) => ({ seed: r.seed, meanReturn: r.meanReturn, stdReturn: r.stdReturn, bestEvalMeanReturn: r.bestEvalMeanReturn, wallSeconds: r.wallSeconds, stepsPerSecond: r.stepsPerSecond })) });
}
if (json) process.stdout.write(`${JSON.stringify({ pass: allPass, kernel: defaultKernel(), loadAverage: loadavg(), suites: results })}\n`);
process.exitCode = allPass ? 0 : 1;
