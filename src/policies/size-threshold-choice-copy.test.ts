/**
 * The size-threshold rule hands out copies of its settings' choices and the chooser follows the settings it was built
 * with (size-threshold-shuffle.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIZE_THRESHOLD_SHUFFLE_SETTINGS, sizeThresholdChoice, sizeThresholdChooser } from './size-threshold-shuffle.ts';
import type { Action } from '../core/types.ts';
import { ctx } from './test-context.ts';

test('a caller editing the returned choice does not edit the rule', () => {
  const c = sizeThresholdChoice({ shuffleBytes: 0, executorsRunning: 1 });
  c.tier = 'archive';
  assert.deepEqual(SIZE_THRESHOLD_SHUFFLE_SETTINGS.hot, { tier: 'redis', codec: 'lz4' });
  assert.deepEqual(sizeThresholdChoice({ shuffleBytes: 0, executorsRunning: 1 }), { tier: 'redis', codec: 'lz4' });
});

test('the chooser applies its own settings to the context snapshot', () => {
  const s = { flushThresholdBytes: 100, hot: { tier: 'nvme', codec: 'none' }, cold: { tier: 'archive', codec: 'zstd' } } as const;
  const choose = sizeThresholdChooser(s);
  const proposed: Action = { executors: 2, memoryGb: 4, tier: 'redis', codec: 'lz4' };
  assert.deepEqual(choose(ctx({ shuffleBytes: 202, executorsRunning: 2 }), proposed), { tier: 'archive', codec: 'zstd' });
  assert.deepEqual(choose(ctx({ shuffleBytes: 200, executorsRunning: 2 }), proposed), { tier: 'nvme', codec: 'none' });
  assert.deepEqual(sizeThresholdChooser()(ctx({ shuffleBytes: 202, executorsRunning: 2 }), proposed), { tier: 'redis', codec: 'lz4' });
});
