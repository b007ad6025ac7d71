import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepRecord } from '../env/spark-iot-types.ts';
import { csvRowToRecord, fillStepsFile, parseStepsBuffer, readStepsFile, recordToCsvRow, STEP_FIELDS, STEPS_HEADER, stepsToCsv, StepsFileWriter, streamStepRuns, streamStepsFile, writeStepsFile } from './steps-log.ts';

/** A step record with distinct values; the tests change the fields they look at. */
const step = (i: number, s: Partial<StepRecord> = {}): StepRecord => ({
  step: i, tSeconds: 10 * (i + 1), scenario: 'balanced', trace: '', seed: 7, policy: 'fixed',
  arrivalRateMsgsPerS: 100.5, processedRateMsgsPerS: 99.25, backlogMsgs: 3, droppedMsgs: 0, p95LatencyMs: 512.125, slaTargetMs: 1000, slaViolated: false,
  requestedExecutors: 4, requestedMemoryGb: 4, requestedTier: 'nvme', requestedCodec: 'lz4',
  executorsRunning: 4, executorsStarting: 1, memoryGb: 4, tier: 'nvme', codec: 'lz4', scaled: true,
  costUsd: 0.1 + 0.2, costRateUsdPerHour: 1.5, predictedRateMsgsPerS: 101, burstProbability: 1 / 3, burstActive: true, burstOnset: false,
  reuseProbability: 0.5, shuffleBytes: 123456789, reward: -0.75, alpha: 0.5, beta: 0.3, gamma: 0.2,
  ...s,
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('a row holds every field in column order: numbers at full precision, booleans as 1/0, strings as given', () => {
  const r = step(3, { policy: ' spaced ', burstActive: true, burstOnset: false });
  const row = recordToCsvRow(r);
  const cells = row.split(',');
  assert.equal(cells.length, STEP_FIELDS.length);
  assert.equal(cells[STEP_FIELDS.findIndex(([k]) => k === 'costUsd')], '0.30000000000000004');
  assert.equal(cells[STEP_FIELDS.findIndex(([k]) => k === 'burstActive')], '1');
  assert.equal(cells[STEP_FIELDS.findIndex(([k]) => k === 'burstOnset')], '0');
  assert.equal(cells[STEP_FIELDS.findIndex(([k]) => k === 'policy')], ' spaced ');
  assert.deepEqual(csvRowToRecord(row), r, 'strings are not trimmed, numbers and booleans come back exactly');
});

test('NaN and the infinities round-trip; a quote or a carriage return in a name is quoted', () => {
  const r = step(0, { predictedRateMsgsPerS: Number.NaN, reward: -Infinity, burstProbability: Infinity, policy: 'say "hi"\r', trace: 'a,b.csv' });
  const row = recordToCsvRow(r);
  assert.ok(row.includes(',"say ""hi""\r",'), row);
  assert.ok(row.includes(',"a,b.csv",'), row);
  assert.deepEqual(csvRowToRecord(row), r);
  // A lone carriage return is quoted too: CSV readers other than ours end a line there.
  assert.ok(recordToCsvRow(step(0, { trace: 'x\ry' })).includes(',"x\ry",'));
});

test('a malformed row is an error that names the column: empty or non-numeric number, a boolean not 0/1, a column too many', () => {
  const cells = recordToCsvRow(step(0)).split(',');
  const at = (key: string): number => STEP_FIELDS.findIndex(([k]) => k === key);
  const withCell = (key: string, value: string): string => cells.map((c, i) => (i === at(key) ? value : c)).join(',');
  assert.throws(() => csvRowToRecord(withCell('backlogMsgs', ''), 'f'), /f: column backlogMsgs is not a number: ''/);
  assert.throws(() => csvRowToRecord(withCell('backlogMsgs', 'lots'), 'f'), /f: column backlogMsgs is not a number: 'lots'/);
  assert.throws(() => csvRowToRecord(withCell('scaled', 'true'), 'f'), /f: column scaled must be 0 or 1, got 'true'/);
  assert.throws(() => csvRowToRecord(withCell('scaled', ''), 'f'), /f: column scaled must be 0 or 1, got ''/);
  assert.throws(() => csvRowToRecord(`${cells.join(',')},extra`, 'f'), new RegExp(`f: expected ${STEP_FIELDS.length} columns, got ${STEP_FIELDS.length + 1}`));
});

test('a file whose last line has no newline reads whole, by slices and by stream', async () => {
  const records = [0, 1, 2, 3].map((i) => step(i));
  const text = stepsToCsv(records).trimEnd();
  const buf = Buffer.from(text, 'utf8');
  for (const slice of [1, 40, 1 << 20]) assert.deepEqual(parseStepsBuffer(buf, 'x', slice), records, `slice ${slice}`);
  const dir = mkdtempSync(join(tmpdir(), 'steps-format-'));
  try {
    const file = join(dir, 'steps.csv');
    writeFileSync(file, text);
    for (const chunk of [3, 1 << 16]) assert.deepEqual(await collect(streamStepsFile(file, chunk)), records, `chunk ${chunk}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runs of the same policy and seed in two scenarios are two runs, not one and not an error; so are two seeds', async () => {
  const a = [0, 1].map((i) => step(i, { scenario: 'balanced' }));
  const b = [0, 1].map((i) => step(i, { scenario: 'healthcare' }));
  assert.deepEqual(await collect(streamStepRuns([...a, ...b])), [a, b]);
  const c = [0, 1].map((i) => step(i, { seed: 8 }));
  assert.deepEqual(await collect(streamStepRuns([...a, ...c])), [a, c]);
});

test('a file whose lines fill its last gzip member exactly holds the CSV and nothing more; readStepsFile reads a plain .csv too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steps-format-'));
  try {
    const records = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => step(i));
    const gz = join(dir, 'steps.csv.gz');
    writeStepsFile(gz, records, 5); // header + 9 rows = two full members of 5 lines, nothing left for close()
    assert.equal(gunzipSync(readFileSync(gz)).toString('utf8'), stepsToCsv(records));
    const csv = join(dir, 'steps.csv');
    writeFileSync(csv, stepsToCsv(records));
    assert.deepEqual(readStepsFile(csv), records);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fillStepsFile: when filling fails, the error comes out and no file (partial or whole) is left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steps-format-'));
  try {
    const path = join(dir, 'steps.csv.gz');
    assert.throws(
      () =>
        fillStepsFile(new StepsFileWriter(path, 2), (w) => {
          for (const r of [0, 1, 2].map((i) => step(i))) w.write(r);
          throw new Error('the run failed');
        }),
      /the run failed/,
    );
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(fillStepsFile(new StepsFileWriter(path), (w) => (w.write(step(0)), 'done')), 'done');
    assert.ok(existsSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closing a steps file twice is an error that says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steps-format-'));
  try {
    const w = new StepsFileWriter(join(dir, 'steps.csv.gz'));
    w.close();
    assert.throws(() => w.close(), /steps file .*steps\.csv\.gz: closed twice/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the header is the field names in order', () => {
  assert.equal(STEPS_HEADER, STEP_FIELDS.map(([k]) => k).join(','));
  assert.ok(STEPS_HEADER.startsWith('step,tSeconds,scenario,trace,seed,policy,'));
});
