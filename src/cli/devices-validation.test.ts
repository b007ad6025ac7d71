/**
 * `edgepilot devices`'s value checks at their bounds that src/cli/devices.test.ts does not pin (found by a mutation
 * audit). In process, against port 1 of 127.0.0.1, which refuses connections: a check that passes reaches the
 * broker and fails there (exit 1), one that refuses is a UsageError before connecting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { register } from './devices.ts';

const DOWN = ['--mqtt-url', 'mqtt://127.0.0.1:1'];

async function usageError(args: string[]): Promise<string> {
  const err = await cliErrorInProcess(register, ['devices', ...args]);
  assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
  return err.message;
}

/** Runs devices with these arguments to the broker that is not there: what it wrote on stderr and its exit code. */
async function toTheBroker(args: string[]): Promise<{ err: unknown; stderr: string; exitCode: number | string | undefined }> {
  const saved = process.exitCode;
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const err = await cliErrorInProcess(register, ['devices', ...DOWN, '--protocol', '4', '--duration', '1', ...args]);
    return { err, stderr: stderr.join(''), exitCode: process.exitCode };
  } finally {
    process.stderr.write = write;
    process.exitCode = saved;
  }
}

test('devices: --mqtt-url, --duration, --devices, --max-in-flight, --start-hour, --protocol and --rate are checked before connecting', async () => {
  assert.equal(await usageError(['--mqtt-url', 'http://127.0.0.1:1883']), "--mqtt-url must look like mqtt://host:port, got 'http://127.0.0.1:1883'");
  assert.equal(await usageError([...DOWN, '--duration', '0']), "--duration must be > 0 seconds, got '0'");
  assert.match(await usageError([...DOWN, '--devices', '0']), /^--devices must be an integer >= 1, got '0'$/);
  assert.match(await usageError([...DOWN, '--max-in-flight', '0']), /^--max-in-flight must be an integer >= 1, got '0'$/);
  assert.match(await usageError([...DOWN, '--seed', '-1']), /^--seed must be an integer >= 0, got '-1'$/);
  for (const hour of ['24', '-1']) assert.equal(await usageError([...DOWN, '--start-hour', hour]), `--start-hour must be in [0, 24), got '${hour}'`);
  assert.equal(await usageError([...DOWN, '--protocol', '3']), "--protocol must be auto, 4 or 5, got '3'");
  assert.equal(await usageError([...DOWN, '--rate', '-1']), "--rate must be >= 0 messages/s, got '-1'");
  // Accepted values go on to the next check (here --protocol).
  assert.equal(await usageError([...DOWN, '--seed', '0', '--start-hour', '23.5', '--protocol', '3']), "--protocol must be auto, 4 or 5, got '3'");
});

test('devices: --rate 0 is a valid (idle) load: the command goes on to the broker, and an unreachable one exits 1 in one line', async () => {
  const r = await toTheBroker(['--rate', '0']);
  assert.equal(r.err, null, String(r.err));
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /^edgepilot devices: .*mqtt:\/\/127\.0\.0\.1:1.*ECONNREFUSED.*\n$/);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
});

test('devices: a bad --trace line is named once, after the flag and the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-devices-trace-'));
  try {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 't,rate\n0,1\n1,x\n');
    const message = await usageError([...DOWN, '--trace', bad]);
    assert.match(message, /^--trace \S*bad\.csv: line 3: rate is not a number/);
    assert.equal(message.split('bad.csv').length - 1, 1, message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('devices --json: the summary is the only output, no progress on stderr', { timeout: 30_000 }, async () => {
  const broker = await startEmbeddedBroker();
  const stderr: string[] = [];
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (String(c).startsWith('{"command":"devices"') ? (printed.push(String(c)), true) : write(c))) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (stderr.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const err = await cliErrorInProcess(register, ['devices', '--mqtt-url', broker.url, '--protocol', '4', '--rate', '20', '--duration', '0.5', '--devices', '2', '--json']);
    assert.equal(err, null, String(err));
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    await broker.stop();
  }
  assert.equal(stderr.join(''), '');
  const summary = JSON.parse(printed.join('')) as { command: string; unacked: number };
  assert.equal(summary.command, 'devices');
  assert.equal(summary.unacked, 0);
});
