/**
 * The trace flags `bench` and `demo` share (--trace, --trace-step-s, --trace-format; `devices` takes the first and the
 * last): checked once here, so the commands give the same usage errors, and the file is read the same way
 * (src/workload/trace.ts).
 */
import { existsSync } from 'node:fs';
import { loadTraceCsv, TRACE_FORMATS, type Trace, type TraceFormat, type TraceOptions } from '../workload/trace.ts';
import { parseFloatOption, UsageError } from './output.ts';

export interface TraceFlags {
  trace?: string;
  traceStepS?: string;
  traceFormat?: string;
}

export interface ResolvedTraceFlags {
  trace?: string;
  traceStepS?: number;
  traceFormat?: TraceFormat;
}

/** Validates the flags (UsageError naming the flag); the file must exist. */
export function resolveTraceFlags(f: TraceFlags): ResolvedTraceFlags {
  if (f.trace === undefined) {
    if (f.traceStepS !== undefined) throw new UsageError('--trace-step-s needs --trace');
    if (f.traceFormat !== undefined) throw new UsageError('--trace-format needs --trace');
    return {};
  }
  if (!existsSync(f.trace)) throw new UsageError(`--trace: file not found: ${f.trace}`);
  const traceStepS = f.traceStepS !== undefined ? parseFloatOption('--trace-step-s', f.traceStepS) : undefined;
  if (traceStepS !== undefined && !(traceStepS > 0)) throw new UsageError(`--trace-step-s must be > 0, got '${f.traceStepS}'`);
  if (f.traceFormat !== undefined && !(TRACE_FORMATS as readonly string[]).includes(f.traceFormat)) throw new UsageError(`--trace-format must be one of ${TRACE_FORMATS.join(', ')}, got '${f.traceFormat}'`);
  return { trace: f.trace, ...(traceStepS !== undefined ? { traceStepS } : {}), ...(f.traceFormat !== undefined ? { traceFormat: f.traceFormat as TraceFormat } : {}) };
}

/** Reads a resolved --trace; a malformed file is a usage error that names the file and the line. */
export function loadTraceFlag(path: string, options: TraceOptions): Trace {
  try {
    return loadTraceCsv(path, options);
  } catch (err) {
    throw new UsageError(`--trace ${path}: ${(err as Error).message}`);
  }
}
