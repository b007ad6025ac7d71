import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEpisode, runTournament, streamEpisode, type BenchEnv, type BenchEnvOptions } from './tournament.ts';
import { makeFakeEnv } from './test-fake-env.ts';
import { createPolicy } from '../policies/registry.ts';
import { loadConfig } from '../core/config.ts';
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';

const ACTION: Action = { executors: 2, memoryGb: 4, tier: 'nvme', codec: 'lz4' };

/**
 * An env that says what it was given: obs = [seed, step], the context carries the step and always a `future`, and
 * each record is labelled policy 'env', seed -1 (the tournament relabels it). Ends (truncated) after `length` steps.
 */
function echoEnv(length = 100): BenchEnv & { resets: number[] } {
  let seed = 0;
  let t = 0;
  const context = (step: number) => ({ context: { snapshot: { step }, future: { step }, scenario: 'balanced' } });
  const env = {
    resets: [] as number[],
    reset(opts: { seed: number }) {
      seed = opts.seed;
      t = 0;
      env.resets.push(seed);
      return { obs: new Float32Array([seed, 0]), info: context(0) };
    },
    stepAction(action: Action) {
      t++;
      const record = { step: t - 1, policy: 'env', seed: -1, scenario: 'balanced', trace: '', requestedExecutors: action.executors } as unknown as StepRecord;
      return { obs: new Float32Array([seed, t]), reward: 0, terminated: false, truncated: t >= length, info: { record, ...context(t) } };
    },
  };
  return env;
}

/** A policy that notes what it saw: the seed it was reset with, each obs and context. */
function spyPolicy(clairvoyant: boolean, act: () => Action = () => ACTION): Policy & { seen: Array<{ obs: number[]; ctx: PolicyContext }>; resets: number[] } {
  return {
    id: 'spy', clairvoyant, seen: [], resets: [],
    reset(seed: number) { this.resets.push(seed); },
    act(obs: Float32Array, ctx: PolicyContext) { this.seen.push({ obs: [...obs], ctx }); return act(); },
  };
}

test('only a clairvoyant policy sees context.future; the others get the same context without it', () => {
  const plain = spyPolicy(false);
  runEpisode(echoEnv(), plain, 'p', 5, 3);
  assert.ok(plain.seen.every((s) => s.ctx.future === undefined));
  assert.deepEqual(plain.seen.map((s) => (s.ctx.snapshot as unknown as { step: number }).step), [0, 1, 2]);
  const seer = spyPolicy(true);
  runEpisode(echoEnv(), seer, 'o', 5, 3);
  assert.deepEqual(seer.seen.map((s) => s.ctx.future), [{ step: 0 }, { step: 1 }, { step: 2 }]);
});

test('an episode resets env and policy with its seed, acts on each step\'s new obs, and labels the records with the run', () => {
  const env = echoEnv();
  const policy = spyPolicy(false);
  const records = runEpisode(env, policy, 'my-policy', 10_003, 4);
  assert.deepEqual(env.resets, [10_003]);
  assert.deepEqual(policy.resets, [10_003]);
  assert.deepEqual(policy.seen.map((s) => s.obs), [[10_003, 0], [10_003, 1], [10_003, 2], [10_003, 3]]);
  assert.deepEqual(records.map((r) => [r.step, r.policy, r.seed]), [[0, 'my-policy', 10_003], [1, 'my-policy', 10_003], [2, 'my-policy', 10_003], [3, 'my-policy', 10_003]]);
  // It stops when the env ends the run, before `steps`.
  assert.equal(runEpisode(echoEnv(2), spyPolicy(false), 'p', 1, 10).length, 2);
});

test('an invalid action, or an env without record or context, stops the run with an error naming run and step', () => {
  const bad = spyPolicy(false, () => ({ ...ACTION, executors: 0 }));
  assert.throws(() => runEpisode(echoEnv(), bad, 'bad', 7, 3), /run policy=bad seed=7 step 0: policy returned an invalid action: action\.executors must be an integer/);
  const noRecord: BenchEnv = { ...echoEnv(), stepAction: () => ({ obs: new Float32Array(2), reward: 0, terminated: false, truncated: false, info: { context: { snapshot: {} } } }) };
  assert.throws(() => streamEpisode(noRecord, spyPolicy(false), 'p', 7, 3, () => {}), /run policy=p seed=7 step 0: env info has no 'record'/);
  const noSnapshot: BenchEnv = { ...echoEnv(), reset: () => ({ obs: new Float32Array(2), info: { context: { future: 1 } } }) };
  assert.throws(() => streamEpisode(noSnapshot, spyPolicy(false), 'p', 7, 3, () => {}), /run policy=p seed=7: env info has no 'context'/);
});

test('the tournament builds each env from its options: scenario, steps, the oracle alone with the future, the optional keys only when given', () => {
  const seen: BenchEnvOptions[] = [];
  const makeEnv = (o: BenchEnvOptions): BenchEnv => {
    seen.push(o);
    return makeFakeEnv({ ...o, trace: undefined });
  };
  const config = loadConfig();
  runTournament({ scenarios: ['healthcare'], policies: ['fixed'], seeds: 1, steps: 3, makeEnv });
  assert.deepEqual(seen.pop(), { scenario: 'healthcare', maxSteps: 3, exposeFuture: false });
  runTournament({ scenarios: ['balanced'], policies: ['fixed'], seeds: 1, steps: 4, controlIntervalS: 5, trace: 'rate.csv', traceStepS: 60, config, makeEnv });
  assert.deepEqual(seen.pop(), { scenario: 'balanced', maxSteps: 4, exposeFuture: false, controlIntervalS: 5, trace: 'rate.csv', traceStepS: 60, config });
  // The oracle is clairvoyant: its env exposes the future (the fake env has none, so it is not run here).
  assert.equal(createPolicy('oracle').clairvoyant, true);
});

test('the tournament runs each policy as built with the run\'s config, behind wrapPolicy when given', () => {
  // forecast-sizing reads the scenario's SLA from the config: a 100 ms SLA makes it size up from the first step.
  const config = loadConfig({ scenarios: { balanced: { slaP95LatencyMs: 100 } } } as never);
  const executors = (opts: { config?: typeof config; wrap?: boolean }): number[] => {
    const out: number[] = [];
    runTournament({
      scenarios: ['balanced'], policies: ['forecast-sizing'], seeds: 1, steps: 12, makeEnv: makeFakeEnv, config: opts.config, onRecord: (r) => out.push(r.requestedExecutors),
      ...(opts.wrap ? { wrapPolicy: (p: Policy): Policy => ({ id: p.id, reset: (s) => p.reset(s), act: () => ({ ...ACTION, executors: 9 }) }) } : {}),
    });
    return out;
  };
  const direct = runEpisode(makeFakeEnv({ scenario: 'balanced', maxSteps: 12, config }), createPolicy('forecast-sizing', config), 'forecast-sizing', 10_000, 12).map((r) => r.requestedExecutors);
  assert.deepEqual(executors({ config }), direct);
  assert.notDeepEqual(executors({}), direct, 'the config changes what forecast-sizing does here');
  assert.deepEqual(executors({ wrap: true }), Array(12).fill(9));
});

test('the tournament refuses zero seeds or steps, and fractional ones', () => {
  const base = { scenarios: ['balanced'], policies: ['fixed'], makeEnv: makeFakeEnv };
  assert.throws(() => runTournament({ ...base, seeds: 0, steps: 5 }), /seeds must be an integer >= 1, got 0/);
  assert.throws(() => runTournament({ ...base, seeds: 1.5, steps: 5 }), /seeds must be an integer >= 1, got 1.5/);
  assert.throws(() => runTournament({ ...base, seeds: 1, steps: 0 }), /steps must be an integer >= 1, got 0/);
  assert.throws(() => runTournament({ ...base, seeds: 1, steps: 2.5 }), /steps must be an integer >= 1, got 2.5/);
});
