/**
 * `edgepilot inspect`: how the training log beside a checkpoint is read, and an ensemble's summary lines, which
 * src/cli/inspect.test.ts does not pin (found by a mutation audit). In process, on copies of the shipped models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliErrorInProcess } from './test-run-cli.ts';
import { CliError } from './output.ts';
import { register, summarizeCheckpoint } from './inspect.ts';
import { writeEnsembleManifest } from '../rl/ensemble.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-inspect-log-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const row = (r: Record<string, unknown>): string => `${JSON.stringify(r)}\n`;

/** `inspect <file> [--json]` in process: what it printed (the test runner's own report goes on through). */
async function inspect(args: string[]): Promise<{ err: unknown; text: string; json: Record<string, unknown> | null }> {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string) => (String(c).startsWith(dir) || String(c).startsWith('{"kind"') ? (printed.push(String(c)), true) : write(c))) as typeof process.stdout.write;
  try {
    const err = await cliErrorInProcess(register, ['inspect', ...args]);
    const json = printed.find((p) => p.startsWith('{"kind"'));
    return { err, text: printed.filter((p) => !p.startsWith('{"kind"')).join(''), json: json ? (JSON.parse(json) as Record<string, unknown>) : null };
  } finally {
    process.stdout.write = write;
  }
}

test('inspect: the final evaluation is the log\'s final-eval row, found under a torn last line; periodic evaluations are not it', () => {
  const torn = join(dir, 'torn.json');
  copyFileSync('models/meta-td3-s1.json', torn);
  writeFileSync(join(dir, 'torn.log.jsonl'), row({ type: 'eval', meanReturn: -9, stdReturn: 1, episodes: 5 }) + row({ type: 'final-eval', meanReturn: -2.5, stdReturn: 0.5, episodes: 20 }) + '{"type":"ev');
  assert.deepEqual(summarizeCheckpoint(torn).finalEval, { meanReturn: -2.5, stdReturn: 0.5, episodes: 20 });
  // A run stopped before its final evaluation: its periodic ones are not presented as the final one.
  const stopped = join(dir, 'stopped.json');
  copyFileSync('models/meta-td3-s1.json', stopped);
  writeFileSync(join(dir, 'stopped.log.jsonl'), row({ type: 'eval', meanReturn: -9, stdReturn: 1, episodes: 5 }) + row({ type: 'eval', meanReturn: -7, stdReturn: 1, episodes: 5 }));
  assert.equal(summarizeCheckpoint(stopped).finalEval, null);
});

test('inspect: a checkpoint\'s text names its hyper-parameters, the observation normalization and the log the evaluation is from', async () => {
  const ppo = join(dir, 'ppo.json');
  copyFileSync('models/edge-rl-ppo.json', ppo);
  writeFileSync(join(dir, 'ppo.log.jsonl'), row({ type: 'final-eval', meanReturn: 1.25, stdReturn: 0.5, episodes: 20 }));
  const r = await inspect([ppo]);
  assert.equal(r.err, null, String(r.err));
  assert.match(r.text, /\n {2}observation: Box \[27\] .*, normalized by the running statistics it carries\n/);
  assert.match(r.text, /\n {2}hyperparameters: \S+=/);
  assert.ok(r.text.includes(`\n  final evaluation: mean return 1.250 ± 0.500 over 20 episodes (${join(dir, 'ppo.log.jsonl')})\n`), r.text);
});

test('inspect: an ensemble of unlike members says so; the members\' final evaluations are given as a range; the JSON is an ensemble\'s', async () => {
  copyFileSync('models/edge-rl-ppo.json', join(dir, 'mixed-s1.json'));
  copyFileSync('models/meta-td3-s1.json', join(dir, 'mixed-s2.json'));
  writeFileSync(join(dir, 'mixed-s1.log.jsonl'), row({ type: 'final-eval', meanReturn: -1, stdReturn: 0, episodes: 20 }));
  writeFileSync(join(dir, 'mixed-s2.log.jsonl'), row({ type: 'final-eval', meanReturn: -3, stdReturn: 0, episodes: 20 }));
  writeEnsembleManifest(join(dir, 'mixed.json'), [1, 2]);
  const r = await inspect([join(dir, 'mixed.json'), '--json']);
  assert.equal(r.err, null, String(r.err));
  assert.match(r.text, /\n {2}members: DIFFERENT: ppo on SparkIot, .* \| td3 on SparkIotMeta, .* \(checksums verified\)\n/);
  assert.match(r.text, /\n {2}final evaluation of the members: mean return -3\.000 \.\. -1\.000 \(2 logs\)\n/);
  assert.equal(r.json?.['kind'], 'ensemble');
  assert.deepEqual(r.json?.['seeds'], [1, 2]);
});

test('inspect: an ensemble missing several members names them all and how to produce them', async () => {
  copyFileSync('models/meta-td3-s1.json', join(dir, 'gone-s1.json'));
  writeEnsembleManifest(join(dir, 'gone.json'), [1, 2, 3], 'edgepilot train --seeds 1-3 --out gone.json');
  const r = await inspect([join(dir, 'gone.json')]);
  assert.ok(r.err instanceof CliError, String(r.err));
  assert.match(r.err.message, /^ensemble '.*gone\.json': members not found: .*gone-s2\.json, .*gone-s3\.json; produce them with: edgepilot train --seeds 1-3 --out gone\.json$/);
});
