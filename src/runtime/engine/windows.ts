/**
 * Event-time window state of the reduce stage: 30 s tumbling windows per (device, payload type), closed by a
 * per-device watermark that trails the device's newest event time by 10 s (original §7.5: the original job's
 * "watermark 10 s on the event timestamp; 30 s tumbling window").
 *
 * Semantics, as in Spark Structured Streaming: the watermark used to judge a micro-batch is the one computed at
 * the end of the previous micro-batch. A record whose window already ended at or before its device's watermark
 * is late: it is dropped (reason 'late') and never changes an emitted aggregate. At the end of each micro-batch
 * the watermark advances and every window ending at or before it is closed and emitted exactly once.
 * A device silent for `idleCloseMs` (processing time) has its open windows closed too, and its watermark moved
 * past them, so a straggler cannot open a second copy of an emitted window.
 * At most `maxDevices` devices are held (default 100,000, the dedup's cap): past it, at the end of a micro-batch the
 * least recently seen devices with no open window are forgotten, down to 90 % of the cap. Without this a fleet whose
 * ids change on every restart would grow the store, and every micro-batch's pass over it, for as long as the engine
 * runs. A forgotten device that sends again starts over: a reading older than its old watermark (a straggler held
 * back past all of that churn) is then merged into a new window instead of dropped as late.
 */
import { READING_FIELDS, type PayloadType } from './readings.ts';
import type { ShuffleRecord } from './records.ts';

export interface ReadingStats {
  count: number;
  mean: number;
  min: number;
  max: number;
}

/** One emitted window aggregate (a line of windows.jsonl and an MQTT results message). */
export interface WindowAggregate {
  scenario: string;
  deviceId: string;
  kind: string;
  type: PayloadType;
  windowStartMs: number;
  windowEndMs: number;
  count: number;
  readings: Record<string, ReadingStats>;
  /** Why it closed: the watermark passed its end, the device went silent, or the engine stopped. */
  closedBy: 'watermark' | 'idle' | 'stop';
  /** The device's watermark when the window closed. */
  watermarkMs: number;
}

interface OpenWindow {
  scenario: string;
  kind: string;
  type: PayloadType;
  startMs: number;
  count: number;
  n: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

interface DeviceState {
  maxEventMs: number;
  watermarkMs: number;
  lastSeenMs: number;
  touched: boolean;
  windows: Map<string, OpenWindow>;
}

export interface WindowOptions {
  windowMs: number;
  watermarkMs: number;
  idleCloseMs: number;
  /**
   * An event time further than this ahead of the engine clock does not push the device's watermark past
   * `now + maxClockSkewMs`: one reading from a device whose clock jumped ahead would otherwise make all its
   * later readings late. Default Infinity (pure event time, as Spark).
   */
  maxClockSkewMs?: number;
  /** Devices held (>= 1); see the module comment. Default DEFAULT_MAX_WINDOW_DEVICES. */
  maxDevices?: number;
}

export const DEFAULT_MAX_WINDOW_DEVICES = 100_000;

/** [assumed] Bytes of state per open window plus per reading (object and map overhead in V8, rough). */
const WINDOW_BYTES = 320;
const READING_BYTES = 32;

export class WindowStore {
  private readonly devices = new Map<string, DeviceState>();
  private open = 0;
  private stateBytes = 0;
  private readonly maxDevices: number;
  /** Devices forgotten because more than maxDevices were held. */
  devicesForgotten = 0;

  constructor(private readonly options: WindowOptions) {
    if (!(options.windowMs > 0)) throw new Error(`windows: windowMs must be > 0, got ${options.windowMs}`);
    if (!(options.watermarkMs >= 0)) throw new Error(`windows: watermarkMs must be >= 0, got ${options.watermarkMs}`);
    this.maxDevices = options.maxDevices ?? DEFAULT_MAX_WINDOW_DEVICES;
    if (!Number.isSafeInteger(this.maxDevices) || this.maxDevices < 1) throw new Error(`windows: maxDevices must be an integer >= 1, got ${options.maxDevices}`);
  }

  /** Devices held now. */
  get devicesHeld(): number {
    return this.devices.size;
  }

  /** Start of the tumbling window that holds `eventMs`. */
  windowStart(eventMs: number): number {
    return Math.floor(eventMs / this.options.windowMs) * this.options.windowMs;
  }

  /** Merges one record into its window, or reports it late (its window already closed). */
  add(record: ShuffleRecord, nowMs: number): 'merged' | 'late' {
    let device = this.devices.get(record.deviceId);
    if (device === undefined) {
      device = { maxEventMs: Number.NEGATIVE_INFINITY, watermarkMs: Number.NEGATIVE_INFINITY, lastSeenMs: nowMs, touched: false, windows: new Map() };
      this.devices.set(record.deviceId, device);
    }
    const startMs = this.windowStart(record.sentAtMs);
    if (startMs + this.options.windowMs <= device.watermarkMs) return 'late';
    device.touched = true;
    device.lastSeenMs = nowMs;
    const eventMs = Math.min(record.sentAtMs, nowMs + (this.options.maxClockSkewMs ?? Number.POSITIVE_INFINITY));
    if (eventMs > device.maxEventMs) device.maxEventMs = eventMs;
    const key = `${record.type}@${startMs}`;
    let w = device.windows.get(key);
    if (w === undefined) {
      const k = READING_FIELDS[record.type].length;
      w = {
        scenario: record.scenario,
        kind: record.kind,
        type: record.type,
        startMs,
        count: 0,
        n: new Float64Array(k),
        sum: new Float64Array(k),
        min: new Float64Array(k).fill(Number.POSITIVE_INFINITY),
        max: new Float64Array(k).fill(Number.NEGATIVE_INFINITY),
      };
      device.windows.set(key, w);
      this.open++;
      this.stateBytes += WINDOW_BYTES + READING_BYTES * k;
    }
    w.count++;
    for (let i = 0; i < w.n.length; i++) {
      const x = record.readings[i];
      if (x === undefined || !Number.isFinite(x)) continue;
      w.n[i]!++;
      w.sum[i]! += x;
      if (x < w.min[i]!) w.min[i] = x;
      if (x > w.max[i]!) w.max[i] = x;
    }
    return 'merged';
  }

  /** End of a micro-batch: advances watermarks and returns the windows that closed, oldest first. */
  endBatch(nowMs: number): WindowAggregate[] {
    const closed: WindowAggregate[] = [];
    for (const [deviceId, device] of this.devices) {
      if (device.touched) {
        device.touched = false;
        device.watermarkMs = Math.max(device.watermarkMs, device.maxEventMs - this.options.watermarkMs);
        this.closeWhere(deviceId, device, (w) => w.startMs + this.options.windowMs <= device.watermarkMs, 'watermark', closed);
      } else if (device.windows.size > 0 && nowMs - device.lastSeenMs >= this.options.idleCloseMs) {
        let lastEnd = device.watermarkMs;
        for (const w of device.windows.values()) lastEnd = Math.max(lastEnd, w.startMs + this.options.windowMs);
        device.watermarkMs = lastEnd;
        this.closeWhere(deviceId, device, () => true, 'idle', closed);
      }
    }
    if (this.devices.size > this.maxDevices) this.forgetLeastRecentlySeen();
    return sortAggregates(closed);
  }

  /** Forgets the least recently seen devices with no open window, down to 90 % of the cap (one sort per 10 % of churn). */
  private forgetLeastRecentlySeen(): void {
    const target = Math.floor(this.maxDevices * 0.9);
    const idle: [string, number][] = [];
    for (const [id, d] of this.devices) if (d.windows.size === 0) idle.push([id, d.lastSeenMs]);
    idle.sort((a, b) => a[1] - b[1]);
    for (const [id] of idle) {
      if (this.devices.size <= target) break;
      this.devices.delete(id);
      this.devicesForgotten++;
    }
  }

  /** Closes every open window (engine stop). */
  flushAll(): WindowAggregate[] {
    const closed: WindowAggregate[] = [];
    for (const [deviceId, device] of this.devices) this.closeWhere(deviceId, device, () => true, 'stop', closed);
    return sortAggregates(closed);
  }

  get openWindows(): number {
    return this.open;
  }

  /** Rough bytes held by open windows (for the engine's working set). */
  get stateBytesEstimate(): number {
    return this.stateBytes;
  }

  /** The device's watermark (-Infinity before its first micro-batch ends). */
  watermarkOf(deviceId: string): number {
    return this.devices.get(deviceId)?.watermarkMs ?? Number.NEGATIVE_INFINITY;
  }

  private closeWhere(deviceId: string, device: DeviceState, shouldClose: (w: OpenWindow) => boolean, closedBy: WindowAggregate['closedBy'], out: WindowAggregate[]): void {
    for (const [key, w] of device.windows) {
      if (!shouldClose(w)) continue;
      device.windows.delete(key);
      this.open--;
      this.stateBytes -= WINDOW_BYTES + READING_BYTES * w.n.length;
      const readings: Record<string, ReadingStats> = {};
      READING_FIELDS[w.type].forEach((field, i) => {
        const n = w.n[i]!;
        if (n > 0) readings[field] = { count: n, mean: w.sum[i]! / n, min: w.min[i]!, max: w.max[i]! };
      });
      out.push({
        scenario: w.scenario,
        deviceId,
        kind: w.kind,
        type: w.type,
        windowStartMs: w.startMs,
        windowEndMs: w.startMs + this.options.windowMs,
        count: w.count,
        readings,
        closedBy,
        watermarkMs: device.watermarkMs,
      });
    }
  }
}

function sortAggregates(list: WindowAggregate[]): WindowAggregate[] {
  return list.sort((a, b) => a.windowStartMs - b.windowStartMs || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
