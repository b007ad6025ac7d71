import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStepsFile } from '../steps-log.ts';
import { runWeightsReport, sensitivityFromCsv, simplexGrid, sweepPoints, SENSITIVITY_HEADER } from './weights.ts';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { loadTraceCsv } from '../../workload/trace.ts';

test('simplexGrid: multiples of the step that sum to 1; bad steps are refused', () => {
  const g = simplexGrid(0.5);
  assert.equal(g.length, 6);
  for (const w of g) assert.ok(Math.abs(w.alpha + w.beta + w.gamma - 1) < 1e-12);
  assert.equal(simplexGrid(0.25).length, 15);
  assert.throws(() => simplexGrid(0.3), /gridStep must divide 1/);
});

test('sweepPoints: per-run metrics, means over runs and the non-dominated front', () => {
  const rec = (policy: string, seed: number, violated: boolean, costUsd: number): StepRecord => ({ policy, seed, scenario: 'balanced', slaViolated: violated, costUsd, alpha: 1, beta: 0, gamma: 0 }) as StepRecord;
  const records = [
    rec('cheap', 0, true, 1), rec('cheap', 0, false, 1), rec('cheap', 1, false, 1), rec('cheap', 1, false, 1), // 50 % and 0 % -> 25 %, cost 2
    rec('safe', 0, false, 3), rec('safe', 0, false, 3), rec('safe', 1, false, 3), rec('safe', 1, false, 3), // 0 %, cost 6
    rec('bad', 0, true, 4), rec('bad', 0, true, 4), rec('bad', 1, false, 4), rec('bad', 1, false, 4), // 100/0 -> 50 %, cost 8
  ];
  const pts = new Map(sweepPoints(records).map((p) => [p.label, p]));
  assert.equal(pts.get('cheap')!.slaViolationPct, 25);
  assert.equal(pts.get('bad')!.slaViolationPct, 50);
  assert.equal(pts.get('cheap')!.costUsd, 2);
  assert.equal(pts.get('safe')!.costUsd, 6);
  assert.deepEqual([...pts.values()].filter((p) => p.onFront).map((p) => p.label).sort(), ['cheap', 'safe']);
});

test('sensitivityFromCsv counts states whose action depends on the weights', () => {
  const csv = [SENSITIVITY_HEADER, '0,b,1,0,1,0,0,5,2,nvme,lz4', '0,b,1,0,0,1,0,5,2,nvme,lz4', '1,b,1,5,1,0,0,3,2,nvme,lz4', '1,b,1,5,0,1,0,9,2,redis,lz4'].join('\n');
  const s = sensitivityFromCsv(csv);
  assert.equal(s.states, 2);
  assert.equal(s.weightVectors, 2);
  assert.equal(s.anyChangeShare, 0.5);
  assert.equal(s.componentShare.executors, 0.5);
  assert.equal(s.componentShare.tier, 0.5);
  assert.equal(s.componentShare.memoryGb, 0);
  assert.equal(s.meanDistinctExecutors, 1.5);
  assert.throws(() => sensitivityFromCsv('nope\n'), /header/);
});

test('runWeightsReport on a tiny run writes the steps file, the probe, Markdown and a PNG computed from them', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'edgepilot-weights-'));
  const res = await runWeightsReport({ outDir, seeds: 1, steps: 12, quick: true });
  assert.ok(existsSync(res.markdownPath));
  assert.equal(res.pngPaths.length, 1);
  assert.deepEqual([...readFileSync(res.pngPaths[0]!).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const records = readStepsFile(join(outDir, 'weights-steps.csv.gz'));
  assert.equal(records.length, 6 * 12, 'quick: 6 weight vectors x 1 seed x 12 steps on balanced');
  const md = readFileSync(res.markdownPath, 'utf8');
  const s = res.summary as { weightVectors: number; frontSize: number; sensitivity: { states: number; anyChangeShare: number } };
  assert.equal(s.weightVectors, 6);
  assert.ok(s.frontSize >= 1);
  assert.ok(s.sensitivity.states >= 1);
  assert.match(md, /\| 0\.00\/0\.00\/1\.00 \| 1 \|/);
  assert.match(md, new RegExp(`in \\*\\*${(100 * s.sensitivity.anyChangeShare).toFixed(1)} %\\*\\*`));
});

test('runWeightsReport --trace: the sweep replays the trace, and the report says so', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'edgepilot-weights-trace-'));
  const tracePath = join(outDir, 'onoff.csv');
  writeFileSync(tracePath, ['t,rate', ...Array.from({ length: 1200 }, (_, t) => `${t},${Math.floor(t / 60) % 2 === 0 ? 5 : 50}`)].join('\n'));
  const res = await runWeightsReport({ outDir, seeds: 1, steps: 12, quick: true, trace: loadTraceCsv(tracePath), traceNote: 'a test note' });
  const records = readStepsFile(join(outDir, 'weights-steps.csv.gz'));
  assert.ok(records.length === 6 * 12 && records.every((x) => x.trace === 'onoff.csv'), 'every sweep run replays the trace');
  assert.equal((res.summary as { trace?: string }).trace, 'onoff.csv');
  assert.match(readFileSync(res.markdownPath, 'utf8'), /Workload: the trace onoff\.csv, instead of the synthetic processes \(a test note\)\./);
  rmSync(outDir, { recursive: true, force: true });
});
