/**
 * The main readings of each payload type: the numbers the 30 s windows aggregate (count, mean, min, max).
 * The choice follows the original windowed job (original §7.5: count, avg/max vehicle count, avg speed, avg/max
 * AQI, PM2.5/PM10, parking occupancy) and extends it to the healthcare and industrial schemas [own choice].
 */

/** Payload type -> the fields aggregated per window, in a fixed order (at most 4). */
export const READING_FIELDS = {
  vitals: ['heartRateBpm', 'spo2Percent', 'systolicMmHg', 'temperatureC'],
  ecg: ['heartRateBpm', 'qrsDurationMs', 'qtIntervalMs'],
  sensors: ['vibrationMmS', 'temperatureC', 'powerKw', 'acousticDb'],
  production: ['unitsPerHour', 'efficiencyPercent', 'defectRatePercent', 'qualityScore'],
  traffic: ['vehicleCount', 'avgSpeedKmh', 'laneOccupancyPercent'],
  air: ['aqi', 'pm25UgM3', 'pm10UgM3', 'co2Ppm'],
  parking: ['occupancyPercent', 'occupiedSpots'],
} as const satisfies Record<string, readonly string[]>;

export type PayloadType = keyof typeof READING_FIELDS;
export const PAYLOAD_TYPES = Object.keys(READING_FIELDS) as PayloadType[];

export function isPayloadType(x: unknown): x is PayloadType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(READING_FIELDS, x);
}

/** The main readings of a payload, in READING_FIELDS order; NaN where a field is missing or not a number. */
export function extractReadings(type: PayloadType, payload: Record<string, unknown>): number[] {
  return READING_FIELDS[type].map((field) => {
    // Blood pressure is the one nested reading.
    const value = field === 'systolicMmHg' ? (payload.bloodPressure as Record<string, unknown> | undefined)?.systolicMmHg : payload[field];
    return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
  });
}
