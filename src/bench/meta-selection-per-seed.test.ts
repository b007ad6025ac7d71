import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreMetaCandidates } from './meta-selection.ts';

test('perSeedJ[i] is the score of world seed seedBase + i alone (for paired comparisons between candidates)', () => {
  const opts = { steps: 12, scenarios: ['balanced', 'industrial'] as const, modes: ['budget'] as const };
  const [both] = scoreMetaCandidates(['models/meta-td3.json'], { ...opts, seeds: 2, seedBase: 70_000 });
  const [first] = scoreMetaCandidates(['models/meta-td3.json'], { ...opts, seeds: 1, seedBase: 70_000 });
  const [second] = scoreMetaCandidates(['models/meta-td3.json'], { ...opts, seeds: 1, seedBase: 70_001 });
  assert.equal(both!.perSeedJ.length, 2);
  assert.ok(Math.abs(both!.perSeedJ[0]! - first!.meanJ) < 1e-12, `${both!.perSeedJ[0]} vs ${first!.meanJ}`);
  assert.ok(Math.abs(both!.perSeedJ[1]! - second!.meanJ) < 1e-12, `${both!.perSeedJ[1]} vs ${second!.meanJ}`);
  assert.notEqual(first!.meanJ, second!.meanJ);
});
