import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnsembleManifest } from '../rl/ensemble.ts';
import { readCheckpoint } from '../rl/checkpoint.ts';

const run = (args: string[]) => spawnSync(process.execPath, ['bin/edgepilot.js', 'train', ...args], { encoding: 'utf8' });

test('edgepilot train --json prints the summary as the last stdout line and writes the artifacts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-'));
  const out = join(dir, 'ppo.json');
  const r = run(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '512', '--seed', '2', '--out', out, '--eval-freq', '256', '--eval-episodes', '2', '--json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(last), ['algo', 'env', 'timesteps', 'seed', 'meanReturn', 'stdReturn', 'stepsPerSecond', 'wallSeconds', 'checkpoint']);
  assert.equal(last['checkpoint'], out);
  assert.equal(last['timesteps'], 2048); // one SB3-default rollout of 2048 steps
  assert.ok(existsSync(out) && existsSync(join(dir, 'ppo.log.jsonl')) && existsSync(join(dir, 'ppo.best.json')));
});

test('edgepilot train: unknown env / algo and a td3-on-Discrete request exit 2 with the valid choices', () => {
  const env = run(['--env', 'Nope-v1', '--algo', 'ppo']);
  assert.equal(env.status, 2);
  assert.match(env.stderr, /unknown env 'Nope-v1'; valid: .*CartPole-v1.*Pendulum-v1/);
  const algo = run(['--env', 'CartPole-v1', '--algo', 'dqn']);
  assert.equal(algo.status, 2);
  assert.match(algo.stderr, /unknown algo 'dqn'; valid: ppo, td3/);
  const td3 = run(['--env', 'CartPole-v1', '--algo', 'td3']);
  assert.equal(td3.status, 2);
  assert.match(td3.stderr, /td3 needs a Box action space/);
});

test('edgepilot train --seeds trains one member per seed and writes the ensemble manifest at --out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-ens-'));
  const out = join(dir, 'td3.json');
  const r = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '300', '--seeds', '4-5', '--out', out, '--eval-freq', '0', '--json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ensemble: string; members: { seed: number; checkpoint: string }[] };
  assert.equal(last.ensemble, out);
  assert.deepEqual(last.members.map((m) => [m.seed, m.checkpoint]), [[4, join(dir, 'td3-s4.json')], [5, join(dir, 'td3-s5.json')]]);
  const manifest = readEnsembleManifest(out);
  assert.deepEqual(manifest.memberPaths, [join(dir, 'td3-s4.json'), join(dir, 'td3-s5.json')]);
  assert.match(manifest.command!, /^edgepilot train --env Pendulum-v1 --algo td3 --timesteps 300 --eval-freq 0 --seeds 4-5 --out /);
  assert.equal(manifest.pooling, 'arithmetic', 'the default pooling is written down');
  // Different seeds, different models.
  assert.notDeepEqual(readCheckpoint(manifest.memberPaths[0]!).weights, readCheckpoint(manifest.memberPaths[1]!).weights);
  const both = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seed', '1', '--seeds', '1-2']);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /give --seed or --seeds, not both/);
  const bad = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', '3-1']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--seeds: range '3-1' runs backwards/);
});

test('edgepilot train --seeds --jobs 2 trains the members in parallel processes and writes the same files as one at a time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-jobs-'));
  const common = ['--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '300', '--seeds', '6-7', '--eval-freq', '0', '--eval-episodes', '1', '--json', '--quiet'];
  const one = run([...common, '--out', join(dir, 'seq', 'td3.json')]);
  assert.equal(one.status, 0, one.stderr);
  const par = run([...common, '--jobs', '2', '--pooling', 'geometric', '--out', join(dir, 'par', 'td3.json')]);
  assert.equal(par.status, 0, par.stderr);
  const last = JSON.parse(par.stdout.trim().split('\n').at(-1)!) as { ensemble: string; members: { seed: number; checkpoint: string }[] };
  assert.deepEqual(last.members.map((m) => m.seed), [6, 7]);
  for (const s of [6, 7]) {
    assert.equal(readFileSync(join(dir, 'par', `td3-s${s}.json`), 'utf8'), readFileSync(join(dir, 'seq', `td3-s${s}.json`), 'utf8'), `member ${s}`);
  }
  const parManifest = readEnsembleManifest(join(dir, 'par', 'td3.json'));
  assert.deepEqual(parManifest.seeds, [6, 7]);
  assert.equal(parManifest.pooling, 'geometric');
  assert.match(parManifest.command!, / --pooling geometric --out /);
  const badPooling = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', '1-2', '--pooling', 'geometrik']);
  assert.equal(badPooling.status, 2);
  assert.match(badPooling.stderr, /--pooling: unknown 'geometrik'; valid: arithmetic, geometric \(did you mean 'geometric'\?\)/);
  const poolingAlone = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--pooling', 'geometric']);
  assert.equal(poolingAlone.status, 2);
  assert.match(poolingAlone.stderr, /--pooling needs --seeds/);
  const noSeeds = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--jobs', '2']);
  assert.equal(noSeeds.status, 2);
  assert.match(noSeeds.stderr, /--jobs needs --seeds/);
  const zero = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', '1-2', '--jobs', '0']);
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--jobs/);
});

test('edgepilot train --seeds --jobs: a member that fails fails the command and names its seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-jobs-fail-'));
  // Each member's checkpoint path is a folder, so every child refuses its --out (the parent's own --out is fine).
  for (const seed of [1, 2, 3]) mkdirSync(join(dir, `td3-s${seed}.json`));
  const r = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '300', '--seeds', '1-3', '--jobs', '2', '--eval-freq', '0', '--out', join(dir, 'td3.json'), '--quiet']);
  assert.notEqual(r.status, 0);
  // Seeds 1 and 2 start together and both fail; seed 3 is not started after a failure.
  assert.match(r.stderr, /2 of 3 members failed, 0 written, 1 not started: .*seed 1: exit/);
});

test('edgepilot train: an --out that is a folder or under a file is refused before training (it used to fail after it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-out-'));
  const folder = run(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '512', '--out', dir]);
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /--out .*: is a folder; give a file path/);
  assert.doesNotMatch(folder.stderr, /ppo CartPole-v1 .*%/, 'no training started');
  writeFileSync(join(dir, 'a-file'), '');
  const under = run(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '512', '--out', join(dir, 'a-file', 'm.json')]);
  assert.equal(under.status, 2);
  assert.match(under.stderr, /'.*a-file' is a file, not a folder/);
});

test('edgepilot train: a near-miss env name gets the close one; --json alone keeps stderr free of the progress bar', () => {
  const env = run(['--env', 'Cartpole-v1', '--algo', 'ppo']);
  assert.equal(env.status, 2);
  assert.match(env.stderr, /\(did you mean 'CartPole-v1'\?\)/);
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-json-'));
  const r = run(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '64', '--out', join(dir, 'p.json'), '--eval-episodes', '1', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('edgepilot train: an env that cannot be built from its config says why in one line, naming the config and the working directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-cwd-'));
  const config = join(process.cwd(), 'configs', 'meta-td3.json');
  // The shipped config names its lower-level PPO relative to the repository; from another folder it is not there.
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'edgepilot.js'), 'train', '--config', config, '--timesteps', '10', '--out', join(dir, 'm.json')], { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^edgepilot: SparkIotMeta \(envOptions in .*meta-td3\.json\): lower-level PPO checkpoint 'models\/edge-rl-ppo\.json' not found in the working directory .*edgepilot-cli-train-cwd-[^;]*; /);
  // The package ships that file: the message points at it instead of at a 4M-step training run.
  const root = process.cwd();
  assert.ok(r.stderr.includes(`; the package has it at ${join(root, 'models', 'edge-rl-ppo.json')}: run from ${root} or give that path`), r.stderr);
  assert.doesNotMatch(r.stderr, /produce it with/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  // A relative path the package does not have either: how to produce it.
  const own = join(dir, 'meta.json');
  writeFileSync(own, JSON.stringify({ algo: 'td3', env: 'SparkIotMeta', envOptions: { lowerCheckpoint: 'models/nope-ppo.json' } }));
  const none = spawnSync(process.execPath, [join(root, 'bin', 'edgepilot.js'), 'train', '--config', own, '--timesteps', '10', '--out', join(dir, 'm.json')], { encoding: 'utf8', cwd: dir });
  assert.equal(none.status, 1, none.stderr);
  assert.match(none.stderr, /'models\/nope-ppo\.json' not found in the working directory .*; produce it with: edgepilot train/);
});

test('edgepilot train: an --env that contradicts the config\'s "env" is refused like --algo (it failed with a stack trace inside PPO)', () => {
  const r = run(['--config', 'configs/edge-rl-ppo.json', '--env', 'CartPole-v1', '--timesteps', '50']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^edgepilot: --env CartPole-v1 contradicts "env": "SparkIot" in configs\/edge-rl-ppo\.json/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  // Its alias is the same env: refused only later, for the folder given as --out (so before any training).
  const alias = run(['--config', 'configs/edge-rl-ppo.json', '--env', 'SparkIot-v1', '--timesteps', '50', '--out', tmpdir()]);
  assert.equal(alias.status, 2, alias.stderr);
  assert.match(alias.stderr, /--out .*: is a folder/);
});

test('edgepilot train: an env id without its version gets the full one; a config key close to a valid one is named', () => {
  const env = run(['--env', 'CartPole', '--algo', 'ppo']);
  assert.equal(env.status, 2);
  assert.match(env.stderr, /unknown env 'CartPole'; .*\(did you mean 'CartPole-v1'\?\)/);
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-key-'));
  const config = join(dir, 'c.json');
  // No "algo" in the file: the hyper-parameters are checked against --algo's.
  writeFileSync(config, JSON.stringify({ env: 'CartPole-v1', hyperparameters: { learningRat: 1 } }));
  const key = run(['--config', config, '--algo', 'ppo', '--timesteps', '50']);
  assert.equal(key.status, 2, key.stderr);
  assert.match(key.stderr, /^edgepilot: config '.*c\.json': unknown key 'hyperparameters\.learningRat' \(did you mean 'learningRate'\?\)/);
  assert.doesNotMatch(key.stderr, /\n\s+at /);
});

test('edgepilot train --config: a world config (edgepilot config\'s output) is named as one, not as a list of unknown keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-world-'));
  const world = join(dir, 'world.json');
  const printed = spawnSync(process.execPath, ['bin/edgepilot.js', 'config'], { encoding: 'utf8' });
  assert.equal(printed.status, 0, printed.stderr);
  writeFileSync(world, printed.stdout);
  const r = run(['--config', world, '--algo', 'ppo', '--env', 'CartPole-v1']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^edgepilot: --config '.*world\.json': this is a world config \(bench\/demo\/serve --config\); train --config takes a training config such as configs\/edge-rl-ppo\.json/);
  assert.doesNotMatch(r.stderr, /unknown keys/);
  // A few overrides are a world config too; a training config with one stray world key is not.
  writeFileSync(world, JSON.stringify({ pricing: {} }));
  assert.match(run(['--config', world]).stderr, /this is a world config/);
  writeFileSync(world, JSON.stringify({ algo: 'ppo', pricing: {} }));
  assert.match(run(['--config', world]).stderr, /unknown key 'pricing'/);
});

test('edgepilot train: --seeds, --timesteps and --jobs have upper bounds that say why; --jobs past the CPUs is a warning', () => {
  const many = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', '1-100000']);
  assert.equal(many.status, 2);
  assert.match(many.stderr, /^edgepilot: --seeds names 100,000 members, at most 1,000 \(each is a whole training run, and more would run for days/);
  // A range this long is refused before it is expanded (it would fill memory).
  const huge = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', '1-999999999999']);
  assert.equal(huge.status, 2);
  assert.match(huge.stderr, /at most 1,000/);
  const long = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '1e9']);
  assert.equal(long.status, 2);
  assert.match(long.stderr, /^edgepilot: --timesteps must be <= 100,000,000 \(more would run for days; the shipped models took at most 4,000,000\), got '1e9'/);
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-bounds-'));
  const config = join(dir, 'c.json');
  writeFileSync(config, JSON.stringify({ algo: 'td3', env: 'Pendulum-v1', timesteps: 1e9 }));
  assert.match(run(['--config', config]).stderr, /'timesteps': must be <= 100,000,000 \(more would run for days/);
  const jobs = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', '1-2', '--jobs', '3']);
  assert.equal(jobs.status, 2);
  assert.match(jobs.stderr, /^edgepilot: --jobs must be <= 2 \(one process per member, and --seeds names 2: more cannot help\), got '3'/);
  // More jobs than CPUs: one warning line, and the run goes on (here to the --out check, a folder, before any training).
  const n = availableParallelism() + 1;
  const over = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--seeds', `1-${n}`, '--jobs', String(n), '--out', dir]);
  assert.equal(over.status, 2, over.stderr);
  const lines = over.stderr.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^edgepilot: warning: --jobs ${n} is more than the ${n - 1} CPUs here`));
  assert.match(lines[1]!, /--out .*: is a folder/);
});

test('edgepilot train: an --out where nothing can be written (/sys) is refused before training, in one line', { skip: !existsSync('/sys/kernel') && 'no /sys here' }, () => {
  const r = run(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '50', '--out', '/sys/x.json']);
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /^edgepilot: --out \/sys\/x\.json: /);
  // The usage error's line, then only the pointer to --help.
  assert.deepEqual(lines.slice(1), ["(see 'edgepilot train --help')"]);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
