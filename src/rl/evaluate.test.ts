import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box } from '../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../env/types.ts';
import { evaluatePolicy } from './evaluate.ts';

/** Each step pays the reset seed; the episode is truncated after `seed % 3 + 1` steps (or terminated, if `terminate`). */
class SeedPays implements Env {
  readonly id = 'SeedPays';
  readonly observationSpace = box(-1, 1, [1]);
  readonly actionSpace = box(-1, 1, [1]);
  seeds: (number | undefined)[] = [];
  private seed = 0;
  private t = 0;
  constructor(private readonly terminate = false) {}
  reset(opts: { seed?: number } = {}): ResetResult {
    this.seeds.push(opts.seed);
    this.seed = opts.seed ?? -1;
    this.t = 0;
    return { obs: Float32Array.of(0), info: {} };
  }
  step(): StepResult {
    this.t++;
    if (this.t > 5) throw new Error('SeedPays: stepped past the end of the episode');
    const end = this.t >= (this.seed % 3) + 1;
    return { obs: Float32Array.of(0), reward: this.seed, terminated: this.terminate && end, truncated: !this.terminate && end, info: {} };
  }
}

test('evaluatePolicy resets episode k with seed + k, ends on truncation or termination, and reports the population std', () => {
  for (const terminate of [false, true]) {
    const env = new SeedPays(terminate);
    const r = evaluatePolicy(env, () => Float32Array.of(0), 3, 10);
    assert.deepEqual(env.seeds, [10, 11, 12]);
    // Seed 10: 2 steps of 10; seed 11: 3 steps of 11; seed 12: 1 step of 12.
    assert.deepEqual(r.lengths, [2, 3, 1]);
    assert.deepEqual(r.returns, [20, 33, 12]);
    const mean = (20 + 33 + 12) / 3;
    assert.equal(r.meanReturn, mean);
    assert.equal(r.stdReturn, Math.sqrt(((20 - mean) ** 2 + (33 - mean) ** 2 + (12 - mean) ** 2) / 3));
  }
  assert.equal(evaluatePolicy(new SeedPays(), () => Float32Array.of(0), 1, 4).stdReturn, 0);
});

test('evaluatePolicy refuses a non-integer or non-positive episode count', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => evaluatePolicy(new SeedPays(), () => Float32Array.of(0), bad, 0), /evaluatePolicy: episodes must be a positive integer/);
});
