/**
 * The world flags the development-world scripts share (calm-trend.mts, shuffle-heads.mts): `--seeds` (default 8),
 * `--seed-base` (default 30000, never the tournament's 10000+), `--scenarios` (comma-separated, default all four) and
 * `--traces NAME=PATH[@STEP_S],...` (worlds besides the synthetic one).
 */
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { loadTraceCsv, type Trace } from '../../src/workload/trace.ts';
import { flag } from './flag.ts';

export interface WorldFlags {
  seeds: number;
  seedBase: number;
  scenarios: ScenarioName[];
  worlds: { name: string; trace: Trace | undefined }[];
}

export function worldFlags(): WorldFlags {
  const seeds = Number(flag('--seeds', '8'));
  const seedBase = Number(flag('--seed-base', '30000'));
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
  if (!(Number.isInteger(seedBase) && seedBase >= 0)) throw new Error(`--seed-base must be an integer >= 0, got ${seedBase}`);
  const scenarios = flag('--scenarios', SCENARIOS.join(',')).split(',') as ScenarioName[];
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`--scenarios: unknown scenario '${s}' (known: ${SCENARIOS.join(', ')})`);
  const traceArg = flag('--traces', '');
  const worlds: WorldFlags['worlds'] = [{ name: 'synthetic', trace: undefined }];
  for (const item of traceArg === '' ? [] : traceArg.split(',')) {
    const m = /^([^=]+)=([^@]+)(?:@([0-9.]+))?$/.exec(item);
    if (!m) throw new Error(`--traces: expected NAME=PATH[@STEP_S], got '${item}'`);
    worlds.push({ name: m[1]!, trace: loadTraceCsv(m[2]!, m[3] ? { traceStepS: Number(m[3]) } : {}) });
  }
  return { seeds, seedBase, scenarios, worlds };
}
