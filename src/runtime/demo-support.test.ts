import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import type { SystemSnapshot } from '../core/types.ts';
import type { DecisionRecord } from '../control/types.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import { parseTraceCsv } from '../workload/trace.ts';
import { SeqDeduper } from './devices/dedup.ts';
import { checkAccounting, chooseDefaultPolicy, demoWorkload, fleetMessagesArrived, ModeContextPolicy, scaledForecasts, scaledMetrics, scaleSnapshot, unscaleRecord } from './demo-support.ts';

const config = loadConfig();
const smartCity = config.scenarios['smart-city'];

test('demoWorkload: the scenario process divided by the scale, same seed same rates, the first burst 45 s in', () => {
  const a = demoWorkload(smartCity, 3, { rateScale: 20 });
  const b = demoWorkload(smartCity, 3, { rateScale: 20 });
  const unscaled = demoWorkload(smartCity, 3, { rateScale: 1 });
  const ratesA = Array.from({ length: 300 }, (_, t) => a.rate(t));
  assert.deepEqual(ratesA, Array.from({ length: 300 }, (_, t) => b.rate(t)));
  for (let t = 0; t < 300; t += 17) assert.ok(Math.abs(a.rate(t) * 20 - unscaled.rate(t)) < 1e-9, `t=${t}`);
  const meanFirst40 = ratesA.slice(0, 40).reduce((x, y) => x + y, 0) / 40;
  // Base load 14,000 msgs/s with a diurnal swing of +-50 %: between 7,000 and 21,000 before scaling.
  assert.ok(meanFirst40 > 7000 / 20 / 1.5 && meanFirst40 < (21000 / 20) * 1.5, `mean ${meanFirst40}`);
  assert.equal(a.firstBurstAtS, 45);
  const meanBurst = ratesA.slice(50, 80).reduce((x, y) => x + y, 0) / 30;
  assert.ok(meanBurst > meanFirst40 * 1.3, `burst ${meanBurst} vs before ${meanFirst40}`);
  assert.notDeepEqual(ratesA, Array.from({ length: 300 }, (_, t) => demoWorkload(smartCity, 4, { rateScale: 20 }).rate(t)), 'another seed, another workload');
  assert.throws(() => demoWorkload(smartCity, 1, { rateScale: 0 }), /rateScale must be a finite number > 0/);
});

test('demoWorkload with a trace: the simulator\'s replay of it (rescaled to the scenario peak) divided by the scale, the first burst 45 s in', () => {
  const rows = ['t,rate'];
  for (let t = 0; t < 600; t++) rows.push(`${t},${t % 200 < 20 ? 50 : 5}`); // 20 s bursts every 200 s
  const trace = parseTraceCsv(rows.join('\n'), 'bursts.csv');
  const w = demoWorkload(smartCity, 3, { rateScale: 20, lengthS: 3600, leadInS: 45, trace });
  const rates = Array.from({ length: 600 }, (_, t) => w.rate(t));
  assert.equal(w.firstBurstAtS, 45);
  // 1 s rows replay as counts: the burst level maps to the scenario's peak, the rest to a tenth of it.
  assert.ok(Math.abs(Math.max(...rates) - smartCity.peakRateMsgsPerS / 20) < 1e-6, `max ${Math.max(...rates)}`);
  assert.ok(Math.abs(rates[44]! - smartCity.peakRateMsgsPerS / 200) < 1e-6 && Math.abs(rates[46]! - smartCity.peakRateMsgsPerS / 20) < 1e-6, `around the onset: ${rates.slice(43, 48)}`);
  assert.deepEqual(rates, Array.from({ length: 600 }, (_, t) => demoWorkload(smartCity, 3, { rateScale: 20, lengthS: 3600, leadInS: 45, trace }).rate(t)), 'same seed, same rates');
});

const SNAP: SystemSnapshot = {
  tSeconds: 10,
  arrivalRateMsgsPerS: 500,
  processedRateMsgsPerS: 480,
  backlogMsgs: 40,
  p95LatencyMs: 900,
  cpuUtilization: 0.5,
  memoryUtilization: 0.4,
  executorsRunning: 3,
  executorsStarting: 1,
  executorsDraining: 0,
  memoryPerExecutorGb: 4,
  tier: 'nvme',
  codec: 'lz4',
  shuffleBytes: 1000,
  observedReuse: 0.1,
  costRateUsdPerHour: 1.2,
  costUsd: 0.003,
  droppedMsgs: 2,
  meanMessageBytes: 600,
};

test('scaling: rates and counts to simulator units and back; latency, executors, money unchanged', async () => {
  const up = scaleSnapshot(SNAP, 20);
  assert.equal(up.arrivalRateMsgsPerS, 10_000);
  assert.equal(up.processedRateMsgsPerS, 9600);
  assert.equal(up.backlogMsgs, 800);
  assert.equal(up.droppedMsgs, 40);
  for (const k of ['p95LatencyMs', 'executorsRunning', 'memoryPerExecutorGb', 'costUsd', 'costRateUsdPerHour', 'meanMessageBytes', 'cpuUtilization'] as const) assert.equal(up[k], SNAP[k], k);
  const metrics = scaledMetrics({ id: 'x', snapshot: async () => SNAP }, 20);
  assert.equal((await metrics.snapshot()).arrivalRateMsgsPerS, 10_000);
  const forecasts = scaledForecasts({ latest: () => ({ predictedRateMsgsPerS: 50, burstProbability: 0.7, horizonS: 40, gatewayId: 'g' }) }, 20);
  assert.deepEqual(forecasts.latest(), { predictedRateMsgsPerS: 1000, burstProbability: 0.7, horizonS: 40, gatewayId: 'g' });
  const action = { executors: 3, memoryGb: 4, tier: 'nvme' as const, codec: 'lz4' as const };
  const record: DecisionRecord = { tSeconds: 1, policy: 'p', snapshot: up, forecast: forecasts.latest(), weights: { alpha: 1, beta: 0, gamma: 0 }, proposed: action, applied: action, path: 'noop', shieldReasons: [], decisionMicros: 5 };
  const back = unscaleRecord(record, 20);
  assert.ok(Math.abs(back.snapshot.arrivalRateMsgsPerS - 500) < 1e-9);
  assert.ok(Math.abs(back.forecast.predictedRateMsgsPerS - 50) < 1e-9);
  assert.equal(record.snapshot.arrivalRateMsgsPerS, 10_000, 'the original record is not modified');
});

test('chooseDefaultPolicy: edge-rl only when registered and every checkpoint exists', () => {
  assert.equal(chooseDefaultPolicy(['fixed', 'threshold-forecast'], ['a.json']).policy, 'threshold-forecast');
  const missing = chooseDefaultPolicy(['edge-rl', 'threshold-forecast'], ['a.json', 'b.json'], (p) => p === 'a.json');
  assert.equal(missing.policy, 'threshold-forecast');
  assert.match(missing.reason, /missing \(b\.json\)/);
  const ok = chooseDefaultPolicy(['edge-rl'], ['a.json', 'b.json'], () => true);
  assert.deepEqual(ok, { policy: 'edge-rl', reason: 'edge-rl checkpoints found' });
});

test('checkAccounting: balances, and names what does not', () => {
  const good = checkAccounting({ published: 100, ingested: 100, processed: 97, dropped: 3, droppedByReason: { late: 2, shutdown: 1 } });
  assert.equal(good.ok, true);
  assert.match(good.lines.join('\n'), /OK {2}published 100 = processed 97 \+ dropped 3/);
  assert.match(good.lines.join('\n'), /late 2, shutdown 1/);
  const lost = checkAccounting({ published: 100, ingested: 95, processed: 95, dropped: 0, droppedByReason: {} });
  assert.equal(lost.ok, false);
  assert.match(lost.lines.join('\n'), /off by 5/);
  assert.match(lost.lines.join('\n'), /5 never reached the engine/);
  const unexplained = checkAccounting({ published: 10, ingested: 10, processed: 8, dropped: 2, droppedByReason: { late: 1 } });
  assert.equal(unexplained.ok, false);
  assert.match(unexplained.lines.join('\n'), /reasons sum to 1/);
});

test('ModeContextPolicy: tells the policy the mode the dashboard set, and reads back its own weights', () => {
  const seen: Array<PolicyContext['mode']> = [];
  const action = { executors: 2, memoryGb: 4, tier: 'nvme' as const, codec: 'lz4' as const };
  const inner: Policy & { decisions: Array<{ weights: { alpha: number; beta: number; gamma: number } }> } = {
    id: 'fake',
    decisions: [],
    reset: () => undefined,
    act: (_obs, ctx) => {
      seen.push(ctx.mode);
      inner.decisions.push({ weights: { alpha: 0.2, beta: 0.7, gamma: 0.1 } });
      return action;
    },
  };
  const p = new ModeContextPolicy(inner, 5);
  assert.equal(p.id, 'fake');
  assert.equal(p.ownWeights(), null, 'nothing decided yet');
  const ctx = { snapshot: SNAP, forecast: { predictedRateMsgsPerS: 0, burstProbability: 0, horizonS: 0, gatewayId: '' }, weights: { alpha: 1, beta: 0, gamma: 0 }, scenario: 'healthcare', slaP95LatencyMs: 2000, controlIntervalS: 5, currentAction: action, executorCapacityMsgsPerS: 5000 };
  assert.deepEqual(p.act(new Float32Array(27), ctx), action);
  p.setMode('budget');
  p.act(new Float32Array(27), ctx);
  p.setMode('critical');
  p.act(new Float32Array(27), ctx);
  assert.deepEqual(seen, [
    { mode: 'normal', budgetLeftFraction: 1, budgetUsdPerHour: 5 },
    { mode: 'budget', budgetLeftFraction: 0.1, budgetUsdPerHour: 5 },
    { mode: 'critical', budgetLeftFraction: 1, budgetUsdPerHour: 5 },
  ]);
  assert.deepEqual(p.ownWeights(), { alpha: 0.2, beta: 0.7, gamma: 0.1 });
  assert.throws(() => p.setMode('panic'), /unknown mode "panic"/);
});

test('the demo waits for the fleet\'s own messages: arrivals from a stranger, or under a fleet id with made-up seqs, do not count', () => {
  const seen = new SeqDeduper();
  const fleet = ['SC-0001', 'SC-0002'];
  for (const seq of [0, 1, 2]) seen.accept('SC-0001', seq);
  seen.accept('SC-0002', 0);
  seen.accept('SC-0002', 2); // seq 1 still in transit
  for (let seq = 0; seq < 5000; seq++) seen.accept('STRANGER-1', seq);
  seen.accept('SC-0002', 1_000_000); // injected under a fleet id
  assert.equal(fleetMessagesArrived(fleet, seen), 4, '3 of SC-0001 + 1 of SC-0002 without a gap');
  seen.accept('SC-0002', 1);
  assert.equal(fleetMessagesArrived(fleet, seen), 6);
});
