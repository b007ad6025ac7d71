/**
 * Known gap, kept as a skipped test: docs/SIMULATOR.md "The oracle" says the oracle sizes for the demand over
 * [now, now + 2 intervals + the duration of its next cold-start draw], but SparkIotEnv generates the exogenous series
 * only up to 86 s past the episode's end, 96 s past its last decision (edgeLeadTimeS 25 + forecastHorizonS 40 + 2
 * intervals + 1 s), while a cold-start draw may last up to cluster.coldStart.maxS (120 s). In the last steps of an
 * episode, with a draw longer than 76 s (about 0.3 % of the default log-normal draws), src/policies/oracle.ts clips its window at the series end.
 * Lengthening the series would change the oracle's decisions (and possibly the generated worlds), i.e. the published
 * tournament figures, so it is left as is; see the audit report of the audit-env branch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv, type FutureView } from './spark-iot-env.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';

test('the FutureView covers the oracle\'s documented window at the last decision', { skip: 'known gap: the series ends 96 s after the last decision; changing it would move the oracle\'s figures (see file comment)' }, () => {
  // Every cold start lasts 100 s: at the last decision the window is now + 20 + 100 s.
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 5, exposeFuture: true, config: { cluster: { coldStart: { medianS: 100, sigma: 0, minS: 100, maxS: 120 } } } });
  let info = env.reset({ seed: 1 }).info as unknown as SparkIotInfo;
  for (let k = 0; k < 4; k++) info = env.step([9, 3, 1, 1]).info as unknown as SparkIotInfo;
  const f = info.context.future as FutureView;
  assert.equal(f.tSeconds, 40, 'the last decision of the episode');
  const windowEnd = f.offsetS + f.tSeconds + 2 * f.controlIntervalS + Math.ceil(f.coldStartS(f.coldStartsUsed));
  assert.ok(f.arrivalsMsgs.length >= windowEnd, `series ends at index ${f.arrivalsMsgs.length}, the window at ${windowEnd}`);
});
