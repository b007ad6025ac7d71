/**
 * Soak benchmark: the whole live demo (devices, embedded broker, gateway, engine, controller, dashboard) run for a long
 * time in this process, to see whether anything grows without bound. A dashboard client stays subscribed to the SSE
 * stream and /metrics is scraped at every sample, as a running deployment would be.
 *
 *   node --expose-gc --import tsx src/bench/soak.ts [--duration 3600] [--sample-s 30] [--scenario smart-city]
 *       [--policy ID] [--rate-scale 50] [--devices 200] [--control-interval 5] [--heap-snapshots DIR] [--json]
 *   (npm run bench:soak -- ... passes --expose-gc itself)
 *
 * At every sample it forces a full GC (so the heap figure is what is still referenced, not garbage not yet collected)
 * and records the heap in use, the RSS, the bytes of the output folder, and the pipeline counters from /metrics.
 * It prints the samples, then the heap's growth: the Theil-Sen slope (robust to the spike of a sample taken while a
 * burst is queued) over the second half of the run (the first half lets bounded buffers fill: the dashboard's
 * history, the dedup windows, the forecaster's history), extrapolated to a day. The demo's own accounting check
 * (published = processed + dropped, malformed = sent) ends the run.
 * Goal ([assumed], docs/BENCHMARKS.md "A long run of the live demo"): the heap in use grows by less than 64 MiB a day of running, and the
 * accounting holds. Output files are the run's results and grow by design; their rate is printed, not judged.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { startDemo, type DemoSummary } from '../runtime/demo.ts';
import { printJsonSummary } from '../cli/output.ts';
import { exitWithUsage, parseBenchArgs } from './bench-args.ts';

const USAGE = `npm run bench:soak -- [options]   (the live demo run for a long time; is anything growing? docs/BENCHMARKS.md "A long run of the live demo")
  --duration S           seconds to run (default 3600)
  --sample-s S           seconds between samples (default 30)
  --scenario NAME        ${SCENARIOS.join(' | ')} (default smart-city)
  --policy ID            controller policy (default: the demo's: edge-rl when its checkpoints exist)
  --rate-scale K         divide the simulator's rates by K (default 50, the demo's; 10 = five times the messages)
  --devices N            simulated devices (default 200)
  --control-interval S   seconds between control decisions (default 5)
  --heap-snapshots DIR   also write a V8 heap snapshot (after the sample's full GC) at the first sample past a quarter
                         of the run and at the last one, into DIR, to compare what grew (scripts/heap-diff.mts)
  --json                 print the result as one JSON line (the last line of stdout)`;

/** [assumed] Goal: less than this much heap growth a day; a leak of one small object per message would far exceed it. */
const HEAP_GROWTH_GOAL_MIB_PER_DAY = 64;
const MIB = 1024 * 1024;

interface Sample {
  elapsedS: number;
  heapUsedMiB: number;
  rssMiB: number;
  externalMiB: number;
  outputMiB: number;
  published: number;
  processed: number;
  sseBytes: number;
}

function positive(name: string, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) exitWithUsage('bench:soak', USAGE, `--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${raw}'`);
  return n;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

/** A Prometheus text sample's value by its metric name (0 when absent). */
function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Keeps one SSE client on /api/events for the whole run, counting the bytes it receives. */
function subscribeSse(baseUrl: string): { bytes: () => number; close: () => void } {
  let bytes = 0;
  const req = request(`${baseUrl}/api/events`, (res) => {
    res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { bytes: () => bytes, close: () => req.destroy() };
}

/**
 * Theil-Sen slope of y over x: the median of the slopes between every pair of samples. A sample taken while a burst
 * sits in the engine's queue is a spike in the heap; a least-squares line would tilt towards it, the median does not.
 */
function theilSenSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) if (xs[j] !== xs[i]) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const v = parseBenchArgs('bench:soak', USAGE, {
    duration: { type: 'string' },
    'sample-s': { type: 'string' },
    scenario: { type: 'string' },
    policy: { type: 'string' },
    'rate-scale': { type: 'string' },
    devices: { type: 'string' },
    'control-interval': { type: 'string' },
    'heap-snapshots': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const durationS = positive('duration', v.duration, 3600);
  const sampleS = positive('sample-s', v['sample-s'], 30);
  if (sampleS * 4 > durationS) exitWithUsage('bench:soak', USAGE, `--duration ${durationS} leaves fewer than 4 samples at --sample-s ${sampleS}`);
  const scenario = (v.scenario ?? 'smart-city') as ScenarioName;
  if (!SCENARIOS.includes(scenario)) exitWithUsage('bench:soak', USAGE, `--scenario must be one of ${SCENARIOS.join(', ')}, got '${v.scenario}'`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    process.stderr.write('bench:soak: run with node --expose-gc (npm run bench:soak does), or the heap figures include uncollected garbage\n');
    process.exit(2);
  }

  const snapshotDir = v['heap-snapshots'];
  if (snapshotDir !== undefined) {
    try {
      mkdirSync(snapshotDir, { recursive: true });
      accessSync(snapshotDir, constants.W_OK);
    } catch (err) {
      exitWithUsage('bench:soak', USAGE, `--heap-snapshots ${snapshotDir}: not a writable folder (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-soak-'));
  const logLines: string[] = [];
  const handle = await startDemo({
    scenario,
    ...(v.policy !== undefined ? { policy: v.policy } : {}),
    port: 0,
    rateScale: positive('rate-scale', v['rate-scale'], 50),
    devices: positive('devices', v.devices, 200, true),
    controlIntervalS: positive('control-interval', v['control-interval'], 5),
    durationS: durationS + 3600, // the soak stops it; the demo's own timer must not
    outputDir,
    log: (line) => {
      // Kept for the end (a warning in the middle of a long run is the finding); the last 200 lines only.
      logLines.push(line);
      if (logLines.length > 200) logLines.shift();
    },
  });
  const baseUrl = handle.url.replace(/\/+$/, '');
  const sse = subscribeSse(baseUrl);
  const say = (line: string) => {
    if (!v.json) process.stdout.write(`${line}\n`);
  };
  say(`bench:soak: ${scenario}, policy ${handle.policy}, rates 1:${handle.rateScale}, ${durationS} s, a sample every ${sampleS} s (Node ${process.version})`);
  say('  elapsed s   heap MiB    rss MiB   external MiB   output MiB    published    processed   SSE KiB');

  const samples: Sample[] = [];
  let snapshotTaken = false;
  let lastMetrics = '';
  const startedMs = Date.now();
  for (let k = 1; ; k++) {
    const dueMs = startedMs + k * sampleS * 1000;
    await sleep(Math.max(0, dueMs - Date.now()));
    gc();
    const mem = process.memoryUsage();
    const metrics = await fetch(`${baseUrl}/metrics`).then((r) => r.text()).catch(() => '');
    if (metrics) lastMetrics = metrics;
    const s: Sample = {
      elapsedS: (Date.now() - startedMs) / 1000,
      heapUsedMiB: mem.heapUsed / MIB,
      rssMiB: mem.rss / MIB,
      externalMiB: mem.external / MIB,
      outputMiB: folderBytes(outputDir) / MIB,
      published: metricValue(metrics, 'edgepilot_pipeline_published_total'),
      processed: metricValue(metrics, 'edgepilot_pipeline_processed_total'),
      sseBytes: sse.bytes(),
    };
    samples.push(s);
    say(
      `  ${s.elapsedS.toFixed(0).padStart(9)} ${s.heapUsedMiB.toFixed(1).padStart(10)} ${s.rssMiB.toFixed(1).padStart(10)} ${s.externalMiB.toFixed(1).padStart(14)} ${s.outputMiB.toFixed(2).padStart(12)} ${String(s.published).padStart(12)} ${String(s.processed).padStart(12)} ${(s.sseBytes / 1024).toFixed(0).padStart(9)}`,
    );
    const last = s.elapsedS >= durationS;
    if (snapshotDir !== undefined && (last || (!snapshotTaken && s.elapsedS >= durationS / 4))) {
      snapshotTaken = true;
      // Taken right after the sample's full GC, so both snapshots hold only what is still referenced.
      const file = writeHeapSnapshot(join(snapshotDir, `soak-${Math.round(s.elapsedS)}s.heapsnapshot`));
      say(`  (heap snapshot: ${file})`);
    }
    if (last) break;
  }
  sse.close();
  const summary: DemoSummary = await handle.stop();
  rmSync(outputDir, { recursive: true, force: true });

  const secondHalf = samples.filter((s) => s.elapsedS >= durationS / 2);
  const hours = (xs: Sample[]) => xs.map((s) => s.elapsedS / 3600);
  const heapSlopeMiBPerH = theilSenSlope(hours(secondHalf), secondHalf.map((s) => s.heapUsedMiB));
  const rssSlopeMiBPerH = theilSenSlope(hours(secondHalf), secondHalf.map((s) => s.rssMiB));
  const outputMiBPerH = theilSenSlope(hours(samples), samples.map((s) => s.outputMiB));
  const heapMiBPerDay = heapSlopeMiBPerH * 24;
  const heapOk = heapMiBPerDay < HEAP_GROWTH_GOAL_MIB_PER_DAY;
  const ok = heapOk && summary.invariantOk;
  // Failed shuffle deletes are retried (src/shuffle/stores/tiered-store.ts); before that they were a slow leak.
  // NaN (null in --json) when /metrics lacks the family: a missing metric must not read as zero failures.
  const shuffleMetric = (name: string) => (new RegExp(`^${name} `, 'm').test(lastMetrics) ? metricValue(lastMetrics, name) : NaN);
  const shuffle = {
    deleteFailures: shuffleMetric('edgepilot_shuffle_delete_failures_total'),
    garbagePending: shuffleMetric('edgepilot_shuffle_garbage_pending'),
    garbageCollected: shuffleMetric('edgepilot_shuffle_garbage_collected_total'),
    garbageAbandoned: shuffleMetric('edgepilot_shuffle_garbage_abandoned_total'),
  };
  const warnings = logLines.filter((l) => /fail|error|BAD|lost|did not/i.test(l));

  if (v.json) {
    printJsonSummary({ scenario, policy: handle.policy, rateScale: handle.rateScale, durationS, samples, heapSlopeMiBPerH, rssSlopeMiBPerH, outputMiBPerH, heapMiBPerDay, heapGoalMiBPerDay: HEAP_GROWTH_GOAL_MIB_PER_DAY, shuffle, summary, warnings, ok });
  } else {
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    say('');
    say(`messages: ${summary.published} published, ${summary.processed} processed, ${summary.dropped} dropped, ${summary.malformed} malformed (${(summary.published / summary.elapsedS).toFixed(0)} msgs/s); ${summary.decisions} decisions`);
    say(`heap in use (after a full GC): ${first.heapUsedMiB.toFixed(1)} MiB at ${first.elapsedS.toFixed(0)} s, ${last.heapUsedMiB.toFixed(1)} MiB at the end; over the second half ${heapSlopeMiBPerH >= 0 ? '+' : ''}${heapSlopeMiBPerH.toFixed(2)} MiB/h = ${heapMiBPerDay >= 0 ? '+' : ''}${heapMiBPerDay.toFixed(1)} MiB a day (goal < ${HEAP_GROWTH_GOAL_MIB_PER_DAY}) ${heapOk ? 'OK' : 'MISSED'}`);
    say(`RSS: ${first.rssMiB.toFixed(1)} -> ${last.rssMiB.toFixed(1)} MiB; over the second half ${rssSlopeMiBPerH >= 0 ? '+' : ''}${rssSlopeMiBPerH.toFixed(2)} MiB/h`);
    say(`output files (windows, alerts, decision log): ${outputMiBPerH.toFixed(2)} MiB/h = ${(outputMiBPerH * 24).toFixed(0)} MiB a day at this rate (results, kept by design)`);
    say(`shuffle deletes (at the last sample): ${shuffle.deleteFailures} failed, ${shuffle.garbageCollected} copies deleted again later, ${shuffle.garbagePending} waiting, ${shuffle.garbageAbandoned} given up`);
    for (const line of summary.invariantLines) say(`  ${line}`);
    if (warnings.length) say(`log lines naming a failure (${warnings.length}, last 200 log lines kept):\n${warnings.slice(-10).map((l) => `  ${l}`).join('\n')}`);
    say(ok ? 'OK' : 'MISSED');
  }
  process.exit(ok ? 0 : 1);
}

try {
  await main();
} catch (err) {
  // e.g. an unknown --policy: the demo's own message, without a stack trace.
  process.stderr.write(`bench:soak: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
