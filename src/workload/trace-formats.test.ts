import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTrace } from './trace.ts';
import { parseAccessLogTimeS, parseEventLog, parseTimestampS, parseTraceCsv, timestampProblem, TRACE_FORMATS, traceReading, TraceFormatError, type Trace, type TraceChunks, type TraceText } from './trace-formats.ts';
import { Rng } from '../core/rng.ts';

/** The text's UTF-8 bytes as chunks of `size` bytes (what src/workload/trace-file.ts hands the parser for a large file). */
function inChunks(text: string, size: number): TraceChunks {
  const bytes = Buffer.from(text);
  return {
    *chunks() {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    },
  };
}

test('an event log (one timestamped row per message) is counted per wall-clock second with the mean size', () => {
  const log = [
    'TIMESTAMP,ContextTokens,GeneratedTokens',
    '2023-11-16 18:17:03.9799600,100,1',
    '2023-11-16 18:17:05.5,300,1', // rows in any order
    '2023-11-16 18:17:04.0319600,200,2',
    '2023-11-16T18:17:05.9Z,500,3', // the same second written with T and Z
    '2023-11-16 19:17:05.2+01:00,400,4', // the same second in another zone
  ].join('\n');
  const trace = parseTraceCsv(log, 'events.csv');
  assert.deepEqual(Array.from(trace.tS), [0, 1, 2]);
  assert.deepEqual(Array.from(trace.rate), [1, 1, 3]);
  assert.deepEqual(Array.from(trace.size!), [100, 200, 400]);
  assert.equal(trace.stepS, 1);
  // Without a header, a second field is read as the size, and the reading says so (an id there would be visible).
  const headerless = parseTraceCsv('2024-01-01 00:00:00 17 3\n2024-01-01 00:00:00.5 18 3\n2024-01-01 00:00:03 19 4\n', 'h.txt');
  assert.equal(headerless.readingWhy, "irregular timestamps; the field after the time read as each message's size (first row: '17'; --trace-columns 1 reads the times alone)");
  // Without a size column (and without a header): counts only.
  const counts = parseTraceCsv('2024-01-01 00:00:00\n2024-01-01 00:00:00.5\n2024-01-01 00:00:03\n', 'n.csv');
  assert.deepEqual(Array.from(counts.rate), [2, 0, 0, 1]);
  assert.equal(counts.size, null);
});

test('event logs: a bad timestamp or size is named by file and line; traceStepS is refused', () => {
  assert.throws(() => parseTraceCsv('ts,size\n2023-11-16 18:17:03,1\n2023-11-16 25:17:03,1\n', 'a.csv'), /a\.csv: line 3: timestamp is not a date and time/);
  assert.throws(() => parseTraceCsv('ts,size\n2023-11-16 18:17:03,1\nyesterday,1\n', 'b.csv'), /b\.csv: line 3: timestamp is not a date and time .*'yesterday'/);
  assert.throws(() => parseTraceCsv('ts,size\n2023-11-16 18:17:03,1\n2023-11-16 18:17:04,big\n', 'c.csv'), /c\.csv: line 3: size is not a number: 'big'/);
  assert.throws(() => parseTraceCsv('ts,size\n2023-11-16 18:17:03,-2\n', 'd.csv'), /d\.csv: line 2: size is negative/);
  assert.throws(() => parseTraceCsv('2023-11-16 18:17:03\n', 'e.csv', { traceStepS: 60 }), /e\.csv: read as an event log \(one column of times\), whose times are in seconds; traceStepS \(60\) applies only to a numeric t column/);
  assert.throws(() => parseTraceCsv('t,rate\n0,1\n', 'f.csv', { format: 'csv' as never }), /f\.csv: format must be one of auto, series, events, wide, access-log, got 'csv'/);
});

test('a date-and-time t column with a rate is a timestamped series, told from an event log by its header or its spacing', () => {
  // Per-minute counts with ISO times (how many public series come): a series, rows 60 s long, not 3 messages.
  // 20 rows, one missing (minute 2): the steps are multiples of the most common one, which covers 18 of 19.
  const minutes = Array.from({ length: 21 }, (_, m) => m).filter((m) => m !== 2);
  const perMinute = minutes.map((m) => `2021-01-01 00:${String(m).padStart(2, '0')}:00,${2700 + m}`).join('\n');
  assert.equal(traceReading(perMinute).reading, 'timestamped');
  const series = parseTraceCsv(perMinute, 's.csv');
  assert.deepEqual(Array.from(series.tS), minutes.map((m) => 60 * m));
  assert.deepEqual(Array.from(series.rate), minutes.map((m) => 2700 + m));
  assert.equal(series.stepS, 60);
  assert.match(describeTrace(series), /^timestamped series \(rows every 60 s\), 20 rows of 60 s over 1,260 s/);
  // An irregular spacing without a header is an event log.
  assert.equal(traceReading('2021-01-01 00:00:00,5\n2021-01-01 00:00:07,6\n2021-01-01 00:00:09,6\n2021-01-01 00:00:30,6\n').reading, 'events');
  // The header decides when it names the column: a rate, or a size (an event log even if the rows look regular).
  assert.equal(traceReading(`time,requests\n${perMinute}`).why, "header column 'requests' is a rate");
  const sized = traceReading(`time,bytes\n${perMinute}`);
  assert.equal(sized.reading, 'events');
  assert.equal(parseTraceCsv(`time,bytes\n${perMinute}`, 'b.csv').eventCount, 20);
  // Forced either way.
  assert.equal(parseTraceCsv(perMinute, 'f.csv', { format: 'events' }).eventCount, 20);
  assert.equal(parseTraceCsv('ts,size\n2021-01-01 00:00:00,5\n2021-01-01 00:00:07,6\n', 'g.csv', { format: 'series' }).reading, 'timestamped');
  // A row out of step is named by its line.
  assert.throws(() => parseTraceCsv('when,rate\n2021-01-01 00:01:00,1\n2021-01-01 00:00:00,2\n', 'h.csv'), /h\.csv: line 3: t must increase/);
  assert.throws(() => parseTraceCsv('when,rate\n2021-01-01 00:01:00,1\n61,2\n', 'i.csv'), /i\.csv: line 3: t is not a date and time .* like the first row's: '61'/);
});

test('numeric times from 1e9 on are Unix times, in seconds, ms, µs or ns by their size; format events reads smaller ones as seconds', () => {
  const epoch = 'unix_s,size\n1700158623.97,4808\n1700158624.03,3180\n1700158624.5,100\n';
  const events = parseTraceCsv(epoch, 'epoch.csv');
  assert.equal(events.reading, 'events');
  assert.equal(events.readingWhy, "Unix times in seconds; header column 'size' is a size");
  assert.deepEqual(Array.from(events.rate), [1, 2]);
  assert.deepEqual(Array.from(events.size!), [4808, 1640]);
  // The same messages logged in milliseconds, microseconds and nanoseconds count alike.
  for (const [unit, scale] of [['milliseconds', 1e3], ['microseconds', 1e6], ['nanoseconds', 1e9]] as const) {
    const scaled = `time,size\n${[1700158623.97, 1700158624.03, 1700158624.5].map((t, i) => `${Math.round(t * scale)},${[4808, 3180, 100][i]}`).join('\n')}\n`;
    const t = parseTraceCsv(scaled, 'scaled.csv');
    assert.equal(t.readingWhy, `Unix times in ${unit}; header column 'size' is a size`);
    assert.deepEqual(Array.from(t.rate), [1, 2]);
  }
  assert.throws(() => parseTraceCsv('ms,size\n1700158623970,1\n1800158624030,1\n', 'ms.csv'), /ms\.csv: the events span .* \(read as a Unix time in milliseconds\)/);
  // A regular epoch series is a timestamped series; --trace-format series reads the numbers in units of traceStepS.
  const perMinute = 't,rate\n1700000000,5\n1700000060,7\n1700000120,9\n';
  const series = parseTraceCsv(perMinute, 'm.csv');
  assert.equal(series.reading, 'timestamped');
  assert.deepEqual([Array.from(series.tS), series.stepS], [[0, 60, 120], 60]);
  assert.equal(parseTraceCsv(perMinute, 'm.csv', { format: 'series' }).tS[1], 1700000060);
  assert.throws(() => parseTraceCsv(perMinute, 'm.csv', { traceStepS: 60 }), /m\.csv: read as a timestamped series \(Unix times in seconds; header column 'rate' is a rate\).*--trace-format series reads the numbers in units of traceStepS/);
  // Small numbers: a series under auto, seconds from the log's start under format events.
  assert.equal(traceReading('0.5,1\n1.2,1\n1.7,1\n').reading, 'series');
  assert.deepEqual(Array.from(parseTraceCsv('0.5,1\n1.2,1\n1.7,1\n', 's.csv', { format: 'events' }).rate), [1, 2]);
  // A row out of the first row's kind is named.
  assert.throws(() => parseTraceCsv('time,size\n1700158623,1\n2023-11-16 18:17:03,1\n', 'k.csv'), /k\.csv: line 3: timestamp is not a Unix time in seconds like the first row's: '2023-11-16 18:17:03'/);
});

test('a file of one column is an event log of its times or a list of rates; so is one line of numbers', () => {
  const times = parseTraceCsv('timestamp\n2021-01-01 00:00:00\n2021-01-01 00:00:00.5\n2021-01-01 00:00:02\n', 'times.csv');
  assert.deepEqual([times.reading, times.readingWhy, Array.from(times.rate)], ['events', 'one column of times', [2, 0, 1]]);
  assert.equal(parseTraceCsv('1700000000\n1700000000.2\n1700000001\n', 'epoch.txt').eventCount, 3);
  const rates = parseTraceCsv('requests\n5\n7\n0\n9\n', 'rates.csv', { traceStepS: 60 });
  assert.deepEqual([rates.reading, rates.readingWhy, Array.from(rates.tS), Array.from(rates.rate), rates.stepS], ['series', 'one column: a rate a row', [0, 60, 120, 180], [5, 7, 0, 9], 60]);
  // One line of space-separated rates (how some autoscaling datasets ship NASA or WorldCup per-second rates).
  assert.deepEqual(Array.from(parseTraceCsv('5,6,7,8,\n', 'trailing.txt').rate), [5, 6, 7, 8]);
  // Forced to a series, one line stays one row (t, rate, size), as before.
  assert.equal(parseTraceCsv('0,120,512,3\n', 'row.csv', { format: 'series' }).rate.length, 1);
  const line = parseTraceCsv('12 15 9 30 4\n', 'workload.txt');
  assert.deepEqual([line.readingWhy, Array.from(line.rate)], ['one line of numbers: a rate each', [12, 15, 9, 30, 4]]);
  assert.throws(() => parseTraceCsv('rate\n5\nlots\n', 'bad.csv'), /bad\.csv: line 3: rate is not a number: 'lots' \(read as a list of rates, one a step\)/);
  assert.throws(() => parseTraceCsv('rate\n5\n-1\n', 'neg.csv'), /neg\.csv: line 3: rate is negative: -1/);
});

test('a time column after an id column is found, and a column after the time that is not a number is no size', () => {
  const taxi = 'VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count\n1,2019-01-01 00:00:01,2019-01-01 00:09:01,1\n2,2019-01-01 00:00:01,2019-01-01 00:07:00,3\n1,2019-01-01 00:00:03,2019-01-01 00:05:00,1\n';
  const trips = parseTraceCsv(taxi, 'taxi.csv');
  assert.equal(trips.reading, 'events');
  assert.match(trips.readingWhy!, /^time column 'tpep_pickup_datetime' \(column 2, the first of dates and times\); .*column 'tpep_dropoff_datetime' is not a number: no sizes$/);
  assert.deepEqual([Array.from(trips.rate), trips.size], [[2, 0, 1], null]);
  // A sensor log: Unix seconds, then a device id.
  const sensors = parseTraceCsv('"ts","device","co"\n"1594512094.38","b8:27:eb:bf:9d:51","0.004"\n"1594512094.73","00:0f:00:70:91:0a","0.002"\n"1594512096.1","b8:27:eb:bf:9d:51","0.004"\n', 'iot.csv');
  assert.deepEqual([Array.from(sensors.rate), sensors.size], [[2, 0, 1], null]);
  assert.match(sensors.readingWhy!, /column 'device' is not a number: no sizes/);
  // Chosen or named as a size, it must be a number.
  assert.throws(() => parseTraceCsv(taxi, 'taxi.csv', { columns: ['tpep_pickup_datetime', 'tpep_dropoff_datetime'], format: 'events' }), /taxi\.csv: line 2: size is not a number: '2019-01-01 00:09:01'/);
  assert.throws(() => parseTraceCsv('ts,bytes\n2019-01-01 00:00:01,big\n', 'b.csv'), /b\.csv: line 2: size is not a number: 'big'/);
  // InfluxDB's annotated CSV (`influx query --raw`): annotation lines, a header starting with an empty field, the
  // range's _start and _stop before the _time that is wanted.
  const influx = [
    '#group,false,false,true,true,false,false,true,true',
    '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string',
    '#default,_result,,,,,,,',
    ',result,table,_start,_stop,_time,_value,_field,_measurement',
    ...[0, 1, 2].map((m) => `,,0,2023-11-16T00:00:00Z,2023-11-16T01:00:00Z,2023-11-16T00:0${m}:00Z,${120 + 10 * m},msgs,ingest`),
  ].join('\n');
  const fromInflux = parseTraceCsv(influx, 'influx.csv');
  assert.deepEqual([fromInflux.reading, Array.from(fromInflux.rate), fromInflux.stepS], ['timestamped', [120, 130, 140], 60]);
  assert.match(fromInflux.readingWhy!, /^time column '_time' \(column 6, its header names a time\); header column '_value' is a rate$/);
  // A headerless 'id, then time' file keeps its first row (a line with a date is no header).
  assert.deepEqual(Array.from(parseTraceCsv('a,2023-01-01 00:00:00,10\nb,2023-01-01 00:00:00,20\na,2023-01-01 00:00:01,5\n', 'h.csv').rate), [2, 1]);
  // A 10-digit id before a column the header names as the time is no Unix time.
  const orders = parseTraceCsv('order_id,created_at,amount\n1234567890,2023-01-01 00:00:00,3\n1234567891,2023-01-01 00:00:00,4\n1234567892,2023-01-01 00:00:02,5\n', 'o.csv');
  assert.deepEqual([orders.readingWhy!.split(';')[0], Array.from(orders.rate)], ["time column 'created_at' (column 2, its header names a time)", [2, 0, 1]]);
  // A header that states the time's unit is read in it.
  const ms = parseTraceCsv('time_ms,rate\n0,5\n500,6\n1000,7\n', 'ms.csv');
  assert.deepEqual([ms.reading, Array.from(ms.tS)], ['timestamped', [0, 0.5, 1]]);
  // A file that reads by position is unchanged: its first column is the time.
  assert.equal(parseTraceCsv('id,when,rate\n1,2,3\n', 'p.csv').reading, 'series');
});

test('a word in the first column sends the reader to a later column of dates (CityPulse traffic: status,...,TIMESTAMP,vehicleCount)', () => {
  const traffic = 'status,avgMeasuredTime,avgSpeed,extID,medianMeasuredTime,TIMESTAMP,vehicleCount,_id,REPORT_ID\n' +
    [5, 7, 0, 9].map((n, i) => `OK,74,50,668,74,2014-02-13T11:${String(30 + 5 * i).padStart(2, '0')}:00,${n},${190000 + i},158324`).join('\n') + '\n';
  const trace = parseTraceCsv(traffic, 'traffic.csv');
  assert.equal(trace.reading, 'timestamped');
  assert.equal(trace.readingWhy, "time column 'TIMESTAMP' (column 6, its header names a time); header column 'vehicleCount' is a rate");
  assert.deepEqual([Array.from(trace.tS), Array.from(trace.rate), trace.stepS], [[0, 300, 600, 900], [5, 7, 0, 9], 300]);
  // Before session 18 this was "line 2: t is not a number: 'OK'": the later time was looked for only after an id.
  // A first column of numbers with a number beside it stays a numeric t column.
  assert.equal(traceReading('t,rate,when\n0,5,2014-02-13T11:30:00\n1,6,2014-02-13T11:35:00\n').why, 'numeric t column');
});

test('an event log of numeric times reads them in the unit given (traceStepS): offsets in microseconds, as in Google cluster traces', () => {
  // Headerless task events: microseconds since the trace's start, then empty and id columns.
  const offsets = [600_000_000, 600_400_000, 601_100_000, 603_000_000];
  const log = offsets.map((us) => `${us},,3418309,0`).join('\n') + '\n';
  const trace = parseTraceCsv(log, 'task_events.csv', { format: 'events', columns: ['1'], traceStepS: 1e-6 });
  assert.equal(trace.readingWhy, 'times in units of 0.000001 s, as given; one column of times');
  assert.deepEqual(Array.from(trace.rate), [2, 1, 0, 1]);
  // Offsets past 1e9 are not taken for Unix times when the unit is given: an hour in, 3.6e9 us.
  const later = parseTraceCsv(offsets.map((us) => String(us + 3_000_000_000)).join('\n') + '\n', 'later.csv', { format: 'events', traceStepS: 1e-6 });
  assert.deepEqual(Array.from(later.rate), [2, 1, 0, 1]);
  // Dates are dates whatever the unit: a step given for them is still refused.
  assert.throws(() => parseTraceCsv('2023-11-16 18:17:03\n', 'e.csv', { traceStepS: 60 }), /traceStepS \(60\) applies only to a numeric t column/);
});

test('JSON lines (one object a line: a dumped MQTT or Kafka topic) read their time key and a size or rate key', () => {
  const dump = [
    { device: 'd1', ts: 1594512094.38, payload: { bytes: 120, co: 0.004 } },
    { device: 'd2', ts: 1594512094.73, payload: { bytes: 80, co: 0.002 } },
    { device: 'd1', ts: 1594512096.1, payload: { bytes: 100, co: 0.004 } },
  ].map((o) => JSON.stringify(o)).join('\n');
  const events = parseTraceCsv(dump, 'topic.jsonl');
  assert.equal(events.readingWhy, "JSON lines, keys 'ts', 'payload.bytes'; Unix times in seconds; header column 'payload.bytes' is a size");
  assert.deepEqual([Array.from(events.rate), Array.from(events.size!)], [[2, 0, 1], [100, 0, 100]]);
  // ISO times under a time-like key; no size key: times only.
  const iso = '{"@timestamp":"2021-01-01T00:00:00Z","level":"info"}\n{"@timestamp":"2021-01-01T00:00:00.400Z","level":"warn"}\n{"@timestamp":"2021-01-01T00:00:01Z","level":"info"}\n';
  assert.deepEqual(Array.from(parseTraceCsv(iso, 'log.jsonl').rate), [2, 1]);
  // A series: a time and a rate every minute.
  const series = parseTraceCsv('{"time":"2021-01-01 00:00","count":5}\n{"time":"2021-01-01 00:01","count":7}\n{"time":"2021-01-01 00:02","count":4}\n', 's.jsonl');
  assert.deepEqual([series.reading, Array.from(series.rate), series.stepS], ['timestamped', [5, 7, 4], 60]);
  // Keys chosen by name, nested ones dotted.
  const chosen = parseTraceCsv(dump, 'topic.jsonl', { columns: ['ts', 'payload.co'], format: 'events' });
  assert.deepEqual(Array.from(chosen.size!).map((x) => Math.round(x * 1000)), [3, 0, 4]);
  assert.throws(() => parseTraceCsv(dump, 'topic.jsonl', { columns: ['when'] }), /topic\.jsonl: no column 'when' \(the header has: device, ts, payload\.bytes, payload\.co\)/);
  // Errors name the line.
  assert.throws(() => parseTraceCsv(`${dump}\n{"device":"d3","payload":{"bytes":1}}`, 'm.jsonl'), /m\.jsonl: line 4: no key 'ts'/);
  // A line cut short is an error, unless it is the last (a file still being written): then it is skipped, and said.
  assert.throws(() => parseTraceCsv(`${dump}\n{"ts": 1594512097,\n${dump}`, 't.jsonl'), /t\.jsonl: line 4: not valid JSON/);
  const cut = parseTraceCsv(`${dump}\n{"ts": 1594512097,`, 't.jsonl');
  assert.deepEqual([Array.from(cut.rate), cut.eventCount], [[2, 0, 1], 3]);
  assert.match(cut.readingWhy!, /; the last line \(4\) is not a whole JSON object \(a file still being written\?\): skipped$/);
  assert.throws(() => parseTraceCsv('{"device":"d1","v":3}\n', 'n.jsonl'), /n\.jsonl: line 1: no key of the first object holds a date and time or a Unix time \(keys: device, v\); name the time key with --trace-columns/);
  // Keys chosen where no default time key exists.
  assert.deepEqual(Array.from(parseTraceCsv('{"at":5,"n":2}\n{"at":6,"n":3}\n', 'c.jsonl', { columns: ['at', 'n'] }).rate), [2, 3]);
  // Edgepilot's own decision log (demo/serve --out): a live run replays as a series of its measured arrival rate.
  const log = [2.05, 4.05, 6.04].map((t, i) => JSON.stringify({ step: i, tSeconds: t, policy: 'edge-rl', snapshot: { tSeconds: t + 1, arrivalRateMsgsPerS: 1000 + 100 * i } })).join('\n');
  const live = parseTraceCsv(log, 'decisions.jsonl');
  assert.deepEqual([live.reading, live.readingWhy, Array.from(live.rate)], ['series', "JSON lines, keys 'tSeconds', 'snapshot.arrivalRateMsgsPerS'; numeric t column", [1000, 1100, 1200]]);
  assert.throws(() => parseTraceCsv('[{"ts":1}]\n', 'a.json'), /a\.json: line 1: a JSON array is not read; write one object a line \(JSON lines\), e\.g\. jq -c '\.\[\]' a\.json > a\.jsonl/);
});

test('a dumped topic as the consumers print it: mosquitto_sub -v (topic, object), kafka-console-consumer with print.timestamp (CreateTime, object)', () => {
  // Edgepilot's own device messages (src/runtime/devices/schemas.ts): the time is sentAtMs; payload.vehicleCount is
  // what a device reports, not a size or a rate (before session 18: read as a size, 'payload.' matching 'payload').
  const sentAtMs = [1700000000040, 1700000000500, 1700000001200, 1700000003100];
  const messages = sentAtMs.map((ms, seq) => JSON.stringify({ schemaVersion: 1, deviceId: `dev-${seq % 2}`, seq, sentAtMs: ms, payload: { kind: 'traffic', vehicleCount: 7 + seq, avgSpeedKmh: 42.5 } }));
  const expected = [2, 1, 0, 1];
  const plain = parseTraceCsv(messages.join('\n'), 'sub.jsonl');
  const why = "JSON lines, keys 'sentAtMs'; Unix times in milliseconds; one column of times; sizes: each object's length in bytes";
  assert.deepEqual([plain.reading, plain.readingWhy, Array.from(plain.rate)], ['events', why, expected]);
  // Each second's size is the mean length of its messages (since session 18; before, the scenario's sizes).
  const bytes = messages.map((m) => Buffer.byteLength(m));
  assert.deepEqual(Array.from(plain.size!), [(bytes[0]! + bytes[1]!) / 2, bytes[2], 0, bytes[3]]);
  const withTopics = parseTraceCsv(messages.map((m, i) => `edgepilot/devices/smart-city/dev-${i % 2} ${m}`).join('\n'), 'sub-v.txt');
  assert.deepEqual([withTopics.readingWhy, Array.from(withTopics.rate), Array.from(withTopics.size!)], [why, expected, Array.from(plain.size!)]);
  // Kafka's record time (CreateTime or LogAppendTime, ms) and key, tab-separated before the value.
  const kafka = messages.map((m, i) => `CreateTime:${sentAtMs[i]! + 5}\tdev-${i % 2}\t${m}`).join('\n');
  const records = parseTraceCsv(kafka, 'console.txt');
  assert.deepEqual([records.readingWhy, Array.from(records.rate)], [why.replace('sentAtMs', 'CreateTime'), expected]);
  // Columns chosen: what they say, no more (no sizes unless a size column is chosen).
  const chosen = parseTraceCsv(kafka, 'console.txt', { columns: ['sentAtMs'] });
  assert.deepEqual([Array.from(chosen.rate), chosen.size], [expected, null]);
  assert.throws(() => parseTraceCsv(kafka, 'console.txt', { columns: ['when'] }), /no column 'when' \(the header has: CreateTime, prefix2, schemaVersion, deviceId, seq, sentAtMs, payload\.kind, payload\.vehicleCount, payload\.avgSpeedKmh\)/);
  // A line without its object is named, unless it is the last.
  assert.throws(() => parseTraceCsv(`${kafka}\nCreateTime:1700000009000\tdev-1\t{"seq":\n${kafka}`, 'cut.txt'), /cut\.txt: line 5: not valid JSON/);
  // A size or rate named by a nested key still counts: payload.bytes, payload.msgRate.
  assert.equal(parseTraceCsv(messages.map((m) => m.replace('"kind"', '"bytes":90,"kind"')).join('\n'), 'b.jsonl').size![0], 90);
  // A line of CSV with a brace inside a field is not taken for JSON lines.
  assert.deepEqual(Array.from(parseTraceCsv('0,5,a {"b":1}\n1,6,c\n', 'n.csv', { columns: ['1', '2'] }).rate), [5, 6]);
});

test('a Prometheus range query answer is a timestamped series of its series summed per timestamp', () => {
  const answer = (result: unknown, resultType = 'matrix', status = 'success'): string => JSON.stringify({ status, data: { resultType, result } }, null, 2);
  const series = (instance: string, values: [number, string][]) => ({ metric: { __name__: 'ingest', instance }, values });
  const text = answer([series('a', [[1700000000, '10'], [1700000015, '12.5'], [1700000030, 'NaN']]), series('b', [[1700000000, '5'], [1700000030, '7']])]);
  assert.deepEqual(traceReading(text), { reading: 'timestamped', why: 'Prometheus range query answer' });
  const trace = parseTraceCsv(text, 'prom.json');
  assert.deepEqual([Array.from(trace.tS), Array.from(trace.rate), trace.stepS], [[0, 15, 30], [15, 12.5, 7], 15]);
  assert.equal(trace.readingWhy, 'Prometheus range query answer: 2 series summed per timestamp, values read as rates (msgs/s); 1 NaN samples counted as 0');
  // On one line too, and as bytes.
  assert.deepEqual(Array.from(parseTraceCsv(Buffer.from(JSON.stringify(JSON.parse(text))), 'prom.json').rate), [15, 12.5, 7]);
  // What is not a range query's rates is named.
  assert.throws(() => parseTraceCsv(answer([{ metric: {}, value: [1700000000, '3'] }], 'vector'), 'v.json'), /v\.json: a Prometheus answer of resultType 'vector'; a trace needs a range query \(query_range\)/);
  assert.throws(() => parseTraceCsv(answer([], 'matrix', 'error'), 'e.json'), /e\.json: the Prometheus answer has status 'error'/);
  assert.throws(() => parseTraceCsv(answer([series('a', [[1700000000, '-4']])]), 'n.json'), /n\.json: series 1, sample 1: a negative rate \(-4\); query a rate/);
  assert.throws(() => parseTraceCsv(answer([series('a', [[1700000000, 'lots']])]), 'l.json'), /l\.json: series 1, sample 1: expected \[unix seconds, "value"\]/);
  assert.throws(() => parseTraceCsv(answer([]), 'z.json'), /z\.json: the Prometheus matrix has no series/);
  // An error answer has no data; keys sorted (`jq -S`) put resultType after the result; overflow and null series.
  assert.throws(() => parseTraceCsv(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }), 'err.json'), /err\.json: the Prometheus answer has status 'error': parse error; save the answer of a query_range request that succeeded/);
  const sorted = JSON.stringify({ data: { result: Array.from({ length: 100 }, (_, i) => series(`host-${i}.example.com:9100`, [[1700000000, '1']])), resultType: 'matrix' }, status: 'success' });
  assert.deepEqual(Array.from(parseTraceCsv(sorted, 'sorted.json').rate), [100]);
  assert.throws(() => parseTraceCsv(answer([series('a', [[1700000000, '1e308']]), series('b', [[1700000000, '1e308']])]), 'big.json'), /big\.json: the series sum to more than a number can hold at t = 1700000000/);
  assert.throws(() => parseTraceCsv(answer([null]), 'null.json'), /null\.json: series 1 of the matrix has no values array/);
  assert.throws(() => parseTraceCsv(text, 'c.json', { columns: ['1'] }), /c\.json: columns do not apply to a Prometheus query answer/);
  assert.throws(() => parseTraceCsv(`${text.slice(0, -3)}`, 'cut.json'), /cut\.json: read as a Prometheus query answer, but it is not valid JSON/);
});

test('a numeric series with rows wider apart than traceStepS lasts its most common step, like its twin in coarser units', () => {
  const inSeconds = parseTraceCsv('t,rate\n0,10\n60,20\n120,30\n240,40\n', 's.csv');
  const inMinutes = parseTraceCsv('t,rate\n0,10\n1,20\n2,30\n4,40\n', 's.csv', { traceStepS: 60 });
  assert.deepEqual(inSeconds, inMinutes);
  assert.equal(inSeconds.stepS, 60);
  // A header that names the t column's unit sets the step, unless traceStepS is given.
  const minutes = parseTraceCsv('minute,count\n0,10\n1,20\n2,30\n4,40\n', 'm.csv');
  assert.deepEqual([Array.from(minutes.tS), minutes.stepS], [[0, 60, 120, 240], 60]);
  assert.match(minutes.readingWhy!, /; t in minutes \(the header says 'minute'; --trace-step-s overrides\)$/);
  assert.equal(parseTraceCsv('t_hours,rate\n0,1\n1,2\n', 'h.csv').stepS, 3600);
  assert.equal(parseTraceCsv('minute,count\n0,10\n1,20\n', 'm.csv', { traceStepS: 1 }).stepS, 1);
  assert.equal(parseTraceCsv('t,rate\n0,1\n1,2\n', 't.csv').stepS, 1);
  // Rows one step apart keep the step.
  assert.equal(parseTraceCsv('t,rate\n0,1\n1,2\n2,3\n', 'one.csv').stepS, 1);
});

test('tab- and semicolon-separated traces read like CSV; an all-zero trace is an error', () => {
  const tsv = parseTraceCsv('t\trate\n0\t5\n1\t7\n', 'x.tsv');
  assert.deepEqual(Array.from(tsv.rate), [5, 7]);
  const semi = parseTraceCsv('t;rate;size\n0;5;100\n1;7;200\n', 'x.csv');
  assert.deepEqual(Array.from(semi.size!), [100, 200]);
  assert.throws(() => parseTraceCsv('t,rate\n0,0\n1,0\n', 'zero.csv'), /zero\.csv: every rate is 0: nothing to replay/);
});

test('a wide table (Azure Functions style: one row per function, a column of counts per minute) sums its slot columns', () => {
  const text = 'HashOwner,HashApp,HashFunction,Trigger,1,2,3,4\no1,a1,f1,http,60,0,,120\no1,a1,f2,timer,0,30,30,0\n';
  assert.equal(traceReading(text).reading, 'wide');
  const t = parseTraceCsv(text, 'fn.csv', { traceStepS: 60 });
  assert.equal(t.reading, 'wide');
  assert.equal(t.wideRows, 2);
  assert.equal(t.stepS, 60);
  assert.deepEqual(Array.from(t.tS), [0, 60, 120, 180]);
  // Counts per slot over the slot length: msgs/s.
  assert.deepEqual(Array.from(t.rate), [1, 0.5, 0.5, 2]);
  assert.match(t.readingWhy!, /4 slot columns '1'\.\.'4', 60 s each, summed over 2 rows/);
  // A 1 s slot (the default) is flagged: per-minute counts need 60 s.
  assert.match(parseTraceCsv(text, 'fn.csv').readingWhy!, /need a slot length of 60 s/);
  assert.throws(() => parseTraceCsv('fn,1,2,3\na,1,x,3\n', 'w.csv'), /w\.csv: line 2: column '2' is not a count >= 0: 'x'/);
  assert.throws(() => parseTraceCsv('fn,1,2,3\na,1,2\n', 'w.csv'), /w\.csv: line 2: 3 columns, the header has 4/);
  assert.throws(() => parseTraceCsv('t,rate\n0,1\n1,2\n', 'w.csv', { format: 'wide' }), /w\.csv: read as a wide table, but the header does not end in 3 or more consecutive integer column names/);
  assert.throws(() => parseTraceCsv(text, 'fn.csv', { columns: ['1', '2'] }), /fn\.csv: columns do not apply to a wide table/);
  // Two integer-named columns are not a wide table.
  assert.equal(traceReading('t,1,2\n0,1,2\n1,1,2\n').reading, 'series');
});

test('columns pick the time, rate and size columns of a wider file by header name or number; # lines are comments', () => {
  const text = '# exported by a broker\nhost,minute,msgs,bytes\nh1,0,10,100\nh1,1,20,300\n';
  const byName = parseTraceCsv(text, 'b.csv', { columns: ['Minute', 'msgs', 'bytes'], traceStepS: 60 });
  assert.deepEqual(Array.from(byName.tS), [0, 60]);
  assert.deepEqual(Array.from(byName.rate), [10, 20]);
  assert.deepEqual(Array.from(byName.size!), [100, 300]);
  const byNumber = parseTraceCsv(text, 'b.csv', { columns: ['2', '3'] });
  assert.deepEqual(Array.from(byNumber.rate), [10, 20]);
  assert.equal(byNumber.size, null);
  // An event log whose time is not the first column.
  const log = 'id,ts,payload_bytes\n7,2024-01-01 00:00:00.1,50\n8,2024-01-01 00:00:00.9,150\n9,2024-01-01 00:00:02.0,10\n';
  const events = parseTraceCsv(log, 'l.csv', { columns: ['ts', 'payload_bytes'] });
  assert.equal(events.reading, 'events');
  assert.deepEqual(Array.from(events.rate), [2, 0, 1]);
  assert.deepEqual(Array.from(events.size!), [100, 0, 10]);
  assert.throws(() => parseTraceCsv(text, 'b.csv', { columns: ['minute', 'nope'] }), /b\.csv: no column 'nope' \(the header has: host, minute, msgs, bytes\)/);
  assert.throws(() => parseTraceCsv('0,1\n1,2\n', 'h.csv', { columns: ['t', 'rate'] }), /h\.csv: column 't' is a name, but the file has no header line/);
  assert.throws(() => parseTraceCsv('0,1\n1,2\n', 'h.csv', { columns: ['1', '5'] }), /h\.csv: line 1: no column 5 \(the row has 2\)/);
  assert.throws(() => parseTraceCsv('0,1\n1,2\n', 'h.csv', { columns: ['0', '1'] }), /h\.csv: column numbers start at 1/);
  // One column picked twice (by name and number, or a name in two cases) would read the time as the rate.
  assert.throws(() => parseTraceCsv(text, 'b.csv', { columns: ['minute', '2'] }), /b\.csv: columns 'minute' and '2' are the same column/);
  assert.throws(() => parseTraceCsv('0,1\n1,2\n', 'h.csv', { columns: ['1', '1'] }), /h\.csv: columns '1' and '1' are the same column/);
});

test('a trace given as bytes (how files are read, so one over the longest string loads) parses as its text does', () => {
  const text = '# ünïcode comment\nTIMESTAMP;ContextTokens\n2023-11-16 18:17:03.9;10\n2023-11-16 18:17:05.1;30\r\n2023-11-16 18:17:05.7;50';
  const fromText = parseTraceCsv(text, 'e.csv');
  const fromBytes = parseTraceCsv(Buffer.from(text, 'utf8'), 'e.csv');
  assert.deepEqual(fromBytes, fromText);
  assert.deepEqual(Array.from(fromBytes.rate), [1, 0, 2]);
  assert.deepEqual(Array.from(fromBytes.size!), [10, 0, 40]);
  // A view into a larger buffer reads only its own bytes.
  const padded = Buffer.from(`xxxx${text}yyyy`, 'utf8');
  const view = new Uint8Array(padded.buffer, padded.byteOffset + 4, padded.byteLength - 8);
  assert.deepEqual(parseTraceCsv(view, 'e.csv'), fromText);
  assert.throws(() => parseTraceCsv(Buffer.from('t,rate\n0,1\n1,x\n'), 'b.csv'), /b\.csv: line 3: rate is not a number: 'x'/);
});

test('timestamps may omit the seconds or the time of day; impossible ones are not timestamps', () => {
  assert.equal(parseTimestampS('2024-01-01 00:01'), parseTimestampS('2024-01-01 00:01:00'));
  assert.equal(parseTimestampS('2024-01-02'), parseTimestampS('2024-01-01T00:00:00Z')! + 86_400);
  assert.equal(parseTimestampS('2024-01-01T01:00+01:00'), parseTimestampS('2024-01-01 00:00:00'));
  assert.equal(parseTimestampS('2024-13-01 00:00'), null);
  assert.equal(parseTimestampS('2024-01-01 24:00'), null);
  assert.equal(parseTimestampS('2024-01-01 00'), null);
  // A per-minute export without seconds reads as a timestamped series of 60 s rows.
  const t = parseTraceCsv('time,count\n2024-01-01 00:00,5\n2024-01-01 00:01,7\n2024-01-01 00:02,6\n', 'm.csv');
  assert.equal(t.reading, 'timestamped');
  assert.equal(t.stepS, 60);
});

test('a day the month does not have is an error that says so, not a roll-over into the next month', () => {
  assert.equal(parseTimestampS('2023-02-30'), null);
  assert.equal(parseTimestampS('2023-04-31 10:00'), null);
  assert.equal(parseTimestampS('2024-02-29'), parseTimestampS('2024-03-01')! - 86_400); // a leap year has it
  assert.equal(timestampProblem('2023-02-29'), 'February 2023 has 28 days');
  assert.equal(timestampProblem('1900-02-29'), 'February 1900 has 28 days'); // a century is no leap year...
  assert.equal(timestampProblem('2000-02-29'), null); // ...unless it divides by 400
  assert.equal(timestampProblem('2023-12-31 23:59:60'), null); // a leap second reads, as before
  assert.equal(timestampProblem('2023-13-01'), 'no month 13');
  assert.equal(timestampProblem('2023-01-01 25:00'), 'no time of day 25:00');
  assert.equal(timestampProblem('2023-01-01 10:00+01:75'), 'no zone offset +01:75');
  assert.equal(timestampProblem('2023-01-01 10:00+01:30'), null);
  assert.equal(timestampProblem('hello'), null);
  assert.equal(parseAccessLogTimeS('31/Jun/1995:00:00:01 -0400'), null);
  assert.equal(parseAccessLogTimeS('30/Jun/1995:00:00:01 -0400'), parseAccessLogTimeS('01/Jul/1995:00:00:01 -0400')! - 86_400);
  // In a file: on the first row the file is still read as dated (not its header), and the line says why.
  assert.throws(() => parseTraceCsv('2023-02-30 00:00:00,4\n2023-03-01 00:00:00,5\n', 'f.csv'), /f\.csv: line 1: .*'2023-02-30 00:00:00' \(February 2023 has 28 days\)/);
  assert.throws(() => parseTraceCsv('time,rate\n2023-02-27,4\n2023-02-28,5\n2023-02-29,6\n', 'g.csv'), /g\.csv: line 4: t is not a date and time .*'2023-02-29' \(February 2023 has 28 days\)/);
  assert.throws(() => parseTraceCsv('time\n2023-06-30 10:00:00\n2023-06-31 10:00:01\n', 'e.csv'), /e\.csv: line 3: timestamp is not a date and time .*\(June 2023 has 30 days\)/);
});

test('numbers are decimal: a hex, binary or octal literal is no time, rate or size', () => {
  assert.throws(() => parseTraceCsv('t,rate\n0,5\n1,0x10\n', 'h.csv'), /h\.csv: line 3: rate is not a number: '0x10'/);
  assert.throws(() => parseTraceCsv('t,rate\n0,5\n0b11,4\n', 'b.csv'), /b\.csv: line 3: t is not a number: '0b11'/);
  assert.throws(() => parseEventLog('time,size\n1700000000,10\n1700000001,0o7\n', 'o.csv', true), /o\.csv: line 3: size is not a number: '0o7'/);
  assert.throws(() => parseTraceCsv('slot,1,2,3\nf,1,0x2,3\n', 'w.csv'), /w\.csv: line 2: column '2' is not a count >= 0: '0x2'/);
  // Decimal forms all read: sign, fraction, exponent.
  const t = parseTraceCsv('t,rate\n0,+5\n1,.5\n2,1e2\n3,2.\n', 'd.csv');
  assert.deepEqual(Array.from(t.rate), [5, 0.5, 100, 2]);
});

test('any input either parses into a well-formed trace or throws a TraceFormatError naming the file (seeded fuzz)', () => {
  const rng = new Rng(7);
  const atoms = ['t', 'rate', 'size', 'TIMESTAMP', '1', '2', '3', '0', '-1', '1e9', 'NaN', 'x', '', ' ', '2024-01-01 00:00:00', '2024-01-01T00:00:01.5Z', '2024-01-01', '#', ',', ';', '\t', '\n', '\r\n', '1.5', 'Infinity', '1700000000', '"', '"1"', '"2024-01-01 00:00:02"', 'h - - [01/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 6245', 'h - - [01/Jul/1995:00:00:03 -0400] "GET /a HTTP/1.0" 304 -', '[01/Jul/1995:00:00:0', '] "', ' 200 ', '-', 'débit', '€', '{', '}', '[', ':', '{"ts":1700000000.5,"bytes":5}', '{"time":"2024-01-01 00:00:01","count":3}', '{"a":{"b":1}}', '1700000000000', '1.7e18', '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"5"],[1700000015,"NaN"]]}]}}', '"resultType":', '"data":'];
  let parsed = 0;
  for (let i = 0; i < 20_000; i++) {
    let text = '';
    if (rng.uniform(0, 1) < 0.5) {
      // Free-form: any sequence of the atoms.
      for (let k = rng.int(40); k > 0; k--) text += atoms[rng.int(atoms.length)] + (rng.uniform(0, 1) < 0.3 ? ',' : rng.uniform(0, 1) < 0.3 ? '\n' : '');
    } else if (rng.uniform(0, 1) < 0.15) {
      // JSON lines: objects with a time key (epoch seconds or ms, or a date), sometimes a size, sometimes broken.
      const lines: string[] = [];
      const ms = rng.uniform(0, 1) < 0.3;
      for (let j = 0, n = 1 + rng.int(12); j < n; j++) {
        const time = rng.uniform(0, 1) < 0.5 ? (1_700_000_000 + j * rng.int(3)) * (ms ? 1000 : 1) : `2024-01-01T00:00:${String(j).padStart(2, '0')}Z`;
        const object: Record<string, unknown> = { device: `d${rng.int(3)}`, ts: time };
        if (rng.uniform(0, 1) < 0.5) object.payload = { bytes: rng.int(500) };
        const line = JSON.stringify(object);
        const u = rng.uniform(0, 1);
        lines.push(u < 0.05 ? line.slice(0, rng.int(line.length)) : u < 0.1 ? atoms[rng.int(atoms.length)]! : line);
      }
      text = lines.join('\n');
    } else if (rng.uniform(0, 1) < 0.2) {
      // An access log: lines of the Common Log Format, each sometimes cut short or given one atom.
      const lines: string[] = [];
      for (let j = 0, n = 1 + rng.int(12); j < n; j++) {
        const line = `h${j} - - [01/Jul/1995:00:${String(rng.int(60)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')} -0400] "GET /${j} HTTP/1.0" ${rng.uniform(0, 1) < 0.5 ? 200 : 304} ${rng.uniform(0, 1) < 0.3 ? '-' : rng.int(9000)}`;
        const u = rng.uniform(0, 1);
        lines.push(u < 0.05 ? line.slice(0, rng.int(line.length)) : u < 0.1 ? line + atoms[rng.int(atoms.length)] : line);
      }
      text = lines.join('\n');
    } else {
      // Row-shaped: a header or not, then rows of 1-4 cells, each usually well-formed and sometimes one atom.
      const width = 1 + rng.int(4);
      const rows = rng.uniform(0, 1) < 0.5 ? [['t', 'rate', 'size', '1'].slice(0, width).join(',')] : [];
      const timestamps = rng.uniform(0, 1) < 0.5;
      for (let j = 0, n = 1 + rng.int(12); j < n; j++) {
        const time = timestamps ? `2024-01-01 00:00:${String(j * (1 + rng.int(2))).padStart(2, '0')}` : String(j * (1 + rng.int(2)));
        const cell = (c: number): string => (rng.uniform(0, 1) < 0.05 ? atoms[rng.int(atoms.length)]! : c === 0 ? time : String(rng.int(5)));
        rows.push(Array.from({ length: width }, (_, c) => cell(c)).join(','));
      }
      text = rows.join(rng.uniform(0, 1) < 0.2 ? '\r\n' : '\n');
    }
    const options = {
      format: TRACE_FORMATS[rng.int(TRACE_FORMATS.length)]!,
      ...(rng.uniform(0, 1) < 0.2 ? { columns: [String(1 + rng.int(3)), 'rate'].slice(0, 1 + rng.int(2)) } : {}),
      ...(rng.uniform(0, 1) < 0.2 ? { traceStepS: 60 } : {}),
    };
    // The same content as a string, as bytes, and as bytes in chunks of 1-8 (cutting lines, CRLF pairs, characters)
    // must read the same: the same trace, or the same error.
    const chunkBytes = 1 + rng.int(8);
    const outcome = (input: TraceText): Trace | string => {
      try {
        return parseTraceCsv(input, 'f.csv', options);
      } catch (e) {
        assert.ok(e instanceof TraceFormatError, `${JSON.stringify(text)} ${JSON.stringify(options)}: ${(e as Error).stack}`);
        assert.match((e as Error).message, /^f\.csv: /);
        return (e as Error).message;
      }
    };
    const first = outcome(rng.uniform(0, 1) < 0.5 ? text : Buffer.from(text));
    assert.deepEqual(outcome(inChunks(text, chunkBytes)), first, `${JSON.stringify(text)} in chunks of ${chunkBytes}`);
    if (typeof first === 'string') continue;
    const t = first;
    parsed++;
    assert.ok(t.tS.length > 0 && t.tS.length === t.rate.length && t.stepS > 0, JSON.stringify(text));
    assert.ok(t.rate.every((r) => Number.isFinite(r) && r >= 0) && t.rate.some((r) => r > 0), JSON.stringify(text));
    assert.ok(t.tS.every((x, j) => j === 0 || x > t.tS[j - 1]!), JSON.stringify(text));
  }
  // About 1,750 of the 20,000 parse (a fifth of the inputs are forced to a reading that is not theirs, e.g. access-log).
  assert.ok(parsed > 1500, `only ${parsed} inputs parsed: the fuzz no longer reaches the parsers`);
});

test('quoted fields (spreadsheet exports) lose their quotes and may hold the delimiter', () => {
  const text = '"time","requests","note"\n"2024-01-01 00:00:00","5","a, b"\n"2024-01-01 00:01:00","7","say ""hi"""\n"2024-01-01 00:02:00","6",""\n';
  const t = parseTraceCsv(text, 'q.csv', { columns: ['time', 'requests'] });
  assert.equal(t.reading, 'timestamped');
  assert.deepEqual(Array.from(t.rate), [5, 7, 6]);
  assert.equal(t.stepS, 60);
  assert.equal(traceReading(text).reading, 'timestamped');
});

test('a wider file read by position names its columns and the way to choose others when a value is not a number', () => {
  const text = 'id,unit,reading,flag\n1,C,21.5,0\n';
  assert.throws(() => parseTraceCsv('t,rate\n1/1/2020 0:01,5\n', 'us.csv'), /us\.csv: line 2: t is not a number: '1\/1\/2020 0:01' \(times are read as YYYY-MM-DD.* or as Unix times\)/);
  assert.throws(() => parseTraceCsv(text, 'sensor.csv'), /sensor\.csv: line 2: rate is not a number: 'C' \(read as t,rate,size from the first 3 of the columns id, unit, reading, flag; choose others with --trace-columns\)/);
  // With the columns chosen, no hint: the user said which.
  assert.throws(() => parseTraceCsv(text, 'sensor.csv', { columns: ['id', 'unit'] }), (e: Error) => /rate is not a number: 'C'$/.test(e.message));
  // Chosen columns are read as given, even where auto would look for a later time column.
  const taxi = 'VendorID,pickup,dropoff,passengers\n1,2023-01-01 00:32:10,2023-01-01 00:40:36,1\n';
  assert.throws(() => parseTraceCsv(taxi, 'taxi.csv', { columns: ['VendorID', 'pickup'] }), (e: Error) => /rate is not a number: '2023-01-01 00:32:10'$/.test(e.message));
  // A word in the first column and no time anywhere: the header's columns, and the flag that picks them.
  assert.throws(() => parseTraceCsv('status,avg,when,vehicleCount\nOK,1,soon,5\n', 'w.csv'), /w\.csv: line 2: t is not a number: 'OK' \(the header has status, avg, when, vehicleCount: name the time and rate columns with --trace-columns\)$/);
  // A first line of data taken for a header (a broker's log) is not offered as columns.
  assert.throws(() => parseTraceCsv('1700000001: Received PUBLISH from a, q1, r0\n1700000003: Received PUBLISH from b, q1, r0\n', 'broker.log'), (e: Error) => /line 2: t is not a number: '1700000003: Received PUBLISH from b'$/.test(e.message));
});

// Lines in the shape of the NASA-HTTP (1995) trace, the Combined format of Apache and nginx, and their oddities.
const ACCESS_LOG = [
  '199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245',
  'unicomp6.unicomp.net - - [01/Jul/1995:00:00:01 -0400] "GET /shuttle/countdown/ HTTP/1.0" 200 3985',
  'burger.letters.com - - [01/Jul/1995:00:00:01 -0400] "GET /shuttle/countdown/video/livevideo.gif HTTP/1.0" 304 -',
  '10.0.0.1 - frank [01/Jul/1995:00:00:03 -0400] "GET /a"b.html HTTP/1.0" 404 -',
  '10.0.0.2 - - [01/Jul/1995:04:00:04 +0000] "GET /x HTTP/1.1" 200 1000 "http://ref/" "Mozilla/5.0 (X11; Linux)"',
].join('\n');

test('a web server access log (Common or Combined Log Format) is an event log of requests with their bytes as the size', () => {
  assert.equal(parseAccessLogTimeS('01/Jul/1995:00:00:01 -0400'), Date.UTC(1995, 6, 1, 4, 0, 1) / 1000);
  assert.equal(parseAccessLogTimeS('31/Dec/2024:23:59:59'), Date.UTC(2024, 11, 31, 23, 59, 59) / 1000);
  assert.equal(parseAccessLogTimeS('32/Jul/1995:00:00:01 -0400'), null);
  assert.equal(parseAccessLogTimeS('01/Jux/1995:00:00:01 -0400'), null);
  const reading = traceReading(ACCESS_LOG);
  assert.equal(reading.reading, 'events');
  assert.match(reading.why, /web server access log/);
  for (const input of [ACCESS_LOG, Buffer.from(`# a comment\n${ACCESS_LOG}\n`)]) {
    const t = parseTraceCsv(input, 'access.log');
    assert.equal(t.reading, 'events');
    assert.equal(t.eventCount, 5);
    // 00:00:01 -0400 is 04:00:01 UTC; the Combined line at 04:00:04 UTC is 3 s later.
    assert.deepEqual(Array.from(t.rate), [3, 0, 1, 1]);
    // Bytes '-' (a 304 or a 404 without a body) count as 0: the first second's mean is (6245 + 3985 + 0) / 3.
    assert.deepEqual(Array.from(t.size!), [(6245 + 3985) / 3, 0, 0, 1000]);
    assert.match(t.readingWhy!, /^web server access log, Common Log Format/);
  }
  assert.deepEqual(Array.from(parseTraceCsv(ACCESS_LOG, 'a.log', { format: 'access-log' }).rate), [3, 0, 1, 1]);
});

test('an access log skips and reports a few torn lines, refuses a file that is mostly not one, and refuses columns', () => {
  const lines = ACCESS_LOG.split('\n');
  const many = Array.from({ length: 300 }, (_, i) => lines[i % lines.length]!);
  many.splice(150, 0, 'alyssa.p - - [01/Jul/1995:00:00:0');
  const t = parseTraceCsv(many.join('\n'), 'nasa.log');
  assert.equal(t.eventCount, 300);
  assert.match(t.readingWhy!, /1 malformed line 151 skipped/);
  const bad = [lines[0]!, ...Array.from({ length: 10 }, (_, i) => `not a log line ${i}`)].join('\n');
  assert.throws(() => parseTraceCsv(bad, 'bad.log'), /bad\.log: read as a web server access log, but 10 of 11 lines are not access log lines \(lines 2, 3, 4, 5, 6, \.\.\.\)/);
  assert.throws(() => parseTraceCsv('t,rate\n0,1\n', 'r.csv', { format: 'access-log' }), /r\.csv: read as a web server access log, but no line is one .*: lines 1, 2/);
  assert.throws(() => parseTraceCsv(ACCESS_LOG, 'a.log', { columns: ['1'] }), /a\.log: columns do not apply to a web server access log/);
  assert.throws(() => parseTraceCsv(ACCESS_LOG, 'a.log', { traceStepS: 60 }), /a\.log: read as a web server access log, whose times are in seconds/);
  // A CSV is never mistaken for one.
  assert.equal(traceReading('t,rate\n0,1\n1,2\n').reading, 'series');
});

test('whitespace-separated traces (gnuplot-style .dat files) read like CSV, a date and time staying one field', () => {
  const series = parseTraceCsv('# t rate\n0  5\n1\t 7\n2 9\n', 'load.dat');
  assert.equal(series.reading, 'series');
  assert.deepEqual(Array.from(series.rate), [5, 7, 9]);
  const headed = parseTraceCsv('minute   requests   bytes\n0 60 100\n1 120 200\n', 'w.dat', { traceStepS: 60 });
  assert.deepEqual(Array.from(headed.rate), [60, 120]);
  assert.deepEqual(Array.from(headed.size!), [100, 200]);
  // An event log with sizes: the space inside "date time" is not a delimiter.
  const events = parseTraceCsv('2023-11-16 18:17:03 512\n2023-11-16 18:17:03.5 100\n2023-11-16 18:17:05Z 7\n', 'ev.dat');
  assert.equal(events.reading, 'events');
  assert.deepEqual(Array.from(events.rate), [2, 0, 1]);
  assert.deepEqual(Array.from(events.size!), [306, 0, 7]);
  // A file of bare timestamps is still one column, not a date column and a time column.
  assert.deepEqual(Array.from(parseTraceCsv('2023-11-16 18:17:03\n2023-11-16 18:17:04\n2023-11-16 18:17:04\n', 'ts.txt').rate), [1, 2]);
  assert.throws(() => parseTraceCsv('0 5\n1 x\n', 'bad.dat'), /bad\.dat: line 2: rate is not a number: 'x'/);
});

// Rules found unpinned by a hand-made mutation audit of the reader (each test below failed on at least one mutant).

test('timestamps: a zone offset with minutes (+05:30) is applied in full, and a day 32 or a minute 60 is no timestamp', () => {
  assert.equal(parseTimestampS('2024-01-01T05:30:00+05:30'), parseTimestampS('2024-01-01 00:00:00'), 'India is 5 h 30 min ahead of UTC');
  assert.equal(parseTimestampS('2024-01-01T00:00:00-0930'), parseTimestampS('2024-01-01 09:30:00'), 'a zone without a colon');
  assert.equal(parseTimestampS('2024-01-32'), null, 'day 32');
  assert.equal(parseTimestampS('2024-01-01 00:60'), null, 'minute 60');
});

test('a CSV with a space after each comma reads as without: the header names match, a later time column is found', () => {
  const picked = parseTraceCsv('t, rate, size\n0, 5, 1\n1, 6, 2\n', 'cs.csv', { columns: ['t', 'rate'] });
  assert.deepEqual([Array.from(picked.rate), picked.size], [[5, 6], null], 'columns picked by the names after the spaces');
  const log = parseTraceCsv('id, time, bytes\n1, 2024-01-01 00:00:00, 10\n2, 2024-01-01 00:00:00.5, 20\n3, 2024-01-01 00:00:02, 30\n', 'ids.csv');
  assert.equal(log.readingWhy, "time column 'time' (column 2, its header names a time); header column 'bytes' is a size");
  assert.deepEqual([Array.from(log.rate), Array.from(log.size!)], [[2, 0, 1], [15, 0, 30]]);
});

test('a JSON lines event log without a size key takes each object\'s length in UTF-8 bytes, not in characters', () => {
  const lines = ['{"ts":1700000000.1,"city":"Zürich"}', '{"ts":1700000001.2,"city":"東京"}'];
  const t = parseTraceCsv(lines.join('\n'), 'cities.jsonl');
  assert.deepEqual(Array.from(t.size!), lines.map((l) => Buffer.byteLength(l, 'utf8')));
  assert.notEqual(t.size![1], lines[1]!.length, 'the test needs characters of more than one byte');
});

test('numeric times: 1e11 is the first millisecond, 1e14 the first microsecond, 1e17 the first nanosecond (told by the first row)', () => {
  // Two messages 500 units apart: one second apart in ms, 500 s apart in seconds, in the same second in us or ns.
  const span = (first: number): number => parseTraceCsv(`${first}\n${first + 500}\n`, 'u.csv').rate.length;
  assert.equal(span(99_999_999_999), 501, 'below 1e11: seconds');
  assert.equal(span(1e11), 1, 'from 1e11: milliseconds');
  assert.equal(parseTraceCsv(`${1e14 - 1000}\n${1e14 - 1000 + 1500}\n`, 'u.csv').rate.length, 2, 'below 1e14: milliseconds');
  assert.equal(parseTraceCsv(`${1e14}\n${1e14 + 1_500_000}\n`, 'u.csv').rate.length, 2, 'from 1e14: microseconds');
  assert.equal(parseTraceCsv(`${1e17 - 1_000_000}\n${1e17 - 1_000_000 + 1_500_000}\n`, 'u.csv').rate.length, 2, 'below 1e17: microseconds');
  assert.equal(parseTraceCsv(`${1e17}\n${1e17 + 1_500_000_000}\n`, 'u.csv').rate.length, 2, 'from 1e17: nanoseconds');
});

test('numeric times read in ms, us or ns by their size but below any Unix time say their unit (a monotonic clock after a day of uptime)', () => {
  // Microseconds since boot after 28 h (1.0e11 us) are read as milliseconds, 1,000 times too slow: the reading must say
  // so, as it does for Unix times, or nothing shows that the replay is stretched.
  const us = [100_800_000_000, 100_800_400_000, 100_801_100_000];
  const t = parseTraceCsv(`ts_mono\n${us.join('\n')}\n`, 'mono.csv');
  assert.equal(t.readingWhy, 'times in milliseconds by their size, not Unix times (--trace-step-s gives their unit); one column of times');
  assert.throws(() => parseTraceCsv(`ts_mono\n${us[0]}\n2024-01-01 00:00:00\n`, 'mono.csv'), /mono\.csv: line 3: timestamp is not a number of milliseconds like the first row's/);
  // The unit given replaces the guess, as for any event log of numbers.
  assert.deepEqual(Array.from(parseTraceCsv(`ts_mono\n${us.join('\n')}\n`, 'mono.csv', { traceStepS: 1e-6 }).rate), [2, 1]);
});

test('one line of three numbers is a t,rate,size row, not a list; several rows of four numbers are rows, not lists', () => {
  const row = parseTraceCsv('0,5,100\n', 'row.csv');
  assert.deepEqual([row.readingWhy, Array.from(row.rate), Array.from(row.size!)], ['numeric t column', [5], [100]]);
  const rows = parseTraceCsv('0,5,100,7\n1,6,120,8\n', 'rows.csv');
  assert.deepEqual([row.reading, Array.from(rows.tS), Array.from(rows.rate), Array.from(rows.size!)], ['series', [0, 1], [5, 6], [100, 120]]);
});

test('a file of one column of dates forced to a series is refused for its missing rate, not read as an event log', () => {
  assert.throws(() => parseTraceCsv('2024-01-01 00:00:00\n2024-01-01 00:00:01\n', 'd.csv', { format: 'series' }), /d\.csv: line 1: missing column \(expected t,rate\[,size\]\)/);
});

test('a header naming both a size and a count (token_count) is a size: per-request token counts are an event log', () => {
  const t = parseTraceCsv('timestamp,token_count\n2024-01-01 00:00:00,10\n2024-01-01 00:00:01,20\n2024-01-01 00:00:02,30\n', 'llm.csv');
  assert.deepEqual([t.reading, t.readingWhy, t.eventCount], ['events', "header column 'token_count' is a size", 3]);
  // ContextTokens (the Azure LLM trace's column): a size even when the rows come a second apart, like a series.
  assert.equal(traceReading('TIMESTAMP,ContextTokens\n2024-01-01 00:00:00,10\n2024-01-01 00:00:01,20\n2024-01-01 00:00:02,30\n').reading, 'events');
});

/** `minutes` as rows `time,value` of a file without a header, the value the minute's index + 1. */
const perMinuteRows = (minutes: readonly number[]): string => minutes.map((k) => `2024-01-01 ${String(Math.floor(k / 60)).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}:00,${k + 1}`).join('\n');

test('the spacing rule: 90 % of steps at the most common one is regular, a step that is no multiple of it or a repeated time is not', () => {
  // 9 of 10 steps are 60 s, one is 120 s (a missing minute): exactly 90 %, a series.
  assert.deepEqual(traceReading(perMinuteRows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11])), { reading: 'timestamped', why: 'rows every 60 s' });
  // 9 of 10 steps are 120 s, one is 180 s: not a multiple of the step, so an event log.
  assert.equal(traceReading(perMinuteRows([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 21])).reading, 'events');
  // A sensor logging every second that once logged twice in a second: an event log, not a series that fails on 't must increase'.
  const twice = parseTraceCsv(['00', '01', '02', '02', '03', '04'].map((s, i) => `2024-01-01 00:00:${s},${i + 1}`).join('\n'), 'twice.csv');
  assert.deepEqual([twice.reading, Array.from(twice.rate)], ['events', [1, 1, 2, 1, 1]]);
  assert.match(twice.readingWhy!, /^repeated or unordered timestamps/);
  // Two rows cannot show a spacing: an event log.
  assert.equal(traceReading('2024-01-01 00:00:00,5\n2024-01-01 00:01:00,6\n').reading, 'events');
  assert.equal(traceReading('2024-01-01 00:00:00,5\n2024-01-01 00:01:00,6\n2024-01-01 00:02:00,7\n').reading, 'timestamped');
});

test('the spacing rule ignores sub-millisecond float noise: Unix times of a 10 Hz sampler are a series of 0.1 s rows', () => {
  // 1700000000.1 - 1700000000.0 is 0.09999990463 in doubles, the next step 0.10000014305: equal to the millisecond.
  const rows = Array.from({ length: 12 }, (_, k) => `${(1_700_000_000 + k / 10).toFixed(1)},${k + 1}`).join('\n');
  assert.deepEqual(traceReading(`time,level\n${rows}\n`), { reading: 'timestamped', why: 'Unix times in seconds; rows every 0.1 s' });
});

test('a first column of dates stays the time when later columns hold dates too (start,end,bytes)', () => {
  const t = parseTraceCsv('start,end,bytes\n2024-01-01 00:00:00,2024-01-01 00:00:09,10\n2024-01-01 00:00:00.5,2024-01-01 00:00:05,20\n2024-01-01 00:00:02,2024-01-01 00:00:03,30\n', 'se.csv');
  assert.deepEqual([Array.from(t.rate), t.readingWhy], [[2, 0, 1], "irregular timestamps; column 'end' is not a number: no sizes"]);
});

test('InfluxDB CSV with _time as the last column reads _value before it as the rate', () => {
  const t = parseTraceCsv(',result,table,_value,_time\n' + [0, 1, 2].map((m) => `,,0,${120 + 10 * m},2023-11-16T00:0${m}:00Z`).join('\n'), 'inf.csv');
  assert.deepEqual([t.reading, Array.from(t.rate), t.stepS], ['timestamped', [120, 130, 140], 60]);
  assert.equal(t.readingWhy, "time column '_time' (column 5, its header names a time); header column '_value' is a rate");
});

test('integer column names that do not count up by one (HTTP status codes) are no wide table', () => {
  assert.deepEqual(traceReading('minute,200,404,500\n0,5,1,0\n1,6,0,1\n'), { reading: 'series', why: 'numeric t column' });
});

test('columns: more than three are refused rather than the fourth ignored', () => {
  assert.throws(() => parseTraceCsv('a,b,c,d\n0,1,2,3\n', 'f.csv', { columns: ['a', 'b', 'c', 'd'] }), /f\.csv: columns: give 1 to 3 columns \(t,rate\[,size\] or time\[,size\]\), got 4/);
});

test('a wide table refuses a negative count and a header without rows, naming them', () => {
  assert.throws(() => parseTraceCsv('fn,1,2,3\na,1,-2,3\n', 'w.csv'), /w\.csv: line 2: column '2' is not a count >= 0: '-2'/);
  assert.throws(() => parseTraceCsv('# only the header\nfn,1,2,3\n', 'w.csv'), /w\.csv: empty trace \(no data rows\)/);
});

test('an event log refuses an empty size cell; a series refuses a negative t; both name file and line', () => {
  assert.throws(() => parseTraceCsv('ts,size\n2024-01-01 00:00:00,5\n2024-01-01 00:00:01,\n', 'es.csv'), /es\.csv: line 3: size is not a number: ''/);
  assert.throws(() => parseTraceCsv('t,rate\n-1,5\n0,6\n', 'nt.csv'), /nt\.csv: line 2: t is negative: -1/);
  assert.throws(() => parseTraceCsv('t,rate\n0,5\n0,6\n', 'eq.csv'), /eq\.csv: line 3: t must increase, got 0 after 0/);
});

test('an access log applies a zone with minutes, reads month names in any case, and tolerates exactly 1 % torn lines', () => {
  assert.equal(parseAccessLogTimeS('01/Jul/1995:05:30:00 +0530'), Date.UTC(1995, 6, 1, 0, 0, 0) / 1000);
  assert.equal(parseAccessLogTimeS('01/jul/1995:00:00:00 +0000'), parseAccessLogTimeS('01/JUL/1995:00:00:00 +0000'));
  assert.notEqual(parseAccessLogTimeS('01/jul/1995:00:00:00 +0000'), null);
  const line = (i: number): string => `h${i} - - [01/Jul/1995:00:00:${String(i % 60).padStart(2, '0')} -0400] "GET /${i} HTTP/1.0" 200 ${i}`;
  const lines = Array.from({ length: 100 }, (_, i) => line(i));
  lines[50] = 'torn line';
  assert.match(parseTraceCsv(lines.join('\n'), 'one-percent.log').readingWhy!, /1 malformed line 51 skipped/);
  lines[60] = 'another torn line';
  assert.throws(() => parseTraceCsv(lines.join('\n'), 'two-percent.log'), /two-percent\.log: read as a web server access log, but 2 of 100 lines are not access log lines/);
});

test('a Prometheus answer: one sample is a row of 1 s, all-zero rates are refused, traceStepS is refused', () => {
  const answer = (values: [number, string][]): string => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } });
  const one = parseTraceCsv(answer([[1700000000, '5']]), 'one.json');
  assert.deepEqual([Array.from(one.tS), Array.from(one.rate), one.stepS], [[0], [5], 1]);
  assert.throws(() => parseTraceCsv(answer([[1700000000, '0'], [1700000015, 'NaN']]), 'idle.json'), /idle\.json: every rate is 0: nothing to replay/);
  assert.throws(() => parseTraceCsv(answer([[1700000000, '5']]), 'step.json', { traceStepS: 60 }), /step\.json: read as a Prometheus query answer, whose times are Unix seconds; traceStepS \(60\) applies only/);
});

test('traceStepS 0 is refused', () => {
  assert.throws(() => parseTraceCsv('t,rate\n0,1\n', 's.csv', { traceStepS: 0 }), /s\.csv: traceStepS must be positive, got 0/);
});

test('parseEventLog with numeric times reads Unix milliseconds by their size', () => {
  const t = parseEventLog('1700000000000\n1700000000500\n1700000001200\n', 'e.csv', true);
  assert.deepEqual([Array.from(t.rate), t.eventCount], [[2, 1], 3]);
});

test('a single column named as a time (ts) holding small numbers is an event log of seconds, not a list of rates', () => {
  const t = parseTraceCsv('ts\n0.5\n1.2\n3\n', 'ts.csv');
  assert.deepEqual([t.reading, t.readingWhy, Array.from(t.rate)], ['events', 'one column of times', [1, 1, 0, 1]]);
});

test('JSON lines: a first line cut short is named as not valid JSON; a null where a chosen key\'s object was is a missing key', () => {
  assert.throws(() => parseTraceCsv('{"ts": 1700000000, "bytes":\n{"ts": 1700000001, "bytes": 5}\n', 'cut.jsonl'), /cut\.jsonl: line 1: not valid JSON/);
  const lines = ['{"ts":1700000000,"payload":{"bytes":5}}', '{"ts":1700000001,"payload":null}'];
  assert.throws(() => parseTraceCsv(lines.join('\n'), 'null.jsonl'), /null\.jsonl: line 2: no key 'payload\.bytes'/);
});

test('JSON lines: a size key that is null in the first object is not chosen; each object\'s length is the size', () => {
  const lines = ['{"ts":1700000000,"bytes":null}', '{"ts":1700000001,"bytes":null}'];
  const t = parseTraceCsv(lines.join('\n'), 'nulls.jsonl');
  assert.match(t.readingWhy!, /^JSON lines, keys 'ts'; .*sizes: each object's length in bytes$/);
  assert.deepEqual(Array.from(t.size!), lines.map((l) => Buffer.byteLength(l)));
});

test('JSON lines: kafka-console-consumer with timestamp, partition, offset and key (4 fields before the object) reads', () => {
  const lines = [0, 1, 2].map((i) => `CreateTime:${1700000000000 + 600 * i}\tPartition:0\tOffset:${40 + i}\tdev-${i}\t{"seq":${i}}`);
  const t = parseTraceCsv(lines.join('\n'), 'kafka.txt');
  assert.deepEqual([Array.from(t.rate), t.readingWhy!.split(';')[0]], [[2, 1], "JSON lines, keys 'CreateTime'"]);
});

test('content that is no text (UTF-16, an .xlsx workbook, a Parquet file, an image) is refused saying what it is', () => {
  // Before, these failed on a line of content that was not there: "line 2: t is not a number: ' 2 0 2 4 - 0 1 ...'",
  // "line 2: missing column", or "empty trace".
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('time\trequests\r\n2024-01-01 00:00:00\t5\r\n2024-01-01 00:01:00\t6\r\n', 'utf16le')]);
  assert.throws(() => parseTraceCsv(utf16, 'excel.txt'), /^TraceFormatError: excel\.txt: cannot be read as a trace: it is UTF-16 text .*iconv -f UTF-16 -t UTF-8$/);
  assert.throws(() => parseTraceCsv({ *chunks() { for (let i = 0; i < utf16.length; i += 3) yield utf16.subarray(i, i + 3); } }, 'excel.txt'), /excel\.txt: cannot be read as a trace: it is UTF-16 text/, 'in chunks too');
  assert.throws(() => parseTraceCsv(Buffer.from('t,rate\n0,5\n1,6\n', 'utf16le'), 'no-bom.csv'), /no-bom\.csv: cannot be read as a trace: it is UTF-16 text/);
  assert.throws(() => parseTraceCsv(Buffer.from('t,rate\n0,5\n1,6\n', 'utf16le').swap16(), 'big-endian.csv'), /big-endian\.csv: cannot be read as a trace: it is UTF-16 text/);
  // A header in Chinese holds no NUL byte: the byte order mark tells it.
  const chinese = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${'时间戳'.repeat(15)}\t请求数\r\n2024-01-01 00:00:00\t5\r\n`, 'utf16le')]);
  assert.throws(() => parseTraceCsv(chinese, 'zh.txt'), /zh\.txt: cannot be read as a trace: it is UTF-16 text/);
  const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('[Content_Types].xml')]);
  assert.throws(() => parseTraceCsv(xlsx, 'book.xlsx'), /book\.xlsx: cannot be read as a trace: it is a zip archive \(an \.xlsx workbook is one\); export the sheet as CSV/);
  const parquet = Buffer.concat([Buffer.from('PAR1'), Buffer.from([0x15, 0x04, 0x15, 0x10, 0x00, 0x00, 0x4c, 0x15])]);
  assert.throws(() => parseTraceCsv(parquet, 'f.parquet'), /f\.parquet: cannot be read as a trace: it is a Parquet file; export it as CSV/);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  assert.throws(() => parseTraceCsv(png, 'plot.png', { format: 'series' }), /plot\.png: cannot be read as a trace: it is binary data, not text \(a NUL byte at byte 9\)/);
  assert.throws(() => traceReading(png), /trace: cannot be read as a trace: it is binary data/);
  // Text in another 8-bit encoding has no NUL: it reads (its numbers are ASCII).
  assert.deepEqual(Array.from(parseTraceCsv(Buffer.from('# d\xe9bit\nt,rate\n0,5\n1,6\n', 'latin1'), 'latin1.csv').rate), [5, 6]);
});
