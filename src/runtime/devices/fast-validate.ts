/**
 * A hand-written check of a parsed JSON value against `deviceMessageSchema` (schemas.ts), for the hot path.
 *
 * The zod schemas stay the documented source of truth (docs/MESSAGES.md); this is a faster predicate with the
 * same accept/reject decision: `isDeviceMessage(v)` is true exactly when `deviceMessageSchema.safeParse(v)`
 * succeeds (fast-validate.test.ts checks the two agree on the fuzz corpus and on valid messages of every schema).
 * It says only yes or no: validatePayload asks zod again for a rejected value, so the reason and detail of a
 * reject are zod's, unchanged. zod builds a result object per field and copies the message (~50 µs per message
 * here, measured); this reads each field once and allocates nothing.
 *
 * Every bound below is copied from schemas.ts; change them together.
 */
import { SCENARIOS } from '../../env/spark-iot-types.ts';
import { MACHINE_TYPES, SCHEMA_VERSION } from './schemas.ts';
import { ID_PATTERN } from './topics.ts';

/** 2100-01-01T00:00:00Z, as in schemas.ts (MAX_SENT_AT_MS). */
const MAX_SENT_AT_MS = 4_102_444_800_000;

type Obj = Record<string, unknown>;

/** z.number().finite().min(min).max(max) */
function num(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}

/** z.number().int().min(min).max(max) */
function int(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

const percent = (v: unknown): boolean => num(v, 0, 100);

/** z.string().min(min).max(max) (UTF-16 length, as zod counts it) */
function str(v: unknown, min: number, max: number): boolean {
  return typeof v === 'string' && v.length >= min && v.length <= max;
}

const id = (v: unknown): boolean => typeof v === 'string' && ID_PATTERN.test(v);

function oneOf(v: unknown, values: readonly string[]): boolean {
  return typeof v === 'string' && values.includes(v);
}

/** A plain JSON object (zod's object type: not null, not an array). */
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `.strict()`: no keys besides the `expected` ones. Called after every expected key was checked present (a
 * required field that is absent reads undefined and fails its check), so equal counts mean no extra key.
 */
function exactKeys(o: Obj, expected: number): boolean {
  let n = 0;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return n === expected;
}

const LEADS = ['I', 'II', 'III'] as const;
const VITALS_ALERTS = ['NORMAL', 'HIGH'] as const;
const SENSOR_ALERTS = ['NORMAL', 'WARNING', 'CRITICAL'] as const;
const CONGESTION = ['LOW', 'MEDIUM', 'HIGH'] as const;

function vitals(p: Obj): boolean {
  const bp = p.bloodPressure;
  if (!isObj(bp) || !num(bp.systolicMmHg, 40, 300) || !num(bp.diastolicMmHg, 20, 200) || !exactKeys(bp, 2)) return false;
  // superRefine: diastolic must be below systolic.
  if ((bp.diastolicMmHg as number) >= (bp.systolicMmHg as number)) return false;
  return (
    id(p.patientId) &&
    str(p.hospital, 1, 64) &&
    num(p.heartRateBpm, 20, 300) &&
    num(p.spo2Percent, 50, 100) &&
    num(p.temperatureC, 25, 45) &&
    num(p.respiratoryRateBpm, 0, 80) &&
    oneOf(p.alertLevel, VITALS_ALERTS) &&
    percent(p.batteryPercent) &&
    exactKeys(p, 10)
  );
}

function ecg(p: Obj): boolean {
  const w = p.waveformMv;
  if (!Array.isArray(w) || w.length < 1 || w.length > 512) return false;
  for (let i = 0; i < w.length; i++) if (!num(w[i], -10, 10)) return false;
  return (
    id(p.patientId) &&
    int(p.sampleRateHz, 50, 2000) &&
    oneOf(p.lead, LEADS) &&
    num(p.heartRateBpm, 20, 300) &&
    num(p.qrsDurationMs, 40, 250) &&
    num(p.qtIntervalMs, 200, 700) &&
    exactKeys(p, 8)
  );
}

function sensors(p: Obj): boolean {
  return (
    oneOf(p.machineType, MACHINE_TYPES) &&
    num(p.vibrationMmS, 0, 100) &&
    num(p.temperatureC, -40, 300) &&
    num(p.pressureBar, 0, 1000) &&
    num(p.powerKw, 0, 10_000) &&
    num(p.rotationRpm, 0, 100_000) &&
    num(p.acousticDb, 0, 200) &&
    typeof p.operational === 'boolean' &&
    num(p.wearLevel, 0, 1) &&
    oneOf(p.alertLevel, SENSOR_ALERTS) &&
    num(p.remainingLifeHours, 0, 100_000) &&
    int(p.cyclesCompleted, 0, Number.MAX_SAFE_INTEGER) &&
    exactKeys(p, 13)
  );
}

function production(p: Obj): boolean {
  return (
    oneOf(p.machineType, MACHINE_TYPES) &&
    int(p.unitsPerHour, 0, 100_000) &&
    percent(p.efficiencyPercent) &&
    percent(p.defectRatePercent) &&
    num(p.downtimeMinutes, 0, 60) &&
    percent(p.qualityScore) &&
    exactKeys(p, 7)
  );
}

/** The fields every smart-city payload shares: city and location. */
function cityAndLocation(p: Obj): boolean {
  const loc = p.location;
  return str(p.city, 1, 64) && isObj(loc) && num(loc.latitude, -90, 90) && num(loc.longitude, -180, 180) && exactKeys(loc, 2);
}

function traffic(p: Obj): boolean {
  return (
    cityAndLocation(p) &&
    int(p.vehicleCount, 0, 10_000) &&
    num(p.avgSpeedKmh, 0, 200) &&
    percent(p.laneOccupancyPercent) &&
    oneOf(p.congestion, CONGESTION) &&
    exactKeys(p, 7)
  );
}

function air(p: Obj): boolean {
  return (
    cityAndLocation(p) &&
    int(p.aqi, 0, 500) &&
    num(p.pm25UgM3, 0, 1000) &&
    num(p.pm10UgM3, 0, 2000) &&
    num(p.co2Ppm, 200, 5000) &&
    num(p.temperatureC, -50, 60) &&
    percent(p.humidityPercent) &&
    exactKeys(p, 9)
  );
}

function parking(p: Obj): boolean {
  if (
    !(
      cityAndLocation(p) &&
      int(p.totalSpots, 1, 100_000) &&
      int(p.occupiedSpots, 0, 100_000) &&
      int(p.availableSpots, 0, 100_000) &&
      percent(p.occupancyPercent) &&
      exactKeys(p, 7)
    )
  ) {
    return false;
  }
  // superRefine: occupied <= total, available = total - occupied.
  const total = p.totalSpots as number;
  const occupied = p.occupiedSpots as number;
  return occupied <= total && p.availableSpots === total - occupied;
}

/** The payload of each message kind, by `type` (the discriminated unions of schemas.ts). */
function payloadOk(kind: unknown, p: unknown): boolean {
  if (!isObj(p)) return false;
  switch (kind) {
    case 'healthcare':
      return p.type === 'vitals' ? vitals(p) : p.type === 'ecg' ? ecg(p) : false;
    case 'industrial':
      return p.type === 'sensors' ? sensors(p) : p.type === 'production' ? production(p) : false;
    case 'smart-city':
      return p.type === 'traffic' ? traffic(p) : p.type === 'air' ? air(p) : p.type === 'parking' ? parking(p) : false;
    default:
      return false;
  }
}

/** True exactly when `deviceMessageSchema.safeParse(value).success` (schemas.ts). Never throws on JSON values. */
export function isDeviceMessage(value: unknown): boolean {
  if (!isObj(value)) return false;
  const m = value;
  return (
    m.schemaVersion === SCHEMA_VERSION &&
    id(m.deviceId) &&
    oneOf(m.scenario, SCENARIOS) &&
    int(m.seq, 0, Number.MAX_SAFE_INTEGER) &&
    int(m.sentAtMs, 1, MAX_SENT_AT_MS) &&
    // superRefine: a single-kind scenario only has devices of its own kind.
    (m.scenario === 'balanced' || m.scenario === m.kind) &&
    payloadOk(m.kind, m.payload) &&
    exactKeys(m, 7)
  );
}
