import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceFleet, constantRate, type FleetOptions } from './fleet.ts';
import type { DeviceMessage } from './schemas.ts';

function messages(opts: Partial<FleetOptions>, count: number): DeviceMessage[] {
  const fleet = new DeviceFleet({ scenario: 'balanced', devices: 30, seed: 1, rate: constantRate(100), durationS: 1e7, ...opts });
  const out: DeviceMessage[] = [];
  for (let i = 0; i < count; i++) out.push(fleet.next()!.message);
  return out;
}

test('same seed, same messages and times; another seed, other ones', () => {
  const a = new DeviceFleet({ scenario: 'balanced', devices: 30, seed: 42, rate: constantRate(100), durationS: 1e6 });
  const b = new DeviceFleet({ scenario: 'balanced', devices: 30, seed: 42, rate: constantRate(100), durationS: 1e6 });
  const c = new DeviceFleet({ scenario: 'balanced', devices: 30, seed: 43, rate: constantRate(100), durationS: 1e6 });
  const xs = [];
  const ys = [];
  const zs = [];
  for (let i = 0; i < 3000; i++) {
    // Peeking more often on one side must not change anything: the schedule is pull-based.
    if (i % 3 === 0) b.peekDueS();
    xs.push(a.next());
    ys.push(b.next());
    zs.push(c.next());
  }
  assert.deepEqual(xs, ys);
  assert.notDeepEqual(xs.map((x) => x!.message.payload), zs.map((z) => z!.message.payload));
  assert.notDeepEqual(xs.map((x) => x!.dueS), zs.map((z) => z!.dueS));
});

test('healthcare: 80 % vitals, about 5 % HIGH alerts that really are abnormal, ECG shape', () => {
  const ms = messages({ scenario: 'healthcare' }, 20_000);
  const vitals = ms.flatMap((m) => (m.payload.type === 'vitals' ? [m.payload] : []));
  const ecg = ms.flatMap((m) => (m.payload.type === 'ecg' ? [m.payload] : []));
  assert.ok(Math.abs(vitals.length / ms.length - 0.8) < 0.02, `vitals share ${vitals.length / ms.length}`);
  const high = vitals.filter((v) => v.alertLevel === 'HIGH');
  assert.ok(Math.abs(high.length / vitals.length - 0.05) < 0.01, `HIGH share ${high.length / vitals.length}`);
  for (const v of high) assert.ok((v.heartRateBpm <= 50 || v.heartRateBpm >= 120) && v.spo2Percent <= 92 && v.temperatureC >= 38, JSON.stringify(v));
  for (const v of vitals.filter((x) => x.alertLevel === 'NORMAL')) assert.ok(v.spo2Percent >= 93 && v.temperatureC < 38 && v.heartRateBpm > 40 && v.heartRateBpm < 120);
  const meanHr = vitals.filter((v) => v.alertLevel === 'NORMAL').reduce((s, v) => s + v.heartRateBpm, 0) / (vitals.length - high.length);
  assert.ok(meanHr > 62 && meanHr < 78, `mean resting HR ${meanHr}`);
  for (const e of ecg) {
    assert.equal(e.waveformMv.length, 20);
    assert.ok(Math.max(...e.waveformMv) > 0.8, 'an R peak');
    assert.ok(e.qrsDurationMs >= 80 && e.qrsDurationMs <= 120 && e.qtIntervalMs >= 350 && e.qtIntervalMs <= 450);
  }
});

test('industrial: 70 % sensor readings, wear never decreases, alerts grow with wear', () => {
  const ms = messages({ scenario: 'industrial', devices: 20 }, 20_000);
  const sensors = ms.flatMap((m) => (m.payload.type === 'sensors' ? [{ id: m.deviceId, p: m.payload }] : []));
  assert.ok(Math.abs(sensors.length / ms.length - 0.7) < 0.02);
  const lastWear = new Map<string, number>();
  for (const { id, p } of sensors) {
    assert.ok(p.wearLevel >= (lastWear.get(id) ?? 0), `wear of ${id} went down`);
    lastWear.set(id, p.wearLevel);
    if (p.alertLevel === 'CRITICAL') assert.ok(p.wearLevel > 0.7);
    assert.equal(p.operational, p.wearLevel < 0.95);
  }
  const alertRate = (lo: number, hi: number) => {
    const s = sensors.filter(({ p }) => p.wearLevel >= lo && p.wearLevel < hi);
    return s.filter(({ p }) => p.alertLevel !== 'NORMAL').length / s.length;
  };
  // anomaly probability 0.1 x wear: ~2 % for worn-in machines vs ~8 % for worn ones
  assert.ok(alertRate(0, 0.35) < alertRate(0.65, 1), `${alertRate(0, 0.35)} vs ${alertRate(0.65, 1)}`);
  for (const m of ms) if (m.payload.type === 'production') assert.ok(m.payload.efficiencyPercent >= 50 && m.payload.efficiencyPercent <= 100);
});

test('smart city: rush-hour traffic is heavier and slower, congestion follows its rule, parking adds up', () => {
  const rush = messages({ scenario: 'smart-city', startHourOfDay: 8 }, 6000);
  const night = messages({ scenario: 'smart-city', startHourOfDay: 3 }, 6000);
  const traffic = (ms: DeviceMessage[]) => ms.flatMap((m) => (m.payload.type === 'traffic' ? [m.payload] : []));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rushCount = mean(traffic(rush).map((t) => t.vehicleCount));
  const nightCount = mean(traffic(night).map((t) => t.vehicleCount));
  assert.ok(rushCount > 100 && rushCount < 130, `rush mean ${rushCount}`);
  assert.ok(nightCount > 28 && nightCount < 40, `night mean ${nightCount}`);
  assert.ok(mean(traffic(rush).map((t) => t.avgSpeedKmh)) < mean(traffic(night).map((t) => t.avgSpeedKmh)));
  for (const t of [...traffic(rush), ...traffic(night)]) {
    const expected = t.vehicleCount > 80 && t.avgSpeedKmh < 25 ? 'HIGH' : t.vehicleCount > 50 && t.avgSpeedKmh < 40 ? 'MEDIUM' : 'LOW';
    assert.equal(t.congestion, expected);
  }
  for (const m of [...rush, ...night]) {
    const p = m.payload;
    if (p.type === 'parking') assert.equal(p.availableSpots, p.totalSpots - p.occupiedSpots);
    if (p.type === 'air') assert.ok(p.pm10UgM3 >= p.pm25UgM3);
    if (p.type !== 'vitals' && p.type !== 'ecg' && p.type !== 'sensors' && p.type !== 'production') {
      assert.ok(Math.abs(p.location.latitude - 40.7128) <= 0.1 && Math.abs(p.location.longitude + 74.006) <= 0.1);
    }
  }
  // Each sensor keeps its type and location.
  const byDevice = new Map<string, string>();
  for (const m of rush) {
    const key = m.payload.type + JSON.stringify('location' in m.payload ? m.payload.location : null);
    assert.equal(byDevice.get(m.deviceId) ?? key, key);
    byDevice.set(m.deviceId, key);
  }
});

test('the local hour drives rush-hour traffic: 7-9 h and 17-19 h are rush hours, startHourOfDay is t = 0 and the hour moves on with time', () => {
  /** vehicleCount of traffic readings published between fromS and toS of a fleet starting at `startHourOfDay`. */
  const counts = (startHourOfDay: number, fromS: number, toS: number) => {
    const fleet = new DeviceFleet({ scenario: 'smart-city', devices: 30, seed: 3, rate: constantRate(0.05), durationS: toS, startHourOfDay });
    const out: number[] = [];
    for (let m = fleet.next(); m !== null; m = fleet.next()) {
      const p = m.message.payload;
      if (m.dueS >= fromS && p.type === 'traffic') out.push(p.vehicleCount);
    }
    assert.ok(out.length >= 5, `enough traffic readings at ${startHourOfDay} h (+${fromS} s): ${out.length}`);
    return out;
  };
  // b = 100 at rush hour (randint(80, 150)), 30 otherwise (randint(24, 45)), MESSAGES.md.
  for (const h of [7, 8, 9, 17, 18, 19]) assert.ok(counts(h + 0.1, 0, 1800).every((n) => n >= 80), `${h} h is a rush hour`);
  for (const h of [6, 10, 16, 20, 0]) assert.ok(counts(h + 0.1, 0, 1800).every((n) => n <= 45), `${h} h is not a rush hour`);
  // Starting at 5:30, the readings of 7:00-7:30 (1.5 h later) are rush-hour traffic.
  assert.ok(counts(5.5, 5400, 7200).every((n) => n >= 80), 'the hour of day advances with the schedule');
});
