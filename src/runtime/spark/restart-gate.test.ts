/**
 * The restart gate against docs/SPARK.md "Restart gate": the three conditions (minimum interval since the last
 * restart, burst probability below the threshold, gain > restart cost), the gain and cost formulas, and the downtime
 * estimate (driver restart + checkpoint recovery + median cold start, then an EWMA of weight 0.5 of measured restarts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../core/config.ts';
import type { Action, EdgeForecast, SystemSnapshot } from '../../core/types.ts';
import { executorUsdPerS } from '../../cluster/memory.ts';
import { RestartGate } from './restart-gate.ts';

const config = loadConfig();
/** 3 executors spilling at 1.6x their 4 GB serve about half of 10,000 msgs/s; 8 GB fits them (a restart that pays). */
const SPILLING = { arrivalRateMsgsPerS: 10_000, memoryUtilization: 1.6, memoryPerExecutorGb: 4, meanMessageBytes: 1000 } as SystemSnapshot;
const CALM: EdgeForecast = { predictedRateMsgsPerS: 10_000, burstProbability: 0.05, horizonS: 40, gatewayId: 'all' };
const NOW: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
const MORE: Action = { ...NOW, memoryGb: 8 };

/** The spec's formulas, written from docs/SPARK.md (capacity from the gate's world model). */
function specPrice(gate: RestartGate, current: Action, proposed: Action, snapshot: SystemSnapshot, forecast: EdgeForecast): { gain: number; cost: number } {
  const rate = Math.max(snapshot.arrivalRateMsgsPerS, forecast.predictedRateMsgsPerS);
  const share = (cap: number): number => (cap >= rate ? 0 : Math.min(1, (rate - cap) / (0.1 * rate)));
  const atCount = { ...current, executors: proposed.executors };
  const capNow = gate.capacityMsgsPerS(atCount, snapshot);
  const capNext = gate.capacityMsgsPerS(proposed, snapshot);
  const rateNow = atCount.executors * executorUsdPerS(atCount.memoryGb, config);
  const rateNext = proposed.executors * executorUsdPerS(proposed.memoryGb, config);
  const sla = gate.slaViolationUsdPerS;
  const H = gate.gainHorizonS;
  const down = gate.expectedDowntimeS;
  const gain = H * (rateNow - rateNext + sla * (share(capNow) - share(capNext)));
  const catchUp = capNext > rate ? (rate * down) / (capNext - rate) : Infinity;
  return { gain, cost: sla * Math.min(H, down + catchUp) + rateNext * down };
}

test('a restart exactly minRestartIntervalS after the last one is eligible ("at least" the interval), one second earlier is not', () => {
  const gate = new RestartGate({ config, minRestartIntervalS: 600 });
  gate.recordRestart(1000);
  const early = gate.evaluate({ nowS: 1599, current: NOW, proposed: MORE, snapshot: SPILLING, forecast: CALM });
  assert.equal(early.allow, false, `599 s after a restart must be deferred: ${early.reason}`);
  assert.match(early.reason, /last restart 599 s ago/, 'the deferral names the interval');
  const onTime = gate.evaluate({ nowS: 1600, current: NOW, proposed: MORE, snapshot: SPILLING, forecast: CALM });
  assert.equal(onTime.allow, true, `600 s after a restart a paying restart must pass: ${onTime.reason}`);
});

test('a burst probability at the threshold defers a restart; just below it does not', () => {
  const gate = new RestartGate({ config, maxBurstProbability: 0.3 });
  const at = gate.evaluate({ nowS: 0, current: NOW, proposed: MORE, snapshot: SPILLING, forecast: { ...CALM, burstProbability: 0.3 } });
  assert.equal(at.allow, false, `burst probability 0.30 is not below 0.3: ${at.reason}`);
  assert.match(at.reason, /burst probability 0\.30/, 'the deferral names the burst probability');
  const below = gate.evaluate({ nowS: 0, current: NOW, proposed: MORE, snapshot: SPILLING, forecast: { ...CALM, burstProbability: 0.29 } });
  assert.equal(below.allow, true, `burst probability 0.29 is below 0.3: ${below.reason}`);
});

test('gain and restart cost follow the documented formulas, for a restart that pays and one whose capacity stays short', () => {
  const gate = new RestartGate({ config });
  const cases: Array<[string, Action, Action, SystemSnapshot]> = [
    ['spilling 4 GB -> 8 GB', NOW, MORE, SPILLING],
    ['spilling, 8 GB with zstd on s3 and more executors', NOW, { executors: 5, memoryGb: 8, tier: 's3', codec: 'zstd' }, SPILLING],
    ['fitting 8 GB -> 2 GB (the proposal spills and falls short)', MORE, { ...MORE, memoryGb: 2 }, { ...SPILLING, memoryUtilization: 0.5, memoryPerExecutorGb: 8, arrivalRateMsgsPerS: 2000 } as SystemSnapshot],
    ['the forecast, not the arrivals, sets the rate', NOW, { ...NOW, codec: 'zstd' }, { ...SPILLING, arrivalRateMsgsPerS: 10 } as SystemSnapshot],
  ];
  for (const [name, current, proposed, snapshot] of cases) {
    const want = specPrice(gate, current, proposed, snapshot, CALM);
    const got = gate.evaluate({ nowS: 0, current, proposed, snapshot, forecast: CALM });
    assert.ok(Math.abs(got.gainUsd - want.gain) <= 1e-9 * Math.max(1, Math.abs(want.gain)), `${name}: gain ${got.gainUsd} USD, spec ${want.gain}`);
    assert.ok(Math.abs(got.restartCostUsd - want.cost) <= 1e-9 * Math.max(1, Math.abs(want.cost)), `${name}: restart cost ${got.restartCostUsd} USD, spec ${want.cost}`);
    assert.equal(got.allow, want.gain > want.cost, `${name}: allowed iff gain > cost (${got.reason})`);
  }
});

test('capacity grows with executors and with memory for a spilling working set', () => {
  const gate = new RestartGate({ config });
  const c3 = gate.capacityMsgsPerS(NOW, SPILLING);
  assert.ok(Math.abs(gate.capacityMsgsPerS({ ...NOW, executors: 6 }, SPILLING) - 2 * c3) <= 1e-9 * c3, 'twice the executors serve twice the messages');
  assert.ok(gate.capacityMsgsPerS(MORE, SPILLING) > c3, 'a spilling working set is served faster with more memory');
  // The working set is utilization x the memory it was measured on (4 GB), not x the proposal's memory.
  const measuredOn8 = { ...SPILLING, memoryPerExecutorGb: 8 } as SystemSnapshot;
  assert.ok(gate.capacityMsgsPerS(MORE, measuredOn8) < gate.capacityMsgsPerS(MORE, SPILLING), 'a 1.6x working set of 8 GB executors spills more in 8 GB than one of 4 GB executors');
});

test('the executor count in a proposal does not change whether its restart-class part pays (it goes live anyway)', () => {
  const gate = new RestartGate({ config });
  const proposed: Action = { ...MORE, executors: 10 };
  const fromThree = gate.evaluate({ nowS: 0, current: NOW, proposed, snapshot: SPILLING, forecast: CALM });
  const fromTen = gate.evaluate({ nowS: 0, current: { ...NOW, executors: 10 }, proposed, snapshot: SPILLING, forecast: CALM });
  assert.equal(fromThree.gainUsd, fromTen.gainUsd, 'the gain compares memory/tier/codec at the executor count that will be in force');
  assert.equal(fromThree.allow, fromTen.allow, 'same verdict whatever the current count');
});

test('the downtime estimate starts at driver restart + checkpoint recovery + median cold start and follows measured restarts with weight 0.5', () => {
  const gate = new RestartGate({ config });
  const k = config.sparkK8s;
  assert.equal(gate.expectedDowntimeS, k.driverRestartS + k.checkpointRecoveryS + config.cluster.coldStart.medianS, 'starting estimate (30 + 10 + 25 s)');
  gate.recordMeasuredDowntime(25);
  assert.equal(gate.expectedDowntimeS, 45, 'EWMA 0.5 of 65 s and a measured 25 s');
  gate.recordMeasuredDowntime(Number.NaN);
  gate.recordMeasuredDowntime(Number.POSITIVE_INFINITY);
  gate.recordMeasuredDowntime(-5);
  assert.equal(gate.expectedDowntimeS, 45, 'non-finite or negative measurements are ignored');
});

test('a restart recorded by the actuator starts the minimum interval', () => {
  const gate = new RestartGate({ config, minRestartIntervalS: 600 });
  assert.equal(gate.evaluate({ nowS: 50, current: NOW, proposed: MORE, snapshot: SPILLING, forecast: CALM }).allow, true, 'no restart yet: a paying restart passes');
  gate.recordRestart(50);
  const again = gate.evaluate({ nowS: 100, current: NOW, proposed: MORE, snapshot: SPILLING, forecast: CALM });
  assert.equal(again.allow, false, `50 s after the recorded restart: ${again.reason}`);
  assert.equal(gate.restartsAllowed, 1, 'recorded restarts are counted');
});
