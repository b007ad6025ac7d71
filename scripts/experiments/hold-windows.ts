/**
 * The scale-down hold windows of docs/AGENT.md ("Scale-down hold"): `edge-rl` (the shipped meta-controller over the
 * shipped PPO) with holds of 0-300 s, on the tournament's paired seeds, synthetic or a trace.
 * Run: node --import tsx scripts/experiments/hold-windows.ts [--trace FILE [--trace-step-s S]] [--seeds N]
 */
import { parseArgs } from 'node:util';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { registerPolicy } from '../../src/policies/registry.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { runTournament } from '../../src/bench/tournament.ts';
import { formatTable } from '../../src/bench/report.ts';

const { values } = parseArgs({ options: { trace: { type: 'string' }, 'trace-step-s': { type: 'string' }, seeds: { type: 'string', default: '20' } } });
const WINDOWS_S = [0, 20, 30, 60, 120, 300];
const ids = WINDOWS_S.map((w) => `edge-rl-hold${w}`);
WINDOWS_S.forEach((w, i) => {
  registerPolicy({ id: ids[i]!, role: 'agent', description: `edge-rl with a ${w} s scale-down hold`, source: 'scripts/experiments/hold-windows.ts', settings: { scaleDownHoldS: w }, create: () => new HierarchicalPolicy({ id: 'edge-rl', scaleDownHoldS: w }), inDefaultSet: false });
});
const { summary } = runTournament({
  scenarios: SCENARIOS,
  policies: ids,
  seeds: Number(values.seeds),
  steps: 500,
  ...(values.trace ? { trace: values.trace } : {}),
  ...(values['trace-step-s'] ? { traceStepS: Number(values['trace-step-s']) } : {}),
  makeEnv: (opts) => new SparkIotEnv({ ...opts, scenario: opts.scenario as ScenarioName }),
});
console.log(formatTable(summary));
