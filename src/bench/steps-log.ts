/**
 * The steps file: one row per control step of every run (all StepRecord fields), gzip-compressed CSV.
 * It is the single source of every table and figure; numbers are written with full round-trip precision
 * (String(number)), so anything computed from the file equals what was computed in memory.
 */
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { closeSync, createReadStream, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { StepRecord } from '../env/spark-iot-types.ts';
import { splitCsvLine } from '../core/csv.ts';

type FieldKind = 'number' | 'string' | 'boolean';

/** Column order of the file (the order of StepRecord's declaration). */
export const STEP_FIELDS = [
  ['step', 'number'],
  ['tSeconds', 'number'],
  ['scenario', 'string'],
  ['trace', 'string'],
  ['seed', 'number'],
  ['policy', 'string'],
  ['arrivalRateMsgsPerS', 'number'],
  ['processedRateMsgsPerS', 'number'],
  ['backlogMsgs', 'number'],
  ['droppedMsgs', 'number'],
  ['p95LatencyMs', 'number'],
  ['slaTargetMs', 'number'],
  ['slaViolated', 'boolean'],
  ['requestedExecutors', 'number'],
  ['requestedMemoryGb', 'number'],
  ['requestedTier', 'string'],
  ['requestedCodec', 'string'],
  ['executorsRunning', 'number'],
  ['executorsStarting', 'number'],
  ['memoryGb', 'number'],
  ['tier', 'string'],
  ['codec', 'string'],
  ['scaled', 'boolean'],
  ['costUsd', 'number'],
  ['costRateUsdPerHour', 'number'],
  ['predictedRateMsgsPerS', 'number'],
  ['burstProbability', 'number'],
  ['burstActive', 'boolean'],
  ['burstOnset', 'boolean'],
  ['reuseProbability', 'number'],
  ['shuffleBytes', 'number'],
  ['reward', 'number'],
  ['alpha', 'number'],
  ['beta', 'number'],
  ['gamma', 'number'],
] as const satisfies ReadonlyArray<readonly [keyof StepRecord, FieldKind]>;

/** Compile-time guard: a field added to StepRecord without a column here is a type error. */
type UnlistedField = Exclude<keyof StepRecord, (typeof STEP_FIELDS)[number][0]>;
export const EVERY_FIELD_LISTED: [UnlistedField] extends [never] ? true : UnlistedField = true;

export const STEPS_HEADER = STEP_FIELDS.map(([k]) => k).join(',');

function quote(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function recordToCsvRow(r: StepRecord): string {
  const cells: string[] = [];
  for (const [key, kind] of STEP_FIELDS) {
    const v = r[key];
    if (kind === 'boolean') cells.push(v ? '1' : '0');
    else if (kind === 'number') cells.push(String(v));
    else cells.push(quote(String(v)));
  }
  return cells.join(',');
}

export function csvRowToRecord(line: string, where = 'steps file'): StepRecord {
  const cells = splitCsvLine(line);
  if (cells.length !== STEP_FIELDS.length) throw new Error(`${where}: expected ${STEP_FIELDS.length} columns, got ${cells.length}`);
  const rec: Record<string, unknown> = {};
  STEP_FIELDS.forEach(([key, kind], i) => {
    const cell = cells[i]!;
    if (kind === 'number') {
      const n = Number(cell);
      if (cell === '' || (Number.isNaN(n) && cell !== 'NaN')) throw new Error(`${where}: column ${key} is not a number: '${cell}'`);
      rec[key] = n;
    } else if (kind === 'boolean') {
      if (cell !== '0' && cell !== '1') throw new Error(`${where}: column ${key} must be 0 or 1, got '${cell}'`);
      rec[key] = cell === '1';
    } else rec[key] = cell;
  });
  return rec as unknown as StepRecord;
}

/** The whole file's text (header + rows) as one string: the reference form the chunked writer must match (tests). */
export function stepsToCsv(records: Iterable<StepRecord>): string {
  const lines = [STEPS_HEADER];
  for (const r of records) lines.push(recordToCsvRow(r));
  return `${lines.join('\n')}\n`;
}

/**
 * Rows per gzip member. The file is a series of gzip members (valid gzip: gunzip and zlib read them as one stream),
 * so no string ever holds more than this many rows: a run of millions of steps would otherwise exceed V8's maximum
 * string length (about 512 MiB) and crash after all the simulation work was done.
 */
export const ROWS_PER_GZIP_MEMBER = 50_000;

/**
 * Writes a steps file as rows arrive, holding at most one gzip member's rows. The bytes go to `<path>.partial` and
 * are renamed to `path` by close(), so a run that fails (abort() deletes the partial file) or is killed never leaves
 * a truncated file under the real name. Errors name the file. The members, and so the bytes, are the same as a
 * one-shot write of the same records: the first holds the header and rowsPerMember - 1 rows, the next rowsPerMember.
 */
export class StepsFileWriter {
  private readonly partialPath: string;
  private fd: number | null;
  private lines: string[] = [STEPS_HEADER];
  private rowsWritten = 0;

  constructor(
    readonly path: string,
    private readonly rowsPerMember = ROWS_PER_GZIP_MEMBER,
  ) {
    if (!(Number.isInteger(rowsPerMember) && rowsPerMember >= 1)) throw new Error(`steps file ${path}: rows per gzip member must be an integer >= 1, got ${rowsPerMember}`);
    this.partialPath = `${path}.partial`;
    this.fd = this.io('open', () => openSync(this.partialPath, 'w'));
  }

  /** Rows written so far (the header excluded). */
  get rows(): number {
    return this.rowsWritten;
  }

  write(r: StepRecord): void {
    if (this.fd === null) throw new Error(`steps file ${this.path}: write after close`);
    this.lines.push(recordToCsvRow(r));
    this.rowsWritten++;
    if (this.lines.length >= this.rowsPerMember) this.flushMember();
  }

  /** Writes the last member, closes the file and moves it to its real name. */
  close(): void {
    if (this.fd === null) throw new Error(`steps file ${this.path}: closed twice`);
    if (this.lines.length > 0) this.flushMember();
    const fd = this.fd;
    this.fd = null;
    this.io('close', () => closeSync(fd));
    this.io('rename', () => renameSync(this.partialPath, this.path));
  }

  /** After a failure: closes and deletes the partial file; never throws (the caller is reporting the first error). */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already failing; the unlink below still runs
      }
      this.fd = null;
    }
    rmSync(this.partialPath, { force: true });
  }

  private flushMember(): void {
    const fd = this.fd!;
    const member = gzipSync(Buffer.from(`${this.lines.join('\n')}\n`, 'utf8'), { level: 6 });
    this.lines = [];
    this.io('write', () => writeSync(fd, member));
  }

  private io<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw new Error(`steps file ${this.path}: ${what} failed: ${(err as Error).message}`);
    }
  }
}

/**
 * Lets `fill` write to an open StepsFileWriter, then closes it (the file appears under its real name) or, if `fill`
 * or the close throws, aborts it (no steps file is left) and rethrows: the one place that pairs close with abort.
 */
export function fillStepsFile<T>(writer: StepsFileWriter, fill: (writer: StepsFileWriter) => T): T {
  try {
    const result = fill(writer);
    writer.close();
    return result;
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** Write steps.csv.gz in one call (gzip's header carries no timestamp from Node, so the bytes are deterministic). */
export function writeStepsFile(path: string, records: Iterable<StepRecord>, rowsPerMember = ROWS_PER_GZIP_MEMBER): void {
  fillStepsFile(new StepsFileWriter(path, rowsPerMember), (writer) => {
    for (const r of records) writer.write(r);
  });
}

/** Slice size for decoding: whole lines of at most about this many bytes are turned into a string at a time. */
const DECODE_SLICE_BYTES = 16 * 1024 * 1024;

const headerMismatch = (where: string): Error => new Error(`${where}: header does not match StepRecord fields (expected '${STEPS_HEADER.slice(0, 60)}...')`);

/**
 * The line-by-line reading both readers share: blank lines skipped, the first line checked against the header, every
 * other one parsed with its line number in errors. `line` returns the record, or null for a blank or header line;
 * `end` throws when the file had no line at all.
 */
function stepsLineReader(where: string): { line(text: string): StepRecord | null; end(): void } {
  let lineNo = 0;
  return {
    line(text) {
      if (text.length === 0) return null;
      lineNo++;
      if (lineNo === 1) {
        if (text !== STEPS_HEADER) throw headerMismatch(where);
        return null;
      }
      return csvRowToRecord(text, `${where} line ${lineNo}`);
    },
    end() {
      if (lineNo === 0) throw headerMismatch(where);
    },
  };
}

/** Parses the file's bytes (header + rows) slice by slice, so its size is not bounded by the maximum string length. */
export function parseStepsBuffer(buf: Buffer, where = 'steps file', sliceBytes = DECODE_SLICE_BYTES): StepRecord[] {
  const reader = stepsLineReader(where);
  const out: StepRecord[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(buf.length, start + sliceBytes);
    if (end < buf.length) {
      const nl = buf.lastIndexOf(0x0a, end - 1);
      end = nl >= start ? nl + 1 : (buf.indexOf(0x0a, end) + 1 || buf.length);
    }
    for (const line of buf.toString('utf8', start, end).split('\n')) {
      const r = reader.line(line);
      if (r) out.push(r);
    }
    start = end;
  }
  reader.end();
  return out;
}

/** Read steps.csv.gz (or an uncompressed .csv). */
export function readStepsFile(path: string): StepRecord[] {
  const raw = readFileSync(path);
  return parseStepsBuffer(path.endsWith('.gz') ? gunzipSync(raw) : raw, path);
}

/** Decompressed bytes per chunk of the streaming reader. */
const STREAM_CHUNK_BYTES = 256 * 1024;

/**
 * Reads steps.csv.gz (or an uncompressed .csv) as a stream and yields its records in file order, holding only one
 * chunk (`chunkBytes`; tests use tiny ones to split lines and characters across chunks) at a time: the same records, line numbers and errors as readStepsFile, for a file of any size.
 * The file is a series of gzip members and the header is only in the first; zlib's Gunzip reads the members as one
 * stream, so lines that span a member boundary (never written, but valid gzip) are handled too.
 */
export async function* streamStepsFile(path: string, chunkBytes = STREAM_CHUNK_BYTES): AsyncGenerator<StepRecord, void, undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error(`steps file ${path}: open failed: ${(err as Error).message}`);
  }
  const source = createReadStream('', { fd, highWaterMark: chunkBytes });
  let stream: Readable = source;
  if (path.endsWith('.gz')) {
    const gunzip = createGunzip({ chunkSize: Math.max(64, chunkBytes) }); // zlib's minimum chunk size is 64
    // pipeline forwards a read error of the file to the gunzip stream, whose iterator then throws it.
    stream = pipeline(source, gunzip, () => {});
  }
  const decoder = new StringDecoder('utf8');
  const reader = stepsLineReader(path);
  let rest = '';
  const parse = function* (text: string, last: boolean): Generator<StepRecord> {
    const lines = text.split('\n');
    rest = last ? '' : lines.pop()!;
    for (const line of lines) {
      const r = reader.line(line);
      if (r) yield r;
    }
  };
  try {
    const chunks = stream[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = (await chunks.next()) as IteratorResult<Buffer>;
      } catch (err) {
        throw new Error(`steps file ${path}: read failed: ${(err as Error).message}`);
      }
      if (next.done) break;
      yield* parse(rest + decoder.write(next.value), false);
    }
    yield* parse(rest + decoder.end(), true);
    reader.end();
  } finally {
    stream.destroy();
    source.destroy();
  }
}

/**
 * The runs of a steps file, one array per run (records in file order), for files ordered so that each run's records
 * are contiguous (the tournament's and the reports' order: world -> policy -> seed -> step). Holds one run at a time.
 * A run that reappears after another one started throws, naming the file: its first part was already handed out.
 */
export async function* streamStepRuns(records: AsyncIterable<StepRecord> | Iterable<StepRecord>, where = 'steps file'): AsyncGenerator<StepRecord[], void, undefined> {
  const seen = new Set<string>();
  let run: StepRecord[] = [];
  for await (const r of records) {
    const head = run[0];
    if (!head || r.scenario !== head.scenario || r.policy !== head.policy || r.seed !== head.seed) {
      if (head) yield run;
      const k = JSON.stringify([r.scenario, r.policy, r.seed]);
      if (seen.has(k)) throw new Error(`${where}: the records of run scenario=${r.scenario} policy=${r.policy} seed=${r.seed} are not contiguous`);
      seen.add(k);
      run = [];
    }
    run.push(r);
  }
  if (run.length > 0) yield run;
}
