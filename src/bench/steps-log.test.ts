import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo, StepRecord } from '../env/spark-iot-types.ts';
import { parseStepsBuffer, readStepsFile, stepsToCsv, StepsFileWriter, writeStepsFile } from './steps-log.ts';

function someRecords(n: number): StepRecord[] {
  const env = new SparkIotEnv({ scenario: 'industrial', maxSteps: n });
  env.reset({ seed: 4 });
  const out: StepRecord[] = [];
  for (let t = 0; t < n; t++) out.push((env.stepAction({ executors: 3 + (t % 5), memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info as unknown as SparkIotInfo).record!);
  return out;
}

test('a steps file written in many gzip members reads back exactly, and is one gzip stream of the whole CSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steps-log-'));
  const records = someRecords(23);
  const path = join(dir, 'steps.csv.gz');
  writeStepsFile(path, records, 5); // 5 gzip members of up to 5 lines (the header counts as one)
  assert.deepEqual(readStepsFile(path), records);
  assert.equal(gunzipSync(readFileSync(path)).toString('utf8'), stepsToCsv(records));
  writeStepsFile(join(dir, 'empty.csv.gz'), []);
  assert.deepEqual(readStepsFile(join(dir, 'empty.csv.gz')), []);
});

test('parsing decodes slice by slice at line boundaries, even when a line is longer than a slice; errors keep their line numbers', () => {
  const records = someRecords(12);
  const buf = Buffer.from(stepsToCsv(records), 'utf8');
  for (const slice of [1, 50, 333, 4096, 1 << 24]) assert.deepEqual(parseStepsBuffer(buf, 'x', slice), records, `slice ${slice}`);
  const lines = stepsToCsv(records).split('\n');
  lines[7] = lines[7]!.replace(/^\d+/, 'oops');
  assert.throws(() => parseStepsBuffer(Buffer.from(lines.join('\n')), 'f.csv', 64), /f\.csv line 8: column step is not a number: 'oops'/);
  assert.throws(() => parseStepsBuffer(Buffer.from('a,b\n1,2\n'), 'g.csv'), /g\.csv: header does not match/);
  assert.throws(() => parseStepsBuffer(Buffer.alloc(0), 'h.csv'), /h\.csv: header does not match/);
});

test('the streaming writer: the file appears under its name only on close; abort deletes the partial file; errors name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steps-log-'));
  const records = someRecords(9);
  const path = join(dir, 'steps.csv.gz');
  const w = new StepsFileWriter(path, 4);
  for (const r of records) w.write(r);
  assert.equal(existsSync(path), false, 'nothing under the real name before close');
  assert.deepEqual(readdirSync(dir), ['steps.csv.gz.partial']);
  w.close();
  assert.deepEqual(readdirSync(dir), ['steps.csv.gz']);
  assert.equal(gunzipSync(readFileSync(path)).toString('utf8'), stepsToCsv(records));
  assert.throws(() => w.write(records[0]!), /steps file .*steps\.csv\.gz: write after close/);

  // A failed run: an older complete file stays as it was, the partial one is gone.
  const failed = new StepsFileWriter(path, 4);
  for (const r of records.slice(0, 6)) failed.write(r);
  failed.abort();
  assert.deepEqual(readdirSync(dir), ['steps.csv.gz']);
  assert.deepEqual(readStepsFile(path), records);

  assert.throws(() => new StepsFileWriter(join(dir, 'no-such-dir', 'steps.csv.gz')), /steps file .*no-such-dir\/steps\.csv\.gz: open failed: ENOENT/);
  writeFileSync(join(dir, 'a-file'), '');
  assert.throws(() => writeStepsFile(join(dir, 'a-file', 'steps.csv.gz'), records), /steps file .*a-file\/steps\.csv\.gz: open failed: ENOTDIR/);
  assert.throws(() => new StepsFileWriter(path, 0), /rows per gzip member must be an integer >= 1/);
});
