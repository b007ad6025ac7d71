/**
 * A Prometheus range query's JSON answer as a trace: what `curl '.../api/v1/query_range?query=sum(rate(x[1m]))&...'`
 * returns, the usual way to take a real ingest rate out of a monitoring stack. Every series of the matrix is summed
 * per timestamp (the fleet's aggregate load, as a wide table's rows are), and the sums are a timestamped series of
 * rates in msgs/s: query a rate (`rate()`, `irate()`), not a raw counter. The trace reader
 * (src/workload/trace-formats.ts) tells such a file by its start.
 */

import { decimalOf } from './decimal.ts';

/** The parts of the answer this reads: `data.result[i].values` = [[unix seconds, "value"], ...]. */
interface PrometheusMatrix {
  resultType: 'matrix';
  result: { metric?: Record<string, string>; values: [number, string][] }[];
}

/**
 * True when a file's start looks like a Prometheus query answer: a JSON object with `"data"` and `"resultType"` (or,
 * keys sorted as `jq -S` writes them, `"data": {"result": [`), or an error answer (`"errorType"` and `"status"`).
 */
export function looksLikePrometheus(start: string): boolean {
  if (!/^\s*\{/.test(start)) return false;
  if (/"errorType"\s*:/.test(start) && /"status"\s*:/.test(start)) return true;
  return /"data"\s*:/.test(start) && (/"resultType"\s*:/.test(start) || /"data"\s*:\s*\{\s*"result"\s*:\s*\[/.test(start));
}

/** The matrix's sums: times in seconds from the first, the summed value, and how many NaN samples counted as 0. */
export function sumPrometheusMatrix(text: string, name: string): { tS: number[]; rate: number[]; series: number; nanSamples: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name}: read as a Prometheus query answer, but it is not valid JSON (${(err as Error).message})`);
  }
  const data = (doc as { status?: unknown; data?: unknown; error?: unknown }) ?? {};
  if (data.status !== undefined && data.status !== 'success') {
    throw new Error(`${name}: the Prometheus answer has status '${String(data.status)}'${data.error ? `: ${String(data.error)}` : ''}; save the answer of a query_range request that succeeded`);
  }
  const matrix = data.data as PrometheusMatrix | undefined;
  if (!matrix || matrix.resultType !== 'matrix') {
    throw new Error(`${name}: a Prometheus answer of resultType '${String((matrix as { resultType?: unknown } | undefined)?.resultType)}'; a trace needs a range query (query_range), whose resultType is 'matrix'`);
  }
  if (!Array.isArray(matrix.result) || matrix.result.length === 0) throw new Error(`${name}: the Prometheus matrix has no series`);
  const sums = new Map<number, number>();
  let nanSamples = 0;
  matrix.result.forEach((series, i) => {
    if (series === null || typeof series !== 'object' || !Array.isArray(series.values)) throw new Error(`${name}: series ${i + 1} of the matrix has no values array`);
    series.values.forEach((point, j) => {
      const [t, v] = Array.isArray(point) ? point : [];
      // Prometheus writes a sample without a value (a rate() over an empty window) as "NaN": no load, counted as 0.
      const missing = v === 'NaN';
      const value = typeof v === 'string' && !missing ? decimalOf(v) : 0;
      if (typeof t !== 'number' || !Number.isFinite(t) || typeof v !== 'string' || value === null) {
        throw new Error(`${name}: series ${i + 1}, sample ${j + 1}: expected [unix seconds, "value"] with a finite value, got ${JSON.stringify(point)}`);
      }
      if (value < 0) throw new Error(`${name}: series ${i + 1}, sample ${j + 1}: a negative rate (${v}); query a rate, not a raw counter or a delta`);
      if (missing) nanSamples++;
      sums.set(t, (sums.get(t) ?? 0) + value);
    });
  });
  const times = [...sums.keys()].sort((a, b) => a - b);
  if (times.length === 0) throw new Error(`${name}: the Prometheus matrix has no samples`);
  const overflow = times.find((t) => !Number.isFinite(sums.get(t)!));
  if (overflow !== undefined) throw new Error(`${name}: the series sum to more than a number can hold at t = ${overflow}; check the query (a rate, in msgs/s)`);
  return { tS: times.map((t) => t - times[0]!), rate: times.map((t) => sums.get(t)!), series: matrix.result.length, nanSamples };
}
