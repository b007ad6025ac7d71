/**
 * The contract of SparkIotEnv that the tournament, the reports and the RL trainer code against.
 * (The implementation is src/env/spark-iot-env.ts.)
 */
import type { Action, Codec, EdgeForecast, SystemSnapshot, Tier, Weights } from '../core/types.ts';
import type { PolicyContext } from '../policies/types.ts';

export const SCENARIOS = ['smart-city', 'healthcare', 'industrial', 'balanced'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** One row of a steps file: one control tick of one run. Every table, plot and report is computed from these. */
export interface StepRecord {
  /** Control step index within the run, from 0. */
  step: number;
  /** Simulated seconds at the end of the step. */
  tSeconds: number;
  scenario: string;
  /** Trace file name, or '' for the synthetic arrival process. */
  trace: string;
  seed: number;
  policy: string;

  arrivalRateMsgsPerS: number;
  processedRateMsgsPerS: number;
  backlogMsgs: number;
  droppedMsgs: number;
  p95LatencyMs: number;
  slaTargetMs: number;
  /** p95 over the target, or any message dropped. */
  slaViolated: boolean;

  /** What the policy asked for this step. */
  requestedExecutors: number;
  requestedMemoryGb: number;
  requestedTier: Tier;
  requestedCodec: Codec;
  /** What was in force at the end of the step. */
  executorsRunning: number;
  executorsStarting: number;
  memoryGb: number;
  tier: Tier;
  codec: Codec;
  /** The executor target changed this step (a scaling action). */
  scaled: boolean;

  costUsd: number;
  costRateUsdPerHour: number;

  /** The edge forecast the policy saw when it chose this step's action. */
  predictedRateMsgsPerS: number;
  burstProbability: number;
  /** Ground truth, for reports only (never in the observation): a burst is in progress at the cloud ingest. */
  burstActive: boolean;
  /** Ground truth: a burst's onset reached the cloud ingest during this step. */
  burstOnset: boolean;
  /** Ground truth data temperature (reuse probability) during the step. */
  reuseProbability: number;
  shuffleBytes: number;

  reward: number;
  alpha: number;
  beta: number;
  gamma: number;
}

/** What SparkIotEnv puts in `info` after reset and step. */
export interface SparkIotInfo {
  /** Present after step only. */
  record?: StepRecord;
  snapshot: SystemSnapshot;
  forecast: EdgeForecast;
  /** Everything a policy needs to act next (the same object the live controller builds). */
  context: PolicyContext;
  /** The action in force now. */
  action: Action;
  weights: Weights;
}
