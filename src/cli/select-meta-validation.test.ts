/**
 * `edgepilot select-meta`: the refusals and the record that src/cli/select-meta.test.ts does not pin (found by a
 * mutation audit). In process; the two selections that run score one shipped meta-controller on 2 seeds x 1 step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { register } from './select-meta.ts';
import { writeEnsembleManifest } from '../rl/ensemble.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-select-meta-validation-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const candidate = join(dir, 'meta-s1.json');
copyFileSync('models/meta-td3-s1.json', candidate);

async function usageError(args: string[]): Promise<string> {
  const err = await cliErrorInProcess(register, ['select-meta', ...args]);
  assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
  return err.message;
}

/** Runs a selection in process with --json; resolves with the JSON summary it printed. */
async function select(args: string[]): Promise<{ chosen: string; copied: string[]; record: string }> {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string) => (String(c).startsWith('{"chosen"') ? (printed.push(String(c)), true) : write(c))) as typeof process.stdout.write;
  try {
    const err = await cliErrorInProcess(register, ['select-meta', '--seeds', '2', '--steps', '1', '--json', ...args]);
    assert.equal(err, null, String(err));
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(printed.join('')) as { chosen: string; copied: string[]; record: string };
}

test('select-meta: --seed-base, --steps and an empty --candidates are refused before anything is read', async () => {
  const out = ['--out', join(dir, 'x.json')];
  assert.match(await usageError(['--candidates', candidate, ...out, '--seed-base', '-1']), /^--seed-base must be an integer >= 0, got '-1'$/);
  assert.match(await usageError(['--candidates', candidate, ...out, '--steps', '0']), /^--steps must be an integer >= 1, got '0'$/);
  assert.equal(await usageError(['--candidates', ' , ', ...out]), '--candidates is empty');
});

test('select-meta: a manifest with several members missing names them all; one file under two spellings is one candidate', async () => {
  writeEnsembleManifest(join(dir, 'gone.json'), [1, 2, 3]);
  copyFileSync(candidate, join(dir, 'gone-s1.json'));
  assert.match(await usageError(['--candidates', join(dir, 'gone.json'), '--out', join(dir, 'x.json')]), /^--candidates: members of '.*gone\.json' not found: .*gone-s2\.json, .*gone-s3\.json$/);
  const other = relative(process.cwd(), candidate);
  assert.equal(await usageError(['--candidates', `${candidate},${other}`, '--out', join(dir, 'x.json')]), `--candidates: '${other}' is listed twice (also as '${candidate}'); give each candidate once`);
});

test('select-meta: a .best.json or .log.jsonl already beside --out is kept unless --force', async () => {
  for (const beside of ['taken.best.json', 'taken.log.jsonl']) {
    const sub = mkdtempSync(join(dir, 'beside-'));
    writeFileSync(join(sub, beside), 'keep me');
    assert.match(await usageError(['--candidates', candidate, '--out', join(sub, 'taken.json')]), new RegExp(`^--out .*taken\\.json: '.*${beside.replace(/\./g, '\\.')}' already exists; give --force`));
    assert.equal(readFileSync(join(sub, beside), 'utf8'), 'keep me');
  }
});

test('select-meta: the record says how it scored (--no-edge or not); with --force, artifacts of the model it replaced are removed', async () => {
  const out = join(dir, 'chosen', 'meta.json');
  const plain = await select(['--candidates', candidate, '--out', out]);
  assert.equal(plain.record, join(dir, 'chosen', 'meta.selection.json'));
  const record = JSON.parse(readFileSync(plain.record, 'utf8')) as { command: string; protocol: { maskEdge: boolean; seeds: number; steps: number } };
  assert.equal(record.protocol.maskEdge, false);
  assert.doesNotMatch(record.command, /--no-edge/);
  assert.match(record.command, / --seeds 2 --steps 1$/);
  // A stale best model and log beside the --out (from what it overwrites): the new candidate has neither.
  writeFileSync(join(dir, 'chosen', 'meta.best.json'), 'stale');
  writeFileSync(join(dir, 'chosen', 'meta.log.jsonl'), 'stale');
  const masked = await select(['--candidates', candidate, '--out', out, '--no-edge', '--force']);
  assert.deepEqual(masked.copied, [out]);
  assert.equal(existsSync(join(dir, 'chosen', 'meta.best.json')), false);
  assert.equal(existsSync(join(dir, 'chosen', 'meta.log.jsonl')), false);
  const again = JSON.parse(readFileSync(masked.record, 'utf8')) as { command: string; protocol: { maskEdge: boolean } };
  assert.equal(again.protocol.maskEdge, true);
  assert.match(again.command, / --no-edge /);
});
