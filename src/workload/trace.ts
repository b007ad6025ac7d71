/**
 * CSV trace loading and replay. A trace file has rows `t,rate[,size]` (a header line is allowed; extra columns are
 * ignored); t is in units of `traceStepS` seconds (1 by default, 60 for per-minute files), strictly increasing, or a
 * date and time (a timestamped series). Or it is an event log, one row per message `timestamp[,size]` (ISO date and
 * time, e.g. `2023-11-16 18:17:03.97`, the raw form most public traces come in): it is counted per wall-clock second
 * into a rate, with the mean size of the second's messages (parseEventLog). traceReading tells the kinds apart.
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
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Rng } from '../core/rng.ts';
import type { ScenarioConfig } from '../core/config.ts';
import { allocateSeries, type ExogenousSeries } from './series.ts';
import { fillReuse } from './temperature.ts';

export interface Trace {
  /** File name (no directory), recorded in every StepRecord. */
  name: string;
  /** Seconds per unit of the t column. */
  stepS: number;
  /** Row times in seconds. */
  tS: Float64Array;
  rate: Float64Array;
  /** Per-row size, or null when the file has no size column. */
  size: Float64Array | null;
  /** The gaps skipped (absent when no gaps file was applied). */
  gaps?: { file: string; count: number; skippedRows: number; skippedS: number };
  /** How the rows were read (absent: a series, for traces built in code), and why (traceReading). */
  reading?: TraceReading;
  readingWhy?: string;
  /** Set when the file was an event log: the number of messages it held. */
  eventCount?: number;
}

/** A hole in a recording: [startS, startS + lengthS) in the trace's seconds. */
export interface TraceGap {
  startS: number;
  lengthS: number;
}

/** The file name the loader looks for next to a trace. */
export const GAPS_FILE_NAME = 'gaps.csv';

export class TraceFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFormatError';
  }
}

/**
 * How a file's rows are read. 'series': `t,rate[,size]` with t a number in units of `traceStepS`. 'timestamped':
 * the same with t a date and time (the row duration is the most common step between rows). 'events': one row per
 * message, `time[,size]`, counted per wall-clock second (time a date and time, or with `format: 'events'` a number of
 * seconds such as a Unix epoch).
 */
export type TraceReading = 'series' | 'timestamped' | 'events';
/** What the user asks for: `auto` decides from the file (traceReading). */
export const TRACE_FORMATS = ['auto', 'series', 'events'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceOptions {
  /** Seconds per unit of t (default 1); only for numeric t columns read as a series. */
  traceStepS?: number;
  /** A gaps file to skip (default: `gaps.csv` next to the trace, if there is one); false: replay every row. */
  gaps?: string | false;
  /** 'auto' (default), or force a series or an event log (see TraceReading). */
  format?: TraceFormat;
}

// YYYY-MM-DD, T or a space, HH:MM:SS, optional fraction, optional zone (none = UTC; only differences matter).
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const TIMESTAMP_HINT = 'YYYY-MM-DD HH:MM:SS[.fraction][Z|+hh:mm]';

/** Seconds since the epoch of an ISO-like timestamp, or null if `text` is not one. */
export function parseTimestampS(text: string): number | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  let zoneS = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    zoneS = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2)) * 60);
  }
  return Date.UTC(y, mo - 1, d, h, mi, sec) / 1000 + (m[7] ? Number(m[7]) : 0) - zoneS;
}

interface CsvRow {
  lineNo: number;
  fields: string[];
}

/** The non-empty rows, and the header (one first line whose first field is neither a number nor a timestamp). */
function splitRows(text: string): { header: string[] | null; rows: CsvRow[] } {
  const rows: CsvRow[] = [];
  let header: string[] | null = null;
  const lines = text.split(/\r?\n/);
  const delimiter = delimiterOf(lines);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(delimiter).map((f) => f.trim());
    if (rows.length === 0 && header === null && fields[0] !== '' && Number.isNaN(Number(fields[0])) && parseTimestampS(fields[0]!) === null) {
      header = fields;
      continue;
    }
    rows.push({ lineNo: i + 1, fields });
  }
  return { header, rows };
}

/** Commas, or (when the first line has none) tabs or semicolons: TSV files and European CSV exports. */
function delimiterOf(lines: readonly string[]): string {
  const first = lines.find((l) => l.trim() !== '') ?? '';
  if (first.includes(',')) return ',';
  if (first.includes('\t')) return '\t';
  if (first.includes(';')) return ';';
  return ',';
}

// Header words that say what the second column holds: a per-message size (an event log) or a per-row rate.
const SIZE_WORDS = /size|byte|token|length|payload/i;
const RATE_WORDS = /rate|count|value|requests|messages|msgs|events|per_|per |qps|rps|tps/i;

/**
 * How `format` reads this file, and why (for messages). A numeric first column is a series unless `format` is
 * 'events'. A date-and-time first column is read as `format` says; under 'auto' the header's second column decides
 * when it names a size or a rate, and otherwise the spacing does: rows strictly increasing at a regular step (every
 * step a multiple of the most common one, which covers 90 % of them) are a series, anything else an event log.
 */
export function traceReading(text: string, format: TraceFormat = 'auto'): { reading: TraceReading; why: string } {
  const { header, rows } = splitRows(text);
  const first = rows[0]?.fields[0];
  if (first === undefined || parseTimestampS(first) === null) {
    return format === 'events' ? { reading: 'events', why: 'format events' } : { reading: 'series', why: 'numeric t column' };
  }
  if (format === 'series') return { reading: 'timestamped', why: 'format series' };
  if (format === 'events') return { reading: 'events', why: 'format events' };
  const second = header?.[1];
  if (second !== undefined && SIZE_WORDS.test(second)) return { reading: 'events', why: `header column '${second}' is a size` };
  if (second !== undefined && RATE_WORDS.test(second)) return { reading: 'timestamped', why: `header column '${second}' is a rate` };
  const times = rows.map((r) => parseTimestampS(r.fields[0]!));
  if (times.length < 3 || times.some((t) => t === null)) return { reading: 'events', why: 'irregular timestamps' };
  const diffs: number[] = [];
  for (let i = 1; i < times.length; i++) diffs.push(Math.round((times[i]! - times[i - 1]!) * 1000) / 1000);
  if (diffs.some((d) => !(d > 0))) return { reading: 'events', why: 'repeated or unordered timestamps' };
  const counts = new Map<number, number>();
  for (const d of diffs) counts.set(d, (counts.get(d) ?? 0) + 1);
  const [step, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const regular = n >= 0.9 * diffs.length && diffs.every((d) => Math.abs(d / step - Math.round(d / step)) < 1e-6);
  return regular ? { reading: 'timestamped', why: `rows every ${step} s` } : { reading: 'events', why: 'irregular timestamps' };
}

/** The time of a row in seconds: a date and time, or (numeric allowed) a number of seconds. */
function timeOf(field: string, numericAllowed: boolean): number | null {
  const ts = parseTimestampS(field);
  if (ts !== null) return ts;
  if (!numericAllowed || field === '') return null;
  const n = Number(field);
  return Number.isFinite(n) ? n : null;
}

/**
 * An event log (one row per message: `time[,size]`, a header line allowed, extra columns ignored, rows in any
 * order) counted per wall-clock second: row t = floor(time) - floor(first time), rate = the messages in that
 * second, size = their mean size (0 in a second without messages, which the replay never reads). `time` is a date and
 * time, or a number of seconds (e.g. a Unix epoch) when `numericTimes`.
 */
export function parseEventLog(text: string, name: string, numericTimes = false): Trace {
  const { header, rows } = splitRows(text);
  const times: number[] = [];
  const sizes: number[] = [];
  const hasSize = (header ?? rows[0]?.fields ?? []).length >= 2;
  for (const { lineNo, fields } of rows) {
    const tS = timeOf(fields[0]!, numericTimes);
    if (tS === null) throw new TraceFormatError(`${name}: line ${lineNo}: timestamp is not a date and time (${TIMESTAMP_HINT}${numericTimes ? ' or seconds' : ''}): '${fields[0]}'`);
    if (hasSize) {
      const size = Number(fields[1]);
      if (fields[1] === undefined || fields[1] === '' || !Number.isFinite(size)) throw new TraceFormatError(`${name}: line ${lineNo}: size is not a number: '${fields[1] ?? ''}'`);
      if (size < 0) throw new TraceFormatError(`${name}: line ${lineNo}: size is negative: ${size}`);
      sizes.push(size);
    }
    times.push(tS);
  }
  if (times.length === 0) throw new TraceFormatError(`${name}: empty trace (no data rows)`);
  let first = Infinity;
  let last = -Infinity;
  for (const t of times) {
    first = Math.min(first, Math.floor(t));
    last = Math.max(last, Math.floor(t));
  }
  const seconds = last - first + 1;
  if (seconds > 50_000_000) throw new TraceFormatError(`${name}: the events span ${seconds} s (over 1.5 years); check the timestamps (numeric times are seconds, not milliseconds)`);
  const rate = new Float64Array(seconds);
  const sizeSum = new Float64Array(seconds);
  times.forEach((t, k) => {
    const row = Math.floor(t) - first;
    rate[row]!++;
    if (hasSize) sizeSum[row]! += sizes[k]!;
  });
  const size = hasSize ? sizeSum.map((sum, row) => (rate[row]! > 0 ? sum / rate[row]! : 0)) : null;
  return { name, stepS: 1, tS: Float64Array.from({ length: seconds }, (_, row) => row), rate, size, reading: 'events', eventCount: times.length };
}

/** A series, `t,rate[,size]`: t numeric in units of stepS, or (timestamped) a date and time. */
function parseSeries(text: string, name: string, stepS: number, timestamped: boolean): Trace {
  const { header, rows } = splitRows(text);
  const t: number[] = [];
  const rate: number[] = [];
  const size: number[] = [];
  const hasSize = (header ?? rows[0]?.fields ?? []).length >= 3;
  const wanted = hasSize ? 3 : 2;
  const labels = ['t', 'rate', 'size'];
  let t0 = 0;
  for (const { lineNo, fields } of rows) {
    if (fields.length < 2 || fields[1] === '') throw new TraceFormatError(`${name}: line ${lineNo}: missing column (expected t,rate[,size]), got '${fields.join(',')}'`);
    if (fields.length < wanted || fields[wanted - 1] === '') throw new TraceFormatError(`${name}: line ${lineNo}: missing column (expected ${wanted} columns), got '${fields.join(',')}'`);
    let tS: number;
    if (timestamped) {
      const ts = parseTimestampS(fields[0]!);
      if (ts === null) throw new TraceFormatError(`${name}: line ${lineNo}: t is not a date and time (${TIMESTAMP_HINT}) like the first row's: '${fields[0]}'`);
      if (t.length === 0) t0 = ts;
      tS = ts - t0;
    } else {
      const v = Number(fields[0]);
      if (fields[0] === '' || !Number.isFinite(v)) throw new TraceFormatError(`${name}: line ${lineNo}: t is not a number: '${fields[0]}'`);
      if (v < 0) throw new TraceFormatError(`${name}: line ${lineNo}: t is negative: ${v}`);
      tS = v * stepS;
    }
    const values = fields.slice(1, wanted).map(Number);
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (fields[k + 1] === '' || !Number.isFinite(v)) throw new TraceFormatError(`${name}: line ${lineNo}: ${labels[k + 1]} is not a number: '${fields[k + 1]}'`);
      if (v < 0) throw new TraceFormatError(`${name}: line ${lineNo}: ${labels[k + 1]} is negative: ${v}`);
    }
    if (t.length > 0 && tS <= t[t.length - 1]!) {
      const shown = timestamped ? fields[0] : String(tS / stepS);
      throw new TraceFormatError(`${name}: line ${lineNo}: t must increase, got ${shown} after ${timestamped ? 'the previous row' : t[t.length - 1]! / stepS}`);
    }
    t.push(tS);
    rate.push(values[0]!);
    if (hasSize) size.push(values[1]!);
  }
  if (t.length === 0) throw new TraceFormatError(`${name}: empty trace (no data rows)`);
  // A timestamped series' rows last its most common step (the last row's duration, and > 1 s means interpolation).
  let rowS = stepS;
  if (timestamped && t.length > 1) {
    const counts = new Map<number, number>();
    for (let i = 1; i < t.length; i++) {
      const d = Math.round((t[i]! - t[i - 1]!) * 1000) / 1000;
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    rowS = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  }
  return { name, stepS: rowS, tS: Float64Array.from(t), rate: Float64Array.from(rate), size: hasSize ? Float64Array.from(size) : null, reading: timestamped ? 'timestamped' : 'series' };
}

export function parseTraceCsv(text: string, name: string, options: TraceOptions = {}): Trace {
  const stepS = options.traceStepS ?? 1;
  if (!(stepS > 0)) throw new TraceFormatError(`${name}: traceStepS must be positive, got ${stepS}`);
  const format = options.format ?? 'auto';
  if (!(TRACE_FORMATS as readonly string[]).includes(format)) throw new TraceFormatError(`${name}: format must be one of ${TRACE_FORMATS.join(', ')}, got '${format}'`);
  const { reading, why } = traceReading(text, format);
  if (reading !== 'series' && stepS !== 1) {
    throw new TraceFormatError(`${name}: read as ${reading === 'events' ? 'an event log' : 'a timestamped series'} (${why}), whose times are in seconds; traceStepS (${stepS}) applies only to a numeric t column`);
  }
  const trace = reading === 'events' ? parseEventLog(text, name, format === 'events') : parseSeries(text, name, stepS, reading === 'timestamped');
  if (trace.rate.every((r) => r === 0)) throw new TraceFormatError(`${name}: every rate is 0: nothing to replay`);
  return { ...trace, readingWhy: why };
}

/** Parses a gaps file: rows `t_start,length_steps` (seconds; a header line is allowed), lengths > 0. */
export function parseTraceGapsCsv(text: string, name: string): TraceGap[] {
  const gaps: TraceGap[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    if (gaps.length === 0 && Number.isNaN(Number(fields[0])) && fields[0] !== '') continue; // header
    const [start, length] = [Number(fields[0]), Number(fields[1])];
    if (fields.length < 2 || fields[0] === '' || fields[1] === '' || !Number.isFinite(start) || !Number.isFinite(length)) {
      throw new TraceFormatError(`${name}: line ${i + 1}: expected t_start,length_steps (two numbers), got '${line}'`);
    }
    if (start < 0 || length <= 0) throw new TraceFormatError(`${name}: line ${i + 1}: t_start must be >= 0 and length_steps > 0, got '${line}'`);
    gaps.push({ startS: start, lengthS: length });
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

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new TraceFormatError(`${path}: cannot read ${what} (${(err as Error).message})`);
  }
}

export function loadTraceCsv(path: string, options: TraceOptions = {}): Trace {
  const text = readText(path, 'trace file');
  let trace: Trace;
  try {
    trace = parseTraceCsv(text, basename(path), options);
  } catch (err) {
    if (err instanceof TraceFormatError) throw new TraceFormatError(err.message.replace(basename(path), path));
    throw err;
  }
  const beside = join(dirname(path), GAPS_FILE_NAME);
  const gapsPath = options.gaps === false ? null : options.gaps ?? (existsSync(beside) ? beside : null);
  if (gapsPath === null) return trace;
  return skipTraceGaps(trace, parseTraceGapsCsv(readText(gapsPath, 'gaps file'), gapsPath), gapsPath);
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
  const spanS = trace.tS[n - 1]! - trace.tS[0]! + trace.stepS;
  const fmt = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
  const why = trace.readingWhy && trace.reading !== 'series' ? ` (${trace.readingWhy})` : '';
  const head = trace.eventCount !== undefined
    ? `event log${why} of ${trace.eventCount.toLocaleString('en-US')} messages counted into ${n.toLocaleString('en-US')} rows of 1 s`
    : `${trace.reading === 'timestamped' ? `timestamped series${why}, ` : ''}${n.toLocaleString('en-US')} rows of ${trace.stepS} s`;
  let sizes = 'no size column (the scenario\'s message sizes)';
  if (trace.size) {
    let sizeSum = 0;
    let used = 0;
    for (let i = 0; i < n; i++) {
      if (!(trace.size[i]! > 0 && trace.rate[i]! > 0)) continue;
      sizeSum += trace.size[i]!;
      used++;
    }
    sizes = used > 0 ? `size per message mean ${fmt(sizeSum / used)} (rescaled to the scenario's)` : 'a size column with no sizes';
  }
  return `${head} over ${fmt(spanS)} s; rate mean ${fmt(mean)}, p99 ${fmt(quantile(trace.rate, 0.99))}, peak ${fmt(peak)}, CV ${cv.toFixed(2)}, ${((100 * empty) / n).toFixed(0)} % of rows empty; ${sizes}`;
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

export function traceSeries(trace: Trace, lengthS: number, offsetS: number, scenario: ScenarioConfig, rng: Rng, options: ReplayOptions = {}): ExogenousSeries {
  const series = allocateSeries(lengthS, offsetS, trace.name);
  const n = trace.tS.length;
  const t0 = trace.tS[0]!;
  // The trace covers [t0, tLast + stepS): the last row holds for one step before the loop restarts.
  const durationS = trace.tS[n - 1]! - t0 + trace.stepS;
  // The p99 maps to the scenario's peak; a trace so sparse that its p99 is 0 (over 99 % empty rows) uses its peak.
  const reference = quantile(trace.rate, 0.99) || quantile(trace.rate, 1);
  const rateScale = options.rescale === false ? 1 : reference > 0 ? scenario.peakRateMsgsPerS / reference : 1;
  let sizeScale = 1;
  if (trace.size) {
    // The mean over the rows whose size the replay uses (with messages and a size), so empty seconds do not count.
    let sum = 0;
    let used = 0;
    for (let i = 0; i < n; i++) {
      if (!(trace.size[i]! > 0 && trace.rate[i]! > 0)) continue;
      sum += trace.size[i]!;
      used++;
    }
    sizeScale = sum > 0 ? scenario.messageBytes / (sum / used) : 1;
  }
  const startS = rng.fork('trace-offset').uniform(0, durationS);
  const counts = rng.fork('arrival-counts');
  const sizes = rng.fork('message-sizes');

  let row = 0;
  for (let i = 0; i < lengthS; i++) {
    const elapsed = startS + i;
    const tau = elapsed - Math.floor(elapsed / durationS) * durationS + t0;
    if (row >= n || trace.tS[row]! > tau) row = 0; // restarted the loop
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
