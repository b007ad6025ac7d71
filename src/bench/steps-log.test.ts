import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo, StepRecord } from '../env/spark-iot-types.ts';
import { parseStepsBuffer, readStepsFile, stepsToCsv, writeStepsFile } from './steps-log.ts';

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
