/**
 * Seeded payload generators for the three device kinds. One `DeviceModel` per device keeps that device's
 * state (a patient's baselines, a machine's wear, a sensor's type and location), so readings of one device
 * are correlated over time the way real ones are. All randomness comes from the Rng passed in.
 *
 * Distributions follow the original synthetic generators (original-system.md §7.4, cited as "[orig]").
 * Where the original gives no distribution, the number is our own illustrative choice and marked "[own]";
 * "[recalled]" marks a real-world figure quoted from memory, not from a checked source.
 */
import type { Rng } from '../../core/rng.ts';
import type { MessageKind } from './topics.ts';
import { MACHINE_TYPES, type DevicePayload, type HealthcarePayload, type IndustrialPayload, type SmartCityPayload } from './schemas.ts';

export interface DeviceModel {
  readonly kind: MessageKind;
  readonly deviceId: string;
  /** The next reading; `hourOfDay` (0..24, local time) drives the rush-hour and daytime patterns. */
  next(hourOfDay: number): DevicePayload;
}

export function createDeviceModel(kind: MessageKind, deviceId: string, rng: Rng): DeviceModel {
  switch (kind) {
    case 'healthcare':
      return new PatientMonitor(deviceId, rng);
    case 'industrial':
      return new MachineSensor(deviceId, rng);
    case 'smart-city':
      return new CitySensor(deviceId, rng);
    default:
      throw new Error(`createDeviceModel: unknown message kind '${String(kind)}'`);
  }
}

// `+ 0` turns -0 into 0: JSON writes -0 as 0, so a message would not survive a round trip unchanged.
const round1 = (x: number) => Math.round(x * 10) / 10 + 0;
const round2 = (x: number) => Math.round(x * 100) / 100 + 0;
const round3 = (x: number) => Math.round(x * 1000) / 1000 + 0;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000 + 0;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** Integer in [lo, hi], both ends included (Python's randint, which the original used). */
const randint = (rng: Rng, lo: number, hi: number) => lo + rng.int(hi - lo + 1);

// ---- healthcare ----

/** [own] invented hospital names; the original only has a `hospital` field. */
const HOSPITALS = ['General Hospital', 'St. Luke Medical Center', 'Riverside Clinic'];

class PatientMonitor implements DeviceModel {
  readonly kind = 'healthcare' as const;
  private readonly patientId: string;
  private readonly hospital: string;
  // Per-patient resting baselines [orig]: HR 60-80, SBP 110-130, DBP 70-85, SpO2 95-99 %, 36.5-37.2 °C, RR 12-18.
  private readonly heartRateBpm: number;
  private readonly systolicMmHg: number;
  private readonly diastolicMmHg: number;
  private readonly spo2Percent: number;
  private readonly temperatureC: number;
  private readonly respiratoryRateBpm: number;
  private batteryPercent: number;

  constructor(
    readonly deviceId: string,
    private readonly rng: Rng,
  ) {
    this.patientId = `PT-${deviceId}`;
    this.hospital = HOSPITALS[rng.int(HOSPITALS.length)]!;
    this.heartRateBpm = rng.uniform(60, 80);
    this.systolicMmHg = rng.uniform(110, 130);
    this.diastolicMmHg = rng.uniform(70, 85);
    this.spo2Percent = rng.uniform(95, 99);
    this.temperatureC = rng.uniform(36.5, 37.2);
    this.respiratoryRateBpm = rng.uniform(12, 18);
    this.batteryPercent = rng.uniform(30, 100); // [own]
  }

  next(): HealthcarePayload {
    // [orig] 80 % vital-sign messages, 20 % ECG strips.
    return this.rng.next() < 0.8 ? this.vitals() : this.ecg();
  }

  private vitals(): HealthcarePayload {
    const r = this.rng;
    // [own] reading-to-reading jitter around the baselines; clamps keep a normal reading physiological.
    let heartRateBpm = clamp(r.normal(this.heartRateBpm, 3), 45, 110);
    const systolicMmHg = clamp(r.normal(this.systolicMmHg, 5), 90, 160);
    const diastolicMmHg = clamp(r.normal(this.diastolicMmHg, 3), 55, systolicMmHg - 20);
    let spo2Percent = clamp(r.normal(this.spo2Percent, 0.7), 93, 100);
    let temperatureC = clamp(r.normal(this.temperatureC, 0.15), 36, 37.8);
    const respiratoryRateBpm = clamp(r.normal(this.respiratoryRateBpm, 1), 10, 24);
    // [orig] 5 % of readings are an alert: HR 40-50 or 120-160, SpO2 85-92 %, temperature 38-39.5 °C.
    const high = r.next() < 0.05;
    if (high) {
      heartRateBpm = r.next() < 0.5 ? r.uniform(40, 50) : r.uniform(120, 160);
      spo2Percent = r.uniform(85, 92);
      temperatureC = r.uniform(38, 39.5);
    }
    // [own] the monitor drains 0.02 %/reading and is recharged at 5 %.
    this.batteryPercent -= 0.02;
    if (this.batteryPercent < 5) this.batteryPercent = 100;
    return {
      type: 'vitals',
      patientId: this.patientId,
      hospital: this.hospital,
      heartRateBpm: Math.round(heartRateBpm),
      bloodPressure: { systolicMmHg: Math.round(systolicMmHg), diastolicMmHg: Math.round(diastolicMmHg) },
      spo2Percent: round1(spo2Percent),
      temperatureC: round1(temperatureC),
      respiratoryRateBpm: Math.round(respiratoryRateBpm),
      alertLevel: high ? 'HIGH' : 'NORMAL',
      batteryPercent: round1(this.batteryPercent),
    };
  }

  private ecg(): HealthcarePayload {
    const r = this.rng;
    // [own] one synthetic P-QRS-T complex sampled at 20 points: Gaussian bumps (centre, width, mV) plus noise.
    const waves: Array<[number, number, number]> = [
      [0.2, 0.04, 0.15], // P
      [0.37, 0.012, -0.1], // Q
      [0.4, 0.015, 1.2], // R
      [0.43, 0.012, -0.25], // S
      [0.7, 0.06, 0.3], // T
    ];
    const waveformMv: number[] = [];
    for (let i = 0; i < 20; i++) {
      const x = i / 20;
      let v = r.normal(0, 0.02);
      for (const [c, w, a] of waves) v += a * Math.exp(-((x - c) ** 2) / (2 * w * w));
      waveformMv.push(round3(v));
    }
    return {
      type: 'ecg',
      patientId: this.patientId,
      sampleRateHz: 250, // [orig]
      lead: 'II', // [orig] "Lead_II"
      waveformMv,
      heartRateBpm: Math.round(clamp(r.normal(this.heartRateBpm, 3), 45, 110)),
      qrsDurationMs: Math.round(r.uniform(80, 120)), // [orig]
      qtIntervalMs: Math.round(r.uniform(350, 450)), // [orig]
    };
  }
}

// ---- industrial ----

/**
 * [own] illustrative nominal spindle/drive speeds (rpm) and output (units/h) per machine type; the original
 * lists the fields without distributions.
 */
const MACHINE_PROFILE: Record<(typeof MACHINE_TYPES)[number], { rotationRpm: number; unitsPerHour: number }> = {
  'cnc-mill': { rotationRpm: 9000, unitsPerHour: 30 },
  lathe: { rotationRpm: 1800, unitsPerHour: 45 },
  press: { rotationRpm: 120, unitsPerHour: 600 },
  welder: { rotationRpm: 1500, unitsPerHour: 80 },
  conveyor: { rotationRpm: 60, unitsPerHour: 1200 },
};

class MachineSensor implements DeviceModel {
  readonly kind = 'industrial' as const;
  private readonly machineType: (typeof MACHINE_TYPES)[number];
  private wearLevel: number;
  private cyclesCompleted: number;

  constructor(
    readonly deviceId: string,
    private readonly rng: Rng,
  ) {
    this.machineType = MACHINE_TYPES[rng.int(MACHINE_TYPES.length)]!; // [orig] uniform over 5 types
    this.wearLevel = rng.uniform(0.1, 0.8); // [orig]
    this.cyclesCompleted = rng.int(100_000); // [own]
  }

  next(): IndustrialPayload {
    const r = this.rng;
    this.wearLevel = Math.min(1, this.wearLevel + r.uniform(0, 0.001)); // [orig] wear grows U(0, 0.001) per reading
    this.cyclesCompleted += 1 + r.int(20); // [own]
    // [orig] 70 % sensor readings, 30 % production reports.
    return r.next() < 0.7 ? this.sensors() : this.production();
  }

  private sensors(): IndustrialPayload {
    const r = this.rng;
    // Rules below use the wear level as published, so a consumer re-applying them gets the same answer.
    const wear = round4(this.wearLevel);
    const profile = MACHINE_PROFILE[this.machineType];
    // [orig] baselines: vibration 0.5 + 1.5 w mm/s, temperature 60 + 30 w °C, power 5 + 3 w kW; [own] noise.
    let vibrationMmS = Math.max(0, r.normal(0.5 + 1.5 * wear, 0.1));
    let temperatureC = r.normal(60 + 30 * wear, 2);
    const powerKw = Math.max(0, r.normal(5 + 3 * wear, 0.3));
    // [orig] anomaly with probability 0.1 w: vibration x2-4, temperature +20-40 °C; CRITICAL if w > 0.7.
    const anomaly = r.next() < 0.1 * wear;
    if (anomaly) {
      vibrationMmS *= r.uniform(2, 4);
      temperatureC += r.uniform(20, 40);
    }
    return {
      type: 'sensors',
      machineType: this.machineType,
      vibrationMmS: round2(vibrationMmS),
      temperatureC: round1(temperatureC),
      pressureBar: round2(r.uniform(5, 7)), // [recalled] workshop compressed air is typically ~6 bar
      powerKw: round2(powerKw),
      rotationRpm: Math.round(Math.max(0, r.normal(profile.rotationRpm, 0.03 * profile.rotationRpm))),
      acousticDb: round1(r.normal(75 + 15 * wear, 2)), // [recalled] machine shops run ~75-90 dB(A)
      operational: wear < 0.95, // [orig]
      wearLevel: wear,
      alertLevel: anomaly ? (wear > 0.7 ? 'CRITICAL' : 'WARNING') : 'NORMAL',
      remainingLifeHours: round1((1 - wear) * 1000), // [orig]
      cyclesCompleted: this.cyclesCompleted,
    };
  }

  private production(): IndustrialPayload {
    const r = this.rng;
    const wear = this.wearLevel;
    const efficiencyPercent = Math.max(50, 100 - 30 * wear); // [orig]
    const defectRatePercent = clamp(r.uniform(0.5, 2) + 5 * wear * wear, 0, 100); // [own] worn tools make more scrap
    return {
      type: 'production',
      machineType: this.machineType,
      unitsPerHour: Math.round(MACHINE_PROFILE[this.machineType].unitsPerHour * (efficiencyPercent / 100) * r.uniform(0.9, 1.1)),
      efficiencyPercent: round1(efficiencyPercent),
      defectRatePercent: round2(defectRatePercent),
      downtimeMinutes: round1(r.uniform(0, 10 * wear)), // [own]
      qualityScore: round1(clamp(100 - 4 * defectRatePercent + r.normal(0, 1), 0, 100)), // [own]
    };
  }
}

// ---- smart city ----

/** [orig] sensors are placed around New York City, ±0.1°; [recalled] City Hall is at 40.7128 N, 74.0060 W. */
const CITY = 'New York';
const CITY_LATITUDE = 40.7128;
const CITY_LONGITUDE = -74.006;
const SMART_CITY_TYPES = ['traffic', 'air', 'parking'] as const;

class CitySensor implements DeviceModel {
  readonly kind = 'smart-city' as const;
  private readonly sensorType: (typeof SMART_CITY_TYPES)[number];
  private readonly location: { latitude: number; longitude: number };
  private readonly totalSpots: number;

  constructor(
    readonly deviceId: string,
    private readonly rng: Rng,
  ) {
    // The original drew the type per message; a physical sensor has one type, so it is drawn per device.
    this.sensorType = SMART_CITY_TYPES[rng.int(SMART_CITY_TYPES.length)]!;
    this.location = {
      latitude: Math.round((CITY_LATITUDE + rng.uniform(-0.1, 0.1)) * 1e6) / 1e6,
      longitude: Math.round((CITY_LONGITUDE + rng.uniform(-0.1, 0.1)) * 1e6) / 1e6,
    };
    this.totalSpots = randint(rng, 50, 200); // [orig]
  }

  next(hourOfDay: number): SmartCityPayload {
    if (this.sensorType === 'traffic') return this.traffic(hourOfDay);
    if (this.sensorType === 'air') return this.air(hourOfDay);
    return this.parking();
  }

  private traffic(hourOfDay: number): SmartCityPayload {
    const r = this.rng;
    const h = Math.floor(hourOfDay) % 24;
    const rush = (h >= 7 && h <= 9) || (h >= 17 && h <= 19); // [orig] rush hours 7-9 and 17-19
    const base = rush ? 100 : 30; // [orig]
    const vehicleCount = randint(r, Math.floor(0.8 * base), Math.floor(1.5 * base)); // [orig]
    let avgSpeedKmh = rush ? r.uniform(15, 30) : r.uniform(40, 65); // [orig] (the original states no unit)
    let laneOccupancyPercent = rush ? r.uniform(20, 95) : r.uniform(5, 40); // [orig]
    // [own] 1 % of readings see an incident: the lane jams whatever the hour.
    if (r.next() < 0.01) {
      avgSpeedKmh = r.uniform(2, 10);
      laneOccupancyPercent = r.uniform(85, 100);
    }
    // Classify the value as published, so a consumer re-applying the rule gets the same answer.
    avgSpeedKmh = round1(avgSpeedKmh);
    // [orig] HIGH if count > 80 and speed < 25; MEDIUM if count > 50 and speed < 40; else LOW.
    const congestion = vehicleCount > 80 && avgSpeedKmh < 25 ? 'HIGH' : vehicleCount > 50 && avgSpeedKmh < 40 ? 'MEDIUM' : 'LOW';
    return {
      type: 'traffic',
      city: CITY,
      location: this.location,
      vehicleCount,
      avgSpeedKmh,
      laneOccupancyPercent: round1(laneOccupancyPercent),
      congestion,
    };
  }

  private air(hourOfDay: number): SmartCityPayload {
    const r = this.rng;
    const h = Math.floor(hourOfDay) % 24;
    const base = h >= 6 && h <= 20 ? 80 : 50; // [orig] daytime (6-20 h) AQI base 80, night 50
    let aqi = randint(r, base - 20, base + 40); // [orig]
    let pm25UgM3 = r.uniform(10, 150); // [orig]
    // The original drew PM10 independently, U(15, 200); PM10 includes PM2.5, so here it is at least PM2.5. [own]
    let pm10UgM3 = pm25UgM3 * r.uniform(1.1, 2);
    // [own] 1 % of readings catch a pollution spike (a fire, a stuck truck).
    if (r.next() < 0.01) {
      aqi = Math.min(500, aqi + randint(r, 100, 200));
      pm25UgM3 *= 3;
      pm10UgM3 *= 3;
    }
    return {
      type: 'air',
      city: CITY,
      location: this.location,
      aqi,
      pm25UgM3: round1(pm25UgM3),
      pm10UgM3: round1(pm10UgM3),
      co2Ppm: round1(r.uniform(350, 450)), // [orig]
      temperatureC: round1(r.uniform(15, 35)), // [orig]
      humidityPercent: round1(r.uniform(30, 80)), // [orig]
    };
  }

  private parking(): SmartCityPayload {
    const occupiedSpots = randint(this.rng, 0, this.totalSpots); // [orig] occupancy uniform
    return {
      type: 'parking',
      city: CITY,
      location: this.location,
      totalSpots: this.totalSpots,
      occupiedSpots,
      availableSpots: this.totalSpots - occupiedSpots,
      occupancyPercent: round1((100 * occupiedSpots) / this.totalSpots),
    };
  }
}
