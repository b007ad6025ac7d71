/**
 * Forecast-accuracy metrics for reports: MAPE of the rate forecast, and precision / recall / mean lead time of the
 * burst detector against the ground-truth burst onsets at the cloud ingest.
 */
import { Forecaster, type ForecasterSettings } from './forecaster.ts';

export interface ForecastAccuracy {
  /** Mean absolute percentage error of predicted vs actual cloud rate (seconds with actual > 0), in %. */
  mapePct: number;
  /** Share of alarm onsets that fall in a burst's detection window. */
  burstPrecision: number;
  /** Share of burst onsets detected within their window. */
  burstRecall: number;
  /** Mean of (onset time - detection time) over detected onsets, s (positive = ahead of the cloud). */
  meanLeadTimeS: number;
  detections: number;
  onsets: number;
}

export interface DetectionMatchOptions {
  /** Earliest useful detection: this long before the onset reaches the cloud (the edge lead time). */
  maxEarlyS: number;
  /** Latest detection still counted: this long after the onset. */
  maxLateS: number;
}

/** The rate forecast's MAPE, fed pair by pair (seconds with actual > 0 count), so a report can score runs one at a time. */
export class MapeAccumulator {
  private ape = 0;
  private n = 0;

  add(predicted: number, actual: number): void {
    if (actual > 0) {
      this.ape += Math.abs(predicted - actual) / actual;
      this.n++;
    }
  }

  /** In %; 0 when no second had traffic. */
  pct(): number {
    return this.n > 0 ? (100 * this.ape) / this.n : 0;
  }
}

/** Precision, recall and lead time of the burst detector: every field of ForecastAccuracy but the MAPE. */
export function detectionMetrics(detectionsS: readonly number[], onsetsS: readonly number[], match: DetectionMatchOptions): Omit<ForecastAccuracy, 'mapePct'> {
  let truePositives = 0;
  for (const d of detectionsS) if (onsetsS.some((o) => d >= o - match.maxEarlyS && d <= o + match.maxLateS)) truePositives++;
  let detected = 0;
  let leadSum = 0;
  for (const o of onsetsS) {
    const first = detectionsS.find((d) => d >= o - match.maxEarlyS && d <= o + match.maxLateS);
    if (first !== undefined) {
      detected++;
      leadSum += o - first;
    }
  }
  return {
    burstPrecision: detectionsS.length > 0 ? truePositives / detectionsS.length : 0,
    burstRecall: onsetsS.length > 0 ? detected / onsetsS.length : 0,
    meanLeadTimeS: detected > 0 ? leadSum / detected : 0,
    detections: detectionsS.length,
    onsets: onsetsS.length,
  };
}

/** Metrics from already computed series (times in seconds on the cloud timeline). */
export function forecastMetrics(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  detectionsS: readonly number[],
  onsetsS: readonly number[],
  match: DetectionMatchOptions,
): ForecastAccuracy {
  const mape = new MapeAccumulator();
  for (let i = 0; i < predicted.length; i++) mape.add(predicted[i]!, actual[i]!);
  return { mapePct: mape.pct(), ...detectionMetrics(detectionsS, onsetsS, match) };
}

/**
 * Runs a Forecaster over a cloud-side arrival series the way the gateways see it (index i + lead at cloud time i)
 * and scores it over cloud seconds [fromS, toS).
 */
export function evaluateForecaster(
  arrivalsMsgs: ArrayLike<number>,
  burstOnset: ArrayLike<number>,
  settings: Partial<ForecasterSettings> & Pick<ForecasterSettings, 'leadTimeS' | 'horizonS'>,
  fromS: number,
  toS: number,
  maxLateS = 30,
): ForecastAccuracy {
  const f = new Forecaster(settings);
  const lead = settings.leadTimeS;
  const end = Math.min(toS, arrivalsMsgs.length - settings.horizonS);
  for (let i = 0; i < Math.min(fromS + lead, arrivalsMsgs.length); i++) f.observe(i, arrivalsMsgs[i]!);
  const predicted: number[] = [];
  const actual: number[] = [];
  const detections: number[] = [];
  let wasAlarm = f.alarm();
  for (let t = fromS; t < end; t++) {
    if (t + lead < arrivalsMsgs.length) f.observe(t + lead, arrivalsMsgs[t + lead]!);
    predicted.push(f.predictedRate());
    actual.push(arrivalsMsgs[t + settings.horizonS]!);
    const alarm = f.alarm();
    if (alarm && !wasAlarm) detections.push(t);
    wasAlarm = alarm;
  }
  const onsets: number[] = [];
  for (let t = fromS; t < end; t++) if (burstOnset[t]) onsets.push(t);
  return forecastMetrics(predicted, actual, detections, onsets, { maxEarlyS: lead + 5, maxLateS });
}
