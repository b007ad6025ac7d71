/**
 * `edgepilot train`'s refusals, bounds and defaults that src/cli/train.test.ts does not pin (found by a mutation
 * audit). In process: every case but the last fails before any training starts; the last trains CartPole for one
 * rollout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { register } from './train.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-train-validation-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

async function usageError(args: string[]): Promise<string> {
  const err = await cliErrorInProcess(register, ['train', ...args]);
  assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
  return err.message;
}

/** A folder as --out: the last check before training, so a case that reaches it passed every other check. */
const OUT_IS_FOLDER = /^--out .*: is a folder; give a file path/;

test('train: --algo and --env are required, here or in --config, each naming the valid choices', async () => {
  assert.equal(await usageError(['--env', 'CartPole-v1']), '--algo is required (or "algo" in --config); valid: ppo, td3');
  assert.match(await usageError(['--algo', 'ppo']), /^--env is required \(or "env" in --config\); valid: .*CartPole-v1/);
});

test('train: an --algo that contradicts the config\'s "algo" is refused, naming both', async () => {
  const config = join(dir, 'td3.json');
  writeFileSync(config, JSON.stringify({ algo: 'td3', env: 'Pendulum-v1' }));
  assert.equal(await usageError(['--config', config, '--algo', 'ppo']), `--algo ppo contradicts "algo": "td3" in ${config}`);
});

test('train --config {}: an empty training config is not taken for a world config', async () => {
  const config = join(dir, 'empty.json');
  writeFileSync(config, '{}');
  assert.match(await usageError(['--config', config]), /^--algo is required/);
});

test('train: --timesteps, --seed and --eval-episodes at their lower bounds', async () => {
  const base = ['--env', 'CartPole-v1', '--algo', 'ppo'];
  assert.match(await usageError([...base, '--timesteps', '0']), /^--timesteps must be an integer >= 1, got '0'$/);
  assert.match(await usageError([...base, '--seed', '-1']), /^--seed must be an integer >= 0, got '-1'$/);
  assert.match(await usageError([...base, '--eval-episodes', '0']), /^--eval-episodes must be an integer >= 1, got '0'$/);
  // The bounds themselves are accepted.
  assert.match(await usageError([...base, '--timesteps', '1', '--seed', '0', '--eval-episodes', '1', '--eval-freq', '0', '--out', dir]), OUT_IS_FOLDER);
});

test('train --seeds: exactly 1,000 members are allowed, 1,001 are refused and counted exactly', async () => {
  const base = ['--env', 'Pendulum-v1', '--algo', 'td3'];
  // Each case ends at a refusal that comes right after the count (an unknown --pooling), and at the --out check were
  // that one to go: none trains.
  const stop = ['--pooling', 'bogus', '--out', dir];
  assert.match(await usageError([...base, '--seeds', '1-1000', ...stop]), /^--pooling: unknown 'bogus'/);
  assert.match(await usageError([...base, '--seeds', '1-1001', ...stop]), /^--seeds names 1,001 members, at most 1,000 /);
  assert.match(await usageError([...base, '--seeds', '1-500,600-1100', ...stop]), /^--seeds names 1,001 members/);
});

test('train: the default --out is runs/<algo>-<env>-s<seed>.json, and runs/<algo>-<env>-ensemble.json with --seeds', async () => {
  // From a folder where runs/ is a file: the default path is named in the refusal, before any training.
  const cwd = process.cwd();
  const here = mkdtempSync(join(dir, 'cwd-'));
  writeFileSync(join(here, 'runs'), '');
  process.chdir(here);
  try {
    // --timesteps 1: were the --out check to go, a case would train one rollout, not the default budget.
    assert.match(await usageError(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '1']), /^--out runs\/ppo-CartPole-v1-s0\.json: '.*runs' is a file, not a folder$/);
    assert.match(await usageError(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '1', '--seed', '7']), /^--out runs\/ppo-CartPole-v1-s7\.json: /);
    assert.match(await usageError(['--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '1', '--seeds', '1-2']), /^--out runs\/td3-Pendulum-v1-ensemble\.json: /);
  } finally {
    process.chdir(cwd);
  }
});

test('train --jobs: as many jobs as CPUs is no warning (only more is)', async () => {
  const cpus = availableParallelism();
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string) => (stderr.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const err = await cliErrorInProcess(register, ['train', '--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', `1-${cpus}`, '--jobs', String(cpus), '--pooling', 'bogus', '--out', dir]);
    // The warning would come before this refusal, the next check after --jobs.
    assert.ok(err instanceof UsageError && /^--pooling: unknown 'bogus'/.test(err.message), String(err));
  } finally {
    process.stderr.write = write;
  }
  assert.equal(stderr.join(''), '');
});

test('train: the final evaluation runs at least 20 episodes whatever --eval-episodes says', async () => {
  const out = join(dir, 'ppo.json');
  const write = process.stdout.write.bind(process.stdout);
  // The command's JSON summary is not the test runner's: keep it out of the report.
  process.stdout.write = ((c: string) => (String(c).startsWith('{"algo"') ? true : write(c))) as typeof process.stdout.write;
  try {
    const err = await cliErrorInProcess(register, ['train', '--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '64', '--eval-episodes', '1', '--eval-freq', '0', '--out', out, '--json']);
    assert.equal(err, null, String(err));
  } finally {
    process.stdout.write = write;
  }
  const finalEval = readFileSync(join(dir, 'ppo.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type?: string; episodes?: number }).find((r) => r.type === 'final-eval');
  assert.equal(finalEval?.episodes, 20);
});
