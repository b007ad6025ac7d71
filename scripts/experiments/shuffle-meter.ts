/**
 * The shuffle's part of a SparkIotEnv's cost (storage, requests, re-reads), read as the env takes it each step: the
 * step record holds only the total. Used by action-mix.mts and shuffle-heads.mts.
 */
import type { SparkIotEnv } from '../../src/env/spark-iot-env.ts';

export class ShuffleCostMeter {
  /** Shuffle USD taken since the meter started or was last reset. */
  usd = 0;

  constructor(env: SparkIotEnv) {
    const model = (env as unknown as { shuffle: { takeCost(): number } }).shuffle;
    const take = model.takeCost.bind(model);
    model.takeCost = () => {
      const c = take();
      this.usd += c;
      return c;
    };
  }

  reset(): void {
    this.usd = 0;
  }
}
