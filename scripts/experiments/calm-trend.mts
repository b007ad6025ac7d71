/**
 * Session 31 (docs/STATUS.md "Next" (h)): does sizing a calm window along its trend (CalmSettings.trendAhead) stop
 * the slow-ramp violations of the load-shape probe, and what does it do elsewhere? For each world and scenario, on
 * development worlds (default 30000+, never the tournament's 10000+), 500 steps: `forecast-sizing` and `edge-rl` as
 * shipped and over the trend-aware calm sizing, SLA violation % and cost per run (means over the seeds).
 * Worlds: the synthetic scenarios, `--trace` files given as NAME=PATH[@STEP_S] (comma-separated).
 * Run: node --import tsx scripts/experiments/calm-trend.mts [--seeds 8] [--seed-base 30000]
 *      [--traces twitter=../shared/traces/twitter-stream-2021/rate_60s.csv@60,sawtooth=runs/s31/shapes/sawtooth.csv]
 *      [--scenarios smart-city,healthcare,industrial,balanced]
 */
import './stdout-pipe.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { SLO_GUARD_DEFAULTS } from '../../src/meta/slo-guard.ts';
import { FORECAST_SIZING_CALM, FORECAST_SIZING_SETTINGS, ForecastSizingPolicy } from '../../src/policies/forecast-sizing.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import type { Policy } from '../../src/policies/types.ts';
import { loadConfig } from '../../src/core/config.ts';
import { measureDev } from './dev-worlds.ts';
import { worldFlags } from './world-flags.ts';

const { seeds, seedBase, scenarios, worlds } = worldFlags();
const trend = { ...FORECAST_SIZING_CALM, trendAhead: true };
const config = loadConfig();
const policies: { id: string; make: () => Policy }[] = [
  { id: 'forecast-sizing', make: () => createPolicy('forecast-sizing') },
  { id: 'forecast-sizing+trend', make: () => new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, config, { calm: trend, id: 'forecast-sizing+trend' }) },
  { id: 'edge-rl', make: () => createPolicy('edge-rl') },
  { id: 'edge-rl+trend', make: () => new HierarchicalPolicy({ id: 'edge-rl+trend', sloGuard: SLO_GUARD_DEFAULTS, baseCalm: trend }) },
];
process.stdout.write(`seeds ${seedBase}..${seedBase + seeds - 1}, 500 steps; SLA violation % / cost USD per run\n`);
process.stdout.write(`world | scenario | ${policies.map((p) => p.id).join(' | ')}\n`);
for (const w of worlds) {
  for (const scenario of scenarios) {
    const cells = policies.map((p) => {
      const m = measureDev(p.make, p.id, scenario, w.trace, seeds, seedBase);
      return `${(100 * m.violations).toFixed(2)} / ${m.costUsd.toFixed(3)}`;
    });
    process.stdout.write(`${w.name} | ${scenario} | ${cells.join(' | ')}\n`);
  }
}
