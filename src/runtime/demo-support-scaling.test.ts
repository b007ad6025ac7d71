/**
 * The demo's scale factor (docs/DEMO.md "Scale"): the controller sees message volumes times the factor (rates,
 * backlog, drops, and the shuffle bytes those messages make), and the default policy is edge-rl only when its
 * checkpoint files exist on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { SystemSnapshot } from '../core/types.ts';
import { chooseDefaultPolicy, scaledMetrics, scaleSnapshot } from './demo-support.ts';

const SNAP: SystemSnapshot = {
  tSeconds: 10, arrivalRateMsgsPerS: 500, processedRateMsgsPerS: 480, backlogMsgs: 40, p95LatencyMs: 900, cpuUtilization: 0.5, memoryUtilization: 0.4,
  executorsRunning: 3, executorsStarting: 1, executorsDraining: 0, memoryPerExecutorGb: 4, tier: 'nvme', codec: 'lz4', shuffleBytes: 1000, observedReuse: 0.1,
  costRateUsdPerHour: 1.2, costUsd: 0.003, droppedMsgs: 2, meanMessageBytes: 600,
};

test('scaleSnapshot: the shuffle bytes of 50x the messages are 50x the bytes; the message size is not scaled', () => {
  const up = scaleSnapshot(SNAP, 50);
  assert.equal(up.shuffleBytes, 50_000);
  assert.equal(up.meanMessageBytes, 600);
  assert.equal(up.observedReuse, 0.1);
});

test('scaledMetrics: its own id, naming the source and the factor', async () => {
  const m = scaledMetrics({ id: 'engine', snapshot: async () => SNAP }, 50);
  assert.notEqual(m.id, 'engine');
  assert.ok(m.id.startsWith('engine') && m.id.includes('50'), m.id);
  assert.equal((await m.snapshot()).backlogMsgs, 2000);
});

test('chooseDefaultPolicy: by default it looks on disk for the checkpoints', () => {
  const here = fileURLToPath(import.meta.url);
  const absent = `${here}.no-such-checkpoint.json`;
  const absentToo = `${here}.no-such-meta.json`;
  const missing = chooseDefaultPolicy(['edge-rl', 'threshold-forecast'], [absent, here, absentToo]);
  assert.deepEqual(missing, { policy: 'threshold-forecast', reason: `edge-rl checkpoint(s) missing (${absent}, ${absentToo}); using the threshold-forecast baseline` });
  assert.deepEqual(chooseDefaultPolicy(['edge-rl'], [here]), { policy: 'edge-rl', reason: 'edge-rl checkpoints found' });
});
