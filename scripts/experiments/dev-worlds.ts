/**
 * The development worlds of the experiment scripts (edge-rl-dev.mts, adaptive-hold.mts): the four scenarios,
 * synthetic and on the Azure event log and Twitter traces, seeds from 30000 (never the tournament's 10000..), 500
 * steps. `printDevTable` runs a policy on each and prints SLA violation %, cost USD and the normal mode's objective J
 * per scenario (means over seeds).
 */
import { fileURLToPath } from 'node:url';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
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

/** One line per world: `scenario V % C J j` for each scenario, a fresh policy from `makePolicy` per run. */
export function printDevTable(makePolicy: () => Policy, id: string, seeds: number, seedBase: number): void {
  const config = loadConfig();
  for (const [name, trace] of devWorlds()) {
    const cells: string[] = [];
    for (const scenario of SCENARIOS) {
      const budgetUsdPerRun = (config.scenarios[scenario].budgetUsdPerHour * DEV_STEPS * 10) / 3600;
      let v = 0;
      let c = 0;
      let j = 0;
      for (let i = 0; i < seeds; i++) {
        const env = new SparkIotEnv({ scenario, maxSteps: DEV_STEPS, ...(trace ? { trace } : {}) });
        const records = runEpisode(env, makePolicy(), id, seedBase + i, DEV_STEPS);
        const runV = records.filter((r) => r.slaViolated).length / records.length;
        const runC = records.reduce((a, r) => a + r.costUsd, 0);
        v += runV / seeds;
        c += runC / seeds;
        j += modeObjective(config.modes.normal, { violationRate: runV, costOverBudget: runC / budgetUsdPerRun }) / seeds;
      }
      cells.push(`${scenario} ${(100 * v).toFixed(2)} % ${c.toFixed(3)} J ${j.toFixed(3)}`);
    }
    process.stdout.write(`${name}: ${cells.join(' | ')}\n`);
  }
}
