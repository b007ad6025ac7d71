import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { ForecastSizingPolicy } from './forecast-sizing.ts';
import { getPolicyEntry } from './registry.ts';
import { runEpisode, seedFor } from '../bench/tournament.ts';

/** A real context from the simulator, with the future the env would hand only a clairvoyant policy removed. */
function contextAt(steps: number) {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 50 });
  let out = env.reset({ seed: 7 });
  for (let i = 0; i < steps; i++) out = env.stepAction({ executors: 6, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  const ctx = (out.info as unknown as SparkIotInfo).context;
  return { obs: out.obs, ctx: { ...ctx, future: undefined } };
}

test('forecast-sizing is a non-clairvoyant baseline: it acts on the present and the forecast, never the future', () => {
  const entry = getPolicyEntry('forecast-sizing');
  assert.equal(entry.role ?? 'baseline', 'baseline');
  assert.notEqual(entry.reactive, true);
  const p = entry.create();
  assert.notEqual(p.clairvoyant, true); // the tournament strips context.future from it
  const { obs, ctx } = contextAt(5);
  p.reset(1);
  const a = p.act(obs, ctx);
  assert.ok(a.executors >= 1 && a.executors <= 20);
});

test('a higher edge forecast or a backlog buys executors ahead of the load', () => {
  const { obs, ctx } = contextAt(5);
  const executorsFor = (predicted: number, backlog = 0): number => {
    const p = new ForecastSizingPolicy();
    p.reset(1);
    return p.act(obs, { ...ctx, snapshot: { ...ctx.snapshot, backlogMsgs: backlog }, forecast: { ...ctx.forecast, predictedRateMsgsPerS: predicted } }).executors;
  };
  const now = ctx.snapshot.arrivalRateMsgsPerS;
  assert.ok(executorsFor(3 * now) > executorsFor(0), `${executorsFor(3 * now)} vs ${executorsFor(0)}`);
  assert.ok(executorsFor(0, 50 * now) > executorsFor(0));
  // A forecast below the current rate changes nothing: the demand is max(current, predicted).
  assert.equal(executorsFor(0.5 * now), executorsFor(0));
});

test('forecast-sizing: same seed, same run; an unknown scenario is a clear error', () => {
  const env = new SparkIotEnv({ scenario: 'industrial', maxSteps: 40 });
  const a = runEpisode(env, new ForecastSizingPolicy(), 'forecast-sizing', seedFor(0), 40);
  const b = runEpisode(env, new ForecastSizingPolicy(), 'forecast-sizing', seedFor(0), 40);
  assert.deepEqual(a, b);
  const { obs, ctx } = contextAt(1);
  assert.throws(() => new ForecastSizingPolicy().act(obs, { ...ctx, scenario: 'mars' }), /forecast-sizing: scenario 'mars' is not in the config/);
});
