/**
 * Reading trace files (src/workload/trace.ts replays them): `t,rate[,size]` rows with t a number (in units of
 * `traceStepS`) or a date and time (a timestamped series), an event log with one `time[,size]` row per message,
 * counted per wall-clock second with the mean size of the second's messages, or a wide table of counts with one
 * column per time slot (the Azure Functions 2019 invocation trace: one row per function, columns `1`..`1440` the
 * minutes of a day), summed over the rows, or a web server access log (Common or Combined Log Format, the form of
 * the NASA-HTTP and ClarkNet traces and of Apache and nginx logs), read as an event log of requests with their
 * response bytes as the size. traceReading tells the kinds apart; `columns` picks the columns of a
 * file with more than the reading needs; `#` lines are comments; every error names the file and the line.
 */
import { splitCsvLine } from '../core/csv.ts';
import { looksLikePrometheus, sumPrometheusMatrix } from './prometheus.ts';
import { defaultJsonColumns, jsonField, jsonKeys, jsonValue, looksLikeJsonLine, parseJsonLine } from './json-lines.ts';
import { isTimeName, isValueKeyName, RATE_WORDS, SIZE_WORDS, stepOfUnitName, timeUnitOfName, valueKeyKind } from './column-names.ts';
import { notTextReason } from './text-content.ts';
import { decimalOf } from './decimal.ts';

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
  /** Set when the file was a wide table: the number of rows (e.g. functions) summed. */
  wideRows?: number;
}

/** Seconds a trace covers: from its first row to the end of its last (the last row holds for one step). */
export function traceSpanS(trace: Trace): number {
  return trace.tS[trace.tS.length - 1]! - trace.tS[0]! + trace.stepS;
}

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
 * seconds such as a Unix epoch). 'wide': a header whose last columns are consecutive integers (`1,2,...,1440`), each
 * a time slot of `traceStepS` seconds holding counts; a slot's rate is its column's sum over the rows / traceStepS.
 */
export type TraceReading = 'series' | 'timestamped' | 'events' | 'wide';
/** What the user asks for: `auto` decides from the file (traceReading). */
export const TRACE_FORMATS = ['auto', 'series', 'events', 'wide', 'access-log'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Parsing options (loadTraceCsv adds the gaps file). */
export interface TraceParseOptions {
  /** Seconds per unit of t (default 1): of a numeric t column read as a series, a list of rates, a wide table's slots, or an event log's numeric times (given, it replaces the Unix-time guess). */
  traceStepS?: number;
  /** 'auto' (default), or force a series, an event log or a wide table (see TraceReading). */
  format?: TraceFormat;
  /**
   * The columns to read, by header name (any case) or number (1 = the first), in the reading's order: t,rate[,size]
   * for a series, time[,size] for an event log. Unset: the file's first columns. Not for a wide table.
   */
  columns?: readonly string[];
}

// YYYY-MM-DD, then optionally T or a space and HH:MM, optional :SS and fraction, optional zone (none = UTC; only
// differences matter). A date alone is its midnight, a time without seconds its minute.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const TIMESTAMP_HINT = 'YYYY-MM-DD[ HH:MM[:SS[.fraction]]][Z|+hh:mm]';

/** Whether `text` has the shape of a timestamp (YYYY-MM-DD...), valid or not: what tells a dated file from others. */
export function isTimestampShaped(text: string): boolean {
  return TIMESTAMP.test(text);
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1-12) of a year, by the Gregorian calendar's leap years. */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * Seconds since 1970-01-01T00:00:00Z of a UTC calendar time (month 1-12), proleptic Gregorian. Not Date.UTC: it
 * reads years 0-99 as 1900-1999, so `0050-01-01` would land in 1950. Days from the civil date by H. Hinnant's
 * `days_from_civil` (http://howardhinnant.github.io/date_algorithms.html): eras of 400 years, March-based years.
 */
export function utcEpochSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146097 + dayOfEra - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

type TimestampFields = [year: number, month: number, day: number, hour: number, minute: number, second: number];

function fieldsOf(m: RegExpExecArray): TimestampFields {
  return m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x))) as TimestampFields;
}

/** Why a TIMESTAMP match names no time, or null. */
function problemOf(m: RegExpExecArray, [y, mo, d, h, mi, sec]: TimestampFields): string | null {
  if (mo < 1 || mo > 12) return `no month ${m[2]}`;
  const days = daysInMonth(y, mo);
  if (d < 1 || d > days) return `${MONTH_NAMES[mo - 1]} ${m[1]} has ${days} days`;
  if (h > 23 || mi > 59 || sec > 60) return `no time of day ${m[4]}:${m[5]}${m[6] === undefined ? '' : `:${m[6]}`}`;
  const zone = m[8];
  if (zone && zone !== 'Z' && Number(zone.slice(1).replace(':', '').slice(2)) > 59) return `no zone offset ${zone}`;
  return null;
}

/**
 * Why a field shaped like a timestamp names no time (`2023-02-30`: February 2023 has 28 days), or null when it is
 * one or is no timestamp at all. A calendar sum would roll such a day over into the next month without a word.
 */
export function timestampProblem(text: string): string | null {
  const m = TIMESTAMP.exec(text);
  return m ? problemOf(m, fieldsOf(m)) : null;
}

/** ' (February 2023 has 28 days)' for a field shaped like a timestamp that names no time, else '': for an error. */
function becauseOf(field: string): string {
  const problem = timestampProblem(field);
  return problem === null ? '' : ` (${problem})`;
}

/** Seconds since the epoch of an ISO-like timestamp, or null if `text` is not one or names no day (timestampProblem). */
export function parseTimestampS(text: string): number | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const fields = fieldsOf(m);
  if (problemOf(m, fields) !== null) return null;
  const [y, mo, d, h, mi, sec] = fields;
  let zoneS = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    zoneS = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2)) * 60);
  }
  return utcEpochSeconds(y, mo, d, h, mi, sec) + (m[7] ? Number(m[7]) : 0) - zoneS;
}

/** A file's bytes in chunks, from the start on every call (src/workload/trace-file.ts); a chunk is valid until the next. */
export interface TraceChunks {
  chunks(): Iterable<Uint8Array>;
}

/**
 * A trace file's content: a string, the file's bytes, or its bytes in chunks. Bytes are read line by line and never
 * held as one string, so a file larger than the longest string V8 allows (about 512 MiB; a week of a public event log
 * can be 1 GB) loads; in chunks, a file larger than the largest buffer (Node reads at most 2 GiB at once) loads too.
 */
export type TraceText = string | Uint8Array | TraceChunks;

interface CsvRow {
  lineNo: number;
  fields: string[];
}

/** Calls `fn` with every line (without its newline) and its 1-based number, until `fn` returns false. */
function forEachLine(input: TraceText, fn: (line: string, lineNo: number) => boolean | void): void {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    forEachChunkedLine(input, fn);
    return;
  }
  const isText = typeof input === 'string';
  const length = input.length;
  const bytes = isText ? null : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let start = 0;
  for (let lineNo = 1; start <= length; lineNo++) {
    let end = isText ? (input as string).indexOf('\n', start) : bytes!.indexOf(0x0a, start);
    if (end < 0) end = length;
    const line = isText ? (input as string).slice(start, end) : bytes!.toString('utf8', start, end);
    if (fn(line, lineNo) === false) return;
    start = end + 1;
  }
}

/** forEachLine over chunks: a line cut by a chunk boundary is carried (copied: the chunk's memory is reused). */
function forEachChunkedLine(input: TraceChunks, fn: (line: string, lineNo: number) => boolean | void): void {
  let carry: Buffer | null = null;
  let lineNo = 1;
  for (const chunk of input.chunks()) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (carry) {
      const end = bytes.indexOf(0x0a);
      if (end < 0) {
        carry = Buffer.concat([carry, bytes]);
        continue;
      }
      const line = Buffer.concat([carry, bytes.subarray(0, end)]).toString('utf8');
      carry = null;
      if (fn(line, lineNo++) === false) return;
      start = end + 1;
    }
    for (let end = bytes.indexOf(0x0a, start); end >= 0; end = bytes.indexOf(0x0a, start)) {
      if (fn(bytes.toString('utf8', start, end), lineNo++) === false) return;
      start = end + 1;
    }
    if (start < bytes.length) carry = Buffer.from(bytes.subarray(start));
  }
  // As for a whole text: the part after the last newline is a line, empty if the file ends with one.
  fn(carry ? carry.toString('utf8') : '', lineNo);
}

/** The first line that is neither empty nor a `#` comment, trimmed, with its 1-based number; null if there is none. */
function firstDataLine(input: TraceText): { line: string; lineNo: number } | null {
  let first: { line: string; lineNo: number } | null = null;
  forEachLine(input, (line, lineNo) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return true;
    first = { line: t, lineNo };
    return false;
  });
  return first;
}

/**
 * The rows of a CSV-like file, streamed: the delimiter and the header come from the first line that is neither
 * empty nor a `#` comment (a header: its first field is neither a number nor a timestamp); `forEach` visits the data
 * rows in file order, cut down to the columns chosen by `select` (selectColumns). A file of JSON objects, one a line,
 * is a table too: its columns are the first object's keys, and unless some are chosen it reads the time key and a
 * size or rate key (src/workload/json-lines.ts).
 */
class CsvSource {
  readonly delimiter: string;
  /** Every column's name (a JSON lines file: every key of its first object), or null for a file without a header. */
  readonly fullHeader: string[] | null;
  private headerFields: string[] | null;
  private readonly headerLineNo: number;
  private columns: number[] | null = null;
  private jsonPaths: string[][] | null = null;
  /** Set when a JSON lines file has no key that holds a time (then it reads only the columns chosen). */
  private jsonNoTime: string | null = null;
  /** True once the user's columns (not a default) were chosen. */
  private chosen = false;
  /** How the columns were chosen when the user did not (for the reading's why). */
  private chosenWhy = '';
  /** Set by withMessageBytes: each JSON row gets one more field, its object's length in UTF-8 bytes. */
  private messageBytes = false;

  constructor(
    private readonly input: TraceText,
    /** For the errors. */
    private name: string,
  ) {
    const f = firstDataLine(input);
    if (f !== null && f.line.startsWith('[')) {
      throw new TraceFormatError(`${name}: line ${f.lineNo}: a JSON array is not read; write one object a line (JSON lines), e.g. jq -c '.[]' ${name} > ${name.replace(/\.json$/i, '')}.jsonl`);
    }
    if (f !== null && looksLikeJsonLine(f.line)) {
      this.delimiter = JSON_LINES;
      const parsed = parseJsonLine(f.line);
      if ('error' in parsed) throw new TraceFormatError(`${name}: line ${f.lineNo}: ${parsed.error}`);
      const keys = jsonKeys(parsed.object);
      this.jsonPaths = keys.map((k) => k.path);
      this.fullHeader = keys.map((k) => k.name);
      this.headerFields = this.fullHeader;
      this.headerLineNo = 0;
      const defaults = defaultJsonColumns(parsed.object, keys, isJsonTime);
      if (defaults === null) this.jsonNoTime = `${name}: line ${f.lineNo}: no key of the first object holds a date and time or a Unix time (keys: ${this.fullHeader.join(', ')}); name the time key with --trace-columns`;
      else {
        this.columns = defaults;
        this.headerFields = defaults.map((k) => this.fullHeader![k]!);
        this.chosenWhy = `JSON lines, keys '${this.headerFields.join("', '")}'`;
      }
      return;
    }
    this.delimiter = delimiterOf(f?.line ?? '');
    const fields = f ? splitFields(f.line, this.delimiter) : [];
    // A header's first field is a word; or it is empty and the others are words (InfluxDB's annotated CSV: ',result,table,_time,_value').
    const isWord = (x: string): boolean => x !== '' && decimalOf(x) === null && !isTimestampShaped(x);
    // A line holding a date and time is data, whatever its first field ('a,2023-01-01 00:00:00,10': an id, then a time).
    const isHeader = f !== null && !fields.some(isTimestampShaped) && (isWord(fields[0]!) || (fields[0] === '' && fields.some(isWord) && fields.every((x) => x === '' || isWord(x))));
    this.fullHeader = isHeader ? fields : null;
    this.headerFields = this.fullHeader;
    this.headerLineNo = isHeader ? f!.lineNo : 0;
  }

  /** The header line's fields (cut down to the selected columns), or null for a file without one. */
  get header(): string[] | null {
    if (this.jsonNoTime !== null) throw new TraceFormatError(this.jsonNoTime);
    return this.headerFields;
  }

  /** Why the reader chose the columns itself ('' when the user chose them, or nobody did). */
  get autoColumnsWhy(): string {
    return this.chosenWhy;
  }

  /**
   * Restricts the rows (and the header) to these 0-based columns of the file, in this order: the user's choice, or
   * (`autoWhy` given) the reader's own, which the user's may still replace.
   */
  select(columns: number[], autoWhy?: string): void {
    const byUser = autoWhy === undefined;
    if (this.chosen) throw new Error('CsvSource.select: columns already chosen');
    const header = this.fullHeader;
    if (header) {
      const missing = columns.find((k) => k >= header.length);
      if (missing !== undefined) throw new TraceFormatError(`${this.name}: no column ${missing + 1} (the header has ${header.length})`);
      this.headerFields = columns.map((k) => header[k]!);
    }
    this.columns = columns;
    this.chosen = byUser;
    this.chosenWhy = autoWhy ?? '';
    if (byUser) this.jsonNoTime = null;
  }

  /** Visits every data row; stops early when `fn` returns false. */
  forEach(fn: (row: CsvRow) => boolean | void): void {
    if (this.jsonNoTime !== null) throw new TraceFormatError(this.jsonNoTime);
    const { delimiter, columns, headerLineNo, name, jsonPaths } = this;
    // A JSON line that does not parse is an error, unless it is the file's last: a log still being written (a live
    // run's decisions.jsonl) or cut by a crash ends in part of a line. That one is skipped, and the reading says so.
    let cut: { lineNo: number; error: string } | null = null;
    forEachLine(this.input, (line, lineNo) => {
      if (lineNo === headerLineNo) return true;
      const t = line.trim();
      if (t === '' || t.startsWith('#')) return true;
      if (cut !== null) throw new TraceFormatError(`${name}: line ${cut.lineNo}: ${cut.error}`);
      if (jsonPaths !== null) {
        const parsed = parseJsonLine(t);
        if ('error' in parsed) {
          cut = { lineNo, error: parsed.error };
          return true;
        }
        const fields = jsonRowFields(parsed.object, lineNo, jsonPaths, columns!, this.fullHeader!, name);
        if (this.messageBytes) fields.push(String(Buffer.byteLength(parsed.json, 'utf8')));
        return fn({ lineNo, fields });
      }
      const all = splitFields(t, delimiter);
      if (columns === null) return fn({ lineNo, fields: all });
      const fields = columns.map((k) => {
        if (k >= all.length) throw new TraceFormatError(`${name}: line ${lineNo}: no column ${k + 1} (the row has ${all.length})`);
        return all[k]!;
      });
      return fn({ lineNo, fields });
    });
    // (TypeScript narrows `cut` to null here: it cannot see the callback's assignments.)
    if (cut !== null) this.cutLastLine = (cut as { lineNo: number }).lineNo;
  }

  /** The last line's number when it was cut short and skipped (a JSON lines file still being written), else 0. */
  cutLastLine = 0;

  /**
   * A JSON lines event log with no size key: every message's size is its object's length in bytes (what a consumer
   * of the topic received), as one more column after the chosen ones.
   */
  withMessageBytes(): void {
    if (this.jsonPaths === null) throw new Error('CsvSource.withMessageBytes: not a JSON lines file');
    this.messageBytes = true;
    this.headerFields = [...(this.headerFields ?? []), '(object bytes)'];
  }

  /** True once the user chose the columns. */
  get selected(): boolean {
    return this.chosen;
  }

  /** The first `n` data rows. */
  sample(n: number): CsvRow[] {
    const rows: CsvRow[] = [];
    this.forEach((row) => {
      rows.push(row);
      return rows.length < n;
    });
    return rows;
  }
}

/** The delimiter of a JSON lines file (never split: each line is parsed as an object). */
const JSON_LINES = '{json}';

/** A JSON line's values at the chosen keys, as fields. */
function jsonRowFields(object: Record<string, unknown>, lineNo: number, paths: readonly string[][], columns: readonly number[], names: readonly string[], name: string): string[] {
  return columns.map((k) => {
    const value = jsonValue(object, paths[k]!);
    if (value === undefined) throw new TraceFormatError(`${name}: line ${lineNo}: no key '${names[k]}'`);
    return jsonField(value);
  });
}

/** Whether a JSON value can be a record's time: a date and time, or a number (any, for a key named like a time). */
function isJsonTime(field: string, named: boolean): boolean {
  return isTimestampShaped(field) || (isNumber(field) && (named || Number(field) >= EPOCH_MIN));
}

/**
 * A line's fields, trimmed. A field in double quotes (spreadsheet exports quote everything) loses its quotes and may
 * hold the delimiter, with `""` for a quote inside it (RFC 4180, src/core/csv.ts); a line without quotes takes the
 * fast path.
 */
function splitFields(line: string, delimiter: string): string[] {
  if (delimiter === WHITESPACE) return splitOnWhitespace(line);
  return (line.includes('"') ? splitCsvLine(line, delimiter) : line.split(delimiter)).map((x) => x.trim());
}

/** The delimiter of whitespace-separated files (gnuplot-style `.dat` traces): runs of spaces or tabs. */
const WHITESPACE = ' ';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const TIME_OF_DAY = /^\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Fields split on whitespace, a `date time` pair kept as one timestamp field (the space inside it is not a delimiter). */
function splitOnWhitespace(line: string): string[] {
  const parts = line.trim().split(/\s+/);
  if (parts.length >= 2 && DATE_ONLY.test(parts[0]!) && TIME_OF_DAY.test(parts[1]!)) parts.splice(0, 2, `${parts[0]} ${parts[1]}`);
  return parts;
}

/**
 * Commas, or (when the first line has none) tabs or semicolons: TSV files and European CSV exports; failing those,
 * whitespace when the line holds more than one field (a line that is one timestamp, `2023-11-16 18:17:03`, is one).
 */
function delimiterOf(first: string): string {
  if (first.includes(',')) return ',';
  if (first.includes('\t')) return '\t';
  if (first.includes(';')) return ';';
  if (/\s/.test(first.trim()) && !isTimestampShaped(first.trim())) return WHITESPACE;
  return ',';
}

/** A growable Float64Array (an event log's times and sizes: millions of rows, 8 bytes each). */
class Float64List {
  private data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = x;
  }
  get(i: number): number {
    return this.data[i]!;
  }
}


/**
 * How `format` reads this file, and why (for messages). A numeric first column is a series (t in units of
 * `traceStepS`) unless `format` is 'events' or (auto) its numbers are Unix times (EPOCH_MIN or more). A time column
 * (dates and times, or Unix times) is read as `format` says; under 'auto' the header's second column decides when it
 * names a size or a rate, and otherwise the spacing does: rows strictly increasing at a regular step (every step a
 * multiple of the most common one, which covers 90 % of them) are a series, anything else an event log. A file of one
 * column holds times (an event log) or rates (a series, one a row).
 */
export function traceReading(text: TraceText, format: TraceFormat = 'auto', columns?: readonly string[]): { reading: TraceReading; why: string } {
  const start = startBytes(text);
  assertText(start, 'trace');
  if (readsAsAccessLog(text, format)) return { reading: 'events', why: ACCESS_LOG_WHY };
  if (format === 'auto' && looksLikePrometheus(start.toString('utf8'))) return { reading: 'timestamped', why: 'Prometheus range query answer' };
  const source = new CsvSource(text, 'trace');
  if (columns !== undefined) selectColumns(source, columns, 'trace');
  const { reading, why } = readingOf(source, format);
  return { reading, why };
}

/** Numeric times at or above this (2001-09-09 as seconds) are Unix times, whatever the format; below, plain seconds. */
const EPOCH_MIN = 1e9;

/** How a time column reads: dates and times, or numbers in a unit; `what` names them for messages. */
interface TimeColumn {
  read(field: string): number | null;
  what: string;
  /** Said in the reading's why: 'Unix times in milliseconds' (empty for dates and plain seconds). */
  label: string;
}

const DATE_TIMES: TimeColumn = { read: parseTimestampS, what: `a date and time (${TIMESTAMP_HINT})`, label: '' };

/**
 * Numeric times in the unit their size gives: a Unix time in seconds reaches 1e11 only in the year 5138, so larger
 * first values are milliseconds, then microseconds (from 1e14) and nanoseconds (from 1e17), the units loggers use.
 */
const TIME_UNITS: readonly [number, string][] = [[1e-9, 'nanoseconds'], [1e-6, 'microseconds'], [1e-3, 'milliseconds'], [1, 'seconds']];

function numericTimesOf(first: number, namedUnitS: number | null = null): TimeColumn {
  // A unit the column's name states (`ts_ms`) wins over the one the size suggests.
  const [unitS, unit] = namedUnitS !== null ? TIME_UNITS.find(([u]) => u === namedUnitS)! : TIME_UNITS[first >= 1e17 ? 0 : first >= 1e14 ? 1 : first >= 1e11 ? 2 : 3]!;
  const epoch = first * unitS >= EPOCH_MIN;
  const read = (field: string): number | null => (isNumber(field) ? Number(field) * unitS : null);
  if (namedUnitS !== null && !epoch) return { read, what: `a number of ${unit}`, label: `times in ${unit}, named so` };
  // Too large for Unix seconds and too small for a Unix time in the unit their size gives (a monotonic clock in us
  // after 28 h of uptime reads as ms): the guessed unit is all the user can check the replay's speed by, so it is said.
  if (!epoch && unitS !== 1) return { read, what: `a number of ${unit}`, label: `times in ${unit} by their size, not Unix times (--trace-step-s gives their unit)` };
  return { read, what: epoch ? `a Unix time in ${unit}` : 'a number of seconds', label: epoch ? `Unix times in ${unit}` : '' };
}

/** Numeric times in a unit the caller gave (no Unix-time guess: the numbers are whatever the unit makes them). */
function toldTimes(unitS: number): TimeColumn {
  const read = (field: string): number | null => (isNumber(field) ? Number(field) * unitS : null);
  return { read, what: `a number (of ${unitS} s each)`, label: `times in units of ${unitS} s, as given` };
}

function isNumber(field: string | undefined): boolean {
  return decimalOf(field) !== null;
}

/** The reading, why, and how to read the rows: the time column, whether an event log has sizes, a list of rates. */
interface Reading {
  reading: TraceReading;
  why: string;
  time?: TimeColumn;
  sizes?: boolean;
  list?: boolean;
}

/**
 * `toldUnitS`: seconds per unit of an event log's numeric times, when the caller gave one (traceStepS): offsets in
 * microseconds from a trace's start (Google's cluster traces) are numbers no size rule can tell from seconds.
 */
function readingOf(source: CsvSource, format: TraceFormat, toldUnitS: number | null = null): Reading {
  let { header } = source;
  const slots = wideSlots(header);
  if (readsAsWide(header, format)) {
    if (slots === null) return { reading: 'wide', why: 'format wide' };
    return { reading: 'wide', why: `${format === 'wide' ? 'format wide: ' : ''}${slots.count} slot columns '${header![slots.from]}'..'${header![header!.length - 1]}'` };
  }
  let rows = source.sample(READING_SAMPLE_ROWS);
  if (format === 'auto' && !source.selected && timeColumnLater(source, rows)) {
    rows = source.sample(READING_SAMPLE_ROWS);
    header = source.header;
  }
  const columnsWhy = source.autoColumnsWhy ? `${source.autoColumnsWhy}; ` : '';
  const reading = (r: Reading): Reading => ({ ...r, why: columnsWhy + r.why });
  const fields = rows[0]?.fields ?? [];
  const width = header?.length ?? fields.length;
  const first = fields[0];
  const dated = first !== undefined && isTimestampShaped(first);
  const epoch = isNumber(first) && Number(first) >= EPOCH_MIN;
  // A numeric column named as a time: with a unit (`ts_ms`) it is read in that unit; alone in the file it holds times.
  const timeName = header?.[0] !== undefined && isTimeName(header[0]) ? header[0] : null;
  const namedUnitS = timeName !== null ? timeUnitOfName(timeName) : null;
  const namedTimes = format === 'auto' && isNumber(first) && timeName !== null && ((namedUnitS !== null && namedUnitS !== 1) || width === 1);
  if (!dated && format !== 'events' && !(format === 'auto' && (epoch || namedTimes))) {
    // One line of four or more numbers (a trailing delimiter allowed), under auto only: a list of rates.
    const line = fields[fields.length - 1] === '' ? fields.slice(0, -1) : fields;
    const oneLine = format === 'auto' && header === null && rows.length === 1 && line.length >= 4 && line.every(isNumber);
    if (isNumber(first) && (width === 1 || oneLine)) {
      return reading({ reading: 'series', why: width === 1 ? 'one column: a rate a row' : 'one line of numbers: a rate each', list: true });
    }
    return reading({ reading: 'series', why: 'numeric t column' });
  }
  const time = dated || !isNumber(first) ? DATE_TIMES : numericTimesOf(Number(first), namedUnitS !== 1 ? namedUnitS : null);
  const unit = time.label ? `${time.label}; ` : '';
  // What the second column's name says. A JSON key by the whole words of its last part (valueKeyKind): `payload.`
  // in `payload.vehicleCount` is no size; a CSV header by substrings (SIZE_WORDS, RATE_WORDS: `msgs_per_s`).
  const secondName = header?.[1];
  const kindOfSecond = secondName === undefined ? null
    : source.delimiter === JSON_LINES ? valueKeyKind(secondName)
    : SIZE_WORDS.test(secondName) ? 'size' : RATE_WORDS.test(secondName) ? 'rate' : null;
  const events = (why: string, objectBytes = false): Reading => {
    // A second column that is not a number (a device id, a topic) is no size, unless it was chosen or named as one.
    const second = fields[1];
    const named = kindOfSecond === 'size';
    const sizes = objectBytes || (width >= 2 && (source.selected || named || second === undefined || second === '' || isNumber(second)));
    const note = width >= 2 && !sizes ? `; column '${header?.[1] ?? 2}' is not a number: no sizes`
      // Without a header nothing says the second column is a size: say that it was read as one.
      : sizes && !objectBytes && header === null && !source.selected ? `; the field after the time read as each message's size (first row: '${second ?? ''}'; --trace-columns 1 reads the times alone)` : '';
    if (toldUnitS !== null && time !== DATE_TIMES) {
      const told = toldTimes(toldUnitS);
      return reading({ reading: 'events', why: `${told.label}; ${why}${note}`, time: told, sizes });
    }
    return reading({ reading: 'events', why: unit + why + note, time, sizes });
  };
  if (width === 1 && format !== 'series') {
    // JSON lines with a time key and no size key: a dumped topic, one message an object, whose length is its size.
    if (source.delimiter === JSON_LINES && !source.selected) {
      source.withMessageBytes();
      return events("one column of times; sizes: each object's length in bytes", true);
    }
    return events('one column of times');
  }
  if (format === 'series') return reading({ reading: 'timestamped', why: unit + 'format series', time });
  if (format === 'events') return events('format events');
  if (kindOfSecond === 'size') return events(`header column '${secondName}' is a size`);
  if (kindOfSecond === 'rate') return reading({ reading: 'timestamped', why: `${unit}header column '${secondName}' is a rate`, time });
  const times = rows.map((r) => time.read(r.fields[0]!));
  if (times.length < 3 || times.some((t) => t === null)) return events('irregular timestamps');
  const { steps, step, count } = modalStep(times as number[]);
  if (steps.some((d) => !(d > 0))) return events('repeated or unordered timestamps');
  const regular = count >= 0.9 * steps.length && steps.every((d) => Math.abs(d / step - Math.round(d / step)) < 1e-6);
  return regular ? reading({ reading: 'timestamped', why: `${unit}rows every ${step} s`, time }) : events('irregular timestamps');
}

/**
 * A file whose first column is not a time (an id, then the time: the NYC taxi trips, a device log, InfluxDB's
 * annotated CSV; or a word, then numbers, then the time: CityPulse's traffic feed, `status,...,TIMESTAMP,vehicleCount`)
 * is read from a later column of dates and times and the one after it, when it has one: the first whose header names a
 * time (`_time`, `timestamp`), else the first. Chosen here, and said. A first column of numbers counts as an id only
 * when the second is not a number (else it is a numeric t column).
 */
function timeColumnLater(source: CsvSource, rows: readonly CsvRow[]): boolean {
  const fields = rows[0]?.fields;
  if (fields === undefined || fields.length < 2) return false;
  const firstIsWord = fields[0] !== '' && !isNumber(fields[0]) && !isTimestampShaped(fields[0]!);
  if (!firstIsWord && isNumber(fields[1])) return false;
  const header = source.fullHeader;
  const dated = fields.flatMap((f, i) => (i > 0 && isTimestampShaped(f) ? [i] : []));
  if (dated.length === 0) return false;
  const named = dated.find((i) => header?.[i] !== undefined && isTimeName(header[i]!));
  // A first column of dates stays the time; a first column of Unix-sized numbers too, unless the header names a later
  // column of dates as the time and not the first (`order_id,created_at,...`: a 10-digit id is no Unix time).
  if (isTimestampShaped(fields[0]!)) return false;
  if (isNumber(fields[0]) && Number(fields[0]) >= EPOCH_MIN && (named === undefined || header?.[0] === undefined || isTimeName(header[0]))) return false;
  const k = named ?? dated[0]!;
  const why = named !== undefined ? 'its header names a time' : 'the first of dates and times';
  // The time and the column after it; the time last, a column named as a value before it (InfluxDB's `_value,_time`).
  const value = k + 1 < fields.length ? k + 1 : header?.findIndex((h, i) => i !== k && isValueKeyName(h));
  source.select(value !== undefined && value >= 0 ? [k, value] : [k], `time column ${header?.[k] !== undefined ? `'${header[k]}' ` : ''}(column ${k + 1}, ${why})`);
  return true;
}

/** The header's trailing run of consecutive integer names (`1,2,...,1440`): a wide table's slots, if 3 or more. */
function wideSlots(header: readonly string[] | null): { from: number; count: number } | null {
  if (header === null) return null;
  const isInt = (h: string | undefined): boolean => h !== undefined && /^\d+$/.test(h);
  let from = header.length - 1;
  if (!isInt(header[from])) return null;
  while (from > 0 && isInt(header[from - 1]) && Number(header[from - 1]) === Number(header[from]) - 1) from--;
  const count = header.length - from;
  return count >= 3 ? { from, count } : null;
}

/** Rows the spacing test looks at: the start of a file tells a series from an event log. */
const READING_SAMPLE_ROWS = 10_000;

/** True when `format` reads a file with this header as a wide table: asked for, or (auto) the header has slots. */
function readsAsWide(header: readonly string[] | null, format: TraceFormat): boolean {
  return format === 'wide' || (format === 'auto' && wideSlots(header) !== null);
}

/** Cuts the source down to `columns` (names or 1-based numbers, in the reading's order). */
function selectColumns(source: CsvSource, columns: readonly string[], name: string): void {
  const header = source.fullHeader;
  if (columns.length < 1 || columns.length > 3) throw new TraceFormatError(`${name}: columns: give 1 to 3 columns (t,rate[,size] or time[,size]), got ${columns.length}`);
  const known = header ? ` (the header has: ${header.join(', ')})` : '';
  const index = columns.map((sel) => {
    if (/^\d+$/.test(sel)) {
      const k = Number(sel);
      if (k < 1) throw new TraceFormatError(`${name}: column numbers start at 1, got ${sel}`);
      return k - 1;
    }
    if (header === null) throw new TraceFormatError(`${name}: column '${sel}' is a name, but the file has no header line; give column numbers (1 = the first)`);
    const k = header.findIndex((h) => h.toLowerCase() === sel.toLowerCase());
    if (k < 0) throw new TraceFormatError(`${name}: no column '${sel}'${known}`);
    return k;
  });
  // 't,1' or 't,T' pick one column twice, which would read the time as the rate.
  const again = index.findIndex((k, i) => index.indexOf(k) !== i);
  if (again >= 0) throw new TraceFormatError(`${name}: columns '${columns[index.indexOf(index[again]!)]}' and '${columns[again]}' are the same column; each of t,rate[,size] (or time[,size]) is its own column`);
  source.select(index);
}

/**
 * A wide table: the slot columns (wideSlots) hold counts (an empty cell is 0); a slot's rate is its column's sum
 * over the rows divided by the slot length `stepS`. The other columns (names, hashes, triggers) are ignored.
 */
function wideFrom(source: CsvSource, name: string, stepS: number): Trace {
  const { header } = source;
  const slots = wideSlots(header);
  if (header === null || slots === null) throw new TraceFormatError(`${name}: read as a wide table, but the header does not end in 3 or more consecutive integer column names (like 1,2,...,1440)`);
  const sums = new Float64Array(slots.count);
  let rows = 0;
  source.forEach(({ lineNo, fields }) => {
    if (fields.length !== header.length) throw new TraceFormatError(`${name}: line ${lineNo}: ${fields.length} columns, the header has ${header.length}`);
    for (let j = 0; j < slots.count; j++) {
      const cell = fields[slots.from + j]!;
      if (cell === '') continue;
      const v = decimalOf(cell);
      if (v === null || v < 0) throw new TraceFormatError(`${name}: line ${lineNo}: column '${header[slots.from + j]}' is not a count >= 0: '${cell}'`);
      sums[j]! += v;
    }
    rows++;
  });
  if (rows === 0) throw new TraceFormatError(`${name}: empty trace (no data rows)`);
  return {
    name,
    stepS,
    tS: Float64Array.from({ length: slots.count }, (_, j) => j * stepS),
    rate: sums.map((sum) => sum / stepS),
    size: null,
    reading: 'wide',
    wideRows: rows,
  };
}

/** The steps between consecutive times (rounded to 1 ms) and the most common of them, with how often it occurs. */
function modalStep(times: readonly number[]): { steps: number[]; step: number; count: number } {
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) steps.push(Math.round((times[i]! - times[i - 1]!) * 1000) / 1000);
  const counts = new Map<number, number>();
  for (const d of steps) counts.set(d, (counts.get(d) ?? 0) + 1);
  const [step, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [0, 0];
  return { steps, step, count };
}

/**
 * An event log (one row per message: `time[,size]`, a header line allowed, extra columns ignored, rows in any
 * order) counted per wall-clock second: row t = floor(time) - floor(first time), rate = the messages in that
 * second, size = their mean size (0 in a second without messages, which the replay never reads). `time` is a date and
 * time, or when `numericTimes` a number: seconds, or from 1e9 on a Unix time in s, ms, us or ns by its size.
 */
export function parseEventLog(text: TraceText, name: string, numericTimes = false): Trace {
  const source = new CsvSource(text, name);
  const first = source.sample(1)[0]?.fields;
  const time = first !== undefined && numericTimes && !isTimestampShaped(first[0]!) && isNumber(first[0]) ? numericTimesOf(Number(first[0])) : DATE_TIMES;
  return eventLogFrom(source, name, time, (source.header ?? first ?? []).length >= 2);
}

function eventLogFrom(source: CsvSource, name: string, time: TimeColumn, hasSize: boolean): Trace {
  const times = new Float64List();
  const sizes = new Float64List();
  source.forEach(({ lineNo, fields }) => {
    const tS = time.read(fields[0]!);
    if (tS === null) throw new TraceFormatError(`${name}: line ${lineNo}: timestamp is not ${time.what} like the first row's: '${fields[0]}'${becauseOf(fields[0]!)}`);
    if (hasSize) {
      const size = decimalOf(fields[1]);
      if (size === null) throw new TraceFormatError(`${name}: line ${lineNo}: size is not a number: '${fields[1] ?? ''}'`);
      if (size < 0) throw new TraceFormatError(`${name}: line ${lineNo}: size is negative: ${size}`);
      sizes.push(size);
    }
    times.push(tS);
  });
  if (times.length === 0) throw new TraceFormatError(`${name}: empty trace (no data rows)`);
  return countPerSecond(times, hasSize ? sizes : null, name, time);
}

/** Messages counted per wall-clock second from the first one's, with the mean size of each second's messages. */
function countPerSecond(times: Float64List, sizes: Float64List | null, name: string, time: TimeColumn): Trace {
  let first = Infinity;
  let last = -Infinity;
  for (let k = 0; k < times.length; k++) {
    const t = Math.floor(times.get(k));
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const seconds = last - first + 1;
  if (seconds > 50_000_000) throw new TraceFormatError(`${name}: the events span ${seconds} s (over 1.5 years); check the timestamps (read as ${time.what})`);
  const rate = new Float64Array(seconds);
  const sizeSum = new Float64Array(seconds);
  for (let k = 0; k < times.length; k++) {
    const row = Math.floor(times.get(k)) - first;
    rate[row]!++;
    if (sizes) sizeSum[row]! += sizes.get(k);
  }
  const size = sizes ? sizeSum.map((sum, row) => (rate[row]! > 0 ? sum / rate[row]! : 0)) : null;
  return { name, stepS: 1, tS: Float64Array.from({ length: seconds }, (_, row) => row), rate, size, reading: 'events', eventCount: times.length };
}

/** A list of rates: every field of every row in file order, one a step of stepS (one a line, or all on one line). */
function rateListFrom(source: CsvSource, name: string, stepS: number): Trace {
  const rate = new Float64List();
  source.forEach(({ lineNo, fields }) => {
    // A delimiter ending the line ('5,6,7,8,') leaves an empty last field: not a rate.
    const rates = fields.length > 1 && fields[fields.length - 1] === '' ? fields.slice(0, -1) : fields;
    for (const field of rates) {
      if (!isNumber(field)) throw new TraceFormatError(`${name}: line ${lineNo}: rate is not a number: '${field}' (read as a list of rates, one a step)`);
      const v = Number(field);
      if (v < 0) throw new TraceFormatError(`${name}: line ${lineNo}: rate is negative: ${v}`);
      rate.push(v);
    }
  });
  if (rate.length === 0) throw new TraceFormatError(`${name}: empty trace (no data rows)`);
  const rates = Float64Array.from({ length: rate.length }, (_, i) => rate.get(i));
  return { name, stepS, tS: Float64Array.from({ length: rate.length }, (_, i) => i * stepS), rate: rates, size: null, reading: 'series' };
}

/** A series, `t,rate[,size]`: t numeric in units of stepS, or (timestamped: `time` set) dates and times or Unix times. */
function seriesFrom(source: CsvSource, name: string, stepS: number, time: TimeColumn | null): Trace {
  const timestamped = time !== null;
  const t: number[] = [];
  const rate: number[] = [];
  const size: number[] = [];
  const hasSize = (source.header ?? source.sample(1)[0]?.fields ?? []).length >= 3;
  const wanted = hasSize ? 3 : 2;
  const labels = ['t', 'rate', 'size'];
  // A wider file read by position: say which columns there are and how to pick others.
  const header = source.header;
  const columnsHint = header && header.length > wanted && !source.selected ? ` (read as ${labels.slice(0, wanted).join(',')} from the first ${wanted} of the columns ${header.join(', ')}; choose others with --trace-columns)` : '';
  let t0 = 0;
  source.forEach(({ lineNo, fields }) => {
    if (fields.length < 2 || fields[1] === '') throw new TraceFormatError(`${name}: line ${lineNo}: missing column (expected t,rate[,size]), got '${fields.join(',')}'`);
    if (fields.length < wanted || fields[wanted - 1] === '') throw new TraceFormatError(`${name}: line ${lineNo}: missing column (expected ${wanted} columns), got '${fields.join(',')}'`);
    let tS: number;
    if (timestamped) {
      const ts = time.read(fields[0]!);
      if (ts === null) throw new TraceFormatError(`${name}: line ${lineNo}: t is not ${time.what} like the first row's: '${fields[0]}'${becauseOf(fields[0]!)}`);
      if (t.length === 0) t0 = ts;
      tS = ts - t0;
    } else {
      const v = decimalOf(fields[0]);
      if (v === null) {
        // A date in another form: which forms are read. Else, on the first row of a wider file read by position (a
        // word in the first column): which columns there are, and how to pick others.
        // Only for a header of names: a first line of data taken for one (a log line `1700000001: Received ...`) is no
        // list of columns to pick from.
        const names = header !== null && header.every((h) => h.length <= 40 && !/^\d/.test(h));
        const pick = t.length === 0 && header && names && header.length > 2 && !source.selected ? ` (the header has ${header.join(', ')}: name the time and rate columns with --trace-columns)` : '';
        const hint = /\d[/:.-]\d/.test(fields[0]!) ? ` (times are read as ${TIMESTAMP_HINT} or as Unix times)` : pick;
        throw new TraceFormatError(`${name}: line ${lineNo}: t is not a number: '${fields[0]}'${hint}`);
      }
      if (v < 0) throw new TraceFormatError(`${name}: line ${lineNo}: t is negative: ${v}`);
      tS = v * stepS;
    }
    const values = fields.slice(1, wanted).map(decimalOf);
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (v === null) throw new TraceFormatError(`${name}: line ${lineNo}: ${labels[k + 1]} is not a number: '${fields[k + 1]}'${columnsHint}`);
      if (v < 0) throw new TraceFormatError(`${name}: line ${lineNo}: ${labels[k + 1]} is negative: ${v}`);
    }
    if (t.length > 0 && tS <= t[t.length - 1]!) {
      const shown = timestamped ? fields[0] : String(tS / stepS);
      throw new TraceFormatError(`${name}: line ${lineNo}: t must increase, got ${shown} after ${timestamped ? 'the previous row' : t[t.length - 1]! / stepS}`);
    }
    t.push(tS);
    rate.push(values[0]!);
    if (hasSize) size.push(values[1]!);
  });
  if (t.length === 0) throw new TraceFormatError(`${name}: empty trace (no data rows)`);
  // A timestamped series' rows last its most common step (the last row's duration, and > 1 s means interpolation). So
  // do a numeric series' rows spaced wider than traceStepS (t in seconds, a row a minute: `0,60,120`), which replay
  // like the same rows in minutes with traceStepS 60 (before session 15 they were held as steps of exact counts).
  const modal = t.length > 1 ? modalStep(t).step : 0;
  const rowS = timestamped ? (t.length > 1 ? modal : stepS) : Math.max(stepS, modal);
  return { name, stepS: rowS, tS: Float64Array.from(t), rate: Float64Array.from(rate), size: hasSize ? Float64Array.from(size) : null, reading: timestamped ? 'timestamped' : 'series' };
}

// A web server access log line, Common Log Format `host ident user [time] "request" status bytes`, optionally followed
// by the Combined format's `"referer" "agent"`. The request may hold escaped quotes.
const ACCESS_LOG_LINE = /^\S+ \S+ \S+ \[([^\]]+)\] "(?:[^"\\]|\\.)*" (\d{3}|-) (\d+|-)(?:\s|$)/;
// Old logs (NASA-HTTP 1995) do not escape a quote inside the request: then the line ends with status and bytes.
const ACCESS_LOG_LOOSE = /^\S+ \S+ \S+ \[([^\]]+)\] ".*" (\d{3}|-) (\d+|-)\s*$/;
// 01/Jul/1995:00:00:01 -0400 (the zone may be missing in hand-made logs: UTC).
const ACCESS_LOG_TIME = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s+([+-])(\d{2})(\d{2}))?$/;
/** The month names of access log times (matched in any case). */
export const ACCESS_LOG_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const ACCESS_LOG_WHY = 'web server access log, Common Log Format: one request a line, its response bytes as the size';
/** An access log whose lines fail to parse more often than this is refused (it is probably something else). */
export const ACCESS_LOG_MAX_MALFORMED_SHARE = 0.01;

/** Seconds since the epoch of an access log's `[01/Jul/1995:00:00:01 -0400]` time (without brackets), or null. */
export function parseAccessLogTimeS(text: string): number | null {
  const m = ACCESS_LOG_TIME.exec(text.trim());
  if (!m) return null;
  const month = ACCESS_LOG_MONTHS.findIndex((name) => name.toLowerCase() === m[2]!.toLowerCase());
  const [d, y, h, mi, sec] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  if (month < 0 || d < 1 || d > daysInMonth(y, month + 1) || h > 23 || mi > 59 || sec > 60) return null;
  const zoneS = m[7] ? (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 3600 + Number(m[9]) * 60) : 0;
  return utcEpochSeconds(y, month + 1, d, h, mi, sec) - zoneS;
}

/** The time and response bytes of an access log line ('-' bytes, as for a 304, count as 0), or null. */
function accessLogEntry(line: string): { tS: number; bytes: number } | null {
  const m = ACCESS_LOG_LINE.exec(line) ?? ACCESS_LOG_LOOSE.exec(line);
  if (!m) return null;
  const tS = parseAccessLogTimeS(m[1]!);
  if (tS === null) return null;
  return { tS, bytes: m[3] === '-' ? 0 : Number(m[3]) };
}

/** True when `format` reads this file as an access log: asked for, or (auto) its first line is one. */
function readsAsAccessLog(input: TraceText, format: TraceFormat): boolean {
  if (format === 'access-log') return true;
  if (format !== 'auto') return false;
  const first = firstDataLine(input);
  return first !== null && accessLogEntry(first.line) !== null;
}

/**
 * A web server access log counted per second like any event log (eventLogFrom). Lines that do not parse are skipped
 * and counted (public logs hold a few torn lines), up to ACCESS_LOG_MAX_MALFORMED_SHARE of them; beyond that the
 * file is refused with the first ones named.
 */
function accessLogFrom(input: TraceText, name: string): Trace {
  const times = new Float64List();
  const sizes = new Float64List();
  const malformed: number[] = [];
  let lines = 0;
  forEachLine(input, (line, lineNo) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return true;
    lines++;
    const entry = accessLogEntry(t);
    if (entry === null) {
      malformed.push(lineNo);
      return true;
    }
    times.push(entry.tS);
    sizes.push(entry.bytes);
    return true;
  });
  const shown = (): string => `line${malformed.length > 1 ? 's' : ''} ${malformed.slice(0, 5).join(', ')}${malformed.length > 5 ? ', ...' : ''}`;
  if (times.length === 0) throw new TraceFormatError(`${name}: read as a web server access log, but no line is one (host ident user [dd/Mon/yyyy:HH:MM:SS zone] "request" status bytes)${malformed.length ? `: ${shown()}` : ''}`);
  if (malformed.length > ACCESS_LOG_MAX_MALFORMED_SHARE * lines) {
    throw new TraceFormatError(`${name}: read as a web server access log, but ${malformed.length} of ${lines} lines are not access log lines (${shown()}); over ${100 * ACCESS_LOG_MAX_MALFORMED_SHARE} %, so the file is probably something else (choose the reading with --trace-format)`);
  }
  const trace = countPerSecond(times, sizes, name, DATE_TIMES);
  return { ...trace, readingWhy: `${ACCESS_LOG_WHY}${malformed.length ? `; ${malformed.length} malformed ${shown()} skipped` : ''}` };
}

/** The first `bytes` of a trace's content (enough to tell a format by its start). */
function startBytes(input: TraceText, bytes = 4096): Buffer {
  // The first bytes of its UTF-8 form, as for bytes and chunks, so that every form of the same content agrees.
  if (typeof input === 'string') return Buffer.from(input.slice(0, bytes), 'utf8').subarray(0, bytes);
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, Math.min(bytes, input.byteLength));
  // As many chunks as it takes (their memory is reused, so each is copied), so every form of the content agrees.
  const parts: Buffer[] = [];
  let have = 0;
  for (const chunk of input.chunks()) {
    parts.push(Buffer.from(chunk.subarray(0, Math.min(chunk.byteLength, bytes - have))));
    have += parts[parts.length - 1]!.byteLength;
    if (have >= bytes) break;
  }
  return Buffer.concat(parts);
}

/** Refuses content that is no text (src/workload/text-content.ts), saying what it is, before any line is read. */
function assertText(start: Uint8Array, name: string): void {
  const reason = notTextReason(start);
  if (reason !== null) throw new TraceFormatError(`${name}: cannot be read as a trace: it is ${reason}`);
}

/** The whole content as one string (a Prometheus answer is one JSON document); refused past V8's longest string. */
function wholeText(input: TraceText, name: string): string {
  if (typeof input === 'string') return input;
  // Chunks are copied (their memory is reused); whole bytes are viewed.
  const parts = input instanceof Uint8Array ? [Buffer.from(input.buffer, input.byteOffset, input.byteLength)] : Array.from(input.chunks(), (c) => Buffer.from(c));
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  if (total > 256 * 1024 * 1024) throw new TraceFormatError(`${name}: a Prometheus answer of ${(total / 2 ** 20).toFixed(0)} MiB is too large to read as one JSON document; query a coarser step or a shorter range`);
  return Buffer.concat(parts, total).toString('utf8');
}

/** A Prometheus range query's answer (src/workload/prometheus.ts): its series summed per timestamp, a timestamped series. */
function prometheusFrom(input: TraceText, name: string): Trace {
  let sums: ReturnType<typeof sumPrometheusMatrix>;
  try {
    sums = sumPrometheusMatrix(wholeText(input, name), name);
  } catch (err) {
    if (err instanceof TraceFormatError) throw err;
    throw new TraceFormatError((err as Error).message);
  }
  const stepS = sums.tS.length > 1 ? modalStep(sums.tS).step : 1;
  if (sums.rate.every((r) => r === 0)) throw new TraceFormatError(`${name}: every rate is 0: nothing to replay`);
  const nan = sums.nanSamples ? `; ${sums.nanSamples} NaN samples counted as 0` : '';
  return {
    name,
    stepS,
    tS: Float64Array.from(sums.tS),
    rate: Float64Array.from(sums.rate),
    size: null,
    reading: 'timestamped',
    readingWhy: `Prometheus range query answer: ${sums.series} series summed per timestamp, values read as rates (msgs/s)${nan}`,
  };
}

/**
 * Parses a trace file's content (a string, or the bytes: see TraceText) as `options` say; errors are
 * TraceFormatErrors naming `name` and the line.
 */
export function parseTraceCsv(text: TraceText, name: string, options: TraceParseOptions = {}): Trace {
  const stepS = options.traceStepS ?? 1;
  if (!(stepS > 0)) throw new TraceFormatError(`${name}: traceStepS must be positive, got ${stepS}`);
  const format = options.format ?? 'auto';
  if (!(TRACE_FORMATS as readonly string[]).includes(format)) throw new TraceFormatError(`${name}: format must be one of ${TRACE_FORMATS.join(', ')}, got '${format}'`);
  const start = startBytes(text);
  assertText(start, name);
  if (readsAsAccessLog(text, format)) {
    if (options.columns !== undefined) throw new TraceFormatError(`${name}: columns do not apply to a web server access log (its time and bytes fields are found by their shape)`);
    if (stepS !== 1) throw new TraceFormatError(`${name}: read as a web server access log, whose times are in seconds; traceStepS (${stepS}) applies only to a numeric t column or a wide table's slots`);
    // At least one request was counted (accessLogFrom refuses a log without one), so no rate check is needed.
    return accessLogFrom(text, name);
  }
  if (format === 'auto' && looksLikePrometheus(start.toString('utf8'))) {
    if (options.columns !== undefined) throw new TraceFormatError(`${name}: columns do not apply to a Prometheus query answer (every series of the matrix is summed)`);
    if (stepS !== 1) throw new TraceFormatError(`${name}: read as a Prometheus query answer, whose times are Unix seconds; traceStepS (${stepS}) applies only to a numeric t column, a list of rates or a wide table's slots`);
    return prometheusFrom(text, name);
  }
  const source = new CsvSource(text, name);
  if (options.columns !== undefined) {
    // Decided from the header alone: sampling the rows now would parse them twice.
    if (readsAsWide(source.fullHeader, format)) throw new TraceFormatError(`${name}: columns do not apply to a wide table (every slot column is summed)`);
    selectColumns(source, options.columns, name);
  }
  const { reading, why, time, sizes, list } = readingOf(source, format, options.traceStepS ?? null);
  const toldEventUnit = reading === 'events' && time !== DATE_TIMES;
  if ((reading === 'events' || reading === 'timestamped') && stepS !== 1 && !toldEventUnit) {
    const unix = time?.label ? '; --trace-format series reads the numbers in units of traceStepS instead' : '';
    throw new TraceFormatError(`${name}: read as ${reading === 'events' ? 'an event log' : 'a timestamped series'} (${why}), whose times are in seconds; traceStepS (${stepS}) applies only to a numeric t column, a list of rates or a wide table's slots${unix}`);
  }
  // A numeric t column whose header names its unit (`minute,count`) is read in it, unless traceStepS was given.
  const named = reading === 'series' && !list && options.traceStepS === undefined ? stepOfUnitName(source.header?.[0]) : null;
  const namedStep = named !== null && named.stepS !== 1 ? named : null;
  const seriesStepS = namedStep?.stepS ?? stepS;
  const trace =
    reading === 'events' ? eventLogFrom(source, name, time!, sizes!)
    : reading === 'wide' ? wideFrom(source, name, stepS)
    : list ? rateListFrom(source, name, stepS)
    : seriesFrom(source, name, seriesStepS, reading === 'timestamped' ? time! : null);
  if (trace.rate.every((r) => r === 0)) throw new TraceFormatError(`${name}: every rate is 0: nothing to replay`);
  const slotNote = reading === 'wide' ? `, ${stepS} s each, summed over ${trace.wideRows} rows${stepS === 1 ? ' (per-minute counts, as in the Azure Functions trace, need a slot length of 60 s)' : ''}` : '';
  const unitNote = namedStep ? `; t in ${namedStep.unit} (the header says '${source.header![0]}'; --trace-step-s overrides)` : '';
  const cutNote = source.cutLastLine > 0 ? `; the last line (${source.cutLastLine}) is not a whole JSON object (a file still being written?): skipped` : '';
  return { ...trace, readingWhy: why + slotNote + unitNote + cutNote };
}
