import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { DEFAULT_CONFIG } from '../core/config.ts';
import type { SystemSnapshot } from '../core/types.ts';
import { ObservationBuilder, observationScales } from '../control/observation.ts';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { forecastTopic } from '../runtime/devices/topics.ts';
import { DEFAULT_STALE_AFTER_S, encodeForecastMessage, FORGET_AFTER_STALE_PERIODS, ForecastCombiner, MqttForecastSource, NO_FORECAST, parseForecastMessage, StaticForecastSource } from './forecast-source.ts';

const f = (gatewayId: string, rate: number, prob: number, horizonS = 40) => ({ predictedRateMsgsPerS: rate, burstProbability: prob, horizonS, gatewayId });

test('combiner: sums rates, takes the max burst probability and the smallest horizon of fresh gateways', () => {
  const c = new ForecastCombiner(5);
  assert.deepEqual(c.combined(0), NO_FORECAST);
  c.update(f('gw-b', 300, 0.1), 1000);
  c.update(f('gw-a', 200, 0.7, 30), 2000);
  assert.deepEqual(c.combined(3000), { predictedRateMsgsPerS: 500, burstProbability: 0.7, horizonS: 30, gatewayId: 'gw-a+gw-b' });
  // gw-b's forecast (received at 1 s) is stale after 6 s; gw-a's after 7 s.
  assert.deepEqual(c.combined(6500), f('gw-a', 200, 0.7, 30));
  assert.deepEqual(c.combined(7001), NO_FORECAST);
  // A newer forecast replaces the older one; a late re-delivery of an older one is ignored.
  assert.equal(c.update(f('gw-a', 250, 0.2), 8000, 8), true);
  assert.equal(c.update(f('gw-a', 999, 0.9), 8100, 7), false);
  assert.deepEqual(c.combined(8200), f('gw-a', 250, 0.2));
  assert.equal(DEFAULT_STALE_AFTER_S, 5);
  assert.throws(() => new ForecastCombiner(0), /staleAfterS must be > 0/);
});

test('parseForecastMessage: accepts the wire form, rejects with a reason naming the field', () => {
  const topic = forecastTopic('gw-1');
  const ok = parseForecastMessage(topic, encodeForecastMessage(f('gw-1', 123.5, 0.25), 1_764_000_000.5));
  assert.deepEqual(ok, { ok: true, forecast: f('gw-1', 123.5, 0.25), tUnixS: 1_764_000_000.5 });
  const cases: Array<[string, string, RegExp]> = [
    ['edgepilot/ingest/healthcare', '{}', /not a forecast topic/],
    [topic, 'nope', /invalid JSON/],
    [topic, '[1,2]', /not a JSON object/],
    [topic, JSON.stringify({ predicted_rate: -1, burst_probability: 0, horizon: 40, gateway_id: 'gw-1', t: 1 }), /predicted_rate must be a finite number in \[0, 1000000000\], got -1/],
    [topic, JSON.stringify({ predicted_rate: 1, burst_probability: 1.5, horizon: 40, gateway_id: 'gw-1', t: 1 }), /burst_probability/],
    [topic, JSON.stringify({ predicted_rate: 1, burst_probability: 0.5, horizon: 40, gateway_id: 'gw-2', t: 1 }), /topic names gateway 'gw-1', payload says 'gw-2'/],
    [topic, JSON.stringify({ predicted_rate: 1, burst_probability: 0.5, horizon: 40, t: 1 }), /gateway_id must match/],
    [topic, 'x'.repeat(5000), /limit 4096/],
  ];
  for (const [t, payload, re] of cases) {
    const r = parseForecastMessage(t, payload);
    assert.equal(r.ok, false, payload.slice(0, 60));
    if (!r.ok) assert.match(r.reason, re);
  }
});

test('MqttForecastSource on aedes: two gateways combined, garbage counted, stale ones expire', async () => {
  const broker = await startEmbeddedBroker();
  let now = 50_000;
  const source = await MqttForecastSource.start({ mqttUrl: broker.url, staleAfterS: 5, nowMs: () => now });
  const pub = connect(broker.url, { protocolVersion: 4 });
  try {
    await new Promise<void>((r) => pub.once('connect', () => r()));
    await pub.publishAsync(forecastTopic('gw-a'), encodeForecastMessage(f('gw-a', 100, 0.2), 50), { qos: 1 });
    await pub.publishAsync(forecastTopic('gw-b'), encodeForecastMessage(f('gw-b', 40, 0.6), 50), { qos: 1 });
    await pub.publishAsync(forecastTopic('gw-c'), Buffer.from('{"predicted_rate": "lots"}'), { qos: 1 });
    const end = Date.now() + 5000;
    while ((source.received < 2 || source.rejected < 1) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(source.received, 2);
    assert.equal(source.rejected, 1);
    assert.match(source.lastRejectReason, /predicted_rate/);
    assert.deepEqual(source.latest(), { predictedRateMsgsPerS: 140, burstProbability: 0.6, horizonS: 40, gatewayId: 'gw-a+gw-b' });
    now += 5_001;
    assert.deepEqual(source.latest(), NO_FORECAST);
  } finally {
    await pub.endAsync();
    await source.stop();
    await broker.stop();
  }
});

test('StaticForecastSource returns copies of its value', () => {
  const s = new StaticForecastSource(f('gw', 1, 0));
  const a = s.latest();
  a.predictedRateMsgsPerS = 99;
  assert.equal(s.latest().predictedRateMsgsPerS, 1);
});

test('a forecast stamped far ahead of the controller clock is refused and logged, and one that got in cannot silence its gateway past staleAfterS', () => {
  let now = 1_800_000_000_000;
  const lines: string[] = [];
  const source = MqttForecastSource.offline({ staleAfterS: 5, nowMs: () => now, log: (l) => lines.push(l) });
  const topic = forecastTopic('edge-0');
  // A forged (or broken-clock) forecast from the year 2096.
  source.handle(topic, encodeForecastMessage(f('edge-0', 10, 0.5), 4_000_000_000));
  assert.equal(source.rejected, 1);
  assert.match(source.lastRejectReason, /^t 4000000000 is \d+ s ahead of this controller's clock \(limit 300 s\)$/);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^forecast subscriber: rejected a message on topic 'edgepilot\/edge\/edge-0\/forecast': bad-forecast: t 4000000000 is/);
  // The real gateway's forecasts keep coming and are used.
  source.handle(topic, encodeForecastMessage(f('edge-0', 100, 0.2), now / 1000));
  assert.deepEqual(source.latest(), f('edge-0', 100, 0.2));

  // A forecast a little ahead (within the limit) is accepted; a gateway whose clock then steps back is heard again
  // once that forecast has gone stale, instead of being ignored for good.
  const combiner = new ForecastCombiner(5);
  assert.equal(combiner.update(f('edge-0', 10, 0.9), now, now / 1000 + 200), true);
  assert.equal(combiner.update(f('edge-0', 100, 0.2), now + 1000, now / 1000 + 1), false, 'older by t while the last one is fresh: a late re-delivery');
  now += 6000;
  assert.equal(combiner.update(f('edge-0', 100, 0.2), now, now / 1000), true, 'the last one is stale: no longer blocks');
  assert.deepEqual(combiner.combined(now), f('edge-0', 100, 0.2));
});

test('a huge forecast payload is refused by its size before it is decoded', () => {
  const r = parseForecastMessage(forecastTopic('edge-0'), Buffer.alloc(3 * 1024 * 1024, 0x43));
  assert.deepEqual(r, { ok: false, reason: 'payload is 3145728 bytes, limit 4096' });
});

test('forecast subscriber: a broker restart is logged once (lost, then reconnected) and the gateways are heard again after it', async () => {
  let broker = await startEmbeddedBroker();
  const port = broker.port;
  const lines: string[] = [];
  const source = await MqttForecastSource.start({ mqttUrl: broker.url, log: (l) => lines.push(l) });
  try {
    await broker.stop();
    broker = await startEmbeddedBroker({ port });
    const end = Date.now() + 8000;
    while (source.connects < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(source.connects, 2);
    assert.equal(lines.filter((l) => l.startsWith(`forecast subscriber: lost the MQTT broker at ${broker.url}`)).length, 1, lines.join('\n'));
    assert.equal(lines.filter((l) => l.startsWith(`forecast subscriber: reconnected to the MQTT broker at ${broker.url} after`)).length, 1, lines.join('\n'));
    // The subscription was renewed: a forecast published on the new broker arrives.
    const pub = connect(broker.url, { protocolVersion: 4 });
    await new Promise<void>((r) => pub.once('connect', () => r()));
    const until = Date.now() + 5000;
    while (source.received < 1 && Date.now() < until) {
      await pub.publishAsync(forecastTopic('gw-r'), encodeForecastMessage(f('gw-r', 7, 0.1), Date.now() / 1000), { qos: 0 });
      await new Promise((r) => setTimeout(r, 50));
    }
    await pub.endAsync();
    assert.ok(source.received >= 1);
    assert.equal(source.latest().gatewayId, 'gw-r');
  } finally {
    await source.stop();
    await broker.stop();
  }
});

// Mutation audit (src/edge, src/control): behaviours the tests above left unchecked.

test("staleness is measured on the controller's receive clock: a gateway whose clock is an hour behind is fresh while it publishes", () => {
  let now = 1_800_000_000_000;
  const source = MqttForecastSource.offline({ staleAfterS: 5, nowMs: () => now, log: () => undefined });
  const topic = forecastTopic('edge-slow');
  source.handle(topic, encodeForecastMessage(f('edge-slow', 300, 0.4), now / 1000 - 3600));
  assert.equal(source.rejected, 0);
  assert.deepEqual(source.latest(), f('edge-slow', 300, 0.4));
  now += 4000;
  source.handle(topic, encodeForecastMessage(f('edge-slow', 320, 0.3), now / 1000 - 3600));
  now += 4999;
  assert.deepEqual(source.latest(), f('edge-slow', 320, 0.3), 'just under 5 s after the last message was received: still fresh');
  now += 2;
  assert.deepEqual(source.latest(), NO_FORECAST);
});

test('with no fresh gateway the forecast is NO_FORECAST = {0, 0, 0, ""}: the policy sees what the masked (no-edge) features show', () => {
  assert.deepEqual(NO_FORECAST, { predictedRateMsgsPerS: 0, burstProbability: 0, horizonS: 0, gatewayId: '' });
  assert.deepEqual(new ForecastCombiner(5).combined(0), NO_FORECAST);
  const snapshot: SystemSnapshot = {
    tSeconds: 10, arrivalRateMsgsPerS: 5000, processedRateMsgsPerS: 5000, backlogMsgs: 10, p95LatencyMs: 800, cpuUtilization: 0.5,
    memoryUtilization: 0.4, executorsRunning: 2, executorsStarting: 0, executorsDraining: 0, memoryPerExecutorGb: 4, tier: 'redis',
    codec: 'lz4', shuffleBytes: 1e6, observedReuse: 0.1, costRateUsdPerHour: 0.5, costUsd: 0.001, droppedMsgs: 0, meanMessageBytes: 500,
  };
  const weights = { alpha: 0.3, beta: 0.3, gamma: 0.4 };
  const scenario = { slaP95LatencyMs: 2000, controlIntervalS: 10 };
  const scales = observationScales(DEFAULT_CONFIG);
  const dead = new ObservationBuilder(scales).build(snapshot, NO_FORECAST, weights, scenario);
  const masked = new ObservationBuilder(scales, true).build(snapshot, f('gw', 9000, 0.9), weights, scenario);
  assert.deepEqual(Array.from(dead), Array.from(masked));
});

test('a newer forecast with the same t as the last one (two publications in one gateway clock tick) replaces it', () => {
  const c = new ForecastCombiner(5);
  assert.equal(c.update(f('gw-a', 100, 0.1), 1000, 1), true);
  assert.equal(c.update(f('gw-a', 200, 0.2), 1500, 1), true);
  assert.deepEqual(c.combined(1600), f('gw-a', 200, 0.2));
});

test('gateways whose ids change on every restart are forgotten once long stale, so the combiner does not grow for as long as the controller runs', () => {
  const c = new ForecastCombiner(5);
  const forgetMs = FORGET_AFTER_STALE_PERIODS * 5 * 1000;
  for (let restart = 0; restart < 100; restart++) {
    const t = restart * forgetMs; // each incarnation publishes once, then restarts under a new id
    c.update({ predictedRateMsgsPerS: 10, burstProbability: 0.1, horizonS: 30, gatewayId: `gw-${restart}` }, t);
    const f = c.combined(t);
    assert.equal(f.gatewayId, `gw-${restart}`, 'only the newest incarnation is fresh');
  }
  assert.ok(c.size <= 2, `held ${c.size} gateways after 100 restarts`);
  // A gateway stale for less than the forgetting period is still held (and counts again once it publishes).
  const d = new ForecastCombiner(5);
  d.update({ predictedRateMsgsPerS: 10, burstProbability: 0, horizonS: 30, gatewayId: 'a' }, 0);
  assert.equal(d.combined(forgetMs).gatewayId, '', 'stale: not combined');
  assert.equal(d.size, 1, 'stale for exactly the forgetting period: still held');
  d.combined(forgetMs + 1);
  assert.equal(d.size, 0, 'past the forgetting period: forgotten');
});

test('a gateway is stale only when nothing arrived for MORE than staleAfterS: fresh at exactly 5 s, stale 1 ms later (docs/CONTROLLER.md)', () => {
  const c = new ForecastCombiner(5);
  c.update({ predictedRateMsgsPerS: 10, burstProbability: 0, horizonS: 30, gatewayId: 'a' }, 1000);
  assert.deepEqual(c.freshGateways(6000), ['a'], 'exactly 5 s after: still fresh');
  assert.deepEqual(c.freshGateways(6001), [], 'past 5 s: stale');
});
