import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestCandidate, scoreMetaCandidates, type CandidateScore } from './meta-selection.ts';
import { ModeScheduleEnv } from '../meta/mode-env.ts';
import { HierarchicalPolicy } from '../meta/hierarchical-policy.ts';
import { loadConfig } from '../core/config.ts';
import { modeObjective, singleModeSchedule, windowStats } from '../meta/modes.ts';
import { runEpisode } from './tournament.ts';

const small = { seeds: 2, seedBase: 70_000, steps: 12, scenarios: ['industrial', 'balanced'] as const, modes: ['normal', 'budget'] as const };

test('scoreMetaCandidates scores each cell by the mode objective of a whole single-mode run, on the validation seeds', () => {
  const [edge, noEdge] = scoreMetaCandidates(['models/meta-td3.json', 'models/meta-td3-no-edge.json'], small);
  assert.deepEqual(Object.keys(edge!.cells), ['industrial/normal', 'industrial/budget', 'balanced/normal', 'balanced/budget']);
  // Recomputed independently for one cell: J of the whole run from its window statistics.
  const config = loadConfig();
  const js = [0, 1].map((i) => {
    const env = new ModeScheduleEnv({ scenario: 'industrial', maxSteps: 12, schedule: singleModeSchedule('budget') });
    const policy = new HierarchicalPolicy({ id: 'check', metaCheckpointPath: 'models/meta-td3.json' });
    const records = runEpisode(env, policy, policy.id, 70_000 + i, 12);
    return modeObjective(config.modes.budget, windowStats(records, config.scenarios.industrial.budgetUsdPerHour, config.modes.budget));
  });
  assert.ok(Math.abs(edge!.cells['industrial/budget']! - (js[0]! + js[1]!) / 2) < 1e-12);
  // The mean over cells equals the mean of the per-seed means, and the two controllers are told apart.
  const cellMean = Object.values(edge!.cells).reduce((a, b) => a + b, 0) / 4;
  assert.ok(Math.abs(edge!.meanJ - cellMean) < 1e-12);
  assert.equal(edge!.perSeedJ.length, 2);
  assert.notEqual(edge!.meanJ, noEdge!.meanJ);
});

test('scoreMetaCandidates is deterministic: the same candidate twice scores the same, and progress reaches the total', () => {
  const seen: number[] = [];
  const [a, b] = scoreMetaCandidates(['models/meta-td3.json', 'models/meta-td3.json'], { ...small, scenarios: ['balanced'], modes: ['critical'], onProgress: (d, t) => seen.push(d, t) });
  assert.deepEqual(a!.perSeedJ, b!.perSeedJ);
  assert.deepEqual(seen, [2, 4, 4, 4]);
});

test('bestCandidate picks the highest mean J, the first of equals; bad arguments are named', () => {
  const s = (path: string, meanJ: number): CandidateScore => ({ path, meanJ, cells: {}, perSeedJ: [] });
  assert.equal(bestCandidate([s('a', -0.3), s('b', -0.2), s('c', -0.2), s('d', -0.25)]).path, 'b');
  assert.throws(() => bestCandidate([]), /no candidates/);
  assert.throws(() => scoreMetaCandidates([]), /no candidates/);
  assert.throws(() => scoreMetaCandidates(['models/meta-td3.json'], { seeds: 0 }), /seeds must be a positive integer, got 0/);
  assert.throws(() => scoreMetaCandidates(['models/meta-td3.json'], { steps: 1.5 }), /steps must be a positive integer, got 1.5/);
});
