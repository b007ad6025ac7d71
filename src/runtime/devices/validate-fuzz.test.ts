/**
 * Fuzz test of validatePayload: thousands of malformed payloads, each of which must come back as a
 * rejection with a known reason and a detail, never as an accepted message and never as an exception.
 * Malformed payloads are derived from valid generated messages by seeded mutations, so a failure is
 * reproducible from the printed case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.ts';
import { DeviceFleet, constantRate } from './fleet.ts';
import { REJECT_REASONS, validatePayload, type RejectReason, type ValidateOptions } from './schemas.ts';
import { deviceTopic } from './topics.ts';
import { getAt, paths, setAt, type Json } from './json-paths.ts';
import { SCENARIOS } from '../../env/spark-iot-types.ts';


const CASES_PER_CATEGORY = 400;
const rng = new Rng(20261125);

/** Valid messages of every kind to mutate. */
const valid: Array<{ topic: string; message: Json }> = [];
for (const scenario of SCENARIOS) {
  const fleet = new DeviceFleet({ scenario, devices: 30, seed: 11, rate: constantRate(100), durationS: 1e6 });
  for (let i = 0; i < 100; i++) {
    const item = fleet.next()!;
    item.message.sentAtMs = 1_764_108_000_000;
    valid.push({ topic: item.topic, message: item.message as unknown as Json });
  }
}

function pick<T>(items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function leafPaths(message: Json, type: 'number' | 'string' | 'boolean') {
  return paths(message).filter((p) => typeof getAt(message, p) === type);
}

interface Case {
  topic: string;
  payload: Uint8Array | string;
  /** null = any reason is fine (e.g. random bytes), otherwise the exact reason expected. */
  expect: RejectReason | null;
  opts?: ValidateOptions;
}

const categories: Record<string, () => Case> = {
  'random bytes': () => {
    const bytes = new Uint8Array(rng.int(300));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    return { topic: pick(valid).topic, payload: bytes, expect: null };
  },
  'random printable text': () => {
    const chars = '{}[]":,0123456789.eE+-truefalsnl abc\\';
    let s = '';
    for (let i = rng.int(200); i > 0; i--) s += chars[rng.int(chars.length)];
    return { topic: pick(valid).topic, payload: s, expect: null };
  },
  'truncated JSON': () => {
    const { topic, message } = pick(valid);
    const text = JSON.stringify(message);
    return { topic, payload: text.slice(0, 1 + rng.int(text.length - 1)), expect: 'invalid-json' };
  },
  'wrong type at a leaf': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    const type = pick(['number', 'string', 'boolean'] as const);
    const candidates = leafPaths(m, type);
    if (candidates.length === 0) return { topic, payload: '[]', expect: 'schema' };
    const wrong: Record<typeof type, Json[]> = {
      number: ['12', null, true, {}, [], 'twelve'],
      string: [12, null, false, {}, [], ['a']],
      boolean: ['true', 1, null, 0],
    };
    setAt(m, pick(candidates), pick(wrong[type]));
    return { topic, payload: JSON.stringify(m), expect: 'schema' };
  },
  'missing field': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    const objectKeys = paths(m).filter((p) => typeof p[p.length - 1] === 'string');
    const path = pick(objectKeys);
    delete (getAt(m, path.slice(0, -1)) as Record<string, Json>)[path[path.length - 1] as string];
    // Deleting the device id makes the topic disagree only after the schema check, so 'schema' comes first.
    return { topic, payload: JSON.stringify(m), expect: 'schema' };
  },
  'unexpected extra field': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    const objects = [[] as Array<string | number>, ...paths(m).filter((p) => { const v = getAt(m, p); return v !== null && typeof v === 'object' && !Array.isArray(v); })];
    const target = getAt(m, pick(objects)) as Record<string, Json>;
    // defineProperty: a plain assignment to '__proto__' would set the prototype instead of adding a key.
    Object.defineProperty(target, pick(['extra', '__proto__', 'constructor', 'toString', 'sentAt']), { value: 1, enumerable: true, configurable: true, writable: true });
    return { topic, payload: JSON.stringify(m), expect: 'schema' };
  },
  'number out of physical range': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    setAt(m, pick(leafPaths(m, 'number')), pick([-1e6, 1e17, -0.5e9]));
    return { topic, payload: JSON.stringify(m), expect: 'schema' };
  },
  'NaN or Infinity written as a string': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    setAt(m, pick(leafPaths(m, 'number')), pick(['NaN', 'Infinity', '-Infinity', 'nan', 'inf', ' -inf ', '+Infinity']));
    return { topic, payload: JSON.stringify(m), expect: 'non-finite-number' };
  },
  'number too large for a double': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    setAt(m, pick(leafPaths(m, 'number')), '__HUGE__');
    const huge = pick(['1e999', '-1e999', '9'.repeat(400), '1.7976931348623159e308']);
    return { topic, payload: JSON.stringify(m).replace('"__HUGE__"', huge), expect: 'non-finite-number' };
  },
  'huge payload': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    const strings = leafPaths(m, 'string');
    setAt(m, pick(strings), 'x'.repeat(16 * 1024 + rng.int(100_000)));
    return { topic, payload: JSON.stringify(m), expect: 'too-large' };
  },
  'unknown device id': () => {
    const { message } = pick(valid);
    const m = structuredClone(message) as { deviceId: string; scenario: (typeof SCENARIOS)[number] };
    m.deviceId = `ZZ-${rng.int(1e6)}`;
    const known = new Set(valid.map((v) => (v.message as { deviceId: string }).deviceId));
    return { topic: deviceTopic(m.scenario, m.deviceId), payload: JSON.stringify(m), expect: 'unknown-device', opts: { knownDevices: known } };
  },
  'deeply nested': () => {
    const depth = 9 + rng.int(8000);
    const payload = rng.next() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    return { topic: pick(valid).topic, payload, expect: payload.length > 16 * 1024 ? 'too-large' : 'too-deep' };
  },
  'nested object hidden in a field': () => {
    const { topic, message } = pick(valid);
    const m = structuredClone(message);
    let nested: Json = 1;
    for (let i = 0; i < 10 + rng.int(50); i++) nested = { a: nested };
    setAt(m, pick(leafPaths(m, 'number')), nested);
    return { topic, payload: JSON.stringify(m), expect: 'too-deep' };
  },
  'not a JSON object': () => ({
    topic: pick(valid).topic,
    payload: pick(['null', '1', '"text"', '[]', 'true', '[{}]', '{}', '""', '   ', '', '\u0000']),
    expect: null,
  }),
  'payload on a foreign topic': () => ({
    topic: pick(['', '#', 'edgepilot', 'edgepilot/devices', 'edgepilot/devices/mars/HC-0001', 'edgepilot/devices/healthcare/+', 'iot/healthcare/vitals', 'edgepilot/devices/healthcare/a/b', 'x'.repeat(5000)]),
    payload: JSON.stringify(pick(valid).message),
    expect: 'unknown-topic',
  }),
};

test('validatePayload rejects every malformed payload with a reason and never throws', () => {
  let total = 0;
  const seenReasons = new Set<string>();
  for (const [name, make] of Object.entries(categories)) {
    for (let i = 0; i < CASES_PER_CATEGORY; i++) {
      const c = make();
      let r;
      try {
        r = validatePayload(c.topic, c.payload, c.opts);
      } catch (err) {
        assert.fail(`${name} #${i}: validatePayload threw ${String(err)}`);
      }
      const shown = typeof c.payload === 'string' ? c.payload.slice(0, 300) : `<${c.payload.length} bytes>`;
      assert.equal(r.ok, false, `${name} #${i}: accepted ${shown}`);
      if (r.ok) continue;
      assert.ok((REJECT_REASONS as readonly string[]).includes(r.reason), `${name} #${i}: unknown reason ${r.reason}`);
      assert.ok(r.detail.length > 0 && r.detail.length <= 200, `${name} #${i}: detail '${r.detail}'`);
      if (c.expect !== null) assert.equal(r.reason, c.expect, `${name} #${i}: ${r.detail} for ${shown}`);
      seenReasons.add(r.reason);
      total++;
    }
  }
  assert.equal(total, Object.keys(categories).length * CASES_PER_CATEGORY);
  for (const reason of ['invalid-utf8', 'invalid-json', 'too-deep', 'non-finite-number', 'schema', 'too-large', 'unknown-device', 'unknown-topic']) {
    assert.ok(seenReasons.has(reason), `no case produced '${reason}'`);
  }
});

test('hostile argument types are rejected, not thrown', () => {
  const bad: Array<[unknown, unknown]> = [
    [undefined, undefined],
    [null, Buffer.from('{}')],
    [42, '{}'],
    [valid[0]!.topic, null],
    [valid[0]!.topic, 12345],
  ];
  for (const [topic, payload] of bad) {
    const r = validatePayload(topic as string, payload as string);
    assert.equal(r.ok, false);
  }
});
