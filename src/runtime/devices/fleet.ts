/**
 * A fleet of simulated devices whose *aggregate* publish rate follows a rate function r(t) msgs/s.
 *
 * Arrivals form a non-homogeneous Poisson process: r(t) is held constant on a 10 ms grid, and the next
 * arrival is where the integrated rate reaches an Exp(1) draw (exact for that piecewise-constant rate).
 * Each arrival goes to a device drawn uniformly, which produces its next reading with its own sequence
 * number. Arrival times, device choice and each device's readings come from separate Rng forks, so the
 * messages depend only on the seed, never on how fast they are consumed.
 */
import { Rng } from '../../core/rng.ts';
import { parseTraceCsv, withTraceFile, type TraceFileOptions, type TraceParseOptions, type TraceText } from '../../workload/trace.ts';
import type { ScenarioName } from '../../env/spark-iot-types.ts';
import { createDeviceModel, type DeviceModel } from './generators.ts';
import { SCHEMA_VERSION, type DeviceMessage } from './schemas.ts';
import { deviceTopic, ID_PATTERN, isScenarioName, scenarioKinds, type MessageKind } from './topics.ts';

/** Aggregate publish rate of the fleet, in messages per second, at `tSeconds` since the start. */
export type RateFunction = (tSeconds: number) => number;

export function constantRate(rateMsgsPerS: number): RateFunction {
  if (!Number.isFinite(rateMsgsPerS) || rateMsgsPerS < 0) throw new Error(`constantRate: rate must be a finite number >= 0, got ${rateMsgsPerS}`);
  return () => rateMsgsPerS;
}

/**
 * A rate function from a trace file's text, read by the simulator's parser (src/workload/trace.ts) in any of its
 * readings: a `t,rate` series (t in seconds, or in units of `traceStepS`; rate in msgs/s), a timestamped series, an
 * event log (one row per message, counted per second) or a wide table of per-slot counts. Linear between the rows,
 * the first value before the first and the last after the last; a numeric t is the time since the start, a date and
 * time counts from the first row. No rescaling: the rates are the fleet's msgs/s.
 */
export function rateFromCsv(text: TraceText, source = 'trace', options: TraceParseOptions = {}): RateFunction {
  const read = parseTraceCsv(text, source, options);
  return interpolate(Array.from(read.tS), Array.from(read.rate));
}

/** Linear between the points, the first value before the first and the last after the last. */
function interpolate(times: readonly number[], rates: readonly number[]): RateFunction {
  return (tSeconds) => {
    if (tSeconds <= times[0]!) return rates[0]!;
    const last = times.length - 1;
    if (tSeconds >= times[last]!) return rates[last]!;
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= tSeconds) lo = mid;
      else hi = mid;
    }
    const f = (tSeconds - times[lo]!) / (times[hi]! - times[lo]!);
    return rates[lo]! + f * (rates[hi]! - rates[lo]!);
  };
}

/** rateFromCsv of a file (plain or gzip, any size); errors name the file and the line. */
export function loadRateTrace(path: string, options: TraceParseOptions = {}, fileOptions: TraceFileOptions = {}): RateFunction {
  return withTraceFile(path, 'rate trace', (text) => rateFromCsv(text, path, options), fileOptions);
}

export interface FleetOptions {
  scenario: ScenarioName;
  /** Number of devices; in `balanced` they are split round-robin over the three kinds. */
  devices: number;
  seed: number;
  rate: RateFunction;
  /** The fleet publishes nothing at or after this time. */
  durationS: number;
  /** Local hour of day at t = 0 (drives rush hours). Default 8: inside the morning rush. */
  startHourOfDay?: number;
  /** Prepended to every device id (e.g. to keep two fleets on one broker apart). Default ''. */
  idPrefix?: string;
}

/** One message of the fleet's schedule: publish it `dueS` seconds after the start. */
export interface ScheduledMessage {
  dueS: number;
  topic: string;
  message: DeviceMessage;
}

/** Width of the grid on which the rate function is sampled. 10 ms resolves sub-second bursts. */
const RATE_STEP_S = 0.01;
const DEVICE_PREFIX: Record<MessageKind, string> = { healthcare: 'HC', industrial: 'IN', 'smart-city': 'SC' };

/** Most devices one fleet simulates (the CLI checks it up front, so it is a usage error before connecting). */
export const MAX_FLEET_DEVICES = 100_000;

export class DeviceFleet {
  readonly scenario: ScenarioName;
  readonly deviceIds: readonly string[];
  readonly durationS: number;
  private readonly devices: DeviceModel[];
  private readonly seqByDevice: number[];
  private readonly rate: RateFunction;
  private readonly startHourOfDay: number;
  private readonly arrivalRng: Rng;
  private readonly assignRng: Rng;
  /** Integration state: the current time, its grid cell, and the Exp(1) mass still needed for the next arrival. */
  private tS = 0;
  private cell = 0;
  private massNeeded: number;
  private pendingDueS: number | null = null;
  private issued = 0;

  constructor(opts: FleetOptions) {
    if (!isScenarioName(opts.scenario)) throw new Error(`DeviceFleet: unknown scenario '${opts.scenario}'`);
    if (!Number.isInteger(opts.devices) || opts.devices < 1 || opts.devices > MAX_FLEET_DEVICES) throw new Error(`DeviceFleet: devices must be an integer in [1, ${MAX_FLEET_DEVICES}], got ${opts.devices}`);
    if (!Number.isFinite(opts.durationS) || opts.durationS < 0) throw new Error(`DeviceFleet: durationS must be a finite number >= 0, got ${opts.durationS}`);
    if (typeof opts.rate !== 'function') throw new Error('DeviceFleet: rate must be a function (tSeconds) => msgs/s');
    this.scenario = opts.scenario;
    this.durationS = opts.durationS;
    this.rate = opts.rate;
    this.startHourOfDay = opts.startHourOfDay ?? 8;
    if (!(this.startHourOfDay >= 0 && this.startHourOfDay < 24)) throw new Error(`DeviceFleet: startHourOfDay must be in [0, 24), got ${this.startHourOfDay}`);
    const root = new Rng(opts.seed);
    this.arrivalRng = root.fork('fleet:arrivals');
    this.assignRng = root.fork('fleet:assign');
    const kinds = scenarioKinds(opts.scenario);
    this.devices = [];
    for (let i = 0; i < opts.devices; i++) {
      const kind = kinds[i % kinds.length]!;
      const deviceId = `${opts.idPrefix ?? ''}${DEVICE_PREFIX[kind]}-${String(i + 1).padStart(4, '0')}`;
      this.devices.push(createDeviceModel(kind, deviceId, root.fork(`device:${deviceId}`)));
    }
    this.deviceIds = this.devices.map((d) => d.deviceId);
    const badId = this.deviceIds.find((id) => !ID_PATTERN.test(id));
    if (badId !== undefined) throw new Error(`DeviceFleet: device id '${badId}' (idPrefix '${opts.idPrefix}') must match ${ID_PATTERN}`);
    this.seqByDevice = this.devices.map(() => 0);
    this.massNeeded = this.arrivalRng.exponential(1);
  }

  /** Messages handed out so far. */
  get issuedCount(): number {
    return this.issued;
  }

  /** When the next message is due (seconds from the start), or Infinity when the schedule has ended. */
  peekDueS(): number {
    if (this.pendingDueS === null) this.pendingDueS = this.advanceToNextArrival();
    return this.pendingDueS;
  }

  /** The next message of the schedule, or null once the duration is over. */
  next(): ScheduledMessage | null {
    const dueS = this.peekDueS();
    if (!Number.isFinite(dueS)) return null;
    this.pendingDueS = null;
    const index = this.assignRng.int(this.devices.length);
    const device = this.devices[index]!;
    const seq = this.seqByDevice[index]!;
    this.seqByDevice[index] = seq + 1;
    this.issued++;
    const hourOfDay = (this.startHourOfDay + dueS / 3600) % 24;
    const message = {
      schemaVersion: SCHEMA_VERSION,
      kind: device.kind,
      scenario: this.scenario,
      deviceId: device.deviceId,
      seq,
      // Placeholder: the publisher stamps the wall-clock time of the first send.
      sentAtMs: 1,
      payload: device.next(hourOfDay),
    } as DeviceMessage;
    return { dueS, topic: deviceTopic(this.scenario, device.deviceId), message };
  }

  private advanceToNextArrival(): number {
    for (;;) {
      if (this.tS >= this.durationS) return Infinity;
      const cellEndS = Math.min((this.cell + 1) * RATE_STEP_S, this.durationS);
      const rate = this.rate(this.cell * RATE_STEP_S);
      if (!Number.isFinite(rate) || rate < 0) throw new Error(`DeviceFleet: rate function returned ${rate} at t=${(this.cell * RATE_STEP_S).toFixed(2)} s (need a finite number >= 0)`);
      const mass = rate * (cellEndS - this.tS);
      if (mass >= this.massNeeded) {
        this.tS += this.massNeeded / rate;
        this.massNeeded = this.arrivalRng.exponential(1);
        if (this.tS >= this.durationS) return Infinity;
        return this.tS;
      }
      this.massNeeded -= mass;
      this.tS = cellEndS;
      this.cell++;
    }
  }
}
