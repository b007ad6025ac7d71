import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryShuffleStore } from './directory-store.ts';
import { runStoreContract } from './store-contract.ts';
import { CapacityError } from './types.ts';

const root = await mkdtemp(join(tmpdir(), 'edgepilot-dirstore-test-'));
after(() => rm(root, { recursive: true, force: true }));
let storeCount = 0;

runStoreContract('directory store', { makeStore: async () => new DirectoryShuffleStore({ directory: join(root, `store-${storeCount++}`) }) });

test('directory store: one file per block, keys with / stay flat, no temp files left behind', async () => {
  const directory = join(root, 'layout');
  const store = new DirectoryShuffleStore({ directory });
  await store.put('job-1/shuffle-2/map-3-reduce-4', Buffer.from('a'));
  await store.put('.hidden', Buffer.from('b'));
  await store.put('job-1/shuffle-2/map-3-reduce-4', Buffer.from('c')); // replaced by rename
  const files = (await readdir(directory)).sort();
  assert.deepEqual(files, ['%2Ehidden', 'job-1%2Fshuffle-2%2Fmap-3-reduce-4']);
  assert.equal((await store.get('job-1/shuffle-2/map-3-reduce-4'))!.toString(), 'c');
  assert.equal((await store.get('.hidden'))!.toString(), 'b');
});

test('directory store: a failed write reports the error, removes its temp file and keeps the old block', async () => {
  const directory = join(root, 'failing');
  const store = new DirectoryShuffleStore({ directory });
  await store.put('k', Buffer.from('old'));
  // A non-empty folder where the block file 'blocked' should go makes the final rename fail.
  await mkdir(join(directory, 'blocked', 'inner'), { recursive: true });
  await assert.rejects(store.put('blocked', Buffer.from('new')), /EISDIR|ENOTEMPTY|EEXIST/);
  assert.deepEqual((await readdir(directory)).filter((f) => f.startsWith('.tmp-')), []);
  assert.equal((await store.get('k'))!.toString(), 'old');
  assert.equal(store.usedBytes(), 3);
});

test('directory store: an optional byte budget throws CapacityError', async () => {
  const store = new DirectoryShuffleStore({ directory: join(root, 'budget'), capacityBytes: 10 });
  await store.put('a', Buffer.alloc(10));
  await assert.rejects(store.put('b', Buffer.alloc(1)), CapacityError);
  assert.equal(store.usedBytes(), 10);
});

test('directory store: a folder that could not be created is tried again on the next put', async () => {
  const blocker = join(root, 'blocker');
  await writeFile(blocker, 'a file where a parent folder should be');
  const store = new DirectoryShuffleStore({ directory: join(blocker, 'blocks') });
  await assert.rejects(store.put('k', Buffer.from('v')), /ENOTDIR|EEXIST/);
  await rm(blocker);
  await store.put('k', Buffer.from('v'));
  assert.equal((await store.get('k'))!.toString(), 'v');
  assert.equal(store.usedBytes(), 1);
});
