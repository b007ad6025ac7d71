/**
 * Session 25: how large is the meta-env's reward, and the difference the meta-controller has to resolve, in each mode?
 * Runs SparkIotMetaEnv as configs/meta-td3.json builds it (paired reward, mixed scenarios) for a number of episodes
 * with each of a few constant actions and with uniformly random actions (the same episode seeds for all), and prints
 * per mode: the random actions' reward mean and std, and each constant action's mean reward against the random one.
 * Run: node --import tsx scripts/experiments/meta-reward-by-mode.mts [--episodes 24] [--config configs/meta-td3.json]
 *      [--switch-prob 0.15] [--episode-meta-steps 30] [--only-mode normal: one mode for whole episodes]
 */
import './stdout-pipe.ts';
import { readFileSync } from 'node:fs';
import { SparkIotMetaEnv, type MetaStepInfo } from '../../src/meta/meta-env.ts';
import { Rng } from '../../src/core/rng.ts';
import { flag } from './flag.ts';

const episodes = Number(flag('--episodes', '24'));
const cfg = JSON.parse(readFileSync(flag('--config', 'configs/meta-td3.json'), 'utf8')) as { envOptions: Record<string, unknown> };
// Optional overrides of the training world's phase lengths (session 25: are short phases what keeps the cost corner out?).
const overrides: Record<string, unknown> = {};
if (process.argv.includes('--switch-prob')) overrides['modeSwitchProb'] = Number(flag('--switch-prob', ''));
if (process.argv.includes('--episode-meta-steps')) overrides['episodeMetaSteps'] = Number(flag('--episode-meta-steps', ''));
if (process.argv.includes('--only-mode')) overrides['schedule'] = [{ startStep: 0, mode: flag('--only-mode', 'normal') }];
const env = new SparkIotMetaEnv({ ...cfg.envOptions, ...overrides });
const ACTIONS: Record<string, number[] | null> = { random: null, 'cost (1,.25,0)': [1, 0.25, 0], 'uniform': [0.5, 0.5, 0.5], 'latency (.1,.8,.1)': [0.1, 0.8, 0.1] };
const rows = new Map<string, number[]>();
for (const [name, fixed] of Object.entries(ACTIONS)) {
  const rng = new Rng(7);
  for (let e = 0; e < episodes; e++) {
    env.reset({ seed: 900_000 + e });
    for (;;) {
      const a = fixed ?? [rng.next(), rng.next(), rng.next()];
      const r = env.step(Float32Array.from(a));
      const info = r.info as unknown as MetaStepInfo;
      for (const key of [`${name}|${info.mode}`, `${name}|${info.mode}|${info.scenario}`]) {
        const xs = rows.get(key) ?? [];
        xs.push(r.reward);
        rows.set(key, xs);
      }
      if (r.truncated || r.terminated) break;
    }
  }
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
for (const mode of ['normal', 'budget', 'critical']) {
  for (const sc of ['', '|smart-city', '|healthcare', '|industrial', '|balanced']) {
    const rnd = rows.get(`random|${mode}${sc}`) ?? [];
    if (!rnd.length) continue;
    const parts = Object.keys(ACTIONS).filter((n) => n !== 'random').map((n) => `${n} ${(mean(rows.get(`${n}|${mode}${sc}`) ?? [NaN]) - mean(rnd)).toFixed(4)}`);
    console.log(`${mode}${sc}: n ${rnd.length}, random mean ${mean(rnd).toFixed(4)} std ${std(rnd).toFixed(4)}; minus random: ${parts.join(', ')}`);
  }
}
