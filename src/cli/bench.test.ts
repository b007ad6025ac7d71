/** `runBench` in process on the fake env: what a failed run leaves behind, an unusable --out, 1-step runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SEEDS, MAX_STEPS, register, resolveBenchOptions, runBench } from './bench.ts';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { makeFakeEnv } from '../bench/test-fake-env.ts';
import type { EnvFactory } from '../bench/tournament.ts';
import { readStepsFile } from '../bench/steps-log.ts';

/** Runs `f` with stdout captured (runBench prints its table there). */
async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
  }
}

/** Fake envs sharing one step counter: the step numbered `failAt` (0-based, counted over all runs) throws. */
function failingFactory(failAt: number): EnvFactory {
  let steps = 0;
  return (opts) => {
    const env = makeFakeEnv(opts);
    const step = env.stepAction.bind(env);
    env.stepAction = (action) => {
      if (steps++ === failAt) throw new Error('simulated failure in the middle of a run');
      return step(action);
    };
    return env;
  };
}

const plan = { scenario: 'balanced', policies: 'fixed,keda-lag', seeds: '2', steps: '10' };

test('a run that fails midway leaves no steps.csv.gz (nor a partial one); a complete one from before stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fail-'));
  try {
    const fresh = join(dir, 'fresh');
    await assert.rejects(quietly(() => runBench({ ...plan, out: fresh }, failingFactory(25))), /simulated failure in the middle of a run/);
    assert.deepEqual(readdirSync(fresh), [], 'nothing that looks like a result');

    const again = join(dir, 'again');
    await quietly(() => runBench({ ...plan, out: again }, makeFakeEnv));
    const before = readFileSync(join(again, 'steps.csv.gz'));
    await assert.rejects(quietly(() => runBench({ ...plan, out: again }, failingFactory(35))), /simulated failure/);
    assert.ok(readFileSync(join(again, 'steps.csv.gz')).equals(before), 'the earlier complete file is untouched');
    assert.equal(existsSync(join(again, 'steps.csv.gz.partial')), false);
    assert.equal(readStepsFile(join(again, 'steps.csv.gz')).length, 2 * 2 * 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an --out that cannot be a folder is a usage error before anything runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-out-'));
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    let envs = 0;
    const counting: EnvFactory = (opts) => {
      envs++;
      return makeFakeEnv(opts);
    };
    await assert.rejects(
      quietly(() => runBench({ ...plan, out: join(file, 'out') }, counting)),
      (e: unknown) => e instanceof UsageError && /^--out .*a-file\/out: '.*a-file' is a file, not a folder/.test((e as Error).message),
    );
    assert.equal(envs, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runs of one step: the report says the default control interval (it used to take 0 s from the next run)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-1step-'));
  try {
    await quietly(() => runBench({ ...plan, steps: '1', out: dir }, makeFakeEnv));
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /1 control steps of 10 s per run/);
    assert.equal(readStepsFile(join(dir, 'steps.csv.gz')).length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

test('an empty --policies is a usage error, not the default policies', () => {
  assert.throws(() => resolveBenchOptions({ policies: '' }), usage(/--policies is empty; valid policies: fixed/));
  assert.throws(() => resolveBenchOptions({ policies: ' , ' }), usage(/--policies is empty/));
});

test('--steps and --seeds beyond their bounds are usage errors (1e12 steps used to be a RangeError deep in the simulator)', () => {
  assert.throws(() => resolveBenchOptions({ steps: '1e12' }), usage(new RegExp(`--steps must be <= ${MAX_STEPS.toLocaleString('en-US')} \\(each run allocates`)));
  assert.throws(() => resolveBenchOptions({ seeds: String(MAX_SEEDS + 1) }), usage(/--seeds must be <= /));
  assert.equal(resolveBenchOptions({ steps: String(MAX_STEPS), seeds: '1' }).steps, MAX_STEPS);
});

test('a near-miss scenario, policy or target is answered with the close name', () => {
  assert.throws(() => resolveBenchOptions({ scenario: 'balanc' }), usage(/unknown scenario 'balanc'; .*\(did you mean 'balanced'\?\)/));
  assert.throws(() => resolveBenchOptions({ policies: 'fixed,edge-rll' }), usage(/^--policies: unknown policy 'edge-rll'; .*\(did you mean 'edge-rl'\?\)/));
  assert.throws(() => resolveBenchOptions({ target: 'spark-k8' }), usage(/\(did you mean 'spark-k8s'\?\)/));
});

test('bench --scenario takes one name: a list (duplicates included) is refused as a list, not as an unknown scenario', () => {
  assert.throws(() => resolveBenchOptions({ scenario: 'healthcare,healthcare' }), usage(/^--scenario takes one scenario \(.*\) or all, not a list: 'healthcare,healthcare'$/));
  assert.throws(() => resolveBenchOptions({ scenario: 'healthcare,balanced' }), usage(/not a list/));
  assert.deepEqual(resolveBenchOptions({ scenario: 'healthcare' }).scenarios, ['healthcare']);
});

test('--json keeps stderr free of the progress bar', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-json-'));
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    await quietly(() => runBench({ ...plan, out: dir, json: true }, makeFakeEnv));
  } finally {
    process.stderr.write = write;
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(stderr, '');
});

test("bench --out '' is named as empty, before any run (it said the folder '' is not writable)", async () => {
  const err = await cliErrorInProcess(register, ['bench', '--out', '', '--seeds', '1', '--steps', '1', '--policies', 'fixed']);
  assert.ok(usage(/^--out is empty; give a folder$/)(err), String(err));
});
