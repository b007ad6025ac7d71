import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { DeviceFleet, constantRate, loadRateTrace, rateFromCsv, type FleetOptions } from './fleet.ts';

function drain(fleet: DeviceFleet) {
  const out = [];
  for (let m = fleet.next(); m !== null; m = fleet.next()) out.push(m);
  return out;
}

const base: FleetOptions = { scenario: 'balanced', devices: 10, seed: 5, rate: constantRate(200), durationS: 10 };

test('arrivals follow a constant rate: count is Poisson around rate x duration, times are ordered and inside the run', () => {
  const msgs = drain(new DeviceFleet(base));
  // mean 2000, sd ~45; 5 sd either side
  assert.ok(Math.abs(msgs.length - 2000) < 225, `count ${msgs.length}`);
  for (let i = 1; i < msgs.length; i++) assert.ok(msgs[i]!.dueS >= msgs[i - 1]!.dueS);
  assert.ok(msgs[0]!.dueS >= 0 && msgs[msgs.length - 1]!.dueS < 10);
  // each device's seqs are 0..n-1 with no gap and no repeat
  const seqs = new Map<string, number[]>();
  for (const m of msgs) seqs.set(m.message.deviceId, [...(seqs.get(m.message.deviceId) ?? []), m.message.seq]);
  assert.equal(seqs.size, 10);
  for (const [id, s] of seqs) assert.deepEqual(s, s.map((_, i) => i), id);
});

test('a rate of zero publishes nothing; a trace-driven burst shows up where the trace says', () => {
  assert.equal(drain(new DeviceFleet({ ...base, rate: constantRate(0) })).length, 0);
  const trace = rateFromCsv('t,rate\n0,0\n5,0\n5.01,1000\n8,1000\n8.01,0\n');
  const msgs = drain(new DeviceFleet({ ...base, rate: trace }));
  assert.ok(msgs.every((m) => m.dueS >= 5 && m.dueS < 8.02), 'messages only inside the burst');
  assert.ok(Math.abs(msgs.length - 3000) < 300, `burst count ${msgs.length}`);
});

test('rateFromCsv interpolates linearly, holds the ends, skips header and comments', () => {
  const r = rateFromCsv('# a trace\nt, rate\n\n10, 100\n20, 300\n');
  assert.equal(r(0), 100);
  assert.equal(r(10), 100);
  assert.equal(r(15), 200);
  assert.equal(r(20), 300);
  assert.equal(r(99), 300);
  const headerless = rateFromCsv('0,5\n1,7');
  assert.equal(headerless(0.5), 6);
});

test('rateFromCsv takes an event log (one timestamped row per message) counted per second', () => {
  const r = rateFromCsv('TIMESTAMP,ContextTokens\n2023-11-16 18:17:03.9,10\n2023-11-16 18:17:05.1,10\n2023-11-16 18:17:05.7,10\n', 'events.csv');
  assert.equal(r(0), 1);
  assert.equal(r(1), 0);
  assert.equal(r(1.5), 1);
  assert.equal(r(2), 2);
  assert.throws(() => rateFromCsv('ts\n2023-11-16 18:17:03\nnot a time\n', 'e.csv'), /e\.csv: line 3: timestamp is not a date and time/);
  // Forced: a Unix-epoch event log reads as messages per second, not as t,rate rows.
  const epoch = rateFromCsv('unix_s,size\n1700000000.2,5\n1700000000.7,5\n1700000002.1,5\n', 'epoch.csv', { format: 'events' });
  assert.equal(epoch(0), 2);
  assert.equal(epoch(2), 1);
});

test('bad traces are errors naming the file and line (the simulator\'s parser, shared)', () => {
  assert.throws(() => rateFromCsv('t,rate\n0,1\n0,2', 'x.csv'), /x\.csv: line 3: t must increase, got 0 after 0/);
  assert.throws(() => rateFromCsv('t,rate\n0,-1', 'x.csv'), /x\.csv: line 2: rate is negative: -1/);
  assert.throws(() => rateFromCsv('t,rate\n0,abc', 'x.csv'), /x\.csv: line 2: rate is not a number: 'abc'/);
  assert.throws(() => rateFromCsv('t,rate\nzz,1\n1,1', 'x.csv'), /x\.csv: line 2: t is not a number: 'zz'/);
  assert.throws(() => rateFromCsv('t,rate\n5', 'x.csv'), /x\.csv: line 2: missing column \(expected t,rate\[,size\]\)/);
  // One number alone is a list of one rate (a one-column file): 0 leaves nothing to replay.
  assert.throws(() => rateFromCsv('0', 'x.csv'), /x\.csv: every rate is 0: nothing to replay/);
  assert.throws(() => rateFromCsv('t,rate\n', 'x.csv'), /x\.csv: empty trace \(no data rows\)/);
  assert.throws(() => loadRateTrace('/nonexistent/trace.csv'), /\/nonexistent\/trace\.csv: cannot read rate trace/);
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-trace-'));
  try {
    const file = join(dir, 'trace.csv');
    writeFileSync(file, 't,rate\n0,10\n1,20\n');
    assert.equal(loadRateTrace(file)(0.5), 15);
    // gzip (by its magic bytes), t in minutes, a chosen column, a wide table: the shared parser's readings.
    const gz = join(dir, 'trace.csv.gz');
    writeFileSync(gz, gzipSync('t,other,rate\n0,9,10\n1,9,20\n'));
    const perMinute = loadRateTrace(gz, { traceStepS: 60, columns: ['t', 'rate'] });
    assert.equal(perMinute(30), 15);
    assert.equal(perMinute(60), 20);
    const wide = rateFromCsv('fn,1,2,3\na,60,0,120\nb,60,60,\n', 'wide.csv', { traceStepS: 60 });
    assert.equal(wide(0), 2);
    assert.equal(wide(60), 1);
    assert.equal(wide(120), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad fleet options and bad rate values are errors that say what and where', () => {
  assert.throws(() => new DeviceFleet({ ...base, devices: 0 }), /devices must be an integer in \[1, 100000\], got 0/);
  assert.throws(() => new DeviceFleet({ ...base, scenario: 'mars' as 'balanced' }), /unknown scenario 'mars'/);
  assert.throws(() => new DeviceFleet({ ...base, durationS: -1 }), /durationS/);
  assert.throws(() => new DeviceFleet({ ...base, startHourOfDay: 24 }), /startHourOfDay/);
  assert.throws(() => new DeviceFleet({ ...base, idPrefix: 'a/b-' }), /idPrefix 'a\/b-'/);
  assert.throws(() => constantRate(Number.NaN), /finite/);
  const fleet = new DeviceFleet({ ...base, rate: (t) => (t < 1 ? 10 : Number.NaN) });
  assert.throws(() => drain(fleet), /rate function returned NaN at t=1\.00 s/);
});

test('device ids are stable, prefixed and split over kinds in a balanced fleet', () => {
  const fleet = new DeviceFleet({ ...base, devices: 6, idPrefix: 't1-' });
  assert.deepEqual(fleet.deviceIds, ['t1-HC-0001', 't1-IN-0002', 't1-SC-0003', 't1-HC-0004', 't1-IN-0005', 't1-SC-0006']);
  const single = new DeviceFleet({ ...base, scenario: 'industrial', devices: 2 });
  assert.deepEqual(single.deviceIds, ['IN-0001', 'IN-0002']);
});

test('a low rate (arrivals further apart than the 10 ms rate grid) gives rate x duration messages too', () => {
  const msgs = drain(new DeviceFleet({ ...base, rate: constantRate(10), durationS: 200 }));
  // mean 2000, sd ~45; 5 sd either side
  assert.ok(Math.abs(msgs.length - 2000) < 225, `10 msgs/s for 200 s gave ${msgs.length} messages`);
});
