/**
 * The engine's options: one zod schema, validated at construction, so a bad value fails with an Error naming
 * the option. Defaults that model the real world cite their source (anchors = /work/shared/reference/anchors.md,
 * original = original-system.md, infra = infra.md); [assumed] marks emulation choices of ours.
 */
import { z } from 'zod';
import { CODECS, TIERS } from '../../core/types.ts';
import { MAX_EXECUTORS, MAX_MEMORY_GB } from '../../core/action.ts';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().finite().nonnegative();

/** Where the hot tier lives: in process (default) or a Redis server. */
const hotStoreSchema = z.union([
  z.object({ type: z.literal('memory'), capacityBytes: z.number().int().positive().default(256 * 1024 * 1024) }).strict(),
  z
    .object({
      type: z.literal('redis'),
      url: z.string().url(),
      opTimeoutMs: positiveInt.default(500),
      /** Expiry of every block: a crashed engine leaves nothing behind for long (shuffle data lives 10-100 s, anchors.md §3). */
      ttlSeconds: positiveInt.default(600),
    })
    .strict(),
]);

/** The S3 tiers: an embedded s3rver child (default), an external endpoint, or none (tests). */
const s3StoreSchema = z.union([
  z.literal('embedded'),
  z.literal('none'),
  z.object({ endpoint: z.string().url(), bucket: z.string().default('edgepilot-shuffle'), archiveBucket: z.string().default('edgepilot-archive') }).strict(),
]);

/** Where ingestRaw runs the full message schema (engineOptionsSchema's rawValidation). */
export const RAW_VALIDATIONS = ['executor', 'receiver', 'envelope'] as const;
export type RawValidation = (typeof RAW_VALIDATIONS)[number];

export const storesSchema = z
  .object({
    hot: hotStoreSchema.default({ type: 'memory', capacityBytes: 256 * 1024 * 1024 }),
    /** Folder of the warm (nvme) tier; default `<outputDir>/shuffle-nvme`. */
    warmDirectory: z.string().min(1).optional(),
    s3: s3StoreSchema.default('embedded'),
    /** How long a failed tier is skipped before it is tried again (tiered store). */
    retryAfterMs: nonNegative.default(1000),
  })
  .strict();

export const engineOptionsSchema = z
  .object({
    /** Micro-batch trigger (ms). original §7.5: the original jobs triggered every 5-10 s; the simulator uses 1 s. */
    triggerIntervalMs: positiveInt.default(1000),
    /**
     * [assumed] Messages per second one emulated executor may process (its token bucket). The simulator's executor
     * serves ~5,000 msgs/s of 1 KB JSON (config.ts computeUsPerMsg); ours is scaled down 1:5 so that 20 executors
     * (20,000 msgs/s) still fit this 2-core machine (docs/ENGINE.md, measured with bench.ts).
     */
    executorCapacityMsgsPerS: z.number().finite().positive().default(1000),
    /** Emulated cold start of a new executor (ms); 0 = serve as soon as the worker thread is up. */
    coldStartMs: nonNegative.default(0),
    /** Executors and memory per executor at start (the Action's units). */
    initialExecutors: z.number().int().min(1).max(MAX_EXECUTORS).default(2),
    initialMemoryGb: z.number().int().min(1).max(MAX_MEMORY_GB).default(4),
    /** [assumed] Real bytes of budget per emulated GB: 20 x 8 GB -> 1.25 GiB at most, what this machine can hold. */
    memoryBytesPerGb: positiveInt.default(8 * 1024 * 1024),
    initialTier: z.enum(TIERS).default('nvme'),
    initialCodec: z.enum(CODECS).default('lz4'),
    /** Reduce partitions of the shuffle (Spark's default 200 is for clusters; 4 keeps blocks tens of KB here). */
    shufflePartitions: z.number().int().min(1).max(64).default(4),
    /** original §7.5: 30 s tumbling windows with a 10 s watermark. */
    windowMs: positiveInt.default(30_000),
    watermarkMs: nonNegative.default(10_000),
    /** [assumed] Event times more than this ahead of the engine clock do not advance a device's watermark further
     * (device clock skew guard; windows.ts). */
    maxClockSkewMs: positiveInt.default(300_000),
    /** A device silent this long past a window's end plus the watermark has that window closed anyway [assumed]. */
    idleCloseMs: positiveInt.default(60_000),
    /** config.ts sim.retentionAgeS: messages waiting longer than 120 s are shed [assumed there]. */
    retentionMs: positiveInt.default(120_000),
    /** Backlog bound in messages; the oldest are dropped beyond it [assumed; bounds the engine's memory]. */
    maxBacklogMsgs: positiveInt.default(200_000),
    /** How long stop() may spend draining the backlog before the rest is dropped as 'shutdown'. */
    stopDrainTimeoutMs: positiveInt.default(10_000),
    /** Folder for windows.jsonl and alerts.jsonl (created). */
    outputDir: z.string().min(1),
    stores: storesSchema.default({}),
    /** 'thread' = node:worker_threads executors; 'inline' runs map tasks on the main thread (unit tests). */
    executorMode: z.enum(['thread', 'inline']).default('thread'),
    /**
     * Where ingestRaw runs the full message schema: 'executor' (default) = the engine thread checks size, topic,
     * UTF-8, JSON and the envelope (what dedup needs), and the map stage validates the rest on the executors
     * (a failure is dropped as 'malformed'); 'receiver' = validatePayload in full on the engine thread (about
     * 5 µs per message with the hand-written check of fast-validate.ts, against ~17 µs with zod alone; measured
     * on this machine), every failure counted under `rejected`; 'envelope' = the cheap checks
     * only, for a source that already validated every payload (the edge gateway's ingest topic: src/edge/gateway.ts
     * runs validatePayload before it forwards).
     */
    rawValidation: z.enum(RAW_VALIDATIONS).default('executor'),
    /** Names the shuffle keys of this run; default derived from the start time. */
    runId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).optional(),
  })
  .strict();

export type EngineOptionsInput = z.input<typeof engineOptionsSchema>;
export type EngineOptions = z.output<typeof engineOptionsSchema>;

/** Validated options with defaults; throws an Error naming each bad option. */
export function parseEngineOptions(input: unknown): EngineOptions {
  const parsed = engineOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new Error(`StreamEngine options: ${issues.join('; ')}`);
  }
  return parsed.data;
}
