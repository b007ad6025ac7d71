import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEnsembleManifest } from '../rl/ensemble.ts';

const run = (args: string[]) => spawnSync(process.execPath, ['bin/edgepilot.js', 'select-meta', ...args], { encoding: 'utf8' });

/** A manifest whose two members are real meta-controllers (members of the shipped ensembles), with artifacts. */
function candidates(): { dir: string; manifest: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-select-meta-'));
  const manifest = join(dir, 'meta.json');
  copyFileSync('models/meta-td3-s1.json', join(dir, 'meta-s1.json'));
  copyFileSync('models/meta-td3-s2.json', join(dir, 'meta-s1.best.json'));
  copyFileSync('models/meta-td3-no-edge-s1.json', join(dir, 'meta-s2.json'));
  writeFileSync(join(dir, 'meta-s2.log.jsonl'), '{"type":"eval"}\n');
  writeEnsembleManifest(manifest, [1, 2]);
  return { dir, manifest };
}

test('edgepilot select-meta copies the best candidate to --out with its artifacts and records every score', () => {
  const { dir, manifest } = candidates();
  const out = join(dir, 'chosen', 'meta-td3.json');
  const r = run(['--candidates', manifest, '--out', out, '--seeds', '2', '--steps', '10', '--json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { chosen: string; copied: string[]; record: string; candidates: { path: string; meanJ: number }[] };
  assert.equal(summary.candidates.length, 2);
  const best = summary.candidates.reduce((a, b) => (b.meanJ > a.meanJ ? b : a));
  assert.equal(summary.chosen, best.path);
  assert.deepEqual(readFileSync(out), readFileSync(best.path), 'the chosen checkpoint is copied byte for byte');
  const record = JSON.parse(readFileSync(join(dir, 'chosen', 'meta-td3.selection.json'), 'utf8')) as { chosen: string; protocol: { seeds: number; seedBase: number }; candidates: { cells: Record<string, number> }[] };
  assert.equal(record.chosen, best.path);
  assert.deepEqual([record.protocol.seeds, record.protocol.seedBase], [2, 70_000]);
  assert.equal(Object.keys(record.candidates[0]!.cells).length, 12, 'four scenarios x three modes');
  // Whichever member won, its own artifacts (and no others) went along.
  const s1 = best.path.endsWith('meta-s1.json');
  assert.equal(existsSync(join(dir, 'chosen', 'meta-td3.best.json')), s1);
  assert.equal(existsSync(join(dir, 'chosen', 'meta-td3.log.jsonl')), !s1);
});

test('edgepilot select-meta: missing flags, a missing candidate or member, and --out among the candidates exit 2 with the reason', () => {
  const { dir, manifest } = candidates();
  assert.match(run(['--out', join(dir, 'x.json')]).stderr, /--candidates is required/);
  assert.match(run(['--candidates', manifest]).stderr, /--out is required/);
  const gone = run(['--candidates', join(dir, 'nope.json'), '--out', join(dir, 'x.json')]);
  assert.equal(gone.status, 2);
  assert.match(gone.stderr, /--candidates: '.*nope.json' not found/);
  const self = run(['--candidates', join(dir, 'meta-s1.json'), '--out', join(dir, 'meta-s1.json')]);
  assert.equal(self.status, 2);
  assert.match(self.stderr, /is one of the candidates/);
  writeEnsembleManifest(join(dir, 'three.json'), [1, 2, 3]);
  copyFileSync(join(dir, 'meta-s1.json'), join(dir, 'three-s1.json'));
  copyFileSync(join(dir, 'meta-s2.json'), join(dir, 'three-s2.json'));
  assert.match(run(['--candidates', join(dir, 'three.json'), '--out', join(dir, 'x.json')]).stderr, /member of '.*three.json' not found: .*three-s3.json/);
  assert.match(run(['--candidates', manifest, '--out', join(dir, 'x.json'), '--seeds', '1']).stderr, /--seeds must be an integer >= 2, got '1'/);
});

test('edgepilot select-meta: an unusable --out is refused before the validation runs, not after them', () => {
  const { dir, manifest } = candidates();
  writeFileSync(join(dir, 'a-file'), '');
  const started = Date.now();
  const r = run(['--candidates', manifest, '--out', join(dir, 'a-file', 'meta.json'), '--seeds', '2', '--steps', '500']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--out .*a-file\/meta\.json: '.*a-file' is a file, not a folder/);
  assert.ok(Date.now() - started < 15_000, 'no validation run happened first');
  const folder = run(['--candidates', dir, '--out', join(dir, 'x.json')]);
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /--candidates: '.*' is a folder/);
});

test('edgepilot select-meta: a candidate that is not a meta-controller exits 1, named, without a stack trace', () => {
  const { dir } = candidates();
  const r = run(['--candidates', 'models/edge-rl-ppo.json', '--out', join(dir, 'x.json'), '--seeds', '2', '--steps', '2', '--quiet']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^edgepilot: --candidates: checkpoint 'models\/edge-rl-ppo\.json': is a ppo model, expected td3/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('edgepilot select-meta: an --out that exists is refused unless --force (the help example overwrote the shipped manifest)', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  const outs = [...help.stdout.matchAll(/--out (\S+)/g)].map((m) => m[1]!);
  assert.ok(outs.length > 0);
  for (const o of outs) assert.ok(!o.startsWith('models/') && !existsSync(o), `the help example writes to ${o}, which is in the repository`);
  assert.match(help.stdout, /--force/);
  const { dir, manifest } = candidates();
  const out = join(dir, 'taken.json');
  writeFileSync(out, 'keep me');
  const r = run(['--candidates', manifest, '--out', out, '--seeds', '2', '--steps', '2', '--quiet']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^edgepilot: --out .*taken\.json: '.*taken\.json' already exists; give --force to overwrite it/);
  assert.equal(readFileSync(out, 'utf8'), 'keep me');
  // The record beside it counts too: a second selection would overwrite the first one's record.
  const record = join(dir, 'rec.selection.json');
  writeFileSync(record, '{}');
  assert.match(run(['--candidates', manifest, '--out', join(dir, 'rec.json'), '--quiet']).stderr, /'.*rec\.selection\.json' already exists; give --force/);
  // The manifest itself is a candidate too (its members are what is scored).
  assert.match(run(['--candidates', manifest, '--out', manifest, '--force']).stderr, /is one of the candidates/);
  const forced = run(['--candidates', manifest, '--out', out, '--seeds', '2', '--steps', '2', '--quiet', '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.notEqual(readFileSync(out, 'utf8'), 'keep me');
});

test('edgepilot select-meta: a candidate listed twice is refused (it was scored twice and chosen twice)', () => {
  const { dir, manifest } = candidates();
  const s1 = join(dir, 'meta-s1.json');
  const twice = run(['--candidates', `${s1},${s1}`, '--out', join(dir, 'x.json'), '--seeds', '2', '--steps', '2', '--quiet']);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /^edgepilot: --candidates: '.*meta-s1\.json' is listed twice; give each candidate once/);
  // Also when one of them comes in through a manifest.
  const viaManifest = run(['--candidates', `${manifest},${s1}`, '--out', join(dir, 'x.json'), '--seeds', '2', '--steps', '2', '--quiet']);
  assert.equal(viaManifest.status, 2);
  assert.match(viaManifest.stderr, /'.*meta-s1\.json' is listed twice/);
  assert.equal(existsSync(join(dir, 'x.json')), false);
});

test('edgepilot select-meta: a TD3 model of another env (or an ensemble of them) is named as one, not as a shape mismatch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-select-meta-env-'));
  const trained = spawnSync(process.execPath, ['bin/edgepilot.js', 'train', '--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '300', '--seeds', '1-2', '--eval-freq', '0', '--eval-episodes', '1', '--out', join(dir, 'p.json'), '--quiet'], { encoding: 'utf8' });
  assert.equal(trained.status, 0, trained.stderr);
  for (const candidate of [join(dir, 'p-s1.json'), join(dir, 'p.json')]) {
    const r = run(['--candidates', candidate, '--out', join(dir, 'x.json'), '--seeds', '2', '--steps', '2', '--quiet']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^edgepilot: --candidates: checkpoint '.*p-s1\.json': is a Pendulum-v1 model; select-meta needs SparkIotMeta models/);
    assert.doesNotMatch(r.stderr, /observation space mismatch|\n\s+at /);
  }
});
