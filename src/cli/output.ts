/** Shared CLI output helpers. */

/** The `--json` contract: exactly one JSON object as the last line of stdout. */
export function printJsonSummary(summary: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

/** An error a user caused (bad flag, bad file): printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseIntOption(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

export function parseFloatOption(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${name} must be a number, got '${value}'`);
  return n;
}
