import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { FORECAST_SIZING_CALM, ForecastSizingPolicy } from './forecast-sizing.ts';
import { getPolicyEntry } from './registry.ts';
import { runEpisode, seedFor } from '../bench/tournament.ts';

/** A real context from the simulator, with the future the env would hand only a clairvoyant policy removed. */
function contextAt(steps: number, scenario: 'balanced' | 'healthcare' = 'balanced') {
  const env = new SparkIotEnv({ scenario, maxSteps: 50 });
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

test('on calm load forecast-sizing keeps less latency headroom; on varying load, and with calm: null, it does not', () => {
  // Healthcare: its tight SLA makes the latency share, not the capacity margin, set the executors.
  const { obs, ctx } = contextAt(5, 'healthcare');
  const rate = ctx.snapshot.arrivalRateMsgsPerS;
  assert.ok(rate > 0);
  const run = (p: ForecastSizingPolicy, rateAt: (i: number) => number): number => {
    p.reset(1);
    let executors = 0;
    for (let i = 0; i < FORECAST_SIZING_CALM.windowSteps; i++) {
      executors = p.act(obs, { ...ctx, snapshot: { ...ctx.snapshot, arrivalRateMsgsPerS: rateAt(i) } }).executors;
    }
    return executors;
  };
  const flat = (): number => rate;
  const calmOn = new ForecastSizingPolicy();
  const calmOff = new ForecastSizingPolicy(undefined, undefined, { calm: null });
  const onFlat = run(calmOn, flat);
  const offFlat = run(calmOff, flat);
  assert.ok(onFlat < offFlat, `flat load: ${onFlat} executors with the calm sizing, ${offFlat} without`);
  assert.equal(calmOn.calmSteps, 1, 'calm only once the window is full');
  assert.equal(calmOff.calmSteps, 0);
  // Alternating +-10 % around the rate: CV 0.10 (about the same around its line), above the 0.045 threshold.
  const varying = (i: number): number => rate * (i % 2 === 0 ? 0.9 : 1.1);
  assert.equal(run(calmOn, varying), run(calmOff, varying));
  assert.equal(calmOn.calmSteps, 0);
  // The threshold is a parameter: at 0.2 the same load counts as calm.
  const loose = new ForecastSizingPolicy(undefined, undefined, { calm: { ...FORECAST_SIZING_CALM, maxArrivalCv: 0.2 } });
  assert.ok(run(loose, varying) < run(calmOff, varying));
  assert.equal(loose.calmSteps, 1);
  // A steady ramp (+50 % over the window) is calm around its trend, which the default measures; its plain CV is not.
  const ramp = (i: number): number => rate * (0.8 + (0.4 * i) / (FORECAST_SIZING_CALM.windowSteps - 1));
  run(calmOn, ramp);
  assert.equal(calmOn.calmSteps, 1, 'the ramp is calm around its trend');
  const plainCv = new ForecastSizingPolicy(undefined, undefined, { calm: { ...FORECAST_SIZING_CALM, measure: 'cv' } });
  run(plainCv, ramp);
  assert.equal(plainCv.calmSteps, 0, 'its plain CV (about 0.12) is not calm');
  // A step up halfway through the window is no line: not calm.
  run(calmOn, (i) => rate * (i < FORECAST_SIZING_CALM.windowSteps / 2 ? 1 : 1.5));
  assert.equal(calmOn.calmSteps, 0);
});

test('forecast-sizing refuses calm settings out of range, naming the field', () => {
  const make = (calm: Partial<typeof FORECAST_SIZING_CALM>) => () => new ForecastSizingPolicy(undefined, undefined, { calm: { ...FORECAST_SIZING_CALM, ...calm } });
  assert.throws(make({ latencyShareOfSla: 1.5 }), /calm\.latencyShareOfSla must be in \(0, 1\], got 1\.5/);
  assert.throws(make({ maxArrivalCv: 0 }), /calm\.maxArrivalCv must be > 0, got 0/);
  assert.throws(make({ windowSteps: 1 }), /calm\.windowSteps must be an integer >= 2, got 1/);
  assert.throws(make({ measure: 'median' as never }), /calm\.measure must be 'cv' or 'detrended', got "median"/);
});

test('forecast-sizing-no-calm and edge-rl-no-calm: registered outside the default set, sized without the calm-load rule', async () => {
  const { createPolicy, defaultPolicyIds, policyIds } = await import('./registry.ts');
  for (const id of ['forecast-sizing-no-calm', 'edge-rl-no-calm']) {
    assert.ok(policyIds().includes(id), id);
    assert.ok(!defaultPolicyIds().includes(id), `${id} is not in the tournament's default set`);
  }
  assert.equal(getPolicyEntry('edge-rl-no-calm').role, 'agent');
  const { obs, ctx } = contextAt(5, 'healthcare');
  // 40 intervals of one rate: calm from the 30th on, and past the agents' 25 s scale-down hold after that.
  const executorsOnFlatLoad = (p: { reset(seed: number): void; act: ForecastSizingPolicy['act'] }): number => {
    p.reset(1);
    let executors = 0;
    for (let i = 0; i < FORECAST_SIZING_CALM.windowSteps + 10; i++) executors = p.act(obs, ctx).executors;
    return executors;
  };
  const plain = executorsOnFlatLoad(new ForecastSizingPolicy(undefined, undefined, { calm: null }));
  assert.equal(executorsOnFlatLoad(createPolicy('forecast-sizing-no-calm')), plain);
  assert.ok(executorsOnFlatLoad(createPolicy('forecast-sizing')) < plain);
  assert.ok(executorsOnFlatLoad(createPolicy('edge-rl')) < executorsOnFlatLoad(createPolicy('edge-rl-no-calm')));
});
