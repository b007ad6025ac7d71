/**
 * The hand-written isDeviceMessage must decide exactly as the zod deviceMessageSchema (the documented source of
 * truth): same yes/no on valid generated messages of every payload type and on thousands of seeded mutations of
 * them (wrong types, missing and extra fields, values at and just past every bound, broken cross-field rules).
 * validatePayload, which uses it, must still reject every mutation zod rejects with zod's reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.ts';
import { SCENARIOS } from '../../env/spark-iot-types.ts';
import { DeviceFleet, constantRate } from './fleet.ts';
import { isDeviceMessage } from './fast-validate.ts';
import { deviceMessageSchema, validatePayload } from './schemas.ts';
import { deviceTopic } from './topics.ts';
import { getAt, paths, setAt, type Json } from './json-paths.ts';


const rng = new Rng(20261126);

/** Valid messages of every scenario (so every kind and payload type). */
const valid: Json[] = [];
for (const scenario of SCENARIOS) {
  const fleet = new DeviceFleet({ scenario, devices: 40, seed: 7, rate: constantRate(100), durationS: 1e6 });
  for (let i = 0; i < 150; i++) valid.push(fleet.next()!.message as unknown as Json);
}

function pick<T>(items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** Every bound of schemas.ts, so mutations land on, just inside and just past each of them. */
const BOUNDS = [-180, -90, -50, -40, -10, 0, 1, 20, 25, 40, 45, 50, 60, 80, 100, 200, 250, 300, 500, 512, 700, 1000, 2000, 5000, 10_000, 100_000, Number.MAX_SAFE_INTEGER, 4_102_444_800_000];
const NEAR = [0, 0.5, -0.5, 1e-9, -1e-9, 1, -1];
const STRINGS = ['', 'x', 'x'.repeat(64), 'x'.repeat(65), 'HC-0001', '-bad', 'a b', 'a/b', '+', 'Ünï', 'NORMAL', 'HIGH', 'WARNING', 'LOW', 'I', 'IV', 'lathe', 'drill', 'vitals', 'ecg', 'sensors', 'production', 'traffic', 'air', 'parking', 'healthcare', 'industrial', 'smart-city', 'balanced', 'mars', 'NaN'];
const OTHERS: Json[] = [null, true, false, [], {}, [1], { a: 1 }, '12'];

const mutations: Record<string, (m: Json) => void> = {
  'number near a bound': (m) => {
    const leaves = paths(m).filter((p) => typeof getAt(m, p) === 'number');
    setAt(m, pick(leaves), pick(BOUNDS) + pick(NEAR));
  },
  'number scaled': (m) => {
    const leaves = paths(m).filter((p) => typeof getAt(m, p) === 'number');
    const p = pick(leaves);
    setAt(m, p, (getAt(m, p) as number) * pick([-1, 0, 0.5, 1.0001, 2, 10, 1000]));
  },
  'string replaced': (m) => {
    const leaves = paths(m).filter((p) => typeof getAt(m, p) === 'string');
    setAt(m, pick(leaves), pick(STRINGS));
  },
  'wrong type': (m) => {
    setAt(m, pick(paths(m)), structuredClone(pick(OTHERS)));
  },
  'field removed': (m) => {
    const keys = paths(m).filter((p) => typeof p[p.length - 1] === 'string');
    const p = pick(keys);
    delete (getAt(m, p.slice(0, -1)) as Record<string, Json>)[p[p.length - 1] as string];
  },
  'field added': (m) => {
    const objects = [[] as Array<string | number>, ...paths(m).filter((p) => { const v = getAt(m, p); return v !== null && typeof v === 'object' && !Array.isArray(v); })];
    const target = getAt(m, pick(objects)) as Record<string, Json>;
    Object.defineProperty(target, pick(['extra', '__proto__', 'constructor', 'toString', 'type']), { value: pick([1, 'x', null]), enumerable: true, configurable: true, writable: true });
  },
  'waveform resized': (m) => {
    const w = paths(m).find((p) => p[p.length - 1] === 'waveformMv');
    if (w === undefined) return;
    setAt(m, w, pick([[], Array.from({ length: 512 }, () => 0.1), Array.from({ length: 513 }, () => 0.1), [0, 'x'], [11], [-10, 10]]));
  },
  'cross-field rule': (m) => {
    const p = (m as { payload: Record<string, Json> }).payload;
    if (p.type === 'parking') {
      const total = p.totalSpots as number;
      p.occupiedSpots = pick([total, total + 1, 0]);
      p.availableSpots = pick([total - (p.occupiedSpots as number), total - (p.occupiedSpots as number) + 1, 0]);
    } else if (p.type === 'vitals') {
      const bp = p.bloodPressure as Record<string, number>;
      bp.diastolicMmHg = bp.systolicMmHg! + pick([-1, 0, 1]);
    } else {
      (m as Record<string, Json>).scenario = pick(SCENARIOS);
    }
  },
};

test('isDeviceMessage accepts every valid generated message of every payload type, as zod does', () => {
  const types = new Set<string>();
  for (const m of valid) {
    assert.equal(deviceMessageSchema.safeParse(m).success, true, `zod rejects a generated message: ${JSON.stringify(m)}`);
    assert.equal(isDeviceMessage(m), true, `isDeviceMessage rejects ${JSON.stringify(m)}`);
    types.add((m as { payload: { type: string } }).payload.type);
  }
  assert.deepEqual([...types].sort(), ['air', 'ecg', 'parking', 'production', 'sensors', 'traffic', 'vitals']);
});

test('isDeviceMessage and zod agree on seeded mutations; validatePayload keeps zod reasons', () => {
  const CASES_PER_MUTATION = 1500;
  let accepted = 0;
  let rejected = 0;
  for (const [name, mutate] of Object.entries(mutations)) {
    for (let i = 0; i < CASES_PER_MUTATION; i++) {
      const m = structuredClone(pick(valid));
      mutate(m);
      if (rng.next() < 0.2) mutate(m);
      // Through JSON, as on the wire (e.g. -0 becomes 0, a defined '__proto__' stays an own key).
      const text = JSON.stringify(m);
      const value = JSON.parse(text) as unknown;
      const zodOk = deviceMessageSchema.safeParse(value).success;
      assert.equal(isDeviceMessage(value), zodOk, `${name} #${i}: zod says ${zodOk} for ${text}`);
      const { deviceId, scenario } = value as { deviceId: unknown; scenario: unknown };
      if (typeof deviceId !== 'string' || !(SCENARIOS as readonly unknown[]).includes(scenario) || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(deviceId)) continue;
      const r = validatePayload(deviceTopic(scenario as (typeof SCENARIOS)[number], deviceId), text);
      assert.equal(r.ok, zodOk, `${name} #${i}: validatePayload ${r.ok ? 'accepted' : `rejected (${r.reason})`} ${text}`);
      if (!r.ok) assert.ok(r.reason === 'schema' || r.reason === 'non-finite-number', `${name} #${i}: reason ${r.reason}: ${r.detail}`);
      if (zodOk) accepted++;
      else rejected++;
    }
  }
  // The corpus must exercise both sides.
  assert.ok(accepted > 500 && rejected > 5000, `accepted ${accepted}, rejected ${rejected}`);
});

test('isDeviceMessage and zod agree at, just inside and just past every bound, for every numeric field of every type', () => {
  const oneOfEachType = new Map<string, Json>();
  for (const m of valid) oneOfEachType.set((m as { payload: { type: string } }).payload.type, m);
  let cases = 0;
  for (const m of oneOfEachType.values()) {
    // Waveform samples share one schema; the first stands for them all.
    const leaves = paths(m).filter((p) => typeof getAt(m, p) === 'number' && !(p.includes('waveformMv') && p[p.length - 1] !== 0));
    for (const leaf of leaves) {
      for (const bound of BOUNDS) {
        for (const near of NEAR) {
          const v = structuredClone(m);
          setAt(v, leaf, bound + near);
          const zodOk = deviceMessageSchema.safeParse(v).success;
          assert.equal(isDeviceMessage(v), zodOk, `${leaf.join('.')} = ${bound + near}: zod says ${zodOk}`);
          cases++;
        }
      }
    }
  }
  assert.ok(cases > 10_000, `${cases} cases`);
});

test('isDeviceMessage refuses non-objects and odd roots without throwing', () => {
  for (const v of [null, undefined, 0, 'x', [], [valid[0]], true, {}, Object.create(null) as object]) {
    assert.equal(isDeviceMessage(v), false);
    assert.equal(deviceMessageSchema.safeParse(v).success, false);
  }
});
