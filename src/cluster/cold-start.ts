/**
 * Cold-start durations: the k-th executor request of an episode waits draw k of a dedicated stream, so the world a
 * policy faces does not depend on when it scales (common random numbers), and the oracle can know its draws.
 */
import type { Rng } from '../core/rng.ts';
import type { SimConfig } from '../core/config.ts';

export class ColdStartDraws {
  private draws = new Float64Array(64);
  private filled = 0;

  constructor(
    private readonly rng: Rng,
    private readonly settings: SimConfig['cluster']['coldStart'],
  ) {}

  /** Duration (s) of the k-th cold start (k from 0). */
  get(k: number): number {
    while (k >= this.filled) this.extend();
    return this.draws[k]!;
  }

  private extend(): void {
    if (this.filled === this.draws.length) {
      const bigger = new Float64Array(this.draws.length * 2);
      bigger.set(this.draws);
      this.draws = bigger;
    }
    const s = this.settings;
    this.draws[this.filled++] = Math.min(s.maxS, Math.max(s.minS, this.rng.logNormal(s.medianS, s.sigma)));
  }
}
