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
 */
import { loadConfig, type SimConfig } from '../core/config.ts';
import type { Action } from '../core/types.ts';
import type { FutureView } from '../env/spark-iot-env.ts';
import type { ScenarioName } from '../env/spark-iot-types.ts';
import { ORACLE_DEFAULTS, OraclePolicy, type OracleSettings } from './oracle.ts';
import type { Policy, PolicyContext } from './types.ts';

export const FORECAST_SIZING_SETTINGS: OracleSettings = { ...ORACLE_DEFAULTS };

export class ForecastSizingPolicy implements Policy {
  readonly id = 'forecast-sizing';
  private readonly rule: OraclePolicy;
  private readonly config: SimConfig;
  private maxMessageBytesSeen = 0;
  /** False: the edge forecast is ignored (demand = the current rate plus the backlog): the base of the no-edge twin. */
  readonly useForecast: boolean;

  constructor(readonly settings: OracleSettings = FORECAST_SIZING_SETTINGS, config: SimConfig = loadConfig(), opts: { useForecast?: boolean } = {}) {
    this.rule = new OraclePolicy(settings);
    this.config = config;
    this.useForecast = opts.useForecast ?? true;
  }

  reset(seed: number): void {
    this.rule.reset(seed);
    this.maxMessageBytesSeen = 0;
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
    return this.rule.act(obs, { ...ctx, future: present });
  }
}

/**
 * The base rule a residual agent corrects (src/core/residual-action.ts, src/env/residual-env.ts): forecast-sizing at
 * its default settings; without the edge forecast for the no-edge twin. One factory for training and inference.
 */
export function residualBasePolicy(opts: { maskEdge?: boolean; config?: SimConfig } = {}): Policy {
  return new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, opts.config, { useForecast: !(opts.maskEdge ?? false) });
}
