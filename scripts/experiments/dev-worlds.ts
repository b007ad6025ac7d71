/**
 * The development worlds of the experiment scripts (edge-rl-dev.mts, adaptive-hold.mts): the four scenarios,
 * synthetic and on the Azure event log and Twitter traces, seeds from 30000 (never the tournament's 10000..), 500
 * steps. `printDevTable` runs a policy on each and prints SLA violation %, cost USD and the normal mode's objective J
 * per scenario (means over seeds).
 */
import { fileURLToPath } from 'node:url';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { loadConfig } from '../../src/core/config.ts';
import { modeObjective } from '../../src/meta/modes.ts';
import type { Policy } from '../../src/policies/types.ts';
import { loadTraceCsv, type Trace } from '../../src/workload/trace.ts';

export const DEV_STEPS = 500;

export function devWorlds(): [string, Trace | undefined][] {
  const shared = fileURLToPath(new URL('../../../shared/traces/', import.meta.url));
  return [
    ['synthetic', undefined],
    ['azure event log', loadTraceCsv(`${shared}azure-llm-2023/AzureLLMInferenceTrace_code.csv`)],
    ['twitter', loadTraceCsv(`${shared}twitter-stream-2021/rate_60s.csv`, { traceStepS: 60 })],
  ];
}

/** Means over `seeds` runs of `scenario` on `world` (synthetic when undefined): violation share, cost USD and J. */
export function measureDev(makePolicy: () => Policy, id: string, scenario: ScenarioName, world: Trace | undefined, seeds: number, seedBase: number): { violations: number; costUsd: number; objective: number } {
  const config = loadConfig();
  // The normal mode's objective of a whole run (docs/META.md "Modes and objectives").
  const budgetUsdPerRun = (config.scenarios[scenario].budgetUsdPerHour * DEV_STEPS * 10) / 3600;
  let violations = 0;
  let costUsd = 0;
  let objective = 0;
  for (let i = 0; i < seeds; i++) {
    const env = new SparkIotEnv({ scenario, maxSteps: DEV_STEPS, ...(world ? { trace: world } : {}) });
    const records = runEpisode(env, makePolicy(), id, seedBase + i, DEV_STEPS);
    const v = records.filter((r) => r.slaViolated).length / records.length;
    const c = records.reduce((a, r) => a + r.costUsd, 0);
    violations += v / seeds;
    costUsd += c / seeds;
    objective += modeObjective(config.modes.normal, { violationRate: v, costOverBudget: c / budgetUsdPerRun }) / seeds;
  }
  return { violations, costUsd, objective };
}

/** One line per world: `scenario V % C J j` for each scenario, a fresh policy from `makePolicy` per run. */
export function printDevTable(makePolicy: () => Policy, id: string, seeds: number, seedBase: number): void {
  for (const [name, trace] of devWorlds()) {
    const cells = SCENARIOS.map((scenario) => {
      const m = measureDev(makePolicy, id, scenario, trace, seeds, seedBase);
      return `${scenario} ${(100 * m.violations).toFixed(2)} % ${m.costUsd.toFixed(3)} J ${m.objective.toFixed(3)}`;
    });
    process.stdout.write(`${name}: ${cells.join(' | ')}\n`);
  }
}
