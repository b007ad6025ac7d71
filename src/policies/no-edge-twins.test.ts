import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_EDGE_ABLATIONS, NO_EDGE_TWINS, noEdgeTwinOf } from './ablations.ts';

test('edge-rl prefers its hierarchical no-edge twin and falls back to the PPO-only one; edge-rl-fixed has only the PPO twin', () => {
  assert.deepEqual(NO_EDGE_TWINS['edge-rl'], ['rl-no-edge-meta', 'rl-no-edge']);
  assert.deepEqual(NO_EDGE_TWINS['edge-rl-fixed'], ['rl-no-edge']);
  assert.equal(noEdgeTwinOf('edge-rl'), 'rl-no-edge-meta');
  assert.equal(noEdgeTwinOf('edge-rl', (id) => id !== 'rl-no-edge-meta'), 'rl-no-edge');
  assert.equal(noEdgeTwinOf('edge-rl-fixed'), 'rl-no-edge');
  assert.equal(noEdgeTwinOf('edge-rl-fixed', (id) => id === 'rl-no-edge-meta'), null);
});

test('an agent without a known twin is compared with rl-no-edge; null when no twin is available', () => {
  assert.equal(noEdgeTwinOf('some-agent'), 'rl-no-edge');
  assert.equal(noEdgeTwinOf('some-agent', () => false), null);
  assert.equal(noEdgeTwinOf('edge-rl', () => false), null);
  assert.deepEqual([...NO_EDGE_ABLATIONS].sort(), ['rl-no-edge', 'rl-no-edge-meta']);
});
