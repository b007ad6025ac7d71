/** `--trace FILE [--trace-step-s S]` of an experiment script. */
import { loadTraceCsv, type Trace } from '../../src/workload/trace.ts';
import { flag } from './flag.ts';

/** The trace `--trace` names (read with `--trace-step-s`), or undefined without `--trace`. */
export function traceFromFlags(): { path: string; trace: Trace } | undefined {
  if (!process.argv.includes('--trace')) return undefined;
  const path = flag('--trace', '');
  const traceStepS = process.argv.includes('--trace-step-s') ? Number(flag('--trace-step-s', '1')) : undefined;
  return { path, trace: loadTraceCsv(path, { traceStepS }) };
}
