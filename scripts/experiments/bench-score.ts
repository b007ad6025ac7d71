/** For the experiment scripts: a policy's mean SLA violation % and cost USD per run over the bench's paired seeds. */
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import type { ScenarioName } from '../../src/env/spark-iot-types.ts';
import type { Policy } from '../../src/policies/types.ts';
import type { Trace } from '../../src/workload/trace.ts';
import { runEpisode, seedFor } from '../../src/bench/tournament.ts';
import { runMetrics } from '../../src/bench/summary.ts';

/** `seedBase` (default the bench's, 10000) moves the worlds, e.g. to a development set the tournament never runs. */
export function scoreOnBenchSeeds(make: () => Policy, scenario: ScenarioName, seeds: number, steps: number, trace?: Trace, seedBase?: number): { violationPct: number; costUsd: number } {
  // The oracle reads the future; the env exposes it to every policy alike (only the oracle looks).
  const env = new SparkIotEnv({ scenario, maxSteps: steps, exposeFuture: true, ...(trace ? { trace } : {}) });
  const policy = make();
  let violationPct = 0;
  let costUsd = 0;
  for (let i = 0; i < seeds; i++) {
    const m = runMetrics(runEpisode(env, policy, policy.id, seedBase === undefined ? seedFor(i) : seedBase + i, steps));
    violationPct += m.slaViolationPct / seeds;
    costUsd += m.costUsd / seeds;
  }
  return { violationPct, costUsd };
}
