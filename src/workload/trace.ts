/**
 * Trace loading and replay. The file formats (`t,rate[,size]` rows, timestamped series, event logs, wide tables of
 * per-slot counts; plain or gzip-compressed) are read by src/workload/trace-formats.ts, re-exported here so callers
 * have one entry point.
 *
 * Replay: the rate is interpolated linearly to 1 s, rescaled so that its 99th percentile maps to the scenario's
 * peak rate (unless `rescale: false`), started at a seed-dependent offset and looped if shorter than the episode.
 * A size column, if present, is rescaled so that its mean maps to the scenario's message size.
 *
 * Gaps: holes in a recording (the Twitter archive misses about 29 min a day, which its file holds as zeros) are not
 * silence, and replaying them as such would fake an on/off workload. A `gaps.csv` (`t_start,length_steps`, in
 * seconds of the recording: ../shared/traces/twitter-stream-2021/SOURCE.md) next to the trace file is applied by
 * default: every row that overlaps a gap is skipped and the rows after it move up, so the replay joins the data on
 * both sides. `gaps: false` replays the file as it is; `gaps: path` names another gaps file.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Rng } from '../core/rng.ts';
import type { ScenarioConfig } from '../core/config.ts';
import { allocateSeries, type ExogenousSeries } from './series.ts';
import { fillReuse } from './temperature.ts';
import { parseTraceCsv, TraceFormatError, traceSpanS, type Trace, type TraceParseOptions } from './trace-formats.ts';
import { decimalOf } from './decimal.ts';
import { readTraceBytes, withTraceFile, type TraceFileOptions } from './trace-file.ts';

export { parseEventLog, parseTimestampS, parseTraceCsv, TRACE_FORMATS, traceReading, TraceFormatError, traceSpanS } from './trace-formats.ts';
export type { Trace, TraceChunks, TraceFormat, TraceParseOptions, TraceReading, TraceText } from './trace-formats.ts';
export { readTraceBytes, withTraceFile, type TraceFileOptions, type TraceReadProgress } from './trace-file.ts';

/** A hole in a recording: [startS, startS + lengthS) in the trace's seconds. */
export interface TraceGap {
  startS: number;
  lengthS: number;
}

/** The file name the loader looks for next to a trace. */
export const GAPS_FILE_NAME = 'gaps.csv';

export interface TraceOptions extends TraceParseOptions {
  /** A gaps file to skip (default: `gaps.csv` next to the trace, if there is one); false: replay every row. */
  gaps?: string | false;
}

/**
 * Parses a gaps file: rows `t_start,length_steps` (seconds; one header line of two or more fields is allowed), lengths
 * > 0. A file without a gap row is refused: it is a wrong file far more often than a recording without holes, and
 * applied it would skip nothing while saying it did its job.
 */
export function parseTraceGapsCsv(text: string, name: string): TraceGap[] {
  const gaps: TraceGap[] = [];
  const lines = text.split(/\r?\n/);
  let header: { lineNo: number; line: string } | null = null;
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    // Only the first line can be a header: a later word row is an error on its own line, not a second header.
    if (first && fields.length >= 2 && decimalOf(fields[0]) === null && fields[0] !== '') {
      header = { lineNo: i + 1, line };
      first = false;
      continue;
    }
    first = false;
    const [start, length] = [decimalOf(fields[0]), decimalOf(fields[1])];
    if (start === null || length === null) {
      throw new TraceFormatError(`${name}: line ${i + 1}: expected t_start,length_steps (two numbers), got '${line}'`);
    }
    if (start < 0 || length <= 0) throw new TraceFormatError(`${name}: line ${i + 1}: t_start must be >= 0 and length_steps > 0, got '${line}'`);
    gaps.push({ startS: start, lengthS: length });
  }
  if (gaps.length === 0) {
    throw new TraceFormatError(header ? `${name}: no gap rows after the header (line ${header.lineNo}: '${header.line}'); expected t_start,length_steps rows (two numbers, seconds)` : `${name}: empty; expected t_start,length_steps rows (two numbers, seconds)`);
  }
  return gaps;
}

/**
 * The trace without the rows that overlap a gap (a row covers [t, next t)); the kept rows keep their durations and
 * are moved up to follow each other, so the replay joins the data on both sides of each gap.
 */
export function skipTraceGaps(trace: Trace, gaps: readonly TraceGap[], file: string): Trace {
  const n = trace.tS.length;
  const t: number[] = [];
  const rate: number[] = [];
  const size: number[] = [];
  let skippedRows = 0;
  let skippedS = 0;
  let nextT = trace.tS[0]!;
  for (let i = 0; i < n; i++) {
    const start = trace.tS[i]!;
    const duration = (i + 1 < n ? trace.tS[i + 1]! : start + trace.stepS) - start;
    const end = start + duration;
    if (gaps.some((g) => start < g.startS + g.lengthS && g.startS < end)) {
      skippedRows++;
      skippedS += duration;
      continue;
    }
    t.push(nextT);
    nextT += duration;
    rate.push(trace.rate[i]!);
    if (trace.size) size.push(trace.size[i]!);
  }
  if (t.length === 0) throw new TraceFormatError(`${trace.name}: every row lies in a gap of ${file}`);
  return {
    ...trace,
    tS: Float64Array.from(t),
    rate: Float64Array.from(rate),
    size: trace.size ? Float64Array.from(size) : null,
    gaps: { file, count: gaps.length, skippedRows, skippedS },
  };
}

/** A trace file (plain or gzip, any size: src/workload/trace-file.ts) parsed as `options` say, its gaps skipped. */
export function loadTraceCsv(path: string, options: TraceOptions = {}, fileOptions: TraceFileOptions = {}): Trace {
  // The name goes into every step record's trace column and log line; a line break there would split a steps.csv row
  // (its readers go line by line), so such a name is refused before any work rather than unreadable after it.
  if (/[\n\r]/.test(basename(path))) throw new TraceFormatError(`${JSON.stringify(path)}: the trace file's name holds a line break; rename the file`);
  let trace: Trace;
  try {
    trace = withTraceFile(path, 'trace file', (text) => parseTraceCsv(text, basename(path), options), fileOptions);
  } catch (err) {
    if (err instanceof TraceFormatError && !err.message.startsWith(path)) throw new TraceFormatError(err.message.replace(basename(path), path));
    throw err;
  }
  const beside = join(dirname(path), GAPS_FILE_NAME);
  const gapsPath = options.gaps === false ? null : options.gaps ?? (existsSync(beside) ? beside : null);
  if (gapsPath === null) return trace;
  // 'gaps file': its errors follow the trace's path in the CLI's messages, and must not read as the trace's own lines.
  return skipTraceGaps(trace, parseTraceGapsCsv(readTraceBytes(gapsPath, 'gaps file').toString('utf8'), `gaps file ${gapsPath}`), gapsPath);
}

/**
 * One line on what was loaded, before any rescaling (printed by `bench`, kept in its report), so a user replaying an
 * unfamiliar trace sees how it was read: format, rows, span, the rate's mean / p99 / peak / coefficient of variation,
 * the share of empty rows and the sizes.
 */
export function describeTrace(trace: Trace): string {
  const n = trace.rate.length;
  let sum = 0;
  let sumSq = 0;
  let peak = 0;
  let empty = 0;
  for (const r of trace.rate) {
    sum += r;
    sumSq += r * r;
    peak = Math.max(peak, r);
    if (r === 0) empty++;
  }
  const mean = sum / n;
  const cv = mean > 0 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) / mean : 0;
  const spanS = traceSpanS(trace);
  const fmt = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
  // A plain `t,rate` file goes without saying; any other series says how it was read (JSON lines, a list of rates).
  const plainSeries = trace.reading === 'series' && trace.readingWhy === 'numeric t column';
  const why = trace.readingWhy && !plainSeries ? ` (${trace.readingWhy})` : '';
  const head = trace.eventCount !== undefined
    ? `event log${why} of ${trace.eventCount.toLocaleString('en-US')} messages counted into ${n.toLocaleString('en-US')} rows of 1 s`
    : trace.reading === 'wide'
      ? `wide table${why}: ${n.toLocaleString('en-US')} slots`
      : `${trace.reading === 'timestamped' ? `timestamped series${why}, ` : why ? `series${why}, ` : ''}${n.toLocaleString('en-US')} rows of ${trace.stepS} s`;
  const meanSize = meanUsedSize(trace);
  const sizes = !trace.size ? 'no size column (the scenario\'s message sizes)' : meanSize > 0 ? `size per message mean ${fmt(meanSize)} (rescaled to the scenario's)` : 'a size column with no sizes';
  return `${head} over ${fmt(spanS)} s; rate mean ${fmt(mean)}, p99 ${fmt(quantile(trace.rate, 0.99))}, peak ${fmt(peak)}, CV ${cv.toFixed(2)}, ${((100 * empty) / n).toFixed(0)} % of rows empty; ${sizes}`;
}

/**
 * The mean size over the rows whose size the replay uses (with messages and a size > 0), so empty seconds do not
 * count; 0 without a size column or without such rows.
 */
function meanUsedSize(trace: Trace): number {
  if (!trace.size) return 0;
  let sum = 0;
  let used = 0;
  for (let i = 0; i < trace.rate.length; i++) {
    if (!(trace.size[i]! > 0 && trace.rate[i]! > 0)) continue;
    sum += trace.size[i]!;
    used++;
  }
  return used > 0 ? sum / used : 0;
}

/** Value at quantile q of the values (linear interpolation between order statistics). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface ReplayOptions {
  /** Rescale the 99th percentile of the rate to the scenario's peak (default true). */
  rescale?: boolean;
}

/** Per-trace statistics the replay needs at every reset, computed once (a week at 1 s is 604,800 rows to sort). */
const replayStatsCache = new WeakMap<Trace, { reference: number; meanSize: number }>();

function replayStats(trace: Trace): { reference: number; meanSize: number } {
  let stats = replayStatsCache.get(trace);
  if (!stats) {
    // The p99 maps to the scenario's peak; a trace so sparse that its p99 is 0 (over 99 % empty rows) uses its peak.
    stats = { reference: quantile(trace.rate, 0.99) || quantile(trace.rate, 1), meanSize: meanUsedSize(trace) };
    replayStatsCache.set(trace, stats);
  }
  return stats;
}

/** The last row whose time is <= tau (0 if none): binary search over the increasing row times. */
function rowAt(tS: Float64Array, tau: number): number {
  let lo = 0;
  let hi = tS.length - 1;
  if (tS[0]! > tau) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tS[mid]! <= tau) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function traceSeries(trace: Trace, lengthS: number, offsetS: number, scenario: ScenarioConfig, rng: Rng, options: ReplayOptions = {}): ExogenousSeries {
  const series = allocateSeries(lengthS, offsetS, trace.name);
  const n = trace.tS.length;
  const t0 = trace.tS[0]!;
  // The trace covers [t0, tLast + stepS): the last row holds for one step before the loop restarts.
  const durationS = traceSpanS(trace);
  const { reference, meanSize } = replayStats(trace);
  const rateScale = options.rescale === false ? 1 : reference > 0 ? scenario.peakRateMsgsPerS / reference : 1;
  const sizeScale = meanSize > 0 ? scenario.messageBytes / meanSize : 1;
  const startS = rng.fork('trace-offset').uniform(0, durationS);
  const counts = rng.fork('arrival-counts');
  const sizes = rng.fork('message-sizes');

  let row = 0;
  for (let i = 0; i < lengthS; i++) {
    const elapsed = startS + i;
    const tau = elapsed - Math.floor(elapsed / durationS) * durationS + t0;
    // The first second and each restart of the loop find their row by bisection; then it advances one by one.
    if (i === 0 || trace.tS[row]! > tau) row = rowAt(trace.tS, tau);
    while (row + 1 < n && trace.tS[row + 1]! <= tau) row++;
    const nextT = row + 1 < n ? trace.tS[row + 1]! : trace.tS[row]! + trace.stepS;
    const nextRate = row + 1 < n ? trace.rate[row + 1]! : trace.rate[0]!;
    const frac = Math.min(1, (tau - trace.tS[row]!) / (nextT - trace.tS[row]!));
    const rate = (trace.rate[row]! + (nextRate - trace.rate[row]!) * (trace.stepS > 1 ? frac : 0)) * rateScale;
    // A 1 s trace already holds real counting noise; coarser traces get Poisson counts around the interpolated rate.
    series.arrivalsMsgs[i] = trace.stepS > 1 ? counts.poisson(rate) : rate;
    series.messageBytes[i] = trace.size && trace.size[row]! > 0 && trace.rate[row]! > 0
      ? Math.max(1, trace.size[row]! * sizeScale)
      : scenario.messageBytes * Math.exp(scenario.messageBytesSigma * sizes.normal() - (scenario.messageBytesSigma * scenario.messageBytesSigma) / 2);
  }
  // Ground truth bursts for a trace: the rate exceeds twice a slow trailing baseline (EWMA, 300 s), the criterion of
  // the traces' SOURCE.md files (> 2x rolling median) made causal and cheap.
  const envelope = new Float64Array(lengthS);
  let baseline = series.arrivalsMsgs[0]!;
  const a = 1 / 300;
  for (let i = 0; i < lengthS; i++) {
    const r = series.arrivalsMsgs[i]!;
    const active = baseline > 0 && r > 2 * baseline ? 1 : 0;
    series.burstActive[i] = active;
    series.burstOnset[i] = active && (i === 0 || !series.burstActive[i - 1]) ? 1 : 0;
    envelope[i] = active;
    baseline += a * (r - baseline);
  }
  fillReuse(series.reuseProbability, envelope, scenario, rng.fork('reuse'));
  return series;
}
