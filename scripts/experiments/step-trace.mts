/**
 * Writes a probe trace for the calm-load rule (docs/AGENT.md "Calm load"): a steady per-second feed, Poisson counts
 * around 1,000 msgs/s with a slow daily swing, that jumps to 2.5x with no ramp for 3 minutes every 10-30 minutes.
 * Calm for minutes, then a step that nothing in the arrivals announces: the case the rule's bet loses. Not a real
 * trace; a worst case made on purpose. Six hours, seeded.
 * Run: node --import tsx scripts/experiments/step-trace.mts [--out /tmp/steps.csv] [--seed 7]
 */
import './stdout-pipe.ts';
import { writeFileSync } from 'node:fs';
import { Rng } from '../../src/core/rng.ts';
import { flag } from './flag.ts';

const out = flag('--out', '/tmp/steps.csv');
const rng = new Rng(Number(flag('--seed', '7')));
const rows = ['t,rate'];
let nextStepS = rng.uniform(600, 1800);
let stepEndS = -1;
for (let t = 0; t < 6 * 3600; t++) {
  if (stepEndS < 0 && t >= nextStepS) stepEndS = t + 180;
  if (stepEndS >= 0 && t >= stepEndS) {
    stepEndS = -1;
    nextStepS = t + rng.uniform(600, 1800);
  }
  const baseMsgsPerS = 1000 * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 86_400));
  rows.push(`${t},${rng.poisson(baseMsgsPerS * (stepEndS >= 0 ? 2.5 : 1))}`);
}
writeFileSync(out, `${rows.join('\n')}\n`);
process.stdout.write(`wrote ${out}: ${rows.length - 1} s\n`);
