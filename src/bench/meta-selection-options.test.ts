import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreMetaCandidates, VALIDATION_SEED_BASE, VALIDATION_SEEDS, VALIDATION_STEPS } from './meta-selection.ts';
import { BASE_SEED } from './tournament.ts';

test('the validation worlds are the documented ones: 30 seeds from 70 000, whole 500-step runs (docs/META.md)', () => {
  assert.equal(VALIDATION_SEED_BASE, 70_000);
  assert.equal(VALIDATION_SEEDS, 30);
  assert.equal(VALIDATION_STEPS, 500);
  // Held out from the tournament's seeds BASE_SEED + i for up to 60 000 tournament seeds.
  assert.equal(VALIDATION_SEED_BASE - BASE_SEED, 60_000);
});

test('scoreMetaCandidates refuses a bad seed base and an empty scenario or mode list, naming them', () => {
  const path = ['models/meta-td3.json'];
  assert.throws(() => scoreMetaCandidates(path, { seedBase: -1 }), /seedBase must be an integer >= 0, got -1/);
  assert.throws(() => scoreMetaCandidates(path, { seedBase: 0.5 }), /seedBase must be an integer >= 0, got 0.5/);
  assert.throws(() => scoreMetaCandidates(path, { scenarios: [] }), /at least one scenario and one mode/);
  assert.throws(() => scoreMetaCandidates(path, { modes: [] }), /at least one scenario and one mode/);
});
