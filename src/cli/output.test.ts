/** The shared flag parsers and file checks of src/cli/output.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInputFile, didYouMean, ensureOutputDir, ensureOutputFile, MAX_TIMER_S, parseFloatOption, parseIntOption, parseSecondsOption, printable, UsageError } from './output.ts';

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

test('an empty numeric flag is an error, not 0', () => {
  assert.throws(() => parseIntOption('--seed', ''), usage(/--seed must be an integer >= 0, got ''/));
  assert.throws(() => parseIntOption('--seed', '  '), usage(/--seed must be an integer >= 0/));
  assert.throws(() => parseFloatOption('--rate', ''), usage(/--rate must be a number, got ''/));
  assert.equal(parseIntOption('--seed', '0'), 0);
});

test('an integer flag above its bound names the bound and why; numbers beyond exact integers are refused', () => {
  assert.throws(() => parseIntOption('--steps', '1e12', 1, 100_000, 'the reason'), usage(/--steps must be <= 100,000 \(the reason\), got '1e12'/));
  assert.throws(() => parseIntOption('--seed', '1e300'), usage(/--seed must be <= /));
  assert.equal(parseIntOption('--steps', '100000', 1, 100_000), 100_000);
});

test("a number of seconds for a timer is > 0 and at most Node's longest timer", () => {
  assert.equal(MAX_TIMER_S, 2_147_483);
  assert.throws(() => parseSecondsOption('--duration', '0'), usage(/--duration must be > 0 seconds, got '0'/));
  assert.throws(() => parseSecondsOption('--duration', '1e12'), usage(/--duration must be <= 2147483 seconds \(24\.8 days/));
  assert.throws(() => parseSecondsOption('--faulty-every', '-1', true), usage(/--faulty-every must be >= 0 seconds/));
  assert.equal(parseSecondsOption('--faulty-every', '0', true), 0);
  assert.equal(parseSecondsOption('--duration', '2.5'), 2.5);
});

test('a near-miss name gets the close one suggested, a far one nothing', () => {
  assert.equal(didYouMean('shufle', ['meta', 'shuffle', 'edge']), " (did you mean 'shuffle'?)");
  assert.equal(didYouMean('balanc', ['smart-city', 'balanced']), " (did you mean 'balanced'?)");
  assert.equal(didYouMean('Cartpole-v1', ['CartPole-v1', 'Pendulum-v1']), " (did you mean 'CartPole-v1'?)");
  assert.equal(didYouMean('mars', ['smart-city', 'healthcare', 'industrial', 'balanced']), '');
  assert.equal(didYouMean('edge', ['edge']), '', 'an exact name is not a typo');
});

test('an output folder under /proc is refused at once (a recursive mkdir spins there forever)', { skip: existsSync('/proc/self') ? false : 'no procfs' }, () => {
  assert.throws(() => ensureOutputDir('--out', '/proc/edgepilot-nope/out'), usage(/^--out \/proc\/edgepilot-nope\/out: cannot create the folder '\/proc\/edgepilot-nope'/));
});

test('a folder where every write fails even for root (/sys) is refused before any work, and the check leaves nothing behind', { skip: existsSync('/sys/kernel') ? false : 'no sysfs' }, () => {
  assert.throws(() => ensureOutputDir('--out', '/sys'), usage(/^--out \/sys: (cannot write in the folder '\/sys' \(E[A-Z]+\)|the folder '\/sys' is not writable)$/));
  assert.throws(() => ensureOutputFile('--out', '/sys/model.json'), usage(/^--out \/sys\/model\.json: (cannot write in|the folder '\/sys' is not writable)/));
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-output-probe-'));
  try {
    ensureOutputDir('--out', dir);
    assert.deepEqual(readdirSync(dir), [], 'the write check removes its file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('output paths: folders are created, a file in the way or a folder given as a file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-output-'));
  try {
    ensureOutputDir('--out', join(dir, 'a', 'b'));
    assert.ok(existsSync(join(dir, 'a', 'b')));
    const file = join(dir, 'file');
    writeFileSync(file, '');
    assert.throws(() => ensureOutputDir('--out', join(file, 'x')), usage(/--out .*file\/x: '.*file' is a file, not a folder/));
    assert.throws(() => ensureOutputFile('--out', dir), usage(/--out .*: is a folder; give a file path/));
    assert.throws(() => ensureOutputFile('--out', join(file, 'model.json')), usage(/--out .*file\/model\.json: '.*file' is a file, not a folder/));
    ensureOutputFile('--out', join(dir, 'new', 'model.json'));
    assert.ok(existsSync(join(dir, 'new')));
    assert.throws(() => checkInputFile('--config', dir), usage(/--config: .* is a folder, not a file/));
    assert.throws(() => checkInputFile('--config', join(dir, 'none.json')), usage(/--config: file not found: .*none\.json/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty output path is named as empty (--out \'\' was "the folder \'\' is not writable")', () => {
  assert.throws(() => ensureOutputDir('--out', ''), usage(/^--out is empty; give a folder$/));
  assert.throws(() => ensureOutputDir('--out', '  '), usage(/^--out is empty/));
  assert.throws(() => ensureOutputFile('--plot', ''), usage(/^--plot is empty; give a file path$/));
});

test('printable escapes the control bytes a message quotes from a file, keeping newlines and text', () => {
  assert.equal(printable('bad \u0001\u001b[31m x\u007f'), 'bad \\x01\\x1b[31m x\\x7f');
  assert.equal(printable('line 1\n\tnext, é ✓'), 'line 1\n\tnext, é ✓');
});
