import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DashboardHub, type DashboardEvent, type PipelineCounters } from './state.ts';
import { FAKE_DASHBOARD_INFO, FakeDecisionFeed } from './fake-feed.ts';

const INFO = FAKE_DASHBOARD_INFO;
const COUNTERS: PipelineCounters = { published: 10, ingested: 9, processed: 8, dropped: 1, malformed: 0 };

test('hub keeps 600 ticks and 50 decisions by default', () => {
  const hub = new DashboardHub({ info: INFO });
  const feed = new FakeDecisionFeed(5);
  for (let i = 0; i < 601; i++) hub.recordDecision(feed.next());
  const s = hub.state();
  assert.equal(s.history.length, 600, 'default history length');
  assert.equal(s.history[0]!.tSeconds, 2, 'the oldest tick is the one dropped');
  assert.equal(s.decisions.length, 50, 'default decision log length');
  assert.equal(s.decisions[49]!.tSeconds, 601, 'the newest decision is kept');
  assert.equal(s.decisionsTotal, 601);
});

test('hub refuses history and decision log lengths below 1 or not integers', () => {
  assert.throws(() => new DashboardHub({ info: INFO, historyLength: 0 }), /historyLength must be an integer >= 1/);
  assert.throws(() => new DashboardHub({ info: INFO, historyLength: 2.5 }), /historyLength must be an integer >= 1/);
  assert.throws(() => new DashboardHub({ info: INFO, decisionLogLength: 0 }), /decisionLogLength must be an integer >= 1/);
  assert.throws(() => new DashboardHub({ info: INFO, decisionLogLength: Number.NaN }), /decisionLogLength must be an integer >= 1/);
});

test('hub refuses a negative cost and non-finite or negative counters', () => {
  const hub = new DashboardHub({ info: INFO });
  const r = new FakeDecisionFeed(1).next();
  r.snapshot.costUsd = -0.01;
  assert.throws(() => hub.recordDecision(r), /costUsd must be a finite number >= 0/);
  assert.equal(hub.decisionCount, 0, 'a refused record is not counted');
  assert.throws(() => hub.setCounters({ ...COUNTERS, dropped: Number.NaN }), /dropped must be a finite number >= 0/);
  assert.throws(() => hub.setCounters({ ...COUNTERS, malformed: Number.POSITIVE_INFINITY }), /malformed must be a finite number >= 0/);
});

test('a tick carries the snapshot, the forecast, the SLA and the decision of its record', () => {
  const hub = new DashboardHub({ info: { ...INFO, slaP95LatencyMs: 1234 } });
  const r = new FakeDecisionFeed(9).next();
  r.shieldReasons = ['max-step'];
  r.forecast.predictedRateMsgsPerS = 777;
  r.forecast.burstProbability = 0.42;
  hub.recordDecision(r);
  const s = hub.state();
  const tick = s.latest!;
  assert.equal(tick.slaP95LatencyMs, 1234, 'SLA from the hub info');
  assert.equal(tick.forecastRateMsgsPerS, 777, 'forecast rate from the forecast, not the snapshot');
  assert.equal(tick.burstProbability, 0.42);
  assert.equal(tick.arrivalRateMsgsPerS, r.snapshot.arrivalRateMsgsPerS);
  assert.equal(tick.processedRateMsgsPerS, r.snapshot.processedRateMsgsPerS);
  assert.equal(tick.p95LatencyMs, r.snapshot.p95LatencyMs);
  assert.equal(tick.costTotalUsd, r.snapshot.costUsd);
  assert.deepEqual(tick.weights, r.weights);
  assert.deepEqual(s.decisions[0]!.shieldReasons, ['max-step'], 'shield reasons in the decision log');
  assert.deepEqual(s.decisions[0]!.applied, r.applied);
});

test('the hub copies what it is given and what it returns', () => {
  const hub = new DashboardHub({ info: INFO });
  const r = new FakeDecisionFeed(2).next();
  r.shieldReasons = ['a'];
  hub.recordDecision(r);
  r.weights.alpha = 99;
  r.shieldReasons.push('b');
  r.applied.executors = 99;
  const s = hub.state();
  assert.notEqual(s.latest!.weights.alpha, 99, 'later changes to the record do not reach the tick');
  assert.deepEqual(s.decisions[0]!.shieldReasons, ['a']);
  assert.notEqual(s.decisions[0]!.applied.executors, 99);
  s.history.length = 0;
  s.decisions.length = 0;
  s.counters.published = 5;
  s.info.policy = 'changed';
  const again = hub.state();
  assert.equal(again.history.length, 1, 'clearing a returned history does not clear the hub');
  assert.equal(again.decisions.length, 1);
  assert.equal(again.counters.published, 0);
  assert.equal(again.info.policy, 'threshold-forecast');
});

test('setCounters emits an event only when a counter changed', () => {
  const hub = new DashboardHub({ info: INFO });
  const events: DashboardEvent[] = [];
  hub.subscribe((e) => events.push(e));
  hub.setCounters({ published: 0, ingested: 0, processed: 0, dropped: 0, malformed: 0 });
  assert.equal(events.length, 0, 'all-zero counters equal the initial ones');
  hub.setCounters(COUNTERS);
  hub.setCounters({ ...COUNTERS });
  assert.deepEqual(events, [{ type: 'counters', data: COUNTERS }], 'one event for one change');
  hub.setCounters({ ...COUNTERS, malformed: 1 });
  assert.equal(events.length, 2, 'a change in the last counter is seen too');
  assert.deepEqual(hub.state().counters, { ...COUNTERS, malformed: 1 });
});

test('markStopped shows the run as finished in the state and tells subscribers', () => {
  const hub = new DashboardHub({ info: INFO });
  const events: DashboardEvent[] = [];
  hub.subscribe((e) => events.push(e));
  assert.equal(hub.state().running, true);
  hub.markStopped();
  assert.equal(hub.state().running, false);
  assert.deepEqual(events, [{ type: 'info', data: { info: INFO, running: false } }]);
  hub.updateInfo({ mode: 'paused' });
  assert.deepEqual(events[1], { type: 'info', data: { info: { ...INFO, mode: 'paused' }, running: false } }, 'later info keeps running: false');
});

test('a subscriber that throws is dropped and neither the others nor the caller see the error', () => {
  const hub = new DashboardHub({ info: INFO });
  const seen: string[] = [];
  hub.subscribe(() => {
    throw new Error('socket closed');
  });
  hub.subscribe((e) => seen.push(e.type));
  assert.equal(hub.subscriberCount, 2);
  assert.doesNotThrow(() => hub.recordDecision(new FakeDecisionFeed(4).next()));
  assert.deepEqual(seen, ['tick'], 'the healthy subscriber got the event');
  assert.equal(hub.subscriberCount, 1, 'the broken subscriber was removed');
});

test('the hub shares no header list with its callers and hands out ticks and decisions that cannot be changed', () => {
  const given = { ...INFO, policies: ['a', 'b'], modes: ['normal'], notes: ['x'] };
  const hub = new DashboardHub({ info: given });
  given.policies.push('given-later');
  const s = hub.state();
  assert.deepEqual(s.info.policies, ['a', 'b'], 'a change to the constructor argument does not reach the hub');
  s.info.policies.push('returned-later');
  s.info.modes.length = 0;
  s.info.notes[0] = 'changed';
  const patch = { policies: ['c'] };
  hub.updateInfo(patch);
  patch.policies.push('patched-later');
  const again = hub.state();
  assert.deepEqual(again.info.policies, ['c'], 'neither a returned list nor the patch reaches the hub');
  assert.deepEqual(again.info.modes, ['normal']);
  assert.deepEqual(again.info.notes, ['x']);

  const seen: DashboardEvent[] = [];
  hub.subscribe((e) => seen.push(e));
  hub.recordDecision(new FakeDecisionFeed(3).next());
  const tick = hub.state().latest!;
  assert.throws(() => { tick.backlogMsgs = -1; }, TypeError, 'a tick is frozen');
  assert.throws(() => { tick.weights.alpha = 99; }, TypeError, 'its weights too');
  const decision = hub.state().decisions[0]!;
  assert.throws(() => { decision.shieldReasons.push('x'); }, TypeError, 'a decision is frozen');
  assert.throws(() => { decision.applied.executors = 99; }, TypeError);
  const event = seen.find((e) => e.type === 'tick');
  assert.ok(event && event.type === 'tick' && Object.isFrozen(event.data.tick), 'subscribers get the same frozen tick');
});
