/** Shared CLI output helpers. */
export { didYouMean } from '../core/did-you-mean.ts';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkClientId } from '../runtime/devices/mqtt-session.ts';

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

/**
 * A failure that is explained by its message and is not a bug (an unreachable broker, a damaged checkpoint): printed
 * without a stack trace, exit code 1.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * `value` as an integer in [min, max]. An empty value is an error, not 0 (Number('') is 0). Above `max` the message
 * says why the bound is there (`maxWhy`).
 */
export function parseIntOption(name: string, value: string, min = 0, max = Number.MAX_SAFE_INTEGER, maxWhy?: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got '${value}'`);
  if (n > max) throw new UsageError(`${name} must be <= ${max.toLocaleString('en-US')}${maxWhy ? ` (${maxWhy})` : ''}, got '${value}'`);
  return n;
}

export function parseFloatOption(name: string, value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${name} must be a number, got '${value}'`);
  return n;
}

/** Node's longest timer (2^31 - 1 ms); a longer setTimeout/setInterval fires after 1 ms instead, with a warning. */
export const MAX_TIMER_S = Math.floor((2 ** 31 - 1) / 1000);

/** A number of seconds that drives a timer: > 0 (or >= 0 with `zeroAllowed`) and at most MAX_TIMER_S (24.8 days). */
export function parseSecondsOption(name: string, value: string, zeroAllowed = false): number {
  const s = parseFloatOption(name, value);
  if (zeroAllowed ? s < 0 : s <= 0) throw new UsageError(`${name} must be ${zeroAllowed ? '>= 0' : '> 0'} seconds, got '${value}'`);
  if (s > MAX_TIMER_S) throw new UsageError(`${name} must be <= ${MAX_TIMER_S} seconds (24.8 days, the longest timer Node.js has), got '${value}'`);
  return s;
}

/**
 * Creates the folder `dir` (and its parents) for the output of `flag`, or fails with a UsageError naming the flag and
 * why. Not mkdirSync({ recursive: true }): on Linux that spins forever on a path under /proc (procfs answers ENOENT
 * for the child, and Node retries the parent), a hang that SIGTERM cannot end.
 */
export function ensureOutputDir(flag: string, dir: string, given = dir): void {
  // '' would be checked as the working folder and named as "the folder ''".
  if (dir.trim() === '') throw new UsageError(`${flag} is empty; give a folder`);
  const missing: string[] = [];
  let existing = resolve(dir);
  while (!existsSync(existing)) {
    missing.push(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existsSync(existing) && !statSync(existing).isDirectory()) throw new UsageError(`${flag} ${given}: '${existing}' is a file, not a folder`);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      throw new UsageError(`${flag} ${given}: cannot create the folder '${d}': ${(err as Error).message}`);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${given}: the folder '${dir}' is not writable`);
  }
  // access() says yes to root everywhere, also where every write fails (/sys, /proc, a read-only bind mount):
  // create and remove a file to know before the work, not after it.
  const probe = join(dir, `.edgepilot-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w'));
  } catch (err) {
    throw new UsageError(`${flag} ${given}: cannot write in the folder '${dir}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  rmSync(probe, { force: true });
}

/** For a flag naming an output file: it must not be a folder, and its folder must be one we can create or write. */
export function ensureOutputFile(flag: string, file: string): void {
  // dirname('') is '.': an empty path would pass as the working folder and fail at the write.
  if (file.trim() === '') throw new UsageError(`${flag} is empty; give a file path`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${flag} ${file}: is a folder; give a file path (e.g. ${file.replace(/\/+$/, '')}/model.json)`);
  ensureOutputDir(flag, dirname(file), file);
}

/**
 * `text` with its control characters (but newlines and tabs) escaped as \xNN: error messages quote the files they
 * read (JSON.parse's does), and a raw escape sequence from a file would act on the terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** For a flag naming an input file: it must exist and be a file (a folder would fail later with a bare EISDIR). */
export function checkInputFile(flag: string | null, file: string): void {
  // null: the file is a command's argument, named by itself (`edgepilot trace FILE`).
  const prefix = flag === null ? '' : `${flag}: `;
  if (!existsSync(file)) throw new UsageError(`${prefix}file not found: ${file}`);
  if (statSync(file).isDirectory()) throw new UsageError(`${prefix}${file} is a folder, not a file`);
}

/**
 * After a failure, exit once `graceMs` have passed if something (a server or timer a failed start left behind) still
 * keeps the process alive; the timer is unref'd, so a clean process exits at once as usual.
 */
export function exitSoonIfStuck(graceMs = 2000): void {
  setTimeout(() => process.exit(), graceMs).unref();
}

/**
 * `--mqtt-client-id` and `--mqtt-clean-session` (edge, serve): refused when the command has no MQTT client for them to
 * set (`noClientWhy` finishes the message, null when there is one), and the id checked (mqtt-session.ts).
 */
export function checkMqttSessionFlags(flags: { mqttClientId?: string; mqttCleanSession?: boolean }, noClientWhy: string | null): void {
  if (noClientWhy !== null) {
    for (const [given, flag] of [[flags.mqttClientId, '--mqtt-client-id'], [flags.mqttCleanSession, '--mqtt-clean-session']] as const) {
      if (given !== undefined) throw new UsageError(`${flag} ${noClientWhy}`);
    }
  }
  if (flags.mqttClientId === undefined) return;
  try {
    checkClientId(flags.mqttClientId, '--mqtt-client-id');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
