/**
 * TD3's collect/train rhythm (SB3 off_policy_algorithm.py learn / collect_rollouts): a round collects train_freq
 * steps (or episodes), cut at the requested total; then, once num_timesteps > learning_starts, it runs
 * gradient_steps updates, or as many as steps were collected when gradient_steps is -1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../../env/types.ts';
import { RecordEpisodeStatistics, TimeLimit } from '../../env/wrappers.ts';
import type { Td3Config } from './config.ts';
import { TD3 } from './td3.ts';
import type { Td3RoundStats } from './td3.ts';
import { CounterEnv } from '../test-envs.ts';

/** Episodes of 3 steps; returns [numTimesteps, numUpdates, lastRoundEndedEpisode] after each round. */
function rounds(cfg: Partial<Td3Config>, total: number): [number, number, boolean][] {
  const env = new TimeLimit(new CounterEnv({ id: 'Clock', obsDivisor: 1, reward: () => 1, actionSpace: box(-1, 1, [1]) }) as Env, 3);
  const td3 = new TD3(env, { netArch: [4], batchSize: 4, bufferSize: 100, dtype: 'f64', ...cfg }, 3);
  const seen: [number, number, boolean][] = [];
  td3.learn(total, (s) => seen.push([s.numTimesteps, s.numUpdates, td3.lastRoundEndedEpisode]));
  return seen;
}

test('gradientSteps -1 runs one update per collected step, the last (shorter) round included', () => {
  assert.deepEqual(rounds({ trainFreq: 4, gradientSteps: -1, learningStarts: 0 }, 10), [
    [4, 4, true],
    [8, 8, true],
    [10, 10, true],
  ]);
});

test('a fixed gradientSteps runs that many updates per round, only once num_timesteps > learning_starts', () => {
  assert.deepEqual(rounds({ trainFreq: 2, gradientSteps: 3, learningStarts: 4 }, 8), [
    [2, 0, false],
    [4, 0, true],
    [6, 3, true],
    [8, 6, false],
  ]);
});

test('trainFreq in episodes collects whole episodes per round', () => {
  assert.deepEqual(rounds({ trainFreq: { every: 2, unit: 'episode' }, gradientSteps: -1, learningStarts: 0 }, 12), [
    [6, 6, true],
    [12, 12, true],
  ]);
});

/** One-step episodes whose return is the episode's number (1, 2, ...). */
class NumberedEpisodes implements Env {
  readonly id = 'NumberedEpisodes';
  readonly observationSpace = box(-1, 1, [1]);
  readonly actionSpace = box(-1, 1, [1]);
  private n = 0;
  reset(): ResetResult {
    return { obs: Float32Array.of(0), info: {} };
  }
  step(): StepResult {
    this.n++;
    return { obs: Float32Array.of(0), reward: this.n, terminated: true, truncated: false, info: {} };
  }
}

test('meanEpisodeReturn / meanEpisodeLength cover the last 100 finished episodes (SB3 ep_info_buffer)', () => {
  const td3 = new TD3(new RecordEpisodeStatistics(new NumberedEpisodes()), { netArch: [4], batchSize: 4, bufferSize: 200, learningStarts: 1000 }, 1);
  let last: Td3RoundStats | null = null;
  td3.learn(130, (s) => (last = s));
  const s = last as Td3RoundStats | null;
  assert.ok(s);
  assert.equal(td3.episodeInfos.length, 100);
  // Returns 31..130.
  assert.equal(s.meanEpisodeReturn, 80.5);
  assert.equal(s.meanEpisodeLength, 1);
  assert.equal(s.numUpdates, 0);
});
