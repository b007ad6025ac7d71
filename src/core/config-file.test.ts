import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from './config.ts';
import { ConfigFileError, describeConfigFile, readConfigFile } from './config-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-config-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('a config file overrides only the keys it sets, and says which', () => {
  const path = file('prices.json', JSON.stringify({ pricing: { vcpuUsdPerHour: 0.1 }, scenarios: { healthcare: { budgetUsdPerHour: 9 } } }));
  const read = readConfigFile(path);
  assert.equal(read.config.pricing.vcpuUsdPerHour, 0.1);
  assert.equal(read.config.pricing.memoryUsdPerGbHour, DEFAULT_CONFIG.pricing.memoryUsdPerGbHour);
  assert.equal(read.config.scenarios.healthcare.budgetUsdPerHour, 9);
  assert.deepEqual(read.config.scenarios['smart-city'], DEFAULT_CONFIG.scenarios['smart-city']);
  assert.deepEqual(read.overrides, ['pricing.vcpuUsdPerHour', 'scenarios.healthcare.budgetUsdPerHour']);
  assert.equal(describeConfigFile(read), `${path} (sets pricing.vcpuUsdPerHour, scenarios.healthcare.budgetUsdPerHour)`);
  assert.deepEqual(readConfigFile(file('empty.json', '{}')).config, DEFAULT_CONFIG);
  // An empty object sets nothing; a byte order mark (Windows editors) is no error.
  assert.deepEqual(readConfigFile(file('empty-group.json', '{"pricing": {}}')).overrides, []);
  assert.equal(readConfigFile(file('bom.json', '\uFEFF{"pricing": {"vcpuUsdPerHour": 0.2}}')).config.pricing.vcpuUsdPerHour, 0.2);
});

test('a missing, malformed or invalid config file is an error naming the file and the key', () => {
  const fails = (path: string, pattern: RegExp) => assert.throws(() => readConfigFile(path), (e: Error) => e instanceof ConfigFileError && pattern.test(e.message));
  fails(join(dir, 'absent.json'), /config file not found: .*absent\.json/);
  fails(file('bad.json', '{"pricing": {'), /config file .*bad\.json is not valid JSON: /);
  fails(file('array.json', '[1]'), /config file .*array\.json: expected a JSON object of overrides .*got an array/);
  fails(file('negative.json', '{"pricing": {"vcpuUsdPerHour": -1}}'), /config file .*negative\.json: invalid config at "pricing\.vcpuUsdPerHour"/);
  fails(file('typo.json', '{"pricing": {"vcpuUsdPerHr": 1}}'), /config file .*typo\.json: invalid config at "pricing\.vcpuUsdPerHr"/);
  fails(file('kind.json', '{"cluster": {"maxExecutors": "many"}}'), /"cluster\.maxExecutors"/);
  fails(file('proto.json', '{"__proto__": {"pricing": {"vcpuUsdPerHour": -1}}}'), /config file .*proto\.json: "__proto__" is not a config key/);
  fails(file('proto2.json', '{"pricing": {"constructor": 1}}'), /"pricing\.constructor" is not a config key/);
  fails(file('big.json', '{"cluster": {"maxExecutors": 40}}'), /"cluster\.maxExecutors": at most 20, the action space's executor count/);
});

test('a misspelt config key gets the close name, and a JSON syntax error its line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-config-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  assert.throws(() => readConfigFile(write('top.json', '{"pricng": {"vcpuUsdPerHour": 0.05}}')), (err: Error) => err instanceof ConfigFileError && /'pricng' \(did you mean 'pricing'\?\)/.test(err.message));
  assert.throws(() => readConfigFile(write('nested.json', '{"pricing": {"vcpuUsdPerHr": 1}}')), /"pricing\.vcpuUsdPerHr": Unrecognized key.*\(did you mean 'vcpuUsdPerHour'\?\)/);
  // Nothing close: no guess.
  assert.throws(() => readConfigFile(write('far.json', '{"zzzzzz": 1}')), (err: Error) => /Unrecognized key/.test(err.message) && !/did you mean/.test(err.message));
  // A trailing comma on line 4, with a byte order mark in front (which the position does not count).
  assert.throws(() => readConfigFile(write('comma.json', '\uFEFF{\n  "pricing": {\n    "vcpuUsdPerHour": 0.05,\n  }\n}')), /is not valid JSON: .* \(line 4, column 3\)$/);
});

test('a training config (configs/*.json) is named as one, pointing to train --config and edgepilot config, not refused key by key', () => {
  const shipped = fileURLToPath(new URL('../../configs/meta-td3.json', import.meta.url));
  assert.throws(() => readConfigFile(shipped), (e: Error) => e instanceof ConfigFileError && /meta-td3\.json is a training config \(it has algo, env, hyperparameters, timesteps; give it to train --config\); bench\/demo\/serve\/edge\/trace --config take world overrides: see 'edgepilot config'$/.test(e.message));
  assert.throws(() => readConfigFile(file('algo.json', '{"algo": "ppo"}')), /is a training config \(it has algo;/);
});

test('a folder given as the config file is named as one (it was a raw EISDIR)', () => {
  assert.throws(() => readConfigFile(dir), (e: Error) => e instanceof ConfigFileError && e.message === `${dir} is a folder, not a file`);
});

test('describeConfigFile names up to 12 keys and counts the rest; a file that sets nothing says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-config-'));
  // 13 scenario SLA targets set to their defaults: 13 leaves, in file order.
  const scenarios = Object.keys(DEFAULT_CONFIG.scenarios);
  const leaves: Record<string, Record<string, number>> = {};
  const paths: string[] = [];
  for (const name of scenarios) {
    for (const [key, value] of Object.entries(DEFAULT_CONFIG.scenarios[name as keyof typeof DEFAULT_CONFIG.scenarios])) {
      if (paths.length === 13 || typeof value !== 'number') continue;
      (leaves[name] ??= {})[key] = value;
      paths.push(`scenarios.${name}.${key}`);
    }
  }
  assert.equal(paths.length, 13, 'the test needs 13 numeric scenario keys');
  const path = join(dir, 'many.json');
  writeFileSync(path, JSON.stringify({ scenarios: leaves }));
  const read = readConfigFile(path);
  assert.deepEqual(read.overrides, paths);
  const shown = paths.slice(0, 12).join(', ');
  assert.equal(describeConfigFile(read), `${path} (sets ${shown}, and 1 more)`);
  assert.equal(describeConfigFile({ ...read, overrides: paths.slice(0, 12) }), `${path} (sets ${shown})`, 'exactly 12 keys: no "and 0 more"');
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '{}');
  assert.equal(describeConfigFile(readConfigFile(empty)), `${empty} (sets nothing: the defaults)`);
});

test('a JSON error message that gives no position stays on one line and gets no line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-config-'));
  const path = join(dir, 'word.json');
  writeFileSync(path, '{"pricing": tru\n}');
  assert.throws(
    () => readConfigFile(path),
    (e: Error) => e instanceof ConfigFileError && /is not valid JSON: Unexpected token/.test(e.message) && !e.message.includes('\n') && !/\(line /.test(e.message),
  );
});
