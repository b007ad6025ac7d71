/**
 * `npm run bench:trace-load [-- --rows N --gzip --access-log --json]`: how fast `--trace` loads a large raw event log
 * (one timestamped row per message, the shape of the Azure LLM traces; with --access-log, a web server access log in
 * Common Log Format, the shape of the NASA-HTTP trace) and how much memory it takes. It writes a synthetic
 * log of N rows (default 5 M; 17 M is about 600 MB, over V8's longest string) to a temporary folder, loads it with
 * loadTraceCsv, checks the count and deletes the file. The log's times and sizes come from a seeded generator.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { Rng } from '../core/rng.ts';
import { loadTraceCsv } from '../workload/trace.ts';
import { ACCESS_LOG_MONTHS } from '../workload/trace-formats.ts';
import { exitWithUsage, parseBenchArgs } from './bench-args.ts';

const USAGE = `npm run bench:trace-load -- [options]   (loading a large raw event log with --trace)
  --rows N   messages in the synthetic log (default 5000000; 17000000 is about 600 MB)
  --gzip     write and load it gzip-compressed
  --access-log  write a web server access log (Common Log Format) instead of a CSV event log
  --chunked  read the file in chunks (and a gzip file through gzip -dc) whatever its size, as files over 1 GiB are
  --repeat N load it N times in one process and print each (default 1)
  --json     print one JSON summary as the last stdout line`;

const v = parseBenchArgs('bench:trace-load', USAGE, { rows: { type: 'string', default: '5000000' }, gzip: { type: 'boolean', default: false }, 'access-log': { type: 'boolean', default: false }, chunked: { type: 'boolean', default: false }, repeat: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } });
const rows = Number(v.rows);
if (!Number.isInteger(rows) || rows < 1) exitWithUsage('bench:trace-load', USAGE, `--rows must be a positive integer, got '${v.rows}'`);
const repeat = Number(v.repeat);
if (!Number.isInteger(repeat) || repeat < 1) exitWithUsage('bench:trace-load', USAGE, `--repeat must be a positive integer, got '${v.repeat}'`);

/** `01/Jul/1995:00:00:01 -0400` for a UTC time in ms, written in the -04:00 zone as the NASA logs are. */
function clfTime(utcMs: number): string {
  const d = new Date(utcMs - 4 * 3600_000);
  const p2 = (x: number): string => String(x).padStart(2, '0');
  return `${p2(d.getUTCDate())}/${ACCESS_LOG_MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} -0400`;
}

/** Writes the log: Poisson-like arrivals at 60 msgs/s on average (exponential gaps), a token count per message (or, as an access log, response bytes per request). */
async function writeLog(path: string, n: number, gzip: boolean, accessLog: boolean): Promise<void> {
  const file = createWriteStream(path);
  const gz = gzip ? createGzip() : null;
  if (gz) gz.pipe(file);
  const out = gz ?? file;
  const rng = new Rng(20261127);
  const t0Ms = Date.UTC(2023, 10, 16, 18, 17, 3);
  let tMs = 0;
  let chunk: string[] = accessLog ? [] : ['TIMESTAMP,ContextTokens,GeneratedTokens'];
  for (let i = 0; i < n; i++) {
    tMs += -Math.log(1 - rng.uniform(0, 1)) * (1000 / 60);
    if (accessLog) {
      chunk.push(`host${i % 5000}.example.net - - [${clfTime(t0Ms + tMs)}] "GET /page${i % 300}.html HTTP/1.0" 200 ${Math.floor(rng.uniform(100, 80000))}`);
    } else {
      const iso = new Date(t0Ms + tMs).toISOString();
      chunk.push(`${iso.slice(0, 10)} ${iso.slice(11, 23)}0000,${Math.floor(rng.uniform(100, 8000))},${Math.floor(rng.uniform(1, 500))}`);
    }
    if (chunk.length >= 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.length ? `${chunk.join('\n')}\n` : '');
  await once(file, 'close');
}

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-trace-load-'));
try {
  const accessLog = v['access-log'] === true;
  const path = join(dir, `${accessLog ? 'access.log' : 'events.csv'}${v.gzip ? '.gz' : ''}`);
  process.stderr.write(`writing ${rows.toLocaleString('en-US')} rows to ${path}...\n`);
  await writeLog(path, rows, v.gzip === true, accessLog);
  const fileMiB = statSync(path).size / 1024 / 1024;
  for (let i = 0; i < repeat; i++) {
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    const trace = loadTraceCsv(path, {}, v.chunked ? { inMemoryMaxBytes: 0 } : {});
    const seconds = (performance.now() - start) / 1000;
    const rssMiB = process.memoryUsage().rss / 1024 / 1024;
    if (trace.eventCount !== rows) throw new Error(`bench:trace-load: counted ${trace.eventCount} messages, wrote ${rows}`);
    if (accessLog && !/access log/.test(trace.readingWhy ?? '')) throw new Error(`bench:trace-load: the access log was read as '${trace.readingWhy}'`);
    const summary = { rows, format: accessLog ? 'access-log' : 'csv-events', fileMiB: Math.round(fileMiB), gzip: v.gzip === true, chunked: v.chunked === true, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds), rssMiB: Math.round(rssMiB), rssGrowthMiB: Math.round(rssMiB - rssBefore / 1024 / 1024), secondsCounted: trace.rate.length };
    if (v.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(`trace load: ${rows.toLocaleString('en-US')} ${accessLog ? 'access log lines' : 'event rows'} (${summary.fileMiB} MiB${summary.gzip ? ', gzip' : ''}${summary.chunked ? ', read in chunks' : ''}) in ${summary.seconds} s = ${summary.rowsPerSecond.toLocaleString('en-US')} rows/s; RSS ${summary.rssMiB} MiB after loading; ${summary.secondsCounted.toLocaleString('en-US')} seconds counted\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
