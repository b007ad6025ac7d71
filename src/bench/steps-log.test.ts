import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo, StepRecord } from '../env/spark-iot-types.ts';
import { parseStepsBuffer, readStepsFile, stepsToCsv, StepsFileWriter, streamStepRuns, streamStepsFile, writeStepsFile } from './steps-log.ts';

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

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('the streaming reader yields what readStepsFile gives, for a file of many gzip members read in chunks of any size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steps-log-'));
  // Strings that need quoting and multi-byte characters, so chunk boundaries fall inside quotes and characters.
  const records = someRecords(23).map((r, i) => ({ ...r, policy: i < 10 ? 'fixed w(0.20,0.40,0.40) "ü"' : 'edge-rl', trace: i % 3 === 0 ? 'trace, μ' : '' }));
  const path = join(dir, 'steps.csv.gz');
  writeStepsFile(path, records, 4); // 6 gzip members; the header only in the first
  assert.deepEqual(readStepsFile(path), records);
  assert.deepEqual(parseStepsBuffer(gunzipSync(readFileSync(path)), path), records);
  for (const chunk of [1, 7, 64, 1000, 1 << 18]) assert.deepEqual(await collect(streamStepsFile(path, chunk)), records, `chunk ${chunk}`);
  const csv = join(dir, 'steps.csv');
  writeFileSync(csv, stepsToCsv(records));
  assert.deepEqual(await collect(streamStepsFile(csv, 5)), records);
  writeStepsFile(join(dir, 'empty.csv.gz'), []);
  assert.deepEqual(await collect(streamStepsFile(join(dir, 'empty.csv.gz'))), []);

  // Its runs: one array per contiguous (scenario, policy, seed), in file order.
  const runs = await collect(streamStepRuns(streamStepsFile(path, 64), path));
  assert.deepEqual(runs, [records.slice(0, 10), records.slice(10)]);
  await assert.rejects(collect(streamStepRuns([records[0]!, records[12]!, records[1]!], 'x.csv.gz')), /x\.csv\.gz: the records of run scenario=industrial policy=fixed w\(0\.20,0\.40,0\.40\) "ü" seed=4 are not contiguous/);
});

test('the streaming reader: errors name the file and the line, like readStepsFile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steps-log-'));
  const records = someRecords(12);
  const lines = stepsToCsv(records).split('\n');
  lines[9] = lines[9]!.replace(/^\d+/, 'oops');
  const bad = join(dir, 'bad.csv.gz');
  // Three gzip members, the bad line (line 10) in the second.
  writeFileSync(bad, Buffer.concat([gzipSync(lines.slice(0, 5).join('\n') + '\n'), gzipSync(lines.slice(5, 11).join('\n') + '\n'), gzipSync(lines.slice(11).join('\n'))]));
  assert.throws(() => readStepsFile(bad), /bad\.csv\.gz line 10: column step is not a number: 'oops'/);
  for (const chunk of [1, 64, 1 << 18]) await assert.rejects(collect(streamStepsFile(bad, chunk)), new RegExp(`${dir}/bad\\.csv\\.gz line 10: column step is not a number: 'oops'`));
  // It fails at the bad row, after yielding the rows before it.
  const before: StepRecord[] = [];
  await assert.rejects(async () => {
    for await (const r of streamStepsFile(bad)) before.push(r);
  });
  assert.deepEqual(before, records.slice(0, 8));

  const short = join(dir, 'short.csv.gz');
  writeFileSync(short, gzipSync(lines.slice(0, 4).join('\n') + '\n1,2,3\n'));
  await assert.rejects(collect(streamStepsFile(short)), /short\.csv\.gz line 5: expected 35 columns, got 3/);
  const header = join(dir, 'header.csv.gz');
  writeFileSync(header, gzipSync('a,b\n1,2\n'));
  await assert.rejects(collect(streamStepsFile(header)), /header\.csv\.gz: header does not match/);
  const truncated = join(dir, 'truncated.csv.gz');
  writeStepsFile(truncated, records, 5);
  const whole = readFileSync(truncated);
  writeFileSync(truncated, whole.subarray(0, whole.length - 10));
  assert.throws(() => readStepsFile(truncated), /unexpected end of file/);
  await assert.rejects(collect(streamStepsFile(truncated)), /steps file .*truncated\.csv\.gz: read failed: unexpected end of file/);
  await assert.rejects(collect(streamStepsFile(join(dir, 'missing.csv.gz'))), /steps file .*missing\.csv\.gz: open failed: ENOENT/);
});
