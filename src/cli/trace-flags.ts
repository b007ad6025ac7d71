/**
 * The trace flags `bench`, `demo`, `devices`, `report` (every kind) and `trace` share (--trace, --trace-step-s, --trace-format, --trace-columns;
 * --trace-gaps and --no-trace-rescale for `bench` and `trace`):
 * checked once here, so the commands give the same usage errors, and the file is read the same way
 * (src/workload/trace.ts).
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { describeTrace, GAPS_FILE_NAME, loadTraceCsv, TRACE_FORMATS, traceSpanS, type Trace, type TraceFormat, type TraceOptions, type TraceFileOptions, type TraceParseOptions, type TraceReadProgress } from '../workload/trace.ts';
import { ProgressBar } from './progress.ts';
import { checkInputFile, parseFloatOption, UsageError } from './output.ts';

export interface TraceFlags {
  trace?: string;
  traceStepS?: string;
  traceFormat?: string;
  traceColumns?: string;
}

export interface ResolvedTraceFlags {
  trace?: string;
  traceStepS?: number;
  traceFormat?: TraceFormat;
  traceColumns?: string[];
}

/**
 * The largest --trace-step-s: a day per row. The longest run (MAX_STEPS steps of 10 s) is 11.6 days, replayed at
 * 1 s resolution, so rows longer than that leave a run a handful of flat rows: 1e9 was accepted as '1,000,000,000 s'.
 */
export const MAX_TRACE_STEP_S = 86_400;
const MAX_RUN_DAYS = 11.6;

/** The flags' help texts, one wording for every command. */
export const TRACE_FLAG_HELP = {
  file: 'replay a real trace instead of the synthetic process: t,rate[,size] rows (t a number, a date and time or a Unix time), an event log with one time[,size] row per message, JSON lines (a dumped topic), a Prometheus query_range answer, a web server access log, a list of rates, or a wide table of per-slot counts (the Azure Functions trace); plain or gzip, any size (docs/SIMULATOR.md)',
  stepS: 'seconds per unit of a numeric t column, per row of a list of rates, per slot of a wide table, or per unit of an event log\'s numeric times (default 1; 60 for per-minute rows; 0.000001 for times in microseconds)',
  format: 'auto (default: decided from the header and the spacing of the rows, printed; numbers from 1e9 on are Unix times in s, ms, us or ns by their size; JSON lines read their time key and a size or rate key), series, events (also reads small numeric times as seconds), wide (one column of counts per time slot, summed over the rows) or access-log (a web server log in Common or Combined Log Format: one request a line, its bytes as the size; auto knows it by its first line)',
  columns: "the columns to read, by header name (a JSON lines key; nested keys dotted, payload.bytes) or number (1 = the first), comma-separated in the reading's order: t,rate[,size] for a series, time[,size] for an event log (default: the first columns; after an id or a word column, the column of dates its header names as the time)",
  gaps: `gaps file (t_start,length_steps in seconds) whose rows are skipped, not replayed as silence (default: ${GAPS_FILE_NAME} beside the trace, if any)`,
  noGaps: 'replay every row of the trace, gaps included',
  noRescale: "replay the trace's rates as msgs/s instead of rescaling them so that the p99 is the scenario's peak (the agents were trained at the scenarios' scale)",
} as const;

/** Adds --trace-step-s, --trace-format and --trace-columns (how a trace file is read) to `command`, for chaining. */
export function addTraceReadOptions(command: Command): Command {
  return command
    .option('--trace-step-s <s>', TRACE_FLAG_HELP.stepS)
    .option('--trace-format <f>', TRACE_FLAG_HELP.format)
    .option('--trace-columns <list>', TRACE_FLAG_HELP.columns);
}

/**
 * Adds --trace-gaps, --no-trace-gaps and --no-trace-rescale (how a trace is replayed: bench, trace), for chaining.
 * The two gaps flags set one value, the last given winning; both given is recorded as `traceGapsBoth` so that
 * resolveTraceReplayFlags refuses them instead of silently keeping one.
 */
export function addTraceReplayOptions(command: Command): Command {
  const seen = new Set<string>();
  const note = (flag: string) => (): void => {
    seen.add(flag);
    if (seen.size === 2) command.setOptionValue('traceGapsBoth', true);
  };
  return command
    .option('--trace-gaps <file>', TRACE_FLAG_HELP.gaps)
    .option('--no-trace-gaps', TRACE_FLAG_HELP.noGaps)
    .option('--no-trace-rescale', TRACE_FLAG_HELP.noRescale)
    .on('option:trace-gaps', note('on'))
    .on('option:no-trace-gaps', note('off'));
}

/** Validates the flags (UsageError naming the flag); the file must exist. */
export function resolveTraceFlags(f: TraceFlags): ResolvedTraceFlags {
  if (f.trace === undefined) {
    if (f.traceStepS !== undefined) throw new UsageError('--trace-step-s needs --trace');
    if (f.traceFormat !== undefined) throw new UsageError('--trace-format needs --trace');
    if (f.traceColumns !== undefined) throw new UsageError('--trace-columns needs --trace');
    return {};
  }
  checkInputFile('--trace', f.trace);
  const traceStepS = f.traceStepS !== undefined ? parseFloatOption('--trace-step-s', f.traceStepS) : undefined;
  if (traceStepS !== undefined && !(traceStepS > 0)) throw new UsageError(`--trace-step-s must be > 0, got '${f.traceStepS}'`);
  if (traceStepS !== undefined && traceStepS > MAX_TRACE_STEP_S) throw new UsageError(`--trace-step-s must be <= ${MAX_TRACE_STEP_S.toLocaleString('en-US')} (a day per row or time unit; the longest run is ${MAX_RUN_DAYS} days, so a longer row is a slip of units), got '${f.traceStepS}'`);
  if (f.traceFormat !== undefined && !(TRACE_FORMATS as readonly string[]).includes(f.traceFormat)) throw new UsageError(`--trace-format must be one of ${TRACE_FORMATS.join(', ')}, got '${f.traceFormat}'`);
  let traceColumns: string[] | undefined;
  if (f.traceColumns !== undefined) {
    traceColumns = f.traceColumns.split(',').map((c) => c.trim());
    if (traceColumns.some((c) => c === '') || traceColumns.length > 3) throw new UsageError(`--trace-columns takes 1 to 3 comma-separated column names or numbers, got '${f.traceColumns}'`);
    // t,t would read the time column as the rate too (names match in any case, as the reader matches them).
    const twice = traceColumns.find((c, i) => traceColumns!.findIndex((d) => d.toLowerCase() === c.toLowerCase()) !== i);
    if (twice !== undefined) throw new UsageError(`--trace-columns names '${twice}' twice; each of t,rate[,size] (or time[,size]) is its own column`);
  }
  return {
    trace: f.trace,
    ...(traceStepS !== undefined ? { traceStepS } : {}),
    ...(f.traceFormat !== undefined ? { traceFormat: f.traceFormat as TraceFormat } : {}),
    ...(traceColumns !== undefined ? { traceColumns } : {}),
  };
}

export interface TraceReplayFlags {
  trace?: string;
  /** A gaps file (string), or false from --no-trace-gaps; unset: gaps.csv beside the trace, if any. */
  traceGaps?: string | boolean;
  /** false from --no-trace-rescale: the trace's rates are replayed as msgs/s. */
  traceRescale?: boolean;
  /** Set by addTraceReplayOptions when both --trace-gaps and --no-trace-gaps were given. */
  traceGapsBoth?: boolean;
}

/** --trace-gaps / --no-trace-gaps and --no-trace-rescale (bench, trace), checked; the gaps file must exist. */
export function resolveTraceReplayFlags(f: TraceReplayFlags): { traceGaps?: string | false; traceRescale: boolean } {
  let traceGaps: string | false | undefined;
  if (f.traceGapsBoth === true) throw new UsageError('--trace-gaps and --no-trace-gaps do not go together: give a gaps file to skip, or replay every row');
  if (typeof f.traceGaps === 'string') {
    if (f.trace === undefined) throw new UsageError('--trace-gaps needs --trace');
    checkInputFile('--trace-gaps', f.traceGaps);
    traceGaps = f.traceGaps;
  } else if (f.traceGaps === false) {
    if (f.trace === undefined) throw new UsageError('--no-trace-gaps needs --trace');
    traceGaps = false;
  }
  if (f.traceRescale === false && f.trace === undefined) throw new UsageError('--no-trace-rescale needs --trace');
  return { ...(traceGaps !== undefined ? { traceGaps } : {}), traceRescale: f.traceRescale !== false };
}

/** The parse options the resolved flags ask for. */
export function traceParseOptions(r: ResolvedTraceFlags): TraceParseOptions {
  return {
    ...(r.traceStepS !== undefined ? { traceStepS: r.traceStepS } : {}),
    ...(r.traceFormat !== undefined ? { format: r.traceFormat } : {}),
    ...(r.traceColumns !== undefined ? { columns: r.traceColumns } : {}),
  };
}

/**
 * How a loaded trace will be replayed, in one line (printed by `bench` and `demo`, kept in the bench and edge reports): how
 * the file was read (describeTrace), the rescaling, and the recording holes skipped.
 */
export function describeTraceReplay(trace: Trace, rescaled = true, runS?: number): string {
  const scale = rescaled ? "rescaled so its p99 is the scenario's peak" : 'replayed at its own rates in msgs/s (--no-trace-rescale)';
  // A run longer than the trace replays it in a loop: worth saying, since the loop's seam is a jump in the load.
  const loop = runS !== undefined && runS > traceSpanS(trace) ? `; shorter than a run (${Math.round(runS).toLocaleString('en-US')} s), so each run replays it in a loop` : '';
  const gaps = trace.gaps
    ? `skipped ${trace.gaps.skippedRows.toLocaleString('en-US')} rows (${trace.gaps.skippedS.toLocaleString('en-US')} s) overlapping the ${trace.gaps.count.toLocaleString('en-US')} ${trace.gaps.count === 1 ? 'gap' : 'gaps'} of ${trace.gaps.file} (holes in the recording, not silence; --no-trace-gaps replays them)` +
      // Gaps are given in seconds: when none of them falls inside the trace, its rows are likely not one second apart.
      (trace.gaps.count > 0 && trace.gaps.skippedRows === 0 ? `; warning: none of the gaps lies within the trace's ${traceSpanS(trace).toLocaleString('en-US')} s; if its rows are not ${trace.stepS} s apart, give --trace-step-s` : '')
    : 'no gaps file applied';
  return `${describeTrace(trace)}; ${scale}${loop}; ${gaps}`;
}

/** Files this large say that they are being read, with a progress bar per pass (a 600 MB event log takes about 25 s). */
const ANNOUNCE_BYTES = 64 * 1024 * 1024;
const MIB = 1024 * 1024;

/**
 * A progress bar for each pass the parser makes over a large file (one, or two for some event logs). The first
 * passes only sniff a few lines, so a pass gets its bar once it has read a fifth of the content.
 */
function passProgress(what: string): { onProgress: (p: TraceReadProgress) => void; finish: () => void } {
  let bar: ProgressBar | null = null;
  let barPass = 0;
  let bars = 0;
  return {
    onProgress: (p) => {
      if (p.pass !== barPass) {
        bar?.finish();
        bar = null;
        barPass = p.pass;
      }
      if (!bar && p.bytesRead < 0.2 * p.totalBytes) return;
      bar ??= new ProgressBar({ label: `reading ${what}${++bars > 1 ? `, pass ${bars}` : ''} (MiB)`, total: Math.ceil(p.totalBytes / MIB) });
      bar.set(Math.floor(p.bytesRead / MIB));
    },
    finish: () => bar?.finish(),
  };
}

const logToStderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * `load(fileOptions)` of a --trace file; a file of `announceBytes` (64 MiB) or more is announced through `log` and
 * read with a progress bar per pass. `bench`, `demo`, `devices` and `trace` read their traces through it; `what` names
 * the file in the messages (`--trace`, or `trace` for the command's argument).
 */
export function readTraceWithProgress<T>(path: string, load: (fileOptions: TraceFileOptions) => T, log: (line: string) => void = logToStderr, announceBytes = ANNOUNCE_BYTES, what = '--trace'): T {
  // An unreadable file is left to `load`, whose error names it the way the loaders do.
  const bytes = existsSync(path) ? statSync(path).size : 0;
  if (bytes < announceBytes) return load({});
  log(`reading ${what} ${path} (${Math.round(bytes / MIB)} MiB)...`);
  const progress = passProgress(what);
  const out = load({ onProgress: progress.onProgress });
  progress.finish();
  return out;
}

/** `--trace FILE: message`, without the file twice when the message starts with it (the loaders' messages do). */
export function traceFlagError(path: string, message: string): UsageError {
  return new UsageError(`--trace ${path}: ${message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message}`);
}

/** Reads a resolved --trace; a malformed file is a usage error that names the file and the line. */
export function loadTraceFlag(path: string, options: TraceOptions, log: (line: string) => void = logToStderr, announceBytes = ANNOUNCE_BYTES): Trace {
  try {
    return readTraceWithProgress(path, (fileOptions) => loadTraceCsv(path, options, fileOptions), log, announceBytes);
  } catch (err) {
    throw traceFlagError(path, (err as Error).message);
  }
}
