/**
 * A tier's minimum billed storage duration (docs/SIMULATOR.md "Shuffle": the archive's 90-day minimum is charged at
 * write) is billed once: at write when it is longer than the residency, else per second of residency like any other
 * tier. Archive prices from the tier table: $0.004/GB-month (730 h), $0.02 / $0.01 per 1k PUT / GET of 8 MiB,
 * $0.03/GB retrieval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import { residencyUsdPerS, ShuffleState, writeReadUsd } from './model.ts';

const MiB8 = 8 * 1024 * 1024;
const ARCHIVE = 3;
const NONE = 0;
/** Archive storage per GB-second: $0.004 per GB-month of 730 h. */
const ARCHIVE_USD_PER_GB_S = 0.004 / 730 / 3600;
/** Write + read once of 1 GB uncompressed on archive without any minimum: one PUT and one GET per 8 MiB, $0.03/GB. */
const ARCHIVE_REQUESTS_AND_RETRIEVAL_USD = ((1e9 / MiB8) * (0.02 + 0.01)) / 1000 + 0.03;

const close = (actual: number, expected: number, relTol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= relTol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
};

const archiveWith = (minStorageS: number) => loadConfig({ shuffle: { tiers: { archive: { minStorageS } } } });

/** USD of 1 GB written (codec none) to archive, over its whole life: the write, then every second until it expires. */
function lifetimeUsd(minStorageS: number): { writeUsd: number; residencyUsd: number } {
  const s = new ShuffleState(archiveWith(minStorageS));
  s.advanceSecond();
  s.write(1e9, ARCHIVE, NONE, 4);
  const writeUsd = s.takeCost();
  for (let i = 0; i < 2 * 60; i++) s.advanceSecond();
  return { writeUsd, residencyUsd: s.takeCost() };
}

test('a minimum shorter than the residency is not charged at write: the data is billed per GB-second instead', () => {
  const tier = archiveWith(30).shuffle.tiers.archive;
  close(writeReadUsd(1e9, tier, archiveWith(30).shuffle.codecs.none, 60), ARCHIVE_REQUESTS_AND_RETRIEVAL_USD, 1e-12, 'write + read, no minimum');
  close(residencyUsdPerS(1e9, tier, 60), ARCHIVE_USD_PER_GB_S, 1e-12, 'per second of residency');
});

test('a minimum longer than the residency is charged whole at write, and the residency is then free', () => {
  const tier = archiveWith(61).shuffle.tiers.archive;
  // 61 s of 1 GB at $0.004/GB-month on top of the requests and retrieval.
  close(writeReadUsd(1e9, tier, archiveWith(61).shuffle.codecs.none, 60), ARCHIVE_REQUESTS_AND_RETRIEVAL_USD + 61 * ARCHIVE_USD_PER_GB_S, 1e-12, 'write + read + 61 s minimum');
  assert.equal(residencyUsdPerS(1e9, tier, 60), 0);
  const life = lifetimeUsd(61);
  close(life.writeUsd, ARCHIVE_REQUESTS_AND_RETRIEVAL_USD + 61 * ARCHIVE_USD_PER_GB_S, 1e-12, 'billed at write');
  assert.equal(life.residencyUsd, 0, 'not billed again while resident');
});

test('a minimum equal to the residency is billed once over the data\'s life, not at write and again per second', () => {
  const life = lifetimeUsd(60);
  close(life.writeUsd, ARCHIVE_REQUESTS_AND_RETRIEVAL_USD, 1e-12, 'no minimum at write: the residency covers it');
  // 60 s of residency; the ring bills the seconds after the write's own second (59 of them), so allow [59, 60] s.
  const billedS = life.residencyUsd / ARCHIVE_USD_PER_GB_S;
  assert.ok(billedS >= 59 - 1e-9 && billedS <= 60 + 1e-9, `billed ${billedS} GB-s of storage`);
});
