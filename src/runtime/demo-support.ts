/**
 * Pure helpers of the demo (src/runtime/demo.ts) and the pipeline benchmark: the scaled workload, the translation
 * between the demo's measured rates and the simulator's units the policies were trained in, the choice of the
 * default policy, and the message-accounting invariant.
 *
 * Why a scale factor: the simulator models a cluster (executors of ~5,000 msgs/s, loads of 9,000-60,000 msgs/s,
 * src/core/config.ts); the demo runs devices, broker, gateway, engine and controller in ONE process on a 2-core
 * machine. So every rate is divided by `rateScale` (default 50) and so is an engine executor's capacity: the number of
 * executors a load needs is the same as in the simulator, and a policy that sees the snapshot multiplied back by the
 * same factor sees the world in the units it was trained in. Latencies, memory and cost are not scaled.
 */
import { existsSync } from 'node:fs';
import { Rng } from '../core/rng.ts';
import type { ScenarioConfig } from '../core/config.ts';
import type { Action, EdgeForecast, SystemSnapshot, Weights } from '../core/types.ts';
import type { ModeContext, Policy, PolicyContext } from '../policies/types.ts';
import { assertMode, type ModeName } from '../meta/modes.ts';
import type { DecisionRecord, ForecastSource, MetricsSource } from '../control/types.ts';
import { generateSyntheticSeries } from '../workload/synthetic.ts';
import { traceSeries, type Trace } from '../workload/trace.ts';
import type { RateFunction } from './devices/fleet.ts';

/**
 * Demo rates = simulator rates / 50. Measured on this shared 2-core machine (docs/DEMO.md): at 1:20 (smart-city
 * ~840 msgs/s before its first burst, ~2,300 at the peak) the one-process MQTT chain (two hops through aedes,
 * validation at the gateway and the engine) fell ~20,000 messages behind within two minutes while other jobs kept
 * the load average at 8-19; at 1:50 (~340 msgs/s, ~930 at the peak) it kept up.
 */
export const DEFAULT_RATE_SCALE = 50;

export interface DemoWorkload {
  /** Fleet publish rate (demo scale), msgs/s, at seconds since the demo's start. */
  rate: RateFunction;
  /** Second of the generated series the demo starts at (chosen so the first burst comes early). */
  startIndexS: number;
  /** Seconds after the start when the first burst of the series begins (Infinity if none). */
  firstBurstAtS: number;
  lengthS: number;
}

/**
 * The scenario's synthetic arrival process (the simulator's own generator, src/workload/synthetic.ts), or a real
 * trace replayed as the simulator replays it (src/workload/trace.ts: rescaled to the scenario's peak, a seed-dependent
 * start), divided by `rateScale`, started `leadInS` before its first burst so a short demo shows one. The series
 * repeats after `lengthS` seconds (a demo left running for hours loops over the same slice).
 */
export interface DemoWorkloadOptions {
  /** Divides the rates (default DEFAULT_RATE_SCALE). */
  rateScale?: number;
  /** Seconds before the series repeats (default 4 h). */
  lengthS?: number;
  /** Seconds of the series shown before its first burst (default 45). */
  leadInS?: number;
  /** Replay this trace instead of the scenario's synthetic process. */
  trace?: Trace;
}

export function demoWorkload(scenario: ScenarioConfig, seed: number, options: DemoWorkloadOptions = {}): DemoWorkload {
  const { rateScale = DEFAULT_RATE_SCALE, lengthS = 4 * 3600, leadInS = 45, trace } = options;
  if (!(rateScale > 0) || !Number.isFinite(rateScale)) throw new Error(`demoWorkload: rateScale must be a finite number > 0, got ${rateScale}`);
  if (!Number.isInteger(lengthS) || lengthS < 60) throw new Error(`demoWorkload: lengthS must be an integer >= 60, got ${lengthS}`);
  const rng = new Rng(seed).fork('demo:workload');
  const series = trace ? traceSeries(trace, lengthS, 0, scenario, rng) : generateSyntheticSeries(lengthS, 0, scenario, rng);
  let firstOnset = -1;
  for (let i = leadInS; i < lengthS; i++) {
    if (series.burstOnset[i]) {
      firstOnset = i;
      break;
    }
  }
  const startIndexS = firstOnset >= 0 ? firstOnset - leadInS : 0;
  // A copy: the generator may reuse its arrays for the next series it makes.
  const perSecond = Float64Array.from(series.arrivalsMsgs, (v) => v / rateScale);
  return {
    rate: (tSeconds) => {
      const i = (startIndexS + Math.max(0, Math.floor(tSeconds))) % lengthS;
      return perSecond[i]!;
    },
    startIndexS,
    firstBurstAtS: firstOnset >= 0 ? leadInS : Infinity,
    lengthS,
  };
}

/** The snapshot in simulator units: rates, backlog and message counts multiplied by `factor`. */
export function scaleSnapshot(s: SystemSnapshot, factor: number): SystemSnapshot {
  return {
    ...s,
    arrivalRateMsgsPerS: s.arrivalRateMsgsPerS * factor,
    processedRateMsgsPerS: s.processedRateMsgsPerS * factor,
    backlogMsgs: s.backlogMsgs * factor,
    shuffleBytes: s.shuffleBytes * factor,
    droppedMsgs: s.droppedMsgs * factor,
  };
}

export function scaleForecast(f: EdgeForecast, factor: number): EdgeForecast {
  return { ...f, predictedRateMsgsPerS: f.predictedRateMsgsPerS * factor };
}

/** A MetricsSource whose snapshots are in simulator units (what the controller and its policy see). */
export function scaledMetrics(inner: MetricsSource, factor: number): MetricsSource {
  return { id: `${inner.id}*${factor}`, snapshot: async () => scaleSnapshot(await inner.snapshot(), factor) };
}

export function scaledForecasts(inner: ForecastSource, factor: number): ForecastSource {
  return { latest: () => scaleForecast(inner.latest(), factor) };
}

/** A decision record back in measured (demo) units, for the dashboard. */
export function unscaleRecord<R extends DecisionRecord>(r: R, factor: number): R {
  return { ...r, snapshot: scaleSnapshot(r.snapshot, 1 / factor), forecast: scaleForecast(r.forecast, 1 / factor) };
}

export interface DefaultPolicyChoice {
  policy: string;
  reason: string;
}

/**
 * `edge-rl` when it is registered and its checkpoints exist, else `threshold-forecast`; the reason says which and why.
 * `checkpoints`: the files edge-rl needs (models/edge-rl-ppo.json and models/meta-td3.json).
 */
export function chooseDefaultPolicy(registered: readonly string[], checkpoints: readonly string[], exists: (p: string) => boolean = existsSync): DefaultPolicyChoice {
  if (!registered.includes('edge-rl')) return { policy: 'threshold-forecast', reason: "policy 'edge-rl' is not registered in this build; using the threshold-forecast baseline" };
  const missing = checkpoints.filter((p) => !exists(p));
  if (missing.length > 0) return { policy: 'threshold-forecast', reason: `edge-rl checkpoint(s) missing (${missing.join(', ')}); using the threshold-forecast baseline` };
  return { policy: 'edge-rl', reason: 'edge-rl checkpoints found' };
}

export interface AccountingInput {
  published: number;
  /** Distinct valid messages the engine was given. */
  ingested: number;
  processed: number;
  dropped: number;
  droppedByReason: Record<string, number>;
}

/**
 * How many of the fleet's own messages the engine has seen: per fleet device, its seqs 0, 1, 2, ... received without
 * a gap (SeqDeduper.contiguous). The demo waits for this to reach the published count before it stops the engine;
 * counting every arrival instead would let messages someone else publishes to the broker end the wait while fleet
 * messages are still in transit (they would then be refused by the stopping engine).
 */
export function fleetMessagesArrived(deviceIds: readonly string[], seen: { contiguous(deviceId: string): number }): number {
  let n = 0;
  for (const id of deviceIds) n += seen.contiguous(id);
  return n;
}

export interface AccountingCheck {
  ok: boolean;
  /** One line each: what holds and what does not. */
  lines: string[];
}

/**
 * The demo's invariant: every published message was ingested once, and every ingested one was processed or dropped
 * with a reason. (Malformed messages are not published by the fleet, so they are outside this sum.)
 */
export function checkAccounting(a: AccountingInput): AccountingCheck {
  const lines: string[] = [];
  const reasonsSum = Object.values(a.droppedByReason).reduce((x, y) => x + y, 0);
  const delivered = a.published === a.ingested;
  const settled = a.ingested === a.processed + a.dropped;
  const reasoned = reasonsSum === a.dropped;
  const whole = a.published === a.processed + a.dropped;
  lines.push(`${whole ? 'OK ' : 'BAD'} published ${a.published} = processed ${a.processed} + dropped ${a.dropped}${whole ? '' : ` (off by ${a.published - a.processed - a.dropped})`}`);
  if (!delivered) lines.push(`BAD published ${a.published} != ingested ${a.ingested}: ${a.published - a.ingested} never reached the engine (broker/gateway)`);
  if (!settled) lines.push(`BAD ingested ${a.ingested} != processed + dropped ${a.processed + a.dropped}`);
  const reasonText = Object.entries(a.droppedByReason)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(`${reasoned ? 'OK ' : 'BAD'} dropped by reason: ${reasonText || 'none'}${reasoned ? '' : ` (reasons sum to ${reasonsSum})`}`);
  return { ok: whole && delivered && settled && reasoned, lines };
}

/**
 * Gives a policy the operating mode (PolicyContext.mode, src/policies/types.ts) that the live ControlLoop does not
 * set: the dashboard's mode switch (`POST /api/mode`) changes it, and the hierarchical `edge-rl` reacts at once (its
 * meta-controller re-picks the weights on a mode change). Other policies ignore the mode. The budget left follows
 * the convention of src/meta/modes.ts for a single-mode run: 10 % in `budget` (nearly exhausted), else all of it.
 */
export class ModeContextPolicy implements Policy {
  mode: ModeName = 'normal';

  constructor(
    readonly inner: Policy,
    private readonly budgetUsdPerHour: number,
  ) {
    if (!(budgetUsdPerHour > 0)) throw new Error(`ModeContextPolicy: budgetUsdPerHour must be > 0, got ${budgetUsdPerHour}`);
  }

  get id(): string {
    return this.inner.id;
  }

  setMode(mode: string): void {
    this.mode = assertMode(mode, 'ModeContextPolicy.setMode');
  }

  reset(seed: number): void {
    this.inner.reset(seed);
  }

  act(obs: Float32Array, ctx: PolicyContext): Action {
    const mode: ModeContext = { mode: this.mode, budgetLeftFraction: this.mode === 'budget' ? 0.1 : 1, budgetUsdPerHour: this.budgetUsdPerHour };
    return this.inner.act(obs, { ...ctx, mode });
  }

  explain(): string[] {
    return this.inner.explain?.() ?? [];
  }

  /** The weights the policy chose itself on its last decision (edge-rl's meta-controller), or null if it does not say. */
  ownWeights(): Weights | null {
    const decisions = (this.inner as { decisions?: ReadonlyArray<{ weights?: Weights }> }).decisions;
    const last = Array.isArray(decisions) && decisions.length > 0 ? decisions[decisions.length - 1] : undefined;
    return last?.weights ? { ...last.weights } : null;
  }
}
