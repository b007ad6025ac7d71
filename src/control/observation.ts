/**
 * The ObservationBuilder: (snapshot, forecast, weights, scenario) -> Float32Array. Shared by the simulator and the
 * live system, so it depends only on SystemSnapshot, EdgeForecast and Weights (plus normalizer constants), never on
 * simulator internals. Every feature is normalized to [0, 1] and describes the just-finished interval; features
 * 11-12 are the edge forecast (no oracle). The feature table is in docs/SIMULATOR.md.
 */
import { box, type BoxSpace } from '../core/spaces.ts';
import { CODECS, TIERS, type EdgeForecast, type SystemSnapshot, type Weights } from '../core/types.ts';
import { MAX_EXECUTORS, MAX_MEMORY_GB } from '../core/action.ts';
import type { SimConfig } from '../core/config.ts';

/** Names of the features, in order: the original 13 (original-system.md section 1.2), then the appended ones. */
export const OBSERVATION_FEATURES = [
  'workload_rate',
  'data_volume',
  'cpu_util',
  'mem_util',
  'latency',
  'cost',
  'alpha',
  'beta',
  'gamma',
  'shuffle_size',
  'data_temperature',
  'edge_predicted_workload',
  'edge_burst_signal',
  'executors_running',
  'executors_starting',
  'executors_draining',
  'memory_per_executor',
  'backlog',
  'drop_fraction',
  'processed_rate',
  'tier_redis',
  'tier_nvme',
  'tier_s3',
  'tier_archive',
  'codec_none',
  'codec_lz4',
  'codec_zstd',
] as const;

export const OBS_SIZE = OBSERVATION_FEATURES.length;
export const EDGE_FEATURE_INDICES = [11, 12] as const;

export interface ObservationScales {
  rateScaleMsgsPerS: number;
  byteRateScale: number;
  costRateScaleUsdPerHour: number;
  latencyScaleOverSla: number;
  memoryUtilCap: number;
  /** Backlog feature = log1p(backlog) / log1p(backlogScaleMsgs). */
  backlogScaleMsgs: number;
}

export function observationScales(config: SimConfig): ObservationScales {
  return { ...config.observation, backlogScaleMsgs: config.sim.maxBacklogMsgs };
}

export function observationSpace(): BoxSpace {
  return box(0, 1, [OBS_SIZE]);
}

const clip01 = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);

export interface ObservationScenario {
  slaP95LatencyMs: number;
  /** Length of the interval the snapshot describes (s). */
  controlIntervalS: number;
}

export class ObservationBuilder {
  constructor(
    readonly scales: ObservationScales,
    readonly maskEdgeFeatures = false,
  ) {}

  /** Writes the observation into `out` (allocated when omitted) and returns it. */
  build(snapshot: SystemSnapshot, forecast: EdgeForecast, weights: Weights, scenario: ObservationScenario, out = new Float32Array(OBS_SIZE)): Float32Array {
    const s = this.scales;
    out[0] = clip01(snapshot.arrivalRateMsgsPerS / s.rateScaleMsgsPerS);
    out[1] = clip01((snapshot.arrivalRateMsgsPerS * snapshot.meanMessageBytes) / s.byteRateScale);
    out[2] = clip01(snapshot.cpuUtilization);
    out[3] = clip01(snapshot.memoryUtilization / s.memoryUtilCap);
    out[4] = clip01(snapshot.p95LatencyMs / (s.latencyScaleOverSla * scenario.slaP95LatencyMs));
    out[5] = clip01(snapshot.costRateUsdPerHour / s.costRateScaleUsdPerHour);
    out[6] = clip01(weights.alpha);
    out[7] = clip01(weights.beta);
    out[8] = clip01(weights.gamma);
    // shuffleBytes is per interval; as a rate it is comparable across interval lengths.
    const intervalS = Math.max(1, scenario.controlIntervalS);
    out[9] = clip01(snapshot.shuffleBytes / intervalS / s.byteRateScale);
    out[10] = clip01(snapshot.observedReuse);
    out[11] = this.maskEdgeFeatures ? 0 : clip01(forecast.predictedRateMsgsPerS / s.rateScaleMsgsPerS);
    out[12] = this.maskEdgeFeatures ? 0 : clip01(forecast.burstProbability);
    out[13] = clip01(snapshot.executorsRunning / MAX_EXECUTORS);
    out[14] = clip01(snapshot.executorsStarting / MAX_EXECUTORS);
    out[15] = clip01(snapshot.executorsDraining / MAX_EXECUTORS);
    out[16] = clip01(snapshot.memoryPerExecutorGb / MAX_MEMORY_GB);
    out[17] = clip01(Math.log1p(Math.max(0, snapshot.backlogMsgs)) / Math.log1p(s.backlogScaleMsgs));
    const arrived = snapshot.arrivalRateMsgsPerS * intervalS;
    out[18] = clip01(arrived > 0 ? snapshot.droppedMsgs / arrived : snapshot.droppedMsgs > 0 ? 1 : 0);
    out[19] = clip01(snapshot.processedRateMsgsPerS / s.rateScaleMsgsPerS);
    for (let t = 0; t < TIERS.length; t++) out[20 + t] = snapshot.tier === TIERS[t] ? 1 : 0;
    for (let c = 0; c < CODECS.length; c++) out[24 + c] = snapshot.codec === CODECS[c] ? 1 : 0;
    return out;
  }
}
