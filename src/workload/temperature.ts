/**
 * Data temperature: the probability that shuffle data is reused (re-read by window state or recomputation).
 * An exogenous, autocorrelated, scenario-dependent process: sigmoid(logit(mean) + z_t + coupling * burstEnvelope_t),
 * with z an AR(1) process. The original drew it i.i.d. U(0,1) per step (original-system.md section 4).
 */
import type { Rng } from '../core/rng.ts';
import type { ScenarioConfig } from '../core/config.ts';

export function fillReuse(out: Float64Array, burstEnvelope: Float64Array, scenario: ScenarioConfig, rng: Rng): void {
  const phi = scenario.reusePhi;
  const innovation = scenario.reuseSigma * Math.sqrt(1 - phi * phi);
  const meanLogit = Math.log(scenario.reuseMean / (1 - scenario.reuseMean));
  let z = rng.normal(0, scenario.reuseSigma); // start in the stationary distribution
  for (let i = 0; i < out.length; i++) {
    z = phi * z + innovation * (rng.next() - 0.5) * 3.4641016151377544; // unit-variance uniform innovation
    const logit = meanLogit + z + scenario.reuseBurstCoupling * burstEnvelope[i]!;
    out[i] = 1 / (1 + Math.exp(-logit));
  }
}
