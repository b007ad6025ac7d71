/** `--config` on bench (the real simulator) and the `config` command: the file's world is the one run and reported. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './test-run-cli.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';

const lastJson = (stdout: string): { rows: { policy: string; costUsd: number }[] } => JSON.parse(stdout.trim().split('\n').at(-1)!);

test('bench --config runs and reports the file\'s world: executors at twice the price cost more, and the report says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-config-'));
  try {
    const { vcpuUsdPerHour, memoryUsdPerGbHour } = DEFAULT_CONFIG.pricing;
    const prices = join(dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ pricing: { vcpuUsdPerHour: 2 * vcpuUsdPerHour, memoryUsdPerGbHour: 2 * memoryUsdPerGbHour } }));
    const args = ['bench', '--scenario', 'smart-city', '--policies', 'fixed', '--seeds', '1', '--steps', '20', '--json'];
    const base = await runCli([...args, '--out', join(dir, 'base')]);
    const dear = await runCli([...args, '--out', join(dir, 'dear'), '--config', prices]);
    assert.equal(base.code, 0, base.stderr);
    assert.equal(dear.code, 0, dear.stderr);
    const [baseCost, dearCost] = [lastJson(base.stdout), lastJson(dear.stdout)].map((s) => s.rows[0]!.costUsd);
    // Compute is most of a fixed deployment's bill; storage prices are unchanged.
    assert.ok(dearCost > 1.5 * baseCost! && dearCost <= 2 * baseCost! + 1e-9, `cost ${dearCost} vs ${baseCost}`);
    assert.match(dear.stderr, /config .*prices\.json \(sets pricing\.vcpuUsdPerHour, pricing\.memoryUsdPerGbHour\)/);
    assert.match(readFileSync(join(dir, 'dear', 'report.md'), 'utf8'), /Config: .*prices\.json \(sets pricing\.vcpuUsdPerHour, pricing\.memoryUsdPerGbHour\); the agents were trained on the built-in one\./);
    assert.doesNotMatch(readFileSync(join(dir, 'base', 'report.md'), 'utf8'), /Config:/);

    writeFileSync(join(dir, 'typo.json'), '{"pricing": {"vcpuUsdPerHr": 1}}');
    const bad = await runCli([...args, '--out', join(dir, 'bad'), '--config', join(dir, 'typo.json')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /edgepilot: --config: config file .*typo\.json: invalid config at "pricing\.vcpuUsdPerHr"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot config prints the defaults, or the defaults merged with a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-cmd-'));
  try {
    const plain = await runCli(['config']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(JSON.parse(plain.stdout), JSON.parse(JSON.stringify(DEFAULT_CONFIG)));
    const path = join(dir, 'sla.json');
    writeFileSync(path, JSON.stringify({ cluster: { maxExecutors: 12 } }));
    const merged = await runCli(['config', '--config', path]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(JSON.parse(merged.stdout).cluster.maxExecutors, 12);
    assert.match(merged.stderr, /sets cluster\.maxExecutors/);
    const missing = await runCli(['config', '--config', join(dir, 'absent.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--config: config file not found: .*absent\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot config: the JSON is indented for editing, and only a --config file is named on stderr', async () => {
  const { runConfig } = await import('./config.ts');
  const dir = mkdtempSync(join(tmpdir(), 'config-indent-'));
  try {
    const printed: string[] = [];
    const logged: string[] = [];
    runConfig({}, (t) => printed.push(t), (l) => logged.push(l));
    assert.match(printed.join(''), /^\{\n {2}"[a-z]/);
    assert.ok(printed.join('').endsWith('}\n'));
    assert.equal(logged.length, 0, 'the defaults: nothing on stderr');
    const path = join(dir, 'sla.json');
    writeFileSync(path, JSON.stringify({ cluster: { maxExecutors: 12 } }));
    printed.length = 0;
    runConfig({ config: path }, (t) => printed.push(t), (l) => logged.push(l));
    assert.match(printed.join(''), /^\{\n {2}"[a-z]/);
    assert.equal((JSON.parse(printed.join('')) as typeof DEFAULT_CONFIG).cluster.maxExecutors, 12);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^config .*sla\.json \(sets cluster\.maxExecutors\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
