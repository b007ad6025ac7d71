/**
 * The behaviour every ShuffleStore must show, as node:test cases; each store's test file runs it against a
 * real instance (memory, directory, redis-server, s3rver). Test-only helper (not itself a *.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.ts';
import { CODECS } from '../../core/types.ts';
import { decodeBlock, getCodec } from '../codecs.ts';
import { makeIotBlock, makeRandomBlock } from '../iot-blocks.ts';
import type { ShuffleStore } from './types.ts';

export const CONTRACT_SIZES = [0, 1, 64 * 1024, 1024 * 1024];

export interface ContractOptions {
  /** A fresh store; the contract closes it. */
  makeStore: () => Promise<ShuffleStore>;
  /** Skip message, or false to run. */
  skip?: string | false;
}

export function runStoreContract(name: string, options: ContractOptions): void {
  const skip = options.skip ?? false;

  test(`${name}: blocks of 0 B, 1 B, 64 KiB and 1 MiB round-trip through every codec`, { skip }, async () => {
    const store = await options.makeStore();
    try {
      const rng = new Rng(42);
      for (const size of CONTRACT_SIZES) {
        const raw = makeIotBlock(rng.fork(`iot-${size}`), size);
        for (const codecName of CODECS) {
          const key = `job-1/shuffle-0/map-${size}-${codecName}`;
          const frame = getCodec(codecName).compress(raw);
          await store.put(key, frame);
          const back = await store.get(key);
          assert.ok(back !== undefined, `${key} missing after put`);
          assert.ok(back.equals(frame), `${key}: stored bytes differ`);
          assert.ok(decodeBlock(back, key).equals(raw), `${key}: decoded bytes differ`);
        }
      }
    } finally {
      await store.close();
    }
  });

  test(`${name}: missing keys, overwrite, delete, binary data and usedBytes`, { skip }, async () => {
    const store = await options.makeStore();
    try {
      assert.equal(await store.get('never/written'), undefined);
      await store.delete('never/written'); // deleting an absent key is fine

      const binary = makeRandomBlock(new Rng(9), 4099);
      await store.put('k/binary', binary);
      assert.ok((await store.get('k/binary'))!.equals(binary));
      const usedAfterFirst = store.usedBytes?.();
      if (usedAfterFirst !== undefined) assert.equal(usedAfterFirst, 4099);

      const replacement = Buffer.from('replacement');
      await store.put('k/binary', replacement);
      assert.ok((await store.get('k/binary'))!.equals(replacement));
      if (store.usedBytes) assert.equal(store.usedBytes(), replacement.length);

      // Mutating the caller's buffer after put must not change the stored block.
      const mutable = Buffer.from('original');
      await store.put('k/mutable', mutable);
      mutable.write('CHANGED!');
      assert.equal((await store.get('k/mutable'))!.toString(), 'original');
      // Nor may a reader's changes to the buffer get returned.
      (await store.get('k/mutable'))!.write('CHANGED!');
      assert.equal((await store.get('k/mutable'))!.toString(), 'original');

      await store.delete('k/binary');
      await store.delete('k/mutable');
      assert.equal(await store.get('k/binary'), undefined);
      if (store.usedBytes) assert.equal(store.usedBytes(), 0);
    } finally {
      await store.close();
    }
  });

  test(`${name}: rejects bad keys and non-Buffer data with errors that name the problem`, { skip }, async () => {
    const store = await options.makeStore();
    try {
      await assert.rejects(store.put('', Buffer.alloc(1)), /block key must be a non-empty string/);
      await assert.rejects(store.put('../escape', Buffer.alloc(1)), /may not contain '.' or '..' path segments/);
      await assert.rejects(store.put('has space', Buffer.alloc(1)), /may only contain letters, digits/);
      await assert.rejects(store.get('x'.repeat(201)), /is 201 characters \(max 200\)/);
      await assert.rejects(store.put('ok', 'text' as unknown as Buffer), /block data must be a Buffer, got string/);
    } finally {
      await store.close();
    }
  });
}
