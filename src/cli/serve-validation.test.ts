/**
 * `edgepilot serve`'s refusals that src/cli/serve.test.ts does not pin, found by a mutation audit: each flag of the
 * other target, the value checks at their bounds, the dashboard defaults. All in process, before anything starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { register } from './serve.ts';
import { withEnvVar } from './test-env-var.ts';

const K8S = ['--target', 'spark-k8s', '--namespace', 'ns', '--app', 'app'];
const LOCAL = ['--mqtt-url', 'mqtt://127.0.0.1:1'];
const TOKEN16 = 'a'.repeat(16);

/** The UsageError serve throws for these arguments (fails the test if it throws anything else or nothing). */
async function usageError(args: string[]): Promise<string> {
  const err = await cliErrorInProcess(register, ['serve', '--port', '0', '--duration', '1', ...args]);
  assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
  return err.message;
}

/** With the shared-secret variable unset (or set to `value`) for the duration of `fn`. */
const withAgentTokenEnv = <T>(value: string | undefined, fn: () => Promise<T>): Promise<T> => withEnvVar('EDGEPILOT_AGENT_TOKEN', value, fn);

test('serve: an unknown --target is refused, naming the two targets', async () => {
  assert.match(await usageError(['--target', 'k8s']), /^--target must be local or spark-k8s, got 'k8s'/);
  assert.match(await usageError(['--target', 'spark-k8', '--dry-run']), /^--target must be local or spark-k8s, got 'spark-k8' \(did you mean 'spark-k8s'\?\)/);
});

test('serve: every spark-k8s flag is refused on --target local, and every local flag on --target spark-k8s', async () => {
  const sparkOnly: string[][] = [
    ['--namespace', 'ns'], ['--app', 'a'], ['--dry-run'], ['--spark-ui-url', 'http://driver:4040'], ['--kubeconfig', 'kubeconfig'],
    ['--agent-port', '7450'], ['--agent-host', '0.0.0.0'], ['--agent-token', TOKEN16], ['--agent-tls-cert', 'c.crt'], ['--agent-tls-key', 'c.key'],
    ['--agent-mqtt-url', 'mqtt://b:1883'], ['--agent-mqtt-topic', 't'],
  ];
  for (const flag of sparkOnly) assert.equal(await usageError([...LOCAL, ...flag]), `${flag[0]} applies to --target spark-k8s only, and the target is local`);
  const localOnly: string[][] = [
    ['--mqtt-client-id', 'a'], ['--mqtt-clean-session'], ['--publish-control'], ['--kafka-brokers', 'kafka:9092'],
    ['--redis-url', 'redis://r:6379'], ['--s3-endpoint', 'http://minio:9000'], ['--rate-scale', '3'],
  ];
  for (const flag of localOnly) assert.equal(await usageError([...K8S, '--dry-run', ...flag]), `${flag[0]} applies to --target local only, and the target is spark-k8s`);
});

test('serve: --scenario, --mqtt-url, --redis-url and --s3-endpoint are checked before anything starts', async () => {
  assert.match(await usageError([...LOCAL, '--scenario', 'mars']), /^--scenario must be one of smart-city, healthcare, industrial, balanced, got 'mars'$/);
  assert.match(await usageError([...LOCAL, '--scenario', 'helthcare']), /\(did you mean 'healthcare'\?\)$/);
  assert.equal(await usageError(['--mqtt-url', 'http://127.0.0.1:1883']), "--mqtt-url must look like mqtt://host:port, got 'http://127.0.0.1:1883'");
  assert.equal(await usageError([...LOCAL, '--redis-url', 'http://r:6379']), "--redis-url must look like redis://host:port, got 'http://r:6379'");
  assert.equal(await usageError([...LOCAL, '--s3-endpoint', 's3://bucket']), "--s3-endpoint must look like http://host:port, got 's3://bucket'");
});

test('serve: --port, --rate-scale, --token and --agent-port at their bounds', async () => {
  assert.match(await usageError([...LOCAL, '--port', '65536']), /^--port must be <= 65,535, got '65536'$/);
  assert.equal(await usageError([...LOCAL, '--rate-scale', '0']), "--rate-scale must be > 0, got '0'");
  // 8 characters without spaces is the floor the dashboard enforces.
  assert.equal(await usageError([...LOCAL, '--token', '1234567']), '--token must be at least 8 characters without spaces');
  assert.equal(await usageError([...LOCAL, '--token', '1234 5678']), '--token must be at least 8 characters without spaces');
  assert.match(await usageError([...K8S, '--dry-run', '--agent-port', '0']), /^--agent-port must be an integer >= 1, got '0'$/);
});

test('serve: a shared secret of exactly 16 characters is enough, from --agent-token or $EDGEPILOT_AGENT_TOKEN', async () => {
  // Accepted: the command goes on to the next check (here an --agent-mqtt-topic without its broker).
  const next = /^--agent-mqtt-topic needs --agent-mqtt-url/;
  await withAgentTokenEnv(undefined, async () => {
    assert.match(await usageError([...K8S, '--agent-token', TOKEN16, '--agent-mqtt-topic', 't']), next);
    assert.equal(await usageError([...K8S, '--agent-token', TOKEN16.slice(1)]), '--agent-token must be at least 16 characters, got 15');
  });
  await withAgentTokenEnv(TOKEN16, async () => {
    assert.match(await usageError([...K8S, '--agent-mqtt-topic', 't']), next);
  });
  await withAgentTokenEnv(TOKEN16.slice(1), async () => {
    assert.match(await usageError(K8S), /^--target spark-k8s needs the driver agent's shared secret/);
  });
});

test('serve: --agent-mqtt-url needs a host (ws:// and wss:// are brokers too); an empty --agent-mqtt-topic is refused', async () => {
  const k8s = [...K8S, '--dry-run'];
  assert.equal(await usageError([...k8s, '--agent-mqtt-url', 'mqtt://']), "--agent-mqtt-url must be mqtt://, mqtts://, ws:// or wss:// with a host, got 'mqtt://'");
  // A websocket broker passes the URL check: the next check speaks.
  for (const url of ['ws://broker:9001', 'wss://broker:443/mqtt']) {
    assert.match(await usageError([...k8s, '--agent-mqtt-url', url, '--agent-mqtt-topic', 'a/#/b']), /^--agent-mqtt-topic is not an MQTT topic filter/, url);
  }
  assert.equal(await usageError([...k8s, '--agent-mqtt-url', 'mqtt://b:1883', '--agent-mqtt-topic', '']), "--agent-mqtt-topic is not an MQTT topic filter: ''");
});

test('serve: an --out that cannot be a folder is refused before anything starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-out-'));
  try {
    writeFileSync(join(dir, 'a-file'), '');
    assert.match(await usageError([...LOCAL, '--out', join(dir, 'a-file', 'out')]), /^--out .*a-file\/out: '.*a-file' is a file, not a folder$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve and demo: the dashboard listens on 127.0.0.1:8080 unless told otherwise (the README\'s address)', async () => {
  const { register: registerDemo } = await import('./demo.ts');
  const program = new Command();
  register(program);
  registerDemo(program);
  for (const name of ['serve', 'demo']) {
    const command = program.commands.find((c) => c.name() === name)!;
    const defaultOf = (long: string) => command.options.find((o) => o.long === long)?.defaultValue as unknown;
    assert.equal(defaultOf('--host'), '127.0.0.1', `${name} --host`);
    assert.equal(defaultOf('--port'), '8080', `${name} --port`);
  }
});
