/**
 * `edgepilot demo`'s value checks at their bounds, and a busy dashboard port, that src/cli/demo.test.ts does not
 * pin (found by a mutation audit). In process: each refusal comes before the demo starts anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { register } from './demo.ts';

async function usageError(args: string[]): Promise<string> {
  const err = await cliErrorInProcess(register, ['demo', '--duration', '1', '--port', '0', ...args]);
  assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
  return err.message;
}

const TOKEN_ERROR = '--token must be at least 8 characters without spaces';

test('demo: --port, --rate-scale, --devices, --duration and --token at their bounds', async () => {
  assert.match(await usageError(['--port', '65536']), /^--port must be <= 65,535, got '65536'$/);
  assert.equal(await usageError(['--rate-scale', '0']), "--rate-scale must be > 0, got '0'");
  assert.match(await usageError(['--devices', '0']), /^--devices must be an integer >= 1, got '0'$/);
  assert.equal(await usageError(['--duration', '0']), "--duration must be > 0 seconds, got '0'");
  assert.equal(await usageError(['--control-interval', '0']), "--control-interval must be > 0 seconds, got '0'");
  assert.equal(await usageError(['--token', '1234567']), TOKEN_ERROR);
  assert.equal(await usageError(['--token', '1234 5678']), TOKEN_ERROR);
  assert.match(await usageError(['--seed', '-1']), /^--seed must be an integer >= 0, got '-1'$/);
});

test('demo: --seed 0 and --faulty-every 0 (never) are accepted', async () => {
  // Accepted: the command goes on to its next check, a short --token.
  assert.equal(await usageError(['--seed', '0', '--token', 'short']), TOKEN_ERROR);
  assert.equal(await usageError(['--faulty-every', '0', '--token', 'short']), TOKEN_ERROR);
  assert.equal(await usageError(['--faulty-every', '-1']), "--faulty-every must be >= 0 seconds, got '-1'");
});

test('demo: a dashboard port that is taken is a usage error, after the --config line', { timeout: 60_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-demo-port-'));
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  try {
    const config = join(dir, 'world.json');
    writeFileSync(config, JSON.stringify({ pricing: { vcpuUsdPerHour: 0.05 } }));
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    const err = await cliErrorInProcess(register, ['demo', '--duration', '1', '--port', String(port), '--devices', '1', '--faulty-every', '0', '--config', config, '--out', join(dir, 'out')]);
    process.stderr.write = write;
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, new RegExp(`^dashboard cannot listen on 127\\.0\\.0\\.1:${port}`));
    assert.match(stderr.join(''), /^config .*world\.json \(sets pricing\.vcpuUsdPerHour\)\n/);
  } finally {
    process.stderr.write = write;
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
