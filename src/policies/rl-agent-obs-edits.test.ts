/**
 * The observation edits the agents apply before the network (rl-agent.ts): withWeights clips each weight to [0, 1]
 * in its own feature; maskEdge zeroes exactly the edge features, on a copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EDGE_FEATURE_INDICES, OBSERVATION_FEATURES, OBS_SIZE } from '../control/observation.ts';
import { maskEdge, withWeights } from './rl-agent.ts';

const obs = Float32Array.from({ length: OBS_SIZE }, (_, i) => 0.25 + i / 100);
const at = (o: Float32Array, name: string): number => o[OBSERVATION_FEATURES.indexOf(name as never)]!;

test('withWeights clips each of alpha, beta, gamma to [0, 1] in its own feature', () => {
  const out = withWeights(obs, { alpha: 2, beta: -1, gamma: 0.5 });
  assert.equal(at(out, 'alpha'), 1);
  assert.equal(at(out, 'beta'), 0);
  assert.equal(at(out, 'gamma'), 0.5);
  const out2 = withWeights(obs, { alpha: 0, beta: 0.25, gamma: 3 });
  assert.deepEqual([at(out2, 'alpha'), at(out2, 'beta'), at(out2, 'gamma')], [0, 0.25, 1]);
  const out3 = withWeights(obs, { alpha: -0.5, beta: 0.75, gamma: -2 });
  assert.deepEqual([at(out3, 'alpha'), at(out3, 'beta'), at(out3, 'gamma')], [0, 0.75, 0]);
});

test('maskEdge zeroes exactly the edge features, on a copy', () => {
  assert.ok(EDGE_FEATURE_INDICES.length > 0);
  const before = Float32Array.from(obs);
  const out = maskEdge(obs);
  assert.notEqual(out, obs);
  assert.deepEqual(obs, before);
  for (let i = 0; i < OBS_SIZE; i++) assert.equal(out[i], (EDGE_FEATURE_INDICES as readonly number[]).includes(i) ? 0 : obs[i], `feature ${i}`);
});
