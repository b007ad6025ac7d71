/**
 * Shuffle tier x codec micro-benchmark of the live stores: put (compress + write) and get (read + decode)
 * latency and throughput on 64 KiB blocks of IoT-like JSON, to calibrate the simulator's tier and codec
 * figures against this machine.
 *
 *   npm run bench:shuffle -- [--blocks 100] [--warmup 10] [--block-kib 64] [--seed 1]
 *                            [--tiers memory,redis,nvme,s3] [--codecs none,lz4,zstd] [--redis-url URL] [--json]
 *
 * Redis: --redis-url, else $EDGEPILOT_REDIS_URL, else a private redis-server if one is installed, else the
 * row is skipped. S3: an embedded s3rver child process (the archive tier is the same server with another
 * bucket, so it is not measured separately). nvme: a temp folder on this machine's disk, whatever it is.
 * Operations run one at a time (latency, not peak parallel throughput). On a shared 2-core machine runs
 * differ by 30-50% (reference/infra.md), so read the figures as orders of magnitude.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.ts';
import { CODECS, type Codec as CodecName } from '../core/types.ts';
import { printJsonSummary, UsageError } from '../cli/output.ts';
import { parseBenchArgs } from './bench-args.ts';
import { getCodec } from '../shuffle/codecs.ts';
import { makeIotBlock } from '../shuffle/iot-blocks.ts';
import { DirectoryShuffleStore } from '../shuffle/stores/directory-store.ts';
import { MemoryShuffleStore } from '../shuffle/stores/memory-store.ts';
import { RedisShuffleStore } from '../shuffle/stores/redis-store.ts';
import { redisServerAvailable, startLocalRedis } from '../shuffle/stores/redis-server.ts';
import { S3ShuffleStore } from '../shuffle/stores/s3-store.ts';
import { startEmbeddedS3 } from '../shuffle/stores/s3-server.ts';
import type { ShuffleStore } from '../shuffle/stores/types.ts';

const BENCH_TIERS = ['memory', 'redis', 'nvme', 's3'] as const;
type BenchTier = (typeof BENCH_TIERS)[number];

interface Row {
  tier: BenchTier;
  codec: CodecName;
  blocks: number;
  rawBlockBytes: number;
  /** raw bytes / stored (framed) bytes */
  ratio: number;
  putP50Ms: number;
  putP95Ms: number;
  getP50Ms: number;
  getP95Ms: number;
  /** Raw MB (1e6 bytes) per second of summed sequential latency. */
  putMBps: number;
  getMBps: number;
}

function percentile(sortedMs: number[], p: number): number {
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index]!;
}

function parseCount(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${text}'`);
  return n;
}

function parseList<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new UsageError(`--${name}: unknown '${item}' (expected some of ${allowed.join(', ')})`);
  }
  if (items.length === 0) throw new UsageError(`--${name} must name at least one of ${allowed.join(', ')}`);
  return items as T[];
}

async function measure(store: ShuffleStore, tier: BenchTier, codecName: CodecName, blocks: Buffer[], warmup: number): Promise<Row> {
  const codec = getCodec(codecName);
  const keyOf = (i: number): string => `bench/${tier}/${codecName}/block-${i}`;
  // Warm-up: the first operations of a fresh process or connection pay JIT and connection set-up (infra.md §2.2).
  for (let i = 0; i < warmup; i++) {
    const key = `bench/${tier}/${codecName}/warmup-${i}`;
    await store.put(key, codec.compress(blocks[i % blocks.length]!));
    codec.decompress((await store.get(key))!);
    await store.delete(key);
  }
  const putMs: number[] = [];
  const getMs: number[] = [];
  let storedBytes = 0;
  let rawBytes = 0;
  for (const [i, raw] of blocks.entries()) {
    const started = performance.now();
    const frame = codec.compress(raw);
    await store.put(keyOf(i), frame);
    putMs.push(performance.now() - started);
    storedBytes += frame.length;
    rawBytes += raw.length;
  }
  for (const [i, raw] of blocks.entries()) {
    const started = performance.now();
    const frame = await store.get(keyOf(i));
    if (frame === undefined) throw new Error(`bench: block ${keyOf(i)} vanished from ${tier}`);
    const back = codec.decompress(frame, keyOf(i));
    getMs.push(performance.now() - started);
    if (back.length !== raw.length) throw new Error(`bench: block ${keyOf(i)} came back with ${back.length} bytes, wrote ${raw.length}`);
  }
  for (let i = 0; i < blocks.length; i++) await store.delete(keyOf(i));
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const putTotalMs = sum(putMs);
  const getTotalMs = sum(getMs);
  putMs.sort((a, b) => a - b);
  getMs.sort((a, b) => a - b);
  return {
    tier,
    codec: codecName,
    blocks: blocks.length,
    rawBlockBytes: blocks[0]!.length,
    ratio: rawBytes / storedBytes,
    putP50Ms: percentile(putMs, 50),
    putP95Ms: percentile(putMs, 95),
    getP50Ms: percentile(getMs, 50),
    getP95Ms: percentile(getMs, 95),
    putMBps: rawBytes / 1e6 / (putTotalMs / 1000),
    getMBps: rawBytes / 1e6 / (getTotalMs / 1000),
  };
}

function printTable(rows: Row[], notes: string[]): void {
  const header = ['tier', 'codec', 'ratio', 'put p50 ms', 'put p95 ms', 'get p50 ms', 'get p95 ms', 'put MB/s', 'get MB/s'];
  const lines = rows.map((r) => [
    r.tier,
    r.codec,
    r.ratio.toFixed(2),
    r.putP50Ms.toFixed(3),
    r.putP95Ms.toFixed(3),
    r.getP50Ms.toFixed(3),
    r.getP95Ms.toFixed(3),
    r.putMBps.toFixed(0),
    r.getMBps.toFixed(0),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]!.length)));
  const format = (cells: string[]): string => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
  for (const note of notes) console.log(`note: ${note}`);
}

const USAGE = `npm run bench:shuffle -- [options]   (put/get latency and throughput of every shuffle tier x codec)
  --blocks N         timed blocks per tier and codec (default 100)
  --warmup N         untimed blocks first (default 10)
  --block-kib N      block size in KiB (default 64)
  --seed N           seed of the generated IoT blocks (default 1)
  --tiers LIST       comma-separated, some of ${BENCH_TIERS.join(',')} (default all)
  --codecs LIST      comma-separated, some of ${CODECS.join(',')} (default all)
  --redis-url URL    an existing Redis (else $EDGEPILOT_REDIS_URL, else a private redis-server if installed)
  --json             print one JSON summary as the last stdout line`;

async function main(): Promise<void> {
  const values = parseBenchArgs('bench:shuffle', USAGE, {
    blocks: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    'block-kib': { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    tiers: { type: 'string', default: BENCH_TIERS.join(',') },
    codecs: { type: 'string', default: CODECS.join(',') },
    'redis-url': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const blockCount = parseCount('blocks', values.blocks, 1);
  const warmup = parseCount('warmup', values.warmup, 0);
  const blockBytes = parseCount('block-kib', values['block-kib'], 1) * 1024;
  const seed = parseCount('seed', values.seed, 0);
  const tiers = parseList('tiers', values.tiers, BENCH_TIERS);
  const codecs = parseList('codecs', values.codecs, CODECS);

  const rng = new Rng(seed);
  const blocks = Array.from({ length: blockCount }, (_, i) => makeIotBlock(rng.fork(`block-${i}`), blockBytes));
  const notes: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const rows: Row[] = [];
  try {
    for (const tier of tiers) {
      let store: ShuffleStore | undefined;
      if (tier === 'memory') {
        store = new MemoryShuffleStore({ capacityBytes: 4 * blockBytes * (blockCount + warmup) });
      } else if (tier === 'redis') {
        let url = values['redis-url'] ?? process.env.EDGEPILOT_REDIS_URL;
        if (url === undefined && redisServerAvailable()) {
          const server = await startLocalRedis();
          cleanups.push(() => server.stop());
          url = server.url;
          notes.push(`redis: private redis-server on ${server.url}`);
        }
        if (url === undefined) {
          notes.push('redis: skipped (no --redis-url, no $EDGEPILOT_REDIS_URL, no redis-server installed)');
          continue;
        }
        store = new RedisShuffleStore({ url, keyPrefix: `edgepilot:bench:${process.pid}:` });
      } else if (tier === 'nvme') {
        const directory = await mkdtemp(join(tmpdir(), 'edgepilot-bench-nvme-'));
        cleanups.push(() => rm(directory, { recursive: true, force: true }));
        store = new DirectoryShuffleStore({ directory });
        notes.push(`nvme: directory store in ${directory} (this machine's disk, not necessarily NVMe)`);
      } else {
        const s3 = await startEmbeddedS3();
        cleanups.push(() => s3.stop());
        store = new S3ShuffleStore({ endpoint: s3.endpoint, bucket: 'edgepilot-bench' });
        notes.push(`s3: embedded s3rver 3.7.1 child process on ${s3.endpoint} (disk-backed, loopback HTTP; archive = same server, other bucket)`);
      }
      const opened = store;
      cleanups.push(() => opened.close());
      for (const codec of codecs) {
        process.stderr.write(`bench:shuffle ${tier} x ${codec} ...\n`);
        rows.push(await measure(opened, tier, codec, blocks, warmup));
      }
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  notes.push(`${blockCount} blocks of ${blockBytes} B IoT JSON (seed ${seed}) per row after ${warmup} warm-up ops; sequential; put = compress + write, get = read + decode + CRC`);
  printTable(rows, notes);
  if (values.json) printJsonSummary({ bench: 'shuffle-tiers', blockBytes, blocks: blockCount, warmup, seed, node: process.version, rows, notes });
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`bench:shuffle: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
