/**
 * Engine throughput benchmark (and the helper engineer F's bench:pipeline can call): feeds the engine small
 * device messages at a fixed offered rate for a while and reports what it sustained.
 *
 *   node --import tsx src/runtime/engine/bench.ts [--rate 12000] [--duration 8] [--executors 20] [--capacity 1000]
 *                                                 [--tier nvme] [--codec lz4] [--raw] [--raw-validation executor|receiver|envelope] [--json]
 *
 * Messages are real generator payloads (a pool of 2,000 pre-generated ones, reused with fresh envelopes so the
 * generator's own cost does not count against the engine). Ingest happens every 20 ms on the same thread as the
 * engine, as with an MQTT receiver; with --raw the messages arrive as JSON bytes through ingestRaw (the bench then
 * also pays JSON.stringify per message, as a publisher would).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CODECS, TIERS, type Codec, type Tier } from '../../core/types.ts';
import type { DeviceMessage } from '../devices/schemas.ts';
import { deviceTopic } from '../devices/topics.ts';
import { StreamEngine } from './engine.ts';
import { RAW_VALIDATIONS, type RawValidation } from './options.ts';
import { percentile } from './metrics-source.ts';
import { MessageFactory } from './test-messages.ts';

export interface EngineBenchOptions {
  rateMsgsPerS: number;
  durationS: number;
  executors: number;
  capacityMsgsPerS: number;
  tier: Tier;
  codec: Codec;
  devices?: number;
  /** Feed raw JSON payloads through ingestRaw (as an MQTT subscriber does) instead of parsed messages. */
  raw?: boolean;
  /** rawValidation of the engine (see options.ts); default 'executor'. */
  rawValidation?: RawValidation;
}

export interface EngineBenchResult {
  offeredMsgsPerS: number;
  ingested: number;
  processed: number;
  dropped: number;
  /** Processed messages per second over the run (ingest window plus the final drain, up to 5 s). */
  processedMsgsPerS: number;
  /** Processed per second during the ingest window only, and the offered rate actually ingested. */
  processedInWindowMsgsPerS: number;
  ingestedMsgsPerS: number;
  /** Messages waiting or in flight when ingest stopped (about one trigger's worth when the engine keeps up). */
  backlogAtEndMsgs: number;
  /** p95 end-to-end latency (sentAtMs -> window contribution) over every processed message of the run. */
  p95LatencyMs: number;
  maxBacklogMsgs: number;
  balanced: boolean;
  elapsedS: number;
  /** Process CPU time (all threads: ingest, executors, shuffle, reduce, and this benchmark's feeding) per message. */
  cpuUsPerMsg: number;
  /** 2 cores / cpuUsPerMsg: the most this machine could process with nothing else running. */
  twoCoreCeilingMsgsPerS: number;
}

export async function benchmarkEngine(o: EngineBenchOptions): Promise<EngineBenchResult> {
  const outputDir = await mkdtemp(join(tmpdir(), 'edgepilot-engine-bench-'));
  const engine = new StreamEngine({
    outputDir,
    initialExecutors: o.executors,
    executorCapacityMsgsPerS: o.capacityMsgsPerS,
    initialTier: o.tier,
    initialCodec: o.codec,
    stores: { s3: o.tier === 's3' || o.tier === 'archive' ? 'embedded' : 'none' },
    rawValidation: o.rawValidation ?? 'executor',
  });
  try {
    await engine.start();
    const factory = new MessageFactory({ devices: o.devices ?? 500 });
    const templates: DeviceMessage[] = factory.batch(2000, Date.now());
    const seqs = new Map<string, number>();
    let next = 0;
    const latencies: number[] = [];
    const sampleLatencies = () => {
      for (const l of engine.takeInterval().latenciesMs) latencies.push(l);
    };
    let maxBacklog = 0;
    // CPU time of the whole process (every thread): what a message costs, whatever else runs on the machine.
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const stepMs = 20;
    let offered = 0;
    while (performance.now() - started < o.durationS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * o.rateMsgsPerS);
      const nowMs = Date.now();
      for (; offered < due; offered++) {
        const t = templates[next++ % templates.length]!;
        const seq = seqs.get(t.deviceId) ?? 0;
        seqs.set(t.deviceId, seq + 1);
        const message = { ...t, seq, sentAtMs: nowMs };
        if (o.raw) engine.ingestRaw(deviceTopic(factory.scenario, t.deviceId), Buffer.from(JSON.stringify(message)));
        else engine.ingest(message);
      }
      maxBacklog = Math.max(maxBacklog, engine.backlogMsgs);
      await new Promise((r) => setTimeout(r, stepMs));
    }
    const ingestWindowS = (performance.now() - started) / 1000;
    const processedInWindow = engine.getCounters().processed;
    const backlogAtEnd = engine.backlogMsgs + engine.getCounters().inFlight;
    // Let the engine finish what is in flight at its own pace (a few triggers), then stop.
    const drainDeadline = performance.now() + 5000;
    while (engine.backlogMsgs > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 100));
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    sampleLatencies();
    const counters = await engine.stop();
    const accounting = engine.accounting();
    const dropped = Object.values(counters.dropped).reduce((a, b) => a + b, 0);
    return {
      offeredMsgsPerS: o.rateMsgsPerS,
      ingested: counters.ingested,
      processed: counters.processed,
      dropped,
      processedMsgsPerS: counters.processed / elapsedS,
      processedInWindowMsgsPerS: processedInWindow / ingestWindowS,
      ingestedMsgsPerS: counters.ingested / ingestWindowS,
      backlogAtEndMsgs: backlogAtEnd,
      p95LatencyMs: percentile(latencies, 95),
      maxBacklogMsgs: maxBacklog,
      balanced: accounting.balanced,
      elapsedS,
      cpuUsPerMsg: (cpu.user + cpu.system) / Math.max(1, counters.processed),
      twoCoreCeilingMsgsPerS: (2 * 1e6) / ((cpu.user + cpu.system) / Math.max(1, counters.processed)),
    };
  } finally {
    await engine.stop().catch(() => undefined);
    await rm(outputDir, { recursive: true, force: true });
  }
}

const USAGE = `node --import tsx src/runtime/engine/bench.ts [options]   (engine throughput at a fixed offered rate)
  --rate N              offered messages per second (default 12000)
  --duration S          seconds to offer them (default 8)
  --executors N         executor threads (default 20)
  --capacity N          messages per second one executor serves (default 1000)
  --tier T              shuffle tier: ${TIERS.join(' | ')} (default nvme)
  --codec C             shuffle codec: ${CODECS.join(' | ')} (default lz4)
  --raw                 deliver JSON bytes through ingestRaw
  --raw-validation V    with --raw: ${RAW_VALIDATIONS.join(' | ')} (default executor)
  --json                print one JSON line`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        rate: { type: 'string', default: '12000' },
        duration: { type: 'string', default: '8' },
        executors: { type: 'string', default: '20' },
        capacity: { type: 'string', default: '1000' },
        tier: { type: 'string', default: 'nvme' },
        codec: { type: 'string', default: 'lz4' },
        raw: { type: 'boolean', default: false },
        'raw-validation': { type: 'string', default: 'executor' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`engine bench: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const tier = v.tier!;
  const codec = v.codec!;
  const rawValidation = v['raw-validation']!;
  if (!(TIERS as readonly string[]).includes(tier)) throw new Error(`--tier must be one of ${TIERS.join(', ')}, got '${tier}'`);
  if (!(CODECS as readonly string[]).includes(codec)) throw new Error(`--codec must be one of ${CODECS.join(', ')}, got '${codec}'`);
  if (!(RAW_VALIDATIONS as readonly string[]).includes(rawValidation)) throw new Error(`--raw-validation must be one of ${RAW_VALIDATIONS.join(', ')}, got '${rawValidation}'`);
  const options: EngineBenchOptions = {
    rateMsgsPerS: Number(v.rate),
    durationS: Number(v.duration),
    executors: Number(v.executors),
    capacityMsgsPerS: Number(v.capacity),
    tier: tier as Tier,
    codec: codec as Codec,
    raw: v.raw === true,
    rawValidation: rawValidation as RawValidation,
  };
  for (const [k, n] of Object.entries(options)) if (typeof n === 'number' && !(n > 0)) throw new Error(`--${k}: must be a number > 0, got ${n}`);
  const result = await benchmarkEngine(options);
  if (v.json === true) console.log(JSON.stringify(result));
  else console.log(result);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(`engine bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
