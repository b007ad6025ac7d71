import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CapacityError, StoreTimeoutError, classifyStoreError, withTimeout } from './types.ts';

test('withTimeout: a missed deadline aborts the work it gave up on; a met deadline leaves nothing armed (mock timers)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let missedSignal: AbortSignal | undefined;
  const missed = withTimeout(100, 'slow op', (signal) => {
    missedSignal = signal;
    return new Promise<never>(() => undefined);
  });
  t.mock.timers.tick(100);
  await assert.rejects(missed, (err: unknown) => err instanceof StoreTimeoutError && /slow op: no answer within 100 ms/.test((err as Error).message));
  assert.equal(missedSignal!.aborted, true, 'the abandoned request is aborted (an S3 request would otherwise keep its socket)');

  let metSignal: AbortSignal | undefined;
  assert.equal(await withTimeout(100, 'fast op', async (signal) => ((metSignal = signal), 7)), 7);
  t.mock.timers.tick(1000);
  assert.equal(metSignal!.aborted, false, 'the deadline timer was cleared when the work finished');
});

test('classifyStoreError: wrapped network errors (AggregateError, an SDK error with a cause) keep their reason', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(classifyStoreError(refused), 'connection');
  assert.equal(classifyStoreError(new AggregateError([refused], 'all addresses failed')), 'connection');
  assert.equal(classifyStoreError(Object.assign(new Error('TimeoutError'), { name: 'TimeoutError' })), 'timeout');
  assert.equal(classifyStoreError(new Error('socket hang up', { cause: refused })), 'connection');
  assert.equal(classifyStoreError(new Error('request failed', { cause: new Error('disk', { cause: Object.assign(new Error('full'), { code: 'ENOSPC' }) }) })), 'capacity');
  assert.equal(classifyStoreError(new CapacityError('full')), 'capacity');
  assert.equal(classifyStoreError(new Error('something else')), 'error');
  assert.equal(classifyStoreError(undefined), 'error');
});
