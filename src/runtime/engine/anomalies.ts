/**
 * Anomaly rules of the engine. Two kinds:
 * - range rules: one reading against a fixed limit, per payload type (stateless; they run in the map stage on
 *   the executors), plus the device's own alert flag (HIGH vitals, CRITICAL machines, original §7.4);
 * - a z-score rule: a reading more than `zLimit` standard deviations from that device's running mean (stateful;
 *   it runs in the reduce stage, where the per-device state lives).
 * Limits cite their source; [recalled] = from memory, check before quoting; [own] = illustrative.
 */
import type { PayloadType } from './readings.ts';
import { READING_FIELDS } from './readings.ts';

export type AnomalyRule = 'range' | 'device-alert' | 'zscore';

export interface Alert {
  scenario: string;
  deviceId: string;
  kind: string;
  type: string;
  sentAtMs: number;
  rule: AnomalyRule;
  field: string;
  value: number | string;
  /** Human-readable limit, e.g. '< 92' or '|z| > 4'. */
  limit: string;
}

interface RangeRule {
  field: string;
  /** A reading at or below `low`, or at or above `high`, is flagged. */
  low?: number;
  high?: number;
}

/**
 * Vital-sign limits: the NEWS2 early-warning bands that score 2 or more points [recalled: RCP NEWS2 2017 —
 * heart rate <= 50 scores 1 and <= 40 scores 3, >= 111 scores 2; SpO2 <= 93 scores 2; temperature >= 39.1 scores 2,
 * 38.1-39.0 scores 1; systolic <= 100 scores 2; respiration <= 8 or >= 25 scores 3]. We flag HR <= 50 so that the
 * generator's HIGH readings (HR 40-50 or 120-160, original §7.4) are caught.
 */
const RANGE_RULES: Record<PayloadType, RangeRule[]> = {
  vitals: [
    { field: 'heartRateBpm', low: 50, high: 111 },
    { field: 'spo2Percent', low: 93 },
    { field: 'temperatureC', high: 38.1 },
    { field: 'systolicMmHg', low: 100, high: 220 },
    { field: 'respiratoryRateBpm', low: 8, high: 25 },
  ],
  // [recalled] a QRS of 120 ms or more is "wide" (bundle branch block); QT >= 500 ms is the usual danger mark.
  ecg: [
    { field: 'qrsDurationMs', high: 120 },
    { field: 'qtIntervalMs', high: 500 },
  ],
  // [recalled] ISO 10816-3, medium machines on rigid foundations: above 7.1 mm/s r.m.s. is zone D ("damage").
  // [own] 100 °C casing temperature.
  sensors: [
    { field: 'vibrationMmS', high: 7.1 },
    { field: 'temperatureC', high: 100 },
  ],
  // [own] a defect rate of 5 % or more.
  production: [{ field: 'defectRatePercent', high: 5 }],
  // [own] traffic at walking pace is an incident (the generator's incidents cut speed to 2-10 km/h).
  traffic: [{ field: 'avgSpeedKmh', low: 10 }],
  // [recalled] US EPA AQI: 151-200 is "Unhealthy".
  air: [{ field: 'aqi', high: 151 }],
  // [own] a car park 98 % full.
  parking: [{ field: 'occupancyPercent', high: 98 }],
};

/** Device-raised alert levels worth forwarding (original §7.4: HIGH vitals, WARNING/CRITICAL machines). */
const ALERT_LEVELS = new Set(['HIGH', 'CRITICAL']);

function readField(payload: Record<string, unknown>, field: string): unknown {
  if (field === 'systolicMmHg') return (payload.bloodPressure as Record<string, unknown> | undefined)?.systolicMmHg;
  return payload[field];
}

/** Range and device-alert anomalies of one message (stateless). */
export function rangeAnomalies(
  envelope: { scenario: string; deviceId: string; kind: string; sentAtMs: number },
  type: PayloadType,
  payload: Record<string, unknown>,
): readonly Alert[] {
  // Most readings are normal: allocate nothing unless a rule fires (no closure per call either: under tsx every
  // function created at run time also gets its name set, which showed up in the executors' profile).
  let out: Alert[] | undefined;
  for (const rule of RANGE_RULES[type]) {
    const value = readField(payload, rule.field);
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (rule.low !== undefined && value <= rule.low) out = flag(out, envelope, type, 'range', rule.field, value, `<= ${rule.low}`);
    else if (rule.high !== undefined && value >= rule.high) out = flag(out, envelope, type, 'range', rule.field, value, `>= ${rule.high}`);
  }
  const level = payload.alertLevel;
  if (typeof level === 'string' && ALERT_LEVELS.has(level)) out = flag(out, envelope, type, 'device-alert', 'alertLevel', level, 'HIGH or CRITICAL');
  return out ?? NO_ALERTS;
}

function flag(
  out: Alert[] | undefined,
  envelope: { scenario: string; deviceId: string; kind: string; sentAtMs: number },
  type: PayloadType,
  rule: AnomalyRule,
  field: string,
  value: number | string,
  limit: string,
): Alert[] {
  const list = out ?? [];
  list.push({ scenario: envelope.scenario, deviceId: envelope.deviceId, kind: envelope.kind, type, sentAtMs: envelope.sentAtMs, rule, field, value, limit });
  return list;
}

const NO_ALERTS: readonly Alert[] = Object.freeze([]);

interface Welford {
  n: number;
  mean: number;
  m2: number;
}

export interface ZScoreOptions {
  /** [assumed] |z| above this flags a reading: 4 sigma is ~1 in 16,000 for a normal reading. */
  zLimit?: number;
  /** [assumed] Readings of a (device, field) needed before the rule fires. */
  minSamples?: number;
}

/** Running mean and variance (Welford) per device, type and reading; flags readings far from that device's mean. */
export class ZScoreDetector {
  private readonly stats = new Map<string, Welford[]>();
  private readonly zLimit: number;
  private readonly minSamples: number;

  constructor(options: ZScoreOptions = {}) {
    this.zLimit = options.zLimit ?? 4;
    this.minSamples = options.minSamples ?? 30;
    if (!(this.zLimit > 0)) throw new Error(`ZScoreDetector: zLimit must be > 0, got ${options.zLimit}`);
    if (!(Number.isInteger(this.minSamples) && this.minSamples >= 2)) throw new Error(`ZScoreDetector: minSamples must be an integer >= 2, got ${options.minSamples}`);
  }

  /** Tests the readings against the device's history, then adds them to it. NaN readings are skipped. */
  observe(base: { scenario: string; deviceId: string; kind: string; sentAtMs: number }, type: PayloadType, readings: readonly number[]): Alert[] {
    const key = `${base.deviceId}\u0000${type}`;
    let perField = this.stats.get(key);
    if (perField === undefined) {
      perField = READING_FIELDS[type].map(() => ({ n: 0, mean: 0, m2: 0 }));
      this.stats.set(key, perField);
    }
    const out: Alert[] = [];
    for (let i = 0; i < perField.length; i++) {
      const x = readings[i];
      if (x === undefined || !Number.isFinite(x)) continue;
      const s = perField[i]!;
      if (s.n >= this.minSamples) {
        const std = Math.sqrt(s.m2 / (s.n - 1));
        const z = std > 0 ? (x - s.mean) / std : 0;
        if (Math.abs(z) > this.zLimit) {
          out.push({ ...base, type, rule: 'zscore', field: READING_FIELDS[type][i]!, value: x, limit: `|z| > ${this.zLimit} (mean ${s.mean.toFixed(2)}, std ${std.toFixed(2)}, z ${z.toFixed(1)})` });
        }
      }
      s.n++;
      const delta = x - s.mean;
      s.mean += delta / s.n;
      s.m2 += delta * (x - s.mean);
    }
    return out;
  }

  /** (device, type) pairs tracked. */
  get size(): number {
    return this.stats.size;
  }
}
