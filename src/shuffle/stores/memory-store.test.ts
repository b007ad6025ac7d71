import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryShuffleStore } from './memory-store.ts';
import { runStoreContract } from './store-contract.ts';
import { CapacityError, classifyStoreError } from './types.ts';

runStoreContract('memory store', { makeStore: async () => new MemoryShuffleStore({ capacityBytes: 64 * 1024 * 1024 }) });

test('memory store: a put beyond the capacity throws CapacityError and leaves the store unchanged', async () => {
  const store = new MemoryShuffleStore({ capacityBytes: 100 });
  await store.put('a', Buffer.alloc(60));
  await store.put('b', Buffer.alloc(40)); // exactly full
  assert.equal(store.usedBytes(), 100);
  const err = await store.put('c', Buffer.alloc(1)).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof CapacityError, `expected CapacityError, got ${String(err)}`);
  assert.match((err as Error).message, /block 'c' of 1 bytes does not fit \(100 of 100 bytes used\)/);
  assert.equal(classifyStoreError(err), 'capacity');
  assert.equal(await store.get('c'), undefined);
  assert.equal(store.usedBytes(), 100);
  // Overwriting with a smaller block frees room; deleting frees the rest.
  await store.put('a', Buffer.alloc(10));
  await store.put('c', Buffer.alloc(50));
  assert.equal(store.usedBytes(), 100);
  await store.delete('b');
  assert.equal(store.usedBytes(), 60);
  await store.close();
  await assert.rejects(store.get('a'), /used after close/);
});

test('memory store: capacity must be a finite number >= 0', () => {
  assert.throws(() => new MemoryShuffleStore({ capacityBytes: -1 }), /capacityBytes must be a finite number >= 0, got -1/);
  assert.throws(() => new MemoryShuffleStore({ capacityBytes: Number.NaN }), /got NaN/);
});
