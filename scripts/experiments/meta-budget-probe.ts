/**
 * Probe for docs/META.md ("Why the budget phase is lost"): the meta-env's per-window reward in budget mode for a few
 * constant weight vectors, on the meta-env's own (training-range) worlds. Run: node --import tsx scripts/experiments/meta-budget-probe.ts
 */
import { SparkIotMetaEnv } from '../../src/meta/meta-env.ts';
import type { ModePhase } from '../../src/meta/modes.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';

const VECTORS: Record<string, number[]> = { '(1,0,0)': [1, 0, 0], 'budget default (0.8,0.1,0.1)': [0.8, 0.1, 0.1], 'meta-like (0.28,0.21,0.51)': [0.28, 0.21, 0.51], '(0.2,0.2,0.6)': [0.2, 0.2, 0.6], '(0.6,0.4,0)': [0.6, 0.4, 0] };
const EPISODES = 12;
const META_STEPS = 30;

for (const scenario of SCENARIOS) {
  // Normal for 10 windows, then budget with 10 % of the budget left for 20: the shape of the mode-switch story.
  const schedule: ModePhase[] = [{ startStep: 0, mode: 'normal' }, { startStep: 100, mode: 'budget', budgetLeftFraction: 0.1 }];
  const cells: string[] = [];
  for (const [name, v] of Object.entries(VECTORS)) {
    const env = new SparkIotMetaEnv({ scenario, schedule, episodeMetaSteps: META_STEPS });
    let total = 0;
    let windows = 0;
    env.reset({ seed: 7 });
    for (let ep = 0; ep < EPISODES; ep++) {
      if (ep > 0) env.reset();
      for (let m = 0; m < META_STEPS; m++) {
        const r = env.step(v);
        if ((r.info as { mode: string }).mode === 'budget') {
          total += r.reward;
          windows++;
        }
      }
    }
    cells.push(`${name} ${(total / windows).toFixed(4)}`);
  }
  console.log(`${scenario}: mean reward per budget window: ${cells.join(' | ')}`);
}
