/**
 * `forecast-sizing`: the clairvoyant oracle's sizing rule (src/policies/oracle.ts: executors for the demand with a
 * capacity margin, the shuffle tier and codec of least total cost within a share of the SLA, memory picked once for a
 * fully loaded executor) fed not the future but what any policy sees now: the demand is max(current arrival rate, the
 * edge forecast's predicted rate) plus the backlog, message size is the largest mean seen so far, data temperature is
 * the last interval's, the cold start is the configured median. Same inputs as `threshold-forecast` and the agents,
 * plus the simulator's own cost and latency model (src/cluster/memory.ts, src/shuffle/model.ts): a model-based rule,
 * no learning, at the oracle's default settings (not tuned). A project baseline, not an external system; added in
 * session 9 because at the oracle's settings it Pareto-dominates `edge-rl` on the synthetic worlds
 * (docs/BENCHMARKS.md "How far foresight gets").
 *
 * Since session 14 it keeps less latency headroom on calm load (FORECAST_SIZING_CALM): the oracle's latency share
 * guards against the load rising within the look-ahead, which a clairvoyant rule sees and this one holds flat (plus
 * the edge forecast). When the arrivals have kept close to a line for five minutes (since session 15; before, close
 * to their mean), that guess is accurate and the headroom buys nothing.
 */
import { loadConfig, type SimConfig } from '../core/config.ts';
import { coefficientOfVariation, detrendedCoefficientOfVariation, leastSquaresSlope } from '../core/stats.ts';
import type { Action } from '../core/types.ts';
import type { FutureView } from '../env/spark-iot-env.ts';
import type { ScenarioName } from '../env/spark-iot-types.ts';
import { ORACLE_DEFAULTS, OraclePolicy, type OracleSettings } from './oracle.ts';
import type { Policy, PolicyContext } from './types.ts';

export const FORECAST_SIZING_SETTINGS: OracleSettings = { ...ORACLE_DEFAULTS };

/**
 * Calm load: when the arrival rate's variation over the last `windowSteps` control intervals (its coefficient of
 * variation, or with `measure: 'detrended'` the same around its least-squares line) is below `maxArrivalCv`, the rule
 * sizes for `latencyShareOfSla` of the SLA instead of the settings' share.
 */
export interface CalmSettings {
  latencyShareOfSla: number;
  maxArrivalCv: number;
  windowSteps: number;
  /** 'cv' (default): the window's coefficient of variation; 'detrended': around its least-squares line (a ramp is calm). */
  measure?: 'cv' | 'detrended';
  /**
   * Since session 31 (docs/AGENT.md "Sizing a calm window along its trend"; unset = off): on a calm window that
   * rises, the calm rule's look-ahead follows the window's least-squares slope instead of holding the present flat,
   * so a steady ramp keeps the headroom its cold starts need. A flat or falling window is sized as without it.
   */
  trendAhead?: boolean;
}

/**
 * The defaults (docs/AGENT.md "Calm load"):
 * - latency share 0.9: the largest share on the oracle sweep's grid (src/bench/oracle-sweep.ts);
 * - window 30 intervals: 5 minutes at the 10 s control interval, the meta observation's volatility window;
 * - measured around the window's least-squares line (since session 15; session 14 took the plain CV): a steady ramp,
 *   which the edge forecast already follows, is calm; a step is not;
 * - threshold 0.045: about the 1st percentile of that measure on the synthetic (training) worlds, 0.045-0.046 in all
 *   four scenarios (`scripts/experiments/arrival-cv.mts --measure detrended`), so the worlds the agents trained on
 *   keep the default sizing in about 99 % of intervals. The threshold was chosen from those worlds, not from a trace;
 * - along the trend (since session 31, by a rule written before scoring: docs/AGENT.md "Sizing a calm window along
 *   its trend"): a calm ramp keeps the headroom its cold starts need.
 */
export const FORECAST_SIZING_CALM: CalmSettings = { latencyShareOfSla: 0.9, maxArrivalCv: 0.045, windowSteps: 30, measure: 'detrended', trendAhead: true };

function assertCalmSettings(c: CalmSettings): CalmSettings {
  if (!(c.latencyShareOfSla > 0 && c.latencyShareOfSla <= 1)) throw new Error(`forecast-sizing: calm.latencyShareOfSla must be in (0, 1], got ${c.latencyShareOfSla}`);
  if (!(c.maxArrivalCv > 0)) throw new Error(`forecast-sizing: calm.maxArrivalCv must be > 0, got ${c.maxArrivalCv}`);
  if (!(Number.isInteger(c.windowSteps) && c.windowSteps >= 2)) throw new Error(`forecast-sizing: calm.windowSteps must be an integer >= 2, got ${c.windowSteps}`);
  if (c.measure !== undefined && c.measure !== 'cv' && c.measure !== 'detrended') throw new Error(`forecast-sizing: calm.measure must be 'cv' or 'detrended', got ${JSON.stringify(c.measure)}`);
  if (c.trendAhead !== undefined && typeof c.trendAhead !== 'boolean') throw new Error(`forecast-sizing: calm.trendAhead must be a boolean, got ${JSON.stringify(c.trendAhead)}`);
  return c;
}

export class ForecastSizingPolicy implements Policy {
  readonly id: string;
  private readonly rule: OraclePolicy;
  private readonly calmRule: OraclePolicy | null;
  private readonly calm: CalmSettings | null;
  private readonly config: SimConfig;
  private arrivals: number[] = [];
  /** Intervals sized with the calm settings since reset (for experiments and tests). */
  calmSteps = 0;
  private maxMessageBytesSeen = 0;
  /** False: the edge forecast is ignored (demand = the current rate plus the backlog): the base of the no-edge twin. */
  readonly useForecast: boolean;

  /** `opts.calm`: the calm-load sizing, FORECAST_SIZING_CALM unless given; null turns it off (session 9-13's rule). */
  constructor(readonly settings: OracleSettings = FORECAST_SIZING_SETTINGS, config: SimConfig = loadConfig(), opts: { useForecast?: boolean; calm?: CalmSettings | null; id?: string } = {}) {
    this.id = opts.id ?? 'forecast-sizing';
    this.rule = new OraclePolicy(settings);
    this.calm = opts.calm === undefined ? FORECAST_SIZING_CALM : opts.calm === null ? null : assertCalmSettings(opts.calm);
    this.calmRule = this.calm ? new OraclePolicy({ ...settings, latencyShareOfSla: this.calm.latencyShareOfSla }) : null;
    this.config = config;
    this.useForecast = opts.useForecast ?? true;
  }

  reset(seed: number): void {
    this.rule.reset(seed);
    this.calmRule?.reset(seed);
    this.maxMessageBytesSeen = 0;
    this.arrivals = [];
    this.calmSteps = 0;
  }

  private isCalm(rateMsgsPerS: number): boolean {
    const calm = this.calm;
    if (!calm) return false;
    this.arrivals.push(rateMsgsPerS);
    if (this.arrivals.length > calm.windowSteps) this.arrivals.shift();
    if (this.arrivals.length < calm.windowSteps) return false;
    return (calm.measure === 'detrended' ? detrendedCoefficientOfVariation(this.arrivals) : coefficientOfVariation(this.arrivals)) < calm.maxArrivalCv;
  }

  /** `view` with its arrivals rising along the calm window's slope (msgs/s per interval), if it rises. */
  private alongTrend(view: FutureView, controlIntervalS: number): FutureView {
    const risePerS = Math.max(0, leastSquaresSlope(this.arrivals)) / controlIntervalS;
    if (risePerS === 0) return view;
    const arrivals = view.arrivalsMsgs.map((rate, i) => rate + risePerS * i);
    return { ...view, arrivalsMsgs: arrivals };
  }

  act(obs: Float32Array, ctx: PolicyContext): Action {
    const scenario = this.config.scenarios[ctx.scenario as ScenarioName];
    if (!scenario) throw new Error(`forecast-sizing: scenario '${ctx.scenario}' is not in the config (known: ${Object.keys(this.config.scenarios).join(', ')})`);
    const s = ctx.snapshot;
    const coldStartS = this.config.cluster.coldStart.medianS;
    // The rule looks two intervals plus a cold start ahead; the "future" is the present and the forecast, held flat.
    const horizonS = 2 * ctx.controlIntervalS + Math.ceil(coldStartS) + 1;
    const rateMsgsPerS = this.useForecast ? Math.max(s.arrivalRateMsgsPerS, ctx.forecast.predictedRateMsgsPerS) : s.arrivalRateMsgsPerS;
    // Before the first interval has data, the scenario's configured message size.
    this.maxMessageBytesSeen = Math.max(this.maxMessageBytesSeen, s.meanMessageBytes > 0 ? s.meanMessageBytes : scenario.messageBytes);
    const present: FutureView = {
      tSeconds: 0,
      offsetS: 0,
      arrivalsMsgs: new Float64Array(horizonS).fill(rateMsgsPerS),
      messageBytes: new Float64Array(horizonS).fill(this.maxMessageBytesSeen),
      reuseProbability: new Float64Array(horizonS).fill(s.observedReuse),
      coldStartS: () => coldStartS,
      coldStartsUsed: 0,
      config: this.config,
      scenario,
      controlIntervalS: ctx.controlIntervalS,
    };
    const calm = this.isCalm(s.arrivalRateMsgsPerS);
    // Both rules size every interval, so each keeps its memory choice and its removal history continuous.
    const normal = this.rule.act(obs, { ...ctx, future: present });
    const relaxed = this.calmRule?.act(obs, { ...ctx, future: calm && this.calm?.trendAhead ? this.alongTrend(present, ctx.controlIntervalS) : present });
    if (calm && relaxed) {
      this.calmSteps++;
      return relaxed;
    }
    return normal;
  }
}

/**
 * The base rule a residual agent corrects (src/core/residual-action.ts, src/env/residual-env.ts): forecast-sizing at
 * its default settings; without the edge forecast for the no-edge twin. One factory for training and inference.
 */
export function residualBasePolicy(opts: { maskEdge?: boolean; config?: SimConfig; calm?: CalmSettings | null } = {}): Policy {
  return new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, opts.config, { useForecast: !(opts.maskEdge ?? false), calm: opts.calm });
}
