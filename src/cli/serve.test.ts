import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { DeviceFleet, constantRate } from '../runtime/devices/fleet.ts';
import { publishSchedule } from '../runtime/devices/publisher.ts';
import { ingestTopic } from '../runtime/devices/topics.ts';
import { cliErrorInProcess, runCli } from './test-run-cli.ts';
import { UsageError } from './output.ts';

test('edgepilot serve --help lists the targets and the external endpoints', async () => {
  const r = await runCli(['serve', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--target <t>', '--mqtt-url', '--kafka-brokers', '--redis-url', '--s3-endpoint', '--policy', '--port', '--token', '--namespace', '--app', '--dry-run']) {
    assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
  }
  assert.match(r.stdout, /local \| spark-k8s/);
});

test('edgepilot serve: usage errors exit 2 with a message', async () => {
  const noIngest = await runCli(['serve', '--target', 'local']);
  assert.equal(noIngest.code, 2);
  assert.match(noIngest.stderr, /needs an ingest: --mqtt-url and\/or --kafka-brokers/);
  const noApp = await runCli(['serve', '--target', 'spark-k8s', '--namespace', 'ns']);
  assert.equal(noApp.code, 2);
  assert.match(noApp.stderr, /needs --namespace and --app/);
  const badPolicy = await runCli(['serve', '--mqtt-url', 'mqtt://127.0.0.1:1', '--policy', 'oracle']);
  assert.equal(badPolicy.code, 2);
  assert.match(badPolicy.stderr, /--policy must be one of/);
});

test('edgepilot serve --target local against an external MQTT broker: ingests, decides, serves the dashboard', { timeout: 60_000 }, async () => {
  const broker = await startEmbeddedBroker();
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-'));
  let published: Promise<number> | null = null;
  let state: Promise<{ info: { mode: string } }> | null = null;
  try {
    const run = await runCli(
      ['serve', '--mqtt-url', broker.url, '--scenario', 'industrial', '--duration', '6', '--port', '0', '--control-interval', '1', '--out', dir, '--json'],
      {
        onStdout: (out) => {
          const url = /dashboard: (http:\/\/\S+)/.exec(out)?.[1];
          if (url && published === null) {
            // What a gateway would forward: device messages on the ingest topic.
            const fleet = new DeviceFleet({ scenario: 'industrial', devices: 5, seed: 2, rate: constantRate(100), durationS: 2 });
            const forward = { peekDueS: () => fleet.peekDueS(), next: () => { const m = fleet.next(); return m && { ...m, topic: ingestTopic('industrial') }; } };
            published = publishSchedule(forward, { mqttUrl: broker.url }).then((s) => s.acked);
            state = fetch(`${url}api/state`).then((r) => r.json() as Promise<{ info: { mode: string } }>);
          }
        },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(published !== null, `serve printed its dashboard URL: ${run.stdout}`);
    const acked = await published!;
    assert.ok(acked > 0);
    assert.equal((await state!).info.mode, 'normal');
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { command: string; decisions: number; target: string };
    assert.equal(summary.command, 'serve');
    assert.equal(summary.target, 'local');
    assert.ok(summary.decisions >= 2, `decisions ${summary.decisions}`);
    assert.match(run.stderr, new RegExp(`engine stopped: ingested ${acked}, processed ${acked}, dropped 0`));
    const log = readFileSync(join(dir, 'decisions.jsonl'), 'utf8').trim().split('\n');
    assert.equal(log.length, summary.decisions);
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot serve --target spark-k8s --dry-run loads the Spark target at run time and decides', { timeout: 60_000 }, async () => {
  const agentPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-k8s-'));
  try {
    // With a world of its own (--config): said on stderr, and the run goes on as usual.
    const config = join(dir, 'world.json');
    writeFileSync(config, JSON.stringify({ pricing: { vcpuUsdPerHour: 0.05 } }));
    const run = await runCli(['serve', '--target', 'spark-k8s', '--namespace', 'ns', '--app', 'iot', '--dry-run', '--agent-port', String(agentPort), '--duration', '3', '--control-interval', '1', '--port', '0', '--out', dir, '--config', config, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /config .*world\.json \(sets pricing\.vcpuUsdPerHour\)/);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { target: string; decisions: number };
    assert.equal(summary.target, 'spark-k8s');
    assert.ok(summary.decisions >= 1, `decisions ${summary.decisions}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot serve: flags of the other target, weak tokens and timers beyond the longest are refused before anything starts', async () => {
  const { register } = await import('./serve.ts');
  const saved = process.env.EDGEPILOT_AGENT_TOKEN;
  delete process.env.EDGEPILOT_AGENT_TOKEN;
  const k8s = ['--target', 'spark-k8s', '--namespace', 'ns', '--app', 'app'];
  const local = ['--mqtt-url', 'mqtt://127.0.0.1:1'];
  const cases: Array<[string[], RegExp]> = [
    [[...local, '--dry-run'], /^--dry-run applies to --target spark-k8s only, and the target is local$/],
    [[...local, '--namespace', 'ns'], /^--namespace applies to --target spark-k8s only/],
    [[...k8s, '--dry-run', '--rate-scale', '3'], /^--rate-scale applies to --target local only, and the target is spark-k8s$/],
    [[...k8s, '--dry-run', '--redis-url', 'redis://r:6379'], /^--redis-url applies to --target local only/],
    [k8s, /^--target spark-k8s needs the driver agent's shared secret: --agent-token or \$EDGEPILOT_AGENT_TOKEN/],
    [[...k8s, '--agent-token', 'short'], /^--agent-token must be at least 16 characters, got 5$/],
    [[...k8s, '--dry-run', '--kubeconfig', '/no/such/kubeconfig'], /^--kubeconfig: file not found/],
    [[...local, '--token', 'short'], /^--token must be at least 8 characters/],
    [[...local, '--control-interval', '1e12'], /^--control-interval must be <= 2147483 seconds/],
    [[...local, '--kafka-brokers', 'nohost'], /^--kafka-brokers: /],
    [[...local, '--policy', 'threshold-forecst'], /\(did you mean 'threshold-forecast'\?\)/],
  ];
  try {
    for (const [args, re] of cases) {
      const err = await cliErrorInProcess(register, ['serve', '--port', '0', '--duration', '1', ...args]);
      assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
      assert.match(err.message, re);
    }
  } finally {
    if (saved !== undefined) process.env.EDGEPILOT_AGENT_TOKEN = saved;
  }
});

test('edgepilot serve: an unreachable broker exits 1 with one line, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-down-'));
  try {
    const r = await runCli(['serve', '--mqtt-url', 'mqtt://127.0.0.1:1', '--port', '0', '--duration', '1', '--out', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^edgepilot: cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:1/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
