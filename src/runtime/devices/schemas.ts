/**
 * Message contracts of the three device kinds and `validatePayload`, the one gate every consumer (edge
 * gateway, micro-batch engine) puts in front of a raw MQTT payload. A bad payload is returned as a
 * rejection with a reason, to be counted and skipped: validation never throws.
 *
 * Fields follow the original synthetic generators (original-system.md §7.4), renamed to camelCase with
 * units in the names. Each message carries an envelope: deviceId, scenario, kind, seq (per-device sequence
 * number, for exactly-once accounting: the receiver dedups on (deviceId, seq)) and sentAtMs (wall clock at
 * the first send, for end-to-end latency). docs/MESSAGES.md documents every field.
 *
 * Ranges here are *physical plausibility* bounds (what a working sensor could report, anomalies included),
 * deliberately wider than the generators' distributions; they reject garbage, not outliers.
 *
 * The zod schemas below are the source of truth. On the hot path validatePayload decides with the equivalent
 * hand-written check of fast-validate.ts (fast-validate.test.ts holds the two to the same decisions) and asks zod
 * only to explain a reject, so reasons and details are zod's.
 */
import { z } from 'zod';
import { truncate } from '../../core/text.ts';
import { SCENARIOS } from '../../env/spark-iot-types.ts';
import { isDeviceMessage } from './fast-validate.ts';
import { ID_PATTERN, parseTopic } from './topics.ts';

export const SCHEMA_VERSION = 1;

/** 2100-01-01T00:00:00Z: a sentAtMs beyond it is a unit error (µs or ns), not a timestamp. */
const MAX_SENT_AT_MS = 4_102_444_800_000;

/** A finite number in [min, max]. */
const num = (min: number, max: number) => z.number().finite().min(min).max(max);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const percent = num(0, 100);

const envelope = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  deviceId: z.string().regex(ID_PATTERN),
  scenario: z.enum(SCENARIOS),
  seq: int(0, Number.MAX_SAFE_INTEGER),
  sentAtMs: int(1, MAX_SENT_AT_MS),
};

// ---- healthcare (original HealthcareGenerator: 80 % vital signs, 20 % ECG) ----

export const vitalsPayloadSchema = z
  .object({
    type: z.literal('vitals'),
    patientId: z.string().regex(ID_PATTERN),
    hospital: z.string().min(1).max(64),
    heartRateBpm: num(20, 300),
    bloodPressure: z.object({ systolicMmHg: num(40, 300), diastolicMmHg: num(20, 200) }).strict(),
    spo2Percent: num(50, 100),
    temperatureC: num(25, 45),
    respiratoryRateBpm: num(0, 80),
    alertLevel: z.enum(['NORMAL', 'HIGH']),
    batteryPercent: percent,
  })
  .strict();

export const ecgPayloadSchema = z
  .object({
    type: z.literal('ecg'),
    patientId: z.string().regex(ID_PATTERN),
    sampleRateHz: int(50, 2000),
    lead: z.enum(['I', 'II', 'III']),
    waveformMv: z.array(num(-10, 10)).min(1).max(512),
    heartRateBpm: num(20, 300),
    qrsDurationMs: num(40, 250),
    qtIntervalMs: num(200, 700),
  })
  .strict();

export const healthcarePayloadSchema = z.discriminatedUnion('type', [vitalsPayloadSchema, ecgPayloadSchema]);

// ---- industrial (original IndustrialGenerator: 70 % sensor readings, 30 % production reports) ----

export const MACHINE_TYPES = ['cnc-mill', 'lathe', 'press', 'welder', 'conveyor'] as const;

export const machineSensorsPayloadSchema = z
  .object({
    type: z.literal('sensors'),
    machineType: z.enum(MACHINE_TYPES),
    vibrationMmS: num(0, 100),
    temperatureC: num(-40, 300),
    pressureBar: num(0, 1000),
    powerKw: num(0, 10_000),
    rotationRpm: num(0, 100_000),
    acousticDb: num(0, 200),
    operational: z.boolean(),
    wearLevel: num(0, 1),
    alertLevel: z.enum(['NORMAL', 'WARNING', 'CRITICAL']),
    remainingLifeHours: num(0, 100_000),
    cyclesCompleted: int(0, Number.MAX_SAFE_INTEGER),
  })
  .strict();

export const productionPayloadSchema = z
  .object({
    type: z.literal('production'),
    machineType: z.enum(MACHINE_TYPES),
    unitsPerHour: int(0, 100_000),
    efficiencyPercent: percent,
    defectRatePercent: percent,
    downtimeMinutes: num(0, 60),
    qualityScore: percent,
  })
  .strict();

export const industrialPayloadSchema = z.discriminatedUnion('type', [machineSensorsPayloadSchema, productionPayloadSchema]);

// ---- smart city (original SmartCityGenerator: traffic, air quality ("pollution"), parking) ----

const location = z.object({ latitude: num(-90, 90), longitude: num(-180, 180) }).strict();
const city = z.string().min(1).max(64);

export const trafficPayloadSchema = z
  .object({
    type: z.literal('traffic'),
    city,
    location,
    vehicleCount: int(0, 10_000),
    avgSpeedKmh: num(0, 200),
    laneOccupancyPercent: percent,
    congestion: z.enum(['LOW', 'MEDIUM', 'HIGH']),
  })
  .strict();

export const airPayloadSchema = z
  .object({
    type: z.literal('air'),
    city,
    location,
    aqi: int(0, 500),
    pm25UgM3: num(0, 1000),
    pm10UgM3: num(0, 2000),
    co2Ppm: num(200, 5000),
    temperatureC: num(-50, 60),
    humidityPercent: percent,
  })
  .strict();

export const parkingPayloadSchema = z
  .object({
    type: z.literal('parking'),
    city,
    location,
    totalSpots: int(1, 100_000),
    occupiedSpots: int(0, 100_000),
    availableSpots: int(0, 100_000),
    occupancyPercent: percent,
  })
  .strict();

export const smartCityPayloadSchema = z.discriminatedUnion('type', [trafficPayloadSchema, airPayloadSchema, parkingPayloadSchema]);

// ---- the message ----

const healthcareMessageSchema = z.object({ ...envelope, kind: z.literal('healthcare'), payload: healthcarePayloadSchema }).strict();
const industrialMessageSchema = z.object({ ...envelope, kind: z.literal('industrial'), payload: industrialPayloadSchema }).strict();
const smartCityMessageSchema = z.object({ ...envelope, kind: z.literal('smart-city'), payload: smartCityPayloadSchema }).strict();

export const deviceMessageSchema = z
  .discriminatedUnion('kind', [healthcareMessageSchema, industrialMessageSchema, smartCityMessageSchema])
  .superRefine((m, ctx) => {
    // A single-kind scenario only has devices of its own kind; `balanced` mixes all three.
    if (m.scenario !== 'balanced' && m.scenario !== m.kind) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['scenario'], message: `scenario '${m.scenario}' has no '${m.kind}' devices` });
    }
    const p = m.payload;
    if (p.type === 'parking') {
      if (p.occupiedSpots > p.totalSpots) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['payload', 'occupiedSpots'], message: `occupiedSpots ${p.occupiedSpots} > totalSpots ${p.totalSpots}` });
      } else if (p.availableSpots !== p.totalSpots - p.occupiedSpots) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['payload', 'availableSpots'], message: `availableSpots must equal totalSpots - occupiedSpots` });
      }
    }
    if (p.type === 'vitals' && p.bloodPressure.diastolicMmHg >= p.bloodPressure.systolicMmHg) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['payload', 'bloodPressure'], message: 'diastolic must be below systolic' });
    }
  });

export type DeviceMessage = z.infer<typeof deviceMessageSchema>;
export type HealthcarePayload = z.infer<typeof healthcarePayloadSchema>;
export type IndustrialPayload = z.infer<typeof industrialPayloadSchema>;
export type SmartCityPayload = z.infer<typeof smartCityPayloadSchema>;
export type DevicePayload = DeviceMessage['payload'];

/** The wire form: UTF-8 JSON. */
export function encodeMessage(message: DeviceMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

// ---- validation ----

export const REJECT_REASONS = [
  'too-large',
  'invalid-utf8',
  'invalid-json',
  'too-deep',
  'non-finite-number',
  'schema',
  'unknown-topic',
  'topic-mismatch',
  'unknown-device',
  'bad-timestamp',
  'internal',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type ValidationResult = { ok: true; message: DeviceMessage } | { ok: false; reason: RejectReason; detail: string };

export interface ValidateOptions {
  /**
   * Largest accepted payload in bytes. Default 16 KiB: the largest generated message (ECG, 20 samples) is
   * under 1 KiB, and a small cap bounds the parse cost an abusive sender can cause. (The original's raw
   * Kafka topic allowed 1 MB, original-system.md §7.3.)
   */
  maxPayloadBytes?: number;
  /** Deepest accepted {…}/[…] nesting, checked before JSON.parse. A valid message nests 3 deep. */
  maxDepth?: number;
  /** Registered devices; when given, any other deviceId is rejected as 'unknown-device'. */
  knownDevices?: ReadonlySet<string> | ((deviceId: string) => boolean);
  /**
   * With a receive time (validatePayload's `receivedAtMs`): a sentAtMs further than this ahead of the receiver's clock
   * is rejected as 'bad-timestamp'. Default DEFAULT_MAX_AHEAD_MS.
   */
  maxAheadMs?: number;
  /** With a receive time: a sentAtMs older than this is rejected as 'bad-timestamp'. Default DEFAULT_MAX_AGE_MS. */
  maxAgeMs?: number;
}

/**
 * [assumed] 5 min: a device clock that far ahead is broken, not skewed (the engine's maxClockSkewMs is the same 5 min:
 * beyond it an event time would hold the device's watermark in the future and make its next readings late).
 */
export const DEFAULT_MAX_AHEAD_MS = 5 * 60_000;
/**
 * [assumed] 30 days: longer than Kafka's default retention (7 days: broker config `log.retention.hours` 168, kafka.apache.org "Broker Configs"), so a backlog that
 * `serve --kafka-brokers` reads from the beginning after an outage is data, never refused. What this catches is a
 * clock reset to 1970 or seconds written where ms belong, decades off, whose "latency" would otherwise land in the
 * p95 the controller scales on.
 */
export const DEFAULT_MAX_AGE_MS = 30 * 86_400_000;

/**
 * Why `sentAtMs` is not a plausible send time for a message received at `receivedAtMs` (null when it is). Shared by
 * validatePayload and the engine's envelope check, so both refuse the same messages with the same words.
 */
export function timestampProblem(sentAtMs: number, receivedAtMs: number, opts: Pick<ValidateOptions, 'maxAheadMs' | 'maxAgeMs'> = {}): string | null {
  if (!Number.isFinite(receivedAtMs)) return null;
  const aheadMs = sentAtMs - receivedAtMs;
  const maxAhead = opts.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
  const maxAge = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (aheadMs > maxAhead) return `sentAtMs ${sentAtMs} (${isoOf(sentAtMs)}) is ${spanText(aheadMs)} ahead of the receiver's clock (${isoOf(receivedAtMs)}); limit ${spanText(maxAhead)}`;
  if (-aheadMs > maxAge) return `sentAtMs ${sentAtMs} (${isoOf(sentAtMs)}) is ${spanText(-aheadMs)} older than the receiver's clock (${isoOf(receivedAtMs)}); limit ${spanText(maxAge)}`;
  return null;
}

function isoOf(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

function spanText(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s * 10) / 10} s`;
  if (s < 7200) return `${Math.round(s / 6) / 10} min`;
  if (s < 172_800) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} days`;
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024;
export const DEFAULT_MAX_DEPTH = 8;
const MAX_DETAIL_CHARS = 200;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(reason: RejectReason, detail: string): ValidationResult {
  return { ok: false, reason, detail: truncate(detail, MAX_DETAIL_CHARS) };
}

/**
 * Checks a raw payload received on `topic` (a device topic `edgepilot/devices/<scenario>/<deviceId>` or an
 * ingest topic `edgepilot/ingest/<scenario>`). Cheap checks run first, so an oversized or binary payload
 * is never parsed. With `receivedAtMs` (the receiver's clock) it also refuses a sentAtMs that no working device
 * clock gives (timestampProblem). Never throws.
 */
export function validatePayload(topic: string, payload: Uint8Array | string, opts: ValidateOptions = {}, receivedAtMs?: number): ValidationResult {
  try {
    return validateUnsafe(topic, payload, opts, receivedAtMs);
  } catch (err) {
    // Defence in depth: nothing above should throw, but a consumer must never die on one message.
    return reject('internal', `validator error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function validateUnsafe(topic: string, payload: Uint8Array | string, opts: ValidateOptions, receivedAtMs: number | undefined): ValidationResult {
  const maxBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const byteLength = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
  if (byteLength > maxBytes) return reject('too-large', `payload is ${byteLength} bytes, limit ${maxBytes}`);

  const parsedTopic = parseTopic(topic);
  if (parsedTopic === null || (parsedTopic.type !== 'device' && parsedTopic.type !== 'ingest')) {
    return reject('unknown-topic', `topic '${String(topic).slice(0, 120)}' is not a device or ingest topic`);
  }

  let text: string;
  if (typeof payload === 'string') {
    text = payload;
  } else {
    try {
      text = utf8.decode(payload);
    } catch {
      return reject('invalid-utf8', 'payload is not valid UTF-8');
    }
  }
  if (text.trim().length === 0) return reject('invalid-json', 'empty payload');

  if (nestsDeeperThan(text, opts.maxDepth ?? DEFAULT_MAX_DEPTH)) return reject('too-deep', `JSON nests deeper than ${opts.maxDepth ?? DEFAULT_MAX_DEPTH} levels`);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return reject('invalid-json', err instanceof Error ? err.message : 'JSON.parse failed');
  }

  // The hand-written check accepts exactly what the zod schema accepts, at a fraction of the cost; zod only runs to
  // explain a reject.
  let message: DeviceMessage;
  if (isDeviceMessage(value)) {
    message = value as DeviceMessage;
  } else {
    const explained = explainReject(value);
    if ('ok' in explained) return explained;
    message = explained;
  }

  if (parsedTopic.type === 'device' && (parsedTopic.deviceId !== message.deviceId || parsedTopic.scenario !== message.scenario)) {
    return reject('topic-mismatch', `topic names ${parsedTopic.scenario}/${parsedTopic.deviceId}, payload says ${message.scenario}/${message.deviceId}`);
  }
  if (parsedTopic.type === 'ingest' && parsedTopic.scenario !== message.scenario) {
    return reject('topic-mismatch', `ingest topic of '${parsedTopic.scenario}' carries a '${message.scenario}' message`);
  }

  const known = opts.knownDevices;
  if (known !== undefined && !(typeof known === 'function' ? known(message.deviceId) : known.has(message.deviceId))) {
    return reject('unknown-device', `device '${message.deviceId}' is not registered`);
  }
  if (receivedAtMs !== undefined) {
    const problem = timestampProblem(message.sentAtMs, receivedAtMs, opts);
    if (problem !== null) return reject('bad-timestamp', problem);
  }
  return { ok: true, message };
}

/**
 * Why `value` is not a DeviceMessage, in zod's words. The hot path (isDeviceMessage, fast-validate.ts) only says
 * yes or no; for a no, the documented schema gives the reason and detail. (Returns the message if zod accepts it,
 * which the agreement test says never happens for a value isDeviceMessage refused.)
 */
function explainReject(value: unknown): DeviceMessage | ValidationResult {
  const overflow = findOverflow(value, '');
  if (overflow !== null) return reject('non-finite-number', overflow);

  const parsed = deviceMessageSchema.safeParse(value);
  if (!parsed.success) {
    // A reading written as "NaN"/"Infinity" is a sensor fault, worth its own reason; the same string in a
    // text field (a hospital called "Inf") is fine, so only strings where a number was expected count.
    for (const issue of parsed.error.issues) {
      const v = valueAt(value, issue.path);
      if (expectsNumber(issue) && typeof v === 'string' && NON_FINITE_STRING.test(v)) {
        return reject('non-finite-number', `${issue.path.join('.')} is the string '${v.trim()}'`);
      }
    }
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const more = parsed.error.issues.length > 1 ? ` (+${parsed.error.issues.length - 1} more)` : '';
    return reject('schema', `${where}: ${issue.message}${more}`);
  }
  return parsed.data;
}

/**
 * Whether a JSON text nests {…}/[…] deeper than `limit`, scanning outside strings; stops early once past `limit` (a
 * deeply nested payload is rejected before JSON.parse and zod ever recurse into it).
 */
function nestsDeeperThan(text: string, limit: number): boolean {
  // Shortcut: nesting can never exceed the number of opening brackets (those inside strings included), and
  // counting them with the native indexOf is several times cheaper than the scan below. A device message has
  // about five, so the scan runs only for payloads with many brackets.
  let openings = 0;
  for (let i = text.indexOf('{'); i >= 0 && openings <= limit; i = text.indexOf('{', i + 1)) openings++;
  for (let i = text.indexOf('['); i >= 0 && openings <= limit; i = text.indexOf('[', i + 1)) openings++;
  if (openings <= limit) return false;
  let depth = 0;
  let maxDepth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > maxDepth) {
        maxDepth = depth;
        if (maxDepth > limit) return true;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Spellings of non-finite numbers that some encoders (Python's json, printf) write as strings. */
const NON_FINITE_STRING = /^\s*[+-]?(nan|inf|infinity)\s*$/i;

/**
 * Path of the first number that overflowed to ±Infinity in JSON.parse (e.g. 1e999): a schema would only
 * say "out of range", but it is a sensor or encoder fault and gets its own reason.
 */
function findOverflow(value: unknown, path: string): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path || '(root)'} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findOverflow(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = findOverflow(v, path ? `${path}.${k}` : k);
      if (found !== null) return found;
    }
  }
  return null;
}

function expectsNumber(issue: z.ZodIssue): boolean {
  return (issue.code === 'invalid_type' && issue.expected === 'number') || (issue.code === 'invalid_literal' && typeof issue.expected === 'number');
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** Accepted/rejected counts by reason, for the engine's and gateways' metrics. */
export class ValidationTally {
  accepted = 0;
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;

  record(result: ValidationResult): void {
    if (result.ok) this.accepted++;
    else this.rejected[result.reason]++;
  }

  get rejectedTotal(): number {
    return REJECT_REASONS.reduce((s, r) => s + this.rejected[r], 0);
  }
}
