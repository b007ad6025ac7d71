/**
 * Mutation-audit tests for the oracle's look-ahead (oracle.ts): it sizes for the PEAK arrival second in
 * [now, now + 2 intervals + ceil(cold start)), where now = offsetS + tSeconds indexes the exogenous series, and adds
 * the backlog drained over one interval. Built on a hand-made FutureView so the window's edges are exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import type { FutureView } from '../env/spark-iot-env.ts';
import { OraclePolicy } from './oracle.ts';
import type { PolicyContext } from './types.ts';

const config = loadConfig();
const scenario = config.scenarios.balanced;
const COLD_S = 25; // window = 2 x 10 s + 25 s = 45 s
const BASE = 20_000;
const SPIKE = 40_000;

function executorsFor(arrivalsAt: (i: number) => number, opts: { tSeconds?: number; offsetS?: number; backlogMsgs?: number } = {}): number {
  const length = 400;
  const future: FutureView = {
    tSeconds: opts.tSeconds ?? 0,
    offsetS: opts.offsetS ?? 0,
    arrivalsMsgs: Float64Array.from({ length }, (_, i) => arrivalsAt(i)),
    messageBytes: new Float64Array(length).fill(scenario.messageBytes),
    reuseProbability: new Float64Array(length).fill(0.5),
    coldStartS: () => COLD_S,
    coldStartsUsed: 0,
    config,
    scenario,
    controlIntervalS: 10,
  };
  const p = new OraclePolicy();
  p.reset(1);
  const context = { snapshot: { backlogMsgs: opts.backlogMsgs ?? 0 }, future } as unknown as PolicyContext;
  return p.act(new Float32Array(0), context).executors;
}

test('the oracle sizes for the peak second of its window, not the mean', () => {
  const flatBase = executorsFor(() => BASE);
  const flatSpike = executorsFor(() => SPIKE);
  assert.ok(flatSpike > flatBase, `${flatSpike} vs ${flatBase}`);
  // One second at SPIKE anywhere in the window asks for as many executors as SPIKE throughout.
  assert.equal(executorsFor((i) => (i === 5 ? SPIKE : BASE)), flatSpike);
});

test('the window is [now, now + 2 x interval + ceil(cold start)): first second included, second 45 excluded', () => {
  const flatBase = executorsFor(() => BASE);
  const flatSpike = executorsFor(() => SPIKE);
  assert.equal(executorsFor((i) => (i === 0 ? SPIKE : BASE)), flatSpike, 'a spike now');
  assert.equal(executorsFor((i) => (i === 44 ? SPIKE : BASE)), flatSpike, 'a spike in the last second of the window');
  assert.equal(executorsFor((i) => (i === 45 ? SPIKE : BASE)), flatBase, 'a spike just after the window');
});

test('the oracle reads the series at offsetS + tSeconds', () => {
  const flatBase = executorsFor(() => BASE);
  const flatSpike = executorsFor(() => SPIKE);
  const opts = { offsetS: 100, tSeconds: 30 };
  assert.equal(executorsFor((i) => (i === 130 ? SPIKE : BASE), opts), flatSpike);
  assert.equal(executorsFor((i) => (i === 30 || i === 100 ? SPIKE : BASE), opts), flatBase, 'seconds before now are the past');
});

test('the oracle adds the backlog, drained over one interval, to the demand', () => {
  // 200,000 queued over 10 s = 20,000 msgs/s more: as many executors as 40,000 msgs/s arriving.
  assert.equal(executorsFor(() => BASE, { backlogMsgs: 200_000 }), executorsFor(() => SPIKE));
});
