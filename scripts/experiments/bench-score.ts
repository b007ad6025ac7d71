/** For the experiment scripts: a policy's mean SLA violation % and cost USD per run over the bench's paired seeds. */
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import type { ScenarioName } from '../../src/env/spark-iot-types.ts';
import type { Policy } from '../../src/policies/types.ts';
import type { Trace } from '../../src/workload/trace.ts';
import { runEpisode, seedFor } from '../../src/bench/tournament.ts';
import { runMetrics } from '../../src/bench/summary.ts';

export function scoreOnBenchSeeds(make: () => Policy, scenario: ScenarioName, seeds: number, steps: number, trace?: Trace): { violationPct: number; costUsd: number } {
  // The oracle reads the future; the env exposes it to every policy alike (only the oracle looks).
  const env = new SparkIotEnv({ scenario, maxSteps: steps, exposeFuture: true, ...(trace ? { trace } : {}) });
  const policy = make();
  let violationPct = 0;
  let costUsd = 0;
  for (let i = 0; i < seeds; i++) {
    const m = runMetrics(runEpisode(env, policy, policy.id, seedFor(i), steps));
    violationPct += m.slaViolationPct / seeds;
    costUsd += m.costUsd / seeds;
  }
  return { violationPct, costUsd };
}
