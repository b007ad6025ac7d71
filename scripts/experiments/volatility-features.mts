/**
 * The meta observation's volatility features (src/meta/meta-observation.ts, variant 'scenario+volatility': arrival
 * CV over the window / 2 and the off share over 30 steps) per scenario, on the synthetic worlds and the Azure event
 * log: means over the meta decisions of 4 runs of 300 steps (development worlds 30000-30003) under `fixed` (the
 * arrivals do not depend on the policy). docs/META.md "Both signals, and four recipes" quotes it.
 * Run: node --import tsx scripts/experiments/volatility-features.mts
 */
import './stdout-pipe.ts';
import { fileURLToPath } from 'node:url';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS, type SparkIotInfo } from '../../src/env/spark-iot-types.ts';
import { loadConfig } from '../../src/core/config.ts';
import { MetaObservationTracker } from '../../src/meta/meta-observation.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import { loadTraceCsv } from '../../src/workload/trace.ts';
const config = loadConfig();
const az = loadTraceCsv(fileURLToPath(new URL('../../../shared/traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv', import.meta.url)));
for (const [name, trace] of [['synthetic', undefined], ['azure', az]] as const) {
  for (const scenario of SCENARIOS) {
    let cv = 0, off = 0, n = 0;
    for (let s = 0; s < 4; s++) {
      const env = new SparkIotEnv({ scenario, maxSteps: 300, ...(trace ? { trace } : {}) });
      const p = createPolicy('fixed');
      let r = env.reset({ seed: 30000 + s }); p.reset(30000 + s);
      const t = new MetaObservationTracker(10, config.observation.rateScaleMsgsPerS, config.modes, false, 'scenario+volatility');
      const budget = config.scenarios[scenario].budgetUsdPerHour;
      for (let i = 0; i < 300; i++) {
        const ctx = (r.info as unknown as SparkIotInfo).context;
        t.observe(ctx, i === 0 ? null : 'normal', budget);
        if (i >= 30 && i % 10 === 0) { const o = t.build('normal', 1, budget); cv += o[14]!; off += o[15]!; n++; }
        const st = env.stepAction(p.act(r.obs, ctx)); r = { obs: st.obs, info: st.info };
      }
    }
    console.log(`${name} ${scenario}: cv/2 ${(cv / n).toFixed(3)} off ${(off / n).toFixed(3)}`);
  }
}
