/**
 * Writes five load shapes as rate traces, a robustness probe for `bench --trace` beyond the synthetic scenarios and
 * the two real traces: flat, a two-hour sine, a 30-minute sawtooth ramp, a 5-minute on/off square wave and
 * heavy-tailed spikes (Pareto magnitudes, 20-120 s long) on a noisy floor. Not real traces: shapes the agent never
 * trained on, for failure modes (docs/BENCHMARKS.md "Load shapes"). Per-second `t,rate`, 20,000 s each, seeded.
 * Run: node --import tsx scripts/experiments/shape-traces.mts [--out /tmp/shapes] [--seed 5]
 * Then: bash scripts/experiments/bench-shapes.sh /tmp/shapes
 */
import './stdout-pipe.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.ts';
import { flag } from './flag.ts';

const out = flag('--out', '/tmp/shapes');
const rng = new Rng(Number(flag('--seed', '5')));
const LENGTH_S = 20_000;

const spikes = Float64Array.from({ length: LENGTH_S }, () => 300 * Math.exp(rng.normal(0, 0.3)));
for (let k = 0; k < 40; k++) {
  const start = rng.int(LENGTH_S - 120);
  // Pareto(1.5) magnitude x3: most spikes double or triple the load, a few are far larger.
  const magnitude = 3 * Math.pow(1 - rng.next(), -1 / 1.5);
  for (let d = 0, n = 20 + rng.int(101); d < n; d++) spikes[start + d]! *= magnitude;
}

const shapes: Record<string, (t: number) => number> = {
  flat: () => 1000,
  diurnal: (t) => 1000 * (1 + 0.6 * Math.sin((2 * Math.PI * t) / 7200)),
  sawtooth: (t) => 200 + 800 * ((t % 1800) / 1800),
  onoff: (t) => (Math.floor(t / 300) % 2 === 0 ? 1000 : 50),
  spikes: (t) => spikes[t]!,
};

mkdirSync(out, { recursive: true });
for (const [name, rate] of Object.entries(shapes)) {
  const rows = ['t,rate'];
  for (let t = 0; t < LENGTH_S; t++) rows.push(`${t},${Math.max(0, rate(t)).toFixed(3)}`);
  writeFileSync(join(out, `${name}.csv`), `${rows.join('\n')}\n`);
}
process.stdout.write(`wrote ${Object.keys(shapes).map((s) => join(out, `${s}.csv`)).join(', ')}\n`);
