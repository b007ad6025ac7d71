import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODECS, TIERS, type Codec, type Tier } from '../../core/types.ts';
import { StreamEngine } from './engine.ts';
import type { EngineOptionsInput } from './options.ts';
import { MessageFactory } from './test-messages.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const T0 = 1_800_000_000_000;

function makeEngine(options: Partial<EngineOptionsInput>) {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-engine-shuffle-'));
  dirs.push(outputDir);
  const clock = { t: T0 };
  const engine = new StreamEngine(
    { outputDir, executorMode: 'inline', initialExecutors: 2, executorCapacityMsgsPerS: 10_000, runId: 'shuffle-test', ...options },
    { nowMs: () => clock.t },
  );
  return { engine, clock, outputDir };
}

/** Runs one batch of `n` fresh messages with the given tier and codec selected; returns what it processed. */
async function batchWith(engine: StreamEngine, clock: { t: number }, f: MessageFactory, tier: Tier, codec: Codec, n = 60): Promise<number> {
  engine.selectShuffle({ tier, codec });
  for (const m of f.batch(n, clock.t - 2000, 10)) engine.ingest(m);
  clock.t += 1000;
  return (await engine.runBatch()).processed;
}

test('shuffle: blocks go through the memory (hot) and directory (nvme) tiers with every codec', async () => {
  const { engine, clock, outputDir } = makeEngine({ stores: { s3: 'none' }, initialTier: 'redis', initialCodec: 'none' });
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 8 });
  let expected = 0;
  for (const tier of ['redis', 'nvme'] as const) {
    for (const codec of CODECS) {
      const before = { ...engine.shuffle.blocksWrittenByTier };
      const beforeCodec = { ...engine.shuffle.blocksWrittenByCodec };
      assert.equal(await batchWith(engine, clock, f, tier, codec), 60);
      expected += 60;
      const wrote = (engine.shuffle.blocksWrittenByTier[tier] ?? 0) - (before[tier] ?? 0);
      assert.ok(wrote > 0, `${tier}/${codec}: blocks written to ${tier}`);
      assert.equal((engine.shuffle.blocksWrittenByCodec[codec] ?? 0) - (beforeCodec[codec] ?? 0), wrote, `${tier}/${codec}: all with ${codec}`);
    }
  }
  const stats = engine.shuffle.stats();
  assert.equal(stats.fallbacks, 0);
  assert.ok(stats.storedBytesWritten < stats.rawBytesWritten, 'lz4 and zstd blocks are smaller than raw');
  assert.deepEqual(readdirSync(join(outputDir, 'shuffle-nvme')).filter((n) => !n.startsWith('.')), [], 'reduced blocks are deleted');
  const c = await engine.stop();
  assert.equal(c.processed, expected);
  assert.ok(engine.accounting().balanced);
});

test('shuffle: a tier change applies to blocks written after it; tiers not configured fall back without loss', async () => {
  const { engine, clock } = makeEngine({ stores: { s3: 'none' }, initialTier: 'nvme' });
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 8 });
  assert.equal(await batchWith(engine, clock, f, 'nvme', 'lz4'), 60);
  const nvmeBlocks = engine.shuffle.blocksWrittenByTier.nvme ?? 0;
  assert.equal(await batchWith(engine, clock, f, 's3', 'zstd'), 60, 's3 is not configured here: blocks fall back');
  const stats = engine.shuffle.stats();
  assert.ok(stats.fallbacks > 0);
  assert.ok(Object.keys(stats.fallbackRoutes).every((route) => route === 's3->nvme'), JSON.stringify(stats.fallbackRoutes));
  assert.ok((engine.shuffle.blocksWrittenByTier.nvme ?? 0) > nvmeBlocks);
  assert.equal(engine.target.tier, 's3', 'the selection stands; placement fell back');
  await engine.stop();
  assert.ok(engine.accounting().balanced);
});

test('shuffle: blocks go through the embedded s3rver (s3 and archive buckets) with every codec', { timeout: 60_000 }, async () => {
  const { engine, clock } = makeEngine({ stores: { s3: 'embedded' }, initialTier: 's3' });
  await engine.start({ timer: false });
  try {
    assert.match(engine.shuffle.s3Endpoint ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const f = new MessageFactory({ devices: 8 });
    for (const tier of ['s3', 'archive'] as const) {
      for (const codec of CODECS) {
        const before = engine.shuffle.blocksWrittenByTier[tier] ?? 0;
        assert.equal(await batchWith(engine, clock, f, tier, codec, 40), 40, `${tier}/${codec}`);
        assert.ok((engine.shuffle.blocksWrittenByTier[tier] ?? 0) > before, `${tier}/${codec}: blocks written to ${tier}`);
      }
    }
    assert.equal(engine.shuffle.stats().fallbacks, 0);
    assert.deepEqual(Object.keys(engine.shuffle.blocksWrittenByTier).sort(), ['archive', 's3']);
  } finally {
    await engine.stop();
  }
  assert.equal(engine.getCounters().processed, 2 * CODECS.length * 40);
  assert.ok(engine.accounting().balanced);
  assert.ok(TIERS.length === 4);
});
