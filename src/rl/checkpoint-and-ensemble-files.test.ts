import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, discrete, multiDiscrete } from '../core/spaces.ts';
import { CheckpointError, decodeWeights, describeSpaceMismatch, encodeWeights, recordableEnvOptions, spaceToJson } from './checkpoint.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointFiles, memberPath } from './ensemble.ts';

test('describeSpaceMismatch names each kind of difference, the upper Box bound included', () => {
  assert.equal(describeSpaceMismatch(spaceToJson(discrete(3)), discrete(3)), null);
  assert.equal(describeSpaceMismatch(spaceToJson(discrete(3)), discrete(4)), 'saved Discrete(3), env has Discrete(4)');
  assert.equal(describeSpaceMismatch(spaceToJson(multiDiscrete([3, 2])), multiDiscrete([3, 2])), null);
  assert.equal(describeSpaceMismatch(spaceToJson(multiDiscrete([3, 2])), multiDiscrete([3, 3])), 'saved MultiDiscrete([3,2]), env has MultiDiscrete([3,3])');
  assert.equal(describeSpaceMismatch(spaceToJson(box([0, -1], [1, 1], [2])), box([0, -1], [1, 1], [2])), null);
  assert.equal(describeSpaceMismatch(spaceToJson(box([0, -1], [1, 1], [2])), box([0, -1], [1, 2], [2])), 'Box bounds differ at 1: saved [-1, 1], env has [-1, 2]');
  assert.equal(describeSpaceMismatch(spaceToJson(box([0, -1], [1, 1], [2])), box([0, -2], [1, 1], [2])), 'Box bounds differ at 1: saved [-1, 1], env has [-2, 1]');
  assert.equal(describeSpaceMismatch(spaceToJson(discrete(3)), multiDiscrete([3])), 'saved discrete, env has multi-discrete');
});

test('decodeWeights round-trips and refuses a blob that is longer or shorter than the architecture', () => {
  const w = Float64Array.of(1.5, -2, 3e-7);
  assert.deepEqual(Array.from(decodeWeights(encodeWeights(w), 3, 'actor')), [1.5, -2, 3e-7]);
  assert.deepEqual(Array.from(decodeWeights(encodeWeights(Float32Array.of(0.25, -1)), 2, 'actor')), [0.25, -1]);
  assert.throws(() => decodeWeights(encodeWeights(w), 2, 'critic'), (e: unknown) => e instanceof CheckpointError && /'critic' has 3 values, the architecture needs 2/.test(e.message));
  assert.throws(() => decodeWeights(encodeWeights(w), 4, 'critic'), /'critic' has 3 values, the architecture needs 4/);
});

test('memberPath replaces a .json suffix and appends to any other name', () => {
  assert.equal(memberPath('models/meta.json', 4), 'models/meta-s4.json');
  assert.equal(memberPath('models/meta', 4), 'models/meta-s4.json');
});

test('checkpointFiles of a file that says it is a manifest but is not a valid one is just that file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-ensemble-invalid-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ format: 'edgepilot-ensemble', version: 1, members: ['a.json'], seeds: [1, 2] }));
  assert.deepEqual(checkpointFiles(bad), [bad]);
});

test('recordableEnvOptions keeps the JSON-safe options only, and gives undefined when none is left', () => {
  const kept = recordableEnvOptions({ a: 1, s: 'x', n: null, arr: [1, 'y', [true]], o: { x: [2] }, u: undefined, f: () => 1, m: new Map(), d: new Date(0), mixed: [1, () => 2] });
  assert.deepEqual(kept, { a: 1, s: 'x', n: null, arr: [1, 'y', [true]], o: { x: [2] } });
  assert.equal(recordableEnvOptions({ f: () => 1, u: undefined }), undefined);
  assert.equal(recordableEnvOptions(undefined), undefined);
});
