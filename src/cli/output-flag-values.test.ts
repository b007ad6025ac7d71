/** Edges of the shared flag parsers and checks of src/cli/output.ts: each refusal names the flag and what was wrong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInputFile, checkMqttSessionFlags, MAX_TIMER_S, parseFloatOption, parseIntOption, parseSecondsOption, UsageError } from './output.ts';

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

test('an integer flag refuses a fraction and an infinity; its bounds are inclusive', () => {
  assert.throws(() => parseIntOption('--seeds', '1.5', 1), usage(/^--seeds must be an integer >= 1, got '1.5'$/));
  assert.throws(() => parseIntOption('--seeds', 'Infinity', 1), usage(/^--seeds must be an integer >= 1, got 'Infinity'$/));
  assert.throws(() => parseIntOption('--seeds', '0', 1), usage(/^--seeds must be an integer >= 1, got '0'$/));
  assert.equal(parseIntOption('--seeds', '1', 1, 5), 1);
  assert.equal(parseIntOption('--seeds', '5', 1, 5), 5);
  assert.throws(() => parseIntOption('--seeds', '6', 1, 5), usage(/^--seeds must be <= 5, got '6'$/), 'no reason given: none in brackets');
});

test('a number flag refuses infinities (typed, or a literal too large for a double)', () => {
  assert.throws(() => parseFloatOption('--rate', 'Infinity'), usage(/^--rate must be a number, got 'Infinity'$/));
  assert.throws(() => parseFloatOption('--rate', '-Infinity'), usage(/^--rate must be a number/));
  assert.throws(() => parseFloatOption('--rate', '1e400'), usage(/^--rate must be a number, got '1e400'$/));
  assert.throws(() => parseFloatOption('--rate', 'ten'), usage(/^--rate must be a number, got 'ten'$/));
  assert.equal(parseFloatOption('--rate', ' 2.5 '), 2.5);
});

test("a timer's seconds may be exactly Node's longest timer, not a second more", () => {
  assert.equal(parseSecondsOption('--duration', String(MAX_TIMER_S)), MAX_TIMER_S);
  assert.throws(() => parseSecondsOption('--duration', String(MAX_TIMER_S + 1)), usage(/^--duration must be <= 2147483 seconds/));
  assert.throws(() => parseSecondsOption('--duration', '-1'), usage(/^--duration must be > 0 seconds, got '-1'$/));
});

test("a command's file argument (no flag) is named by itself, without a flag prefix", () => {
  const dir = mkdtempSync(join(tmpdir(), 'output-input-file-'));
  assert.throws(() => checkInputFile(null, join(dir, 'none.csv')), usage(/^file not found: .*none\.csv$/));
  assert.throws(() => checkInputFile(null, dir), usage(/^\/.* is a folder, not a file$/));
});

test('--mqtt-client-id and --mqtt-clean-session: refused with the reason where there is no client, the id checked where there is', () => {
  const why = 'applies to the --mqtt-url broker';
  assert.throws(() => checkMqttSessionFlags({ mqttClientId: 'site-7' }, why), usage(/^--mqtt-client-id applies to the --mqtt-url broker$/));
  assert.throws(() => checkMqttSessionFlags({ mqttCleanSession: true }, why), usage(/^--mqtt-clean-session applies to the --mqtt-url broker$/));
  assert.doesNotThrow(() => checkMqttSessionFlags({}, why), 'neither flag given: nothing to refuse');
  assert.doesNotThrow(() => checkMqttSessionFlags({ mqttClientId: 'site-7.edge_2', mqttCleanSession: true }, null));
  assert.throws(() => checkMqttSessionFlags({ mqttClientId: 'site 7' }, null), usage(/^--mqtt-client-id must match .*, got "site 7"$/));
  assert.throws(() => checkMqttSessionFlags({ mqttClientId: '' }, null), usage(/^--mqtt-client-id must not be empty$/));
});
