/** The tolerant parsers against the documented StreamingQueryProgress / REST API formats (spark-k8s.md 1.4-1.8). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExecutors, parseProgress, parseRunningAppId } from './formats.ts';

const progress = (sources: unknown[]): Record<string, unknown> => ({ id: 'q', runId: 'r', timestamp: '2024-05-01T10:29:46.282Z', batchId: 7, numInputRows: 10, sources });

test('Kafka lag is never negative per partition: a latestOffset read before the batch ended counts as no lag, not as negative lag', () => {
  const p = parseProgress(progress([{ endOffset: { t: { 0: 120, 1: 200 } }, latestOffset: { t: { 0: 100, 1: 205 } }, numInputRows: 10 }]));
  assert.equal(p.lagMsgs, 5, 'partition 0 caught up past its (stale) latest offset: 0; partition 1: 5');
});

test('the query lag is the sum over sources only when every source reported one', () => {
  const kafka = { endOffset: { a: { 0: 10 } }, latestOffset: { a: { 0: 15 } } };
  assert.equal(parseProgress(progress([kafka, { ...kafka, latestOffset: { a: { 0: 30 } } }])).lagMsgs, 25, 'two Kafka sources: 5 + 20');
  const unknown = parseProgress(progress([kafka, { description: 'RateSource', endOffset: '42', latestOffset: null }]));
  assert.equal(unknown.lagMsgs, undefined, 'a source without lag makes the total unknown, not an undercount');
});

test('an executor entry without isActive counts as active (the v1 API may omit fields); isActive false does not', () => {
  const ex = parseExecutors([{ id: 'driver', isActive: true }, { id: '1', totalCores: 4 }, { id: '2', isActive: false, totalCores: 4 }]);
  assert.deepEqual(ex.map((e) => [e.id, e.isActive]), [['1', true], ['2', false]], 'missing isActive is active; the driver is excluded');
});

test('a running driver UI may list its application with no attempts: that application is the running one', () => {
  assert.equal(parseRunningAppId([{ id: 'spark-done', attempts: [{ completed: true }] }, { id: 'spark-live', attempts: [] }]), 'spark-live', 'no attempts listed: not completed');
  assert.equal(parseRunningAppId([{ id: 'spark-done', attempts: [{ completed: true }] }]), undefined, 'only completed applications: none running');
});

test('only avgOffsetsBehindLatest known and no offsets at all: the lag counts at least one partition, never 0', () => {
  const p = parseProgress(progress([{ endOffset: null, latestOffset: null, metrics: { avgOffsetsBehindLatest: '6.0' } }]));
  assert.equal(p.lagMsgs, 6, 'avg lag 6 over an unknown number (>= 1) of partitions');
});
