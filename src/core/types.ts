/** Domain types shared by the simulator, the live system and the policies (see ../shared design notes in docs/ARCHITECTURE.md). */

export const TIERS = ['redis', 'nvme', 's3', 'archive'] as const;
export type Tier = (typeof TIERS)[number];
export const CODECS = ['none', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

/** One control decision. */
export interface Action {
  executors: number;
  memoryGb: number;
  tier: Tier;
  codec: Codec;
}

/** Reward weights: alpha = cost, beta = latency, gamma = throughput (everywhere in the code base). */
export interface Weights {
  alpha: number;
  beta: number;
  gamma: number;
}

/** What the world reports at a control tick. */
export interface SystemSnapshot {
  /** Simulated or wall-clock seconds since the start of the run. */
  tSeconds: number;
  /** Mean arrival rate at the cloud ingest over the last control interval. */
  arrivalRateMsgsPerS: number;
  /** Messages processed per second over the last interval. */
  processedRateMsgsPerS: number;
  /** Messages waiting at the end of the interval. */
  backlogMsgs: number;
  /** 95th percentile end-to-end latency of messages completed in the interval. */
  p95LatencyMs: number;
  /** Mean CPU utilization of serving executors, 0..1. */
  cpuUtilization: number;
  /** Working set over executor memory, 0..(>1 means spilling). */
  memoryUtilization: number;
  /** Executors serving now. */
  executorsRunning: number;
  /** Executors requested and still cold-starting. */
  executorsStarting: number;
  /** Executors draining (billed, not serving new work). */
  executorsDraining: number;
  memoryPerExecutorGb: number;
  tier: Tier;
  codec: Codec;
  /** Raw (uncompressed) shuffle bytes written in the interval. */
  shuffleBytes: number;
  /** Observed share of shuffle data re-read (data temperature / reuse probability), 0..1. */
  observedReuse: number;
  /** Cost rate over the interval, USD per hour. */
  costRateUsdPerHour: number;
  /** Cost accrued in the interval, USD. */
  costUsd: number;
  /** Messages dropped in the interval (retention exceeded). */
  droppedMsgs: number;
  /** Mean message size in bytes over the interval. */
  meanMessageBytes: number;
}

/** A burst forecast from an edge gateway, computed only from what the gateway has seen. */
export interface EdgeForecast {
  predictedRateMsgsPerS: number;
  burstProbability: number;
  horizonS: number;
  gatewayId: string;
}
