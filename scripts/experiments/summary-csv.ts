/** Reading a bench folder's results_summary.csv (and other CSVs it writes) in the experiment scripts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitCsvLine } from '../../src/core/csv.ts';

export type CsvRow = Record<string, string>;

/** The rows of a CSV text with a header line, each keyed by the header's names. */
export function csvRows(text: string): CsvRow[] {
  const lines = text.trim().split('\n');
  const head = splitCsvLine(lines[0]!);
  return lines.slice(1).map((l) => Object.fromEntries(splitCsvLine(l).map((v, i) => [head[i]!, v])));
}

/** A bench folder's results_summary.csv rows by `${policy} ${scenario}`, in file order. */
export function readSummary(benchDir: string): Map<string, CsvRow> {
  return new Map(csvRows(readFileSync(join(benchDir, 'results_summary.csv'), 'utf8')).map((r) => [`${r.policy} ${r.scenario}`, r]));
}
