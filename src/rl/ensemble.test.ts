import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointFiles, isEnsembleFile, memberPath, parseSeedList, readEnsembleManifest, writeEnsembleManifest } from './ensemble.ts';
import { parseCheckpoint } from './checkpoint.ts';

test('parseSeedList reads ranges and lists, and names what is wrong', () => {
  assert.deepEqual(parseSeedList('1-6'), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(parseSeedList('3, 1,7-8'), [3, 1, 7, 8]);
  assert.throws(() => parseSeedList('1-x'), /--seeds: '1-x' is not a seed or a range/);
  assert.throws(() => parseSeedList('6-1'), /range '6-1' runs backwards/);
  assert.throws(() => parseSeedList('1,2,1'), /seed listed twice/);
  assert.throws(() => parseSeedList('4'), /at least 2 seeds/);
});

test('an ensemble manifest round-trips, with members next to it, and is told apart from a checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-ensemble-'));
  const out = join(dir, 'meta.json');
  assert.equal(memberPath(out, 3), join(dir, 'meta-s3.json'));
  writeEnsembleManifest(out, [1, 2], 'edgepilot train --seeds 1-2');
  assert.equal(isEnsembleFile(out), true);
  const m = readEnsembleManifest(out);
  assert.deepEqual(m.members, ['meta-s1.json', 'meta-s2.json']);
  assert.deepEqual(m.memberPaths, [join(dir, 'meta-s1.json'), join(dir, 'meta-s2.json')]);
  assert.deepEqual(m.seeds, [1, 2]);
  assert.equal(m.command, 'edgepilot train --seeds 1-2');
  // Written manifests say how to pool (arithmetic unless told); an explicit choice is kept.
  assert.equal(m.pooling, 'arithmetic');
  writeEnsembleManifest(out, [1, 2], undefined, 'geometric');
  assert.equal(readEnsembleManifest(out).pooling, 'geometric');
  // A loader that wants one checkpoint says what the file is instead of a bare format error.
  assert.throws(() => parseCheckpoint(JSON.stringify(m), "'meta.json'"), /is an ensemble manifest .* give one of its member checkpoints/);
  writeFileSync(join(dir, 'other.json'), '{"format":"edgepilot-rl-checkpoint"}');
  assert.equal(isEnsembleFile(join(dir, 'other.json')), false);
  assert.equal(isEnsembleFile(join(dir, 'missing.json')), false);
});

test('a malformed manifest is refused with the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-ensemble-bad-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ format: 'edgepilot-ensemble', version: 1, members: ['a.json', 'b.json'], seeds: [1] }));
  assert.throws(() => readEnsembleManifest(bad), /'.*bad\.json'.*seeds and members must have the same length/);
  writeFileSync(bad, JSON.stringify({ format: 'edgepilot-ensemble', version: 1, members: [], seeds: [] }));
  assert.throws(() => readEnsembleManifest(bad), /not a valid ensemble manifest: 'members'/);
  writeFileSync(bad, JSON.stringify({ format: 'edgepilot-ensemble', version: 1, members: ['a.json', 'b.json'], seeds: [1, 2], pooling: 'harmonic' }));
  assert.throws(() => readEnsembleManifest(bad), /not a valid ensemble manifest: 'pooling'/);
  // A manifest from before session 24 has no pooling field: it reads back as the arithmetic mean it meant.
  writeFileSync(bad, JSON.stringify({ format: 'edgepilot-ensemble', version: 1, members: ['a.json', 'b.json'], seeds: [1, 2] }));
  assert.equal(readEnsembleManifest(bad).pooling, 'arithmetic');
  writeFileSync(bad, '{ nope');
  assert.throws(() => readEnsembleManifest(bad), /cannot be read as an ensemble manifest/);
});

test('checkpointFiles lists a manifest with its members, or the single checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-ensemble-files-'));
  const out = join(dir, 'm.json');
  writeEnsembleManifest(out, [2, 3]);
  assert.deepEqual(checkpointFiles(out), [out, join(dir, 'm-s2.json'), join(dir, 'm-s3.json')]);
  assert.deepEqual(checkpointFiles(join(dir, 'single.json')), [join(dir, 'single.json')]);
});
