/**
 * The edge-gateway burst forecaster. Gateways see device-side data `leadTimeS` before the cloud ingest does; the
 * forecaster only ever uses what it has observed so far (no oracle; the original fed the env's own next sample,
 * original-system.md section 5).
 *
 * - Rate: Holt's linear trend (double exponential smoothing) on the per-second rate; the forecast for the cloud
 *   arrival rate `horizonS` ahead is level + trend * (horizonS - leadTimeS), because the newest device-side second
 *   reaches the cloud leadTimeS from now.
 * - Bursts: a one-sided CUSUM on the log rate against a slow EWMA baseline (mean and mean absolute deviation):
 *   S = max(0, S + (x - mu) / sd - k); burstProbability = S / (S + h), i.e. 0.5 at the alarm threshold h.
 */
import type { EdgeForecast } from '../core/types.ts';

export interface ForecasterSettings {
  leadTimeS: number;
  horizonS: number;
  /** Holt smoothing of the level and of the trend (per 1 s observation). */
  levelAlpha: number;
  trendBeta: number;
  /** EWMA weight of the CUSUM baseline (per s) and its slow-down while an alarm is on. */
  baselineAlpha: number;
  alarmBaselineFactor: number;
  /** CUSUM slack k and threshold h (in baseline deviations). */
  cusumK: number;
  cusumH: number;
  /** Floor of the baseline standard deviation of the log rate. */
  sdFloor: number;
  gatewayId: string;
}

// [assumed] Holt constants for 1 s data (alpha 0.3, beta 0.05: level reacts within seconds, trend over ~20 s).
// CUSUM: the textbook k = 0.5 sd, h = 5 sd (Montgomery, Statistical Quality Control [recalled]) assume independent
// samples; IoT rates are strongly autocorrelated (a slow drift would keep the sum growing), so the slack is larger
// (k = 2 sd of the log rate, with sd floored at 0.1, i.e. ~20 % above baseline) and h = 8.
export const FORECASTER_DEFAULTS: Omit<ForecasterSettings, 'leadTimeS' | 'horizonS'> = {
  levelAlpha: 0.3,
  trendBeta: 0.05,
  baselineAlpha: 1 / 120,
  alarmBaselineFactor: 0.1,
  cusumK: 2,
  cusumH: 8,
  sdFloor: 0.1,
  gatewayId: 'edge-0',
};

export class Forecaster {
  readonly settings: ForecasterSettings;
  private level = 0;
  private trend = 0;
  private baseMean = 0;
  private baseDev = 0;
  private cusum = 0;
  private count = 0;
  private lastT = -Infinity;

  constructor(settings: Partial<ForecasterSettings> & Pick<ForecasterSettings, 'leadTimeS' | 'horizonS'>) {
    this.settings = { ...FORECASTER_DEFAULTS, ...settings };
    if (this.settings.horizonS < 0 || this.settings.leadTimeS < 0) throw new Error('Forecaster: leadTimeS and horizonS must be >= 0');
  }

  reset(): void {
    this.level = 0;
    this.trend = 0;
    this.baseMean = 0;
    this.baseDev = 0;
    this.cusum = 0;
    this.count = 0;
    this.lastT = -Infinity;
  }

  /** One device-side observation: the message rate the gateways saw in second `tSeconds` (device time). */
  observe(tSeconds: number, rateMsgsPerS: number): void {
    if (!Number.isFinite(rateMsgsPerS) || rateMsgsPerS < 0) throw new Error(`Forecaster.observe: rate must be a finite number >= 0, got ${rateMsgsPerS} at t=${tSeconds}`);
    if (tSeconds <= this.lastT) throw new Error(`Forecaster.observe: time must increase, got ${tSeconds} after ${this.lastT}`);
    this.lastT = tSeconds;
    const s = this.settings;
    const x = Math.log1p(rateMsgsPerS);
    if (this.count === 0) {
      this.level = rateMsgsPerS;
      this.trend = 0;
      this.baseMean = x;
      this.baseDev = s.sdFloor;
    } else {
      const prevLevel = this.level;
      this.level = s.levelAlpha * rateMsgsPerS + (1 - s.levelAlpha) * (prevLevel + this.trend);
      this.trend = s.trendBeta * (this.level - prevLevel) + (1 - s.trendBeta) * this.trend;
      const sd = Math.max(s.sdFloor, this.baseDev * 1.2533); // mean absolute deviation -> standard deviation (normal)
      // Capped at 3h so that the alarm clears within seconds after a burst ends.
      this.cusum = Math.min(3 * s.cusumH, Math.max(0, this.cusum + (x - this.baseMean) / sd - s.cusumK));
      const a = this.cusum > s.cusumH ? s.baselineAlpha * s.alarmBaselineFactor : s.baselineAlpha;
      this.baseDev += a * (Math.abs(x - this.baseMean) - this.baseDev);
      this.baseMean += a * (x - this.baseMean);
    }
    this.count++;
  }

  /** Predicted cloud arrival rate horizonS from now (msgs/s). */
  predictedRate(): number {
    const h = Math.max(0, this.settings.horizonS - this.settings.leadTimeS);
    return Math.max(0, this.level + this.trend * h);
  }

  burstProbability(): number {
    return this.cusum / (this.cusum + this.settings.cusumH);
  }

  /** True while the CUSUM is above its threshold. */
  alarm(): boolean {
    return this.cusum > this.settings.cusumH;
  }

  forecast(): EdgeForecast {
    return {
      predictedRateMsgsPerS: this.predictedRate(),
      burstProbability: this.burstProbability(),
      horizonS: this.settings.horizonS,
      gatewayId: this.settings.gatewayId,
    };
  }
}
