/**
 * Can the meta-controller's training objective tell trained seeds apart? Each TD3 checkpoint given is evaluated on
 * the same N episodes of its training distribution (SparkIotMeta, 'mixed', over the shipped PPO; reset seeds
 * 7 000 000 + k, never used by training or the tournament), deterministic, undiscounted return, paired with the
 * first checkpoint. docs/META.md "An ensemble of seeds".
 * Run: node --import tsx scripts/experiments/meta-validate-seeds.mts --metas models/meta-td3.json,X.json[,...] [--episodes 200]
 */
import './stdout-pipe.ts';
import '../../src/meta/register.ts';
import { makeEnv } from '../../src/env/registry.ts';
import { loadModel } from '../../src/rl/model.ts';
import { evaluatePolicy } from '../../src/rl/evaluate.ts';
import { pairedDifference } from '../../src/bench/stats.ts';
import { DEFAULT_LOWER_CHECKPOINT } from '../../src/meta/meta-env.ts';
import { flag } from './flag.ts';

const metas = flag('--metas', 'models/meta-td3.json').split(',');
const episodes = Number(flag('--episodes', '200'));
if (!(Number.isInteger(episodes) && episodes >= 2)) throw new Error(`--episodes must be an integer >= 2, got ${episodes}`);
const VALIDATION_SEED = 7_000_000;
const returns = metas.map((meta) => {
  const env = makeEnv('SparkIotMeta', { scenario: 'mixed', lowerCheckpoint: DEFAULT_LOWER_CHECKPOINT });
  const model = loadModel(meta);
  return evaluatePolicy(env, (obs) => model.predict(obs), episodes, VALIDATION_SEED).returns;
});
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(`SparkIotMeta (mixed), ${episodes} paired episodes from reset seed ${VALIDATION_SEED}: mean return, and the paired difference to ${metas[0]}\n`);
metas.forEach((meta, k) => {
  const d = pairedDifference(returns[k]!, returns[0]!);
  process.stdout.write(`${meta}: ${mean(returns[k]!).toFixed(3)}${k === 0 ? '' : `, minus the first ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} ± ${d.ci95.toFixed(3)}`}\n`);
});
