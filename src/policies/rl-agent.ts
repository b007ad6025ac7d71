/**
 * PpoAgentPolicy: a trained PPO checkpoint as a tournament / controller Policy.
 *
 * The checkpoint carries its own observation normalisation (running mean/std, SB3 VecNormalize-like), so `act`
 * takes the raw 27-feature observation the ObservationBuilder produces and runs the deterministic `predict`
 * (the mode of each MultiDiscrete component). The checkpoint is loaded lazily, once, on the first `act` or
 * `load()`, and checked against the SparkIot observation / action spaces so a model trained on another env
 * (e.g. SeedCompat's 13 features) fails with a clear error instead of acting on garbage.
 *
 * A checkpoint whose action space is the residual one (src/core/residual-action.ts) outputs corrections: the policy
 * applies them to the forecast-sizing rule's action, which it computes from the context (never the future).
 *
 * `withWeights` is what the meta-controller (engineer B) uses to condition the agent on other weights.
 */
import type { SimConfig } from '../core/config.ts';
import { actionSpace as ACTION_SPACE, decodeAction } from '../core/action.ts';
import type { Action, Weights } from '../core/types.ts';
import { EDGE_FEATURE_INDICES, OBSERVATION_FEATURES, OBS_SIZE, observationSpace } from '../control/observation.ts';
import { modelFromCheckpoint, type TrainedModel } from '../rl/model.ts';
import { assertCompatible, describeSpaceMismatch, readCheckpoint } from '../rl/checkpoint.ts';
import { applyResidual, residualActionSpace } from '../core/residual-action.ts';
import { residualBasePolicy, type CalmSettings } from './forecast-sizing.ts';
import type { Policy, PolicyContext } from './types.ts';
import { ScaleDownHold } from './scale-down-hold.ts';
import { shippedModel } from '../core/paths.ts';

/** The shipped checkpoints (src/core/paths.ts: they load whatever the working directory). */
export const EDGE_RL_CHECKPOINT = shippedModel('edge-rl-ppo.json');
export const RL_NO_EDGE_CHECKPOINT = shippedModel('rl-no-edge-ppo.json');
/** The same PPO trained for the spark-k8s target (restart-class changes pause the application). */
export const EDGE_RL_SPARK_K8S_CHECKPOINT = shippedModel('edge-rl-ppo-spark-k8s.json');

const ALPHA_INDEX = OBSERVATION_FEATURES.indexOf('alpha');
const BETA_INDEX = OBSERVATION_FEATURES.indexOf('beta');
const GAMMA_INDEX = OBSERVATION_FEATURES.indexOf('gamma');

// The same clipping the ObservationBuilder applies to the weight features (observation.ts: clip01(weights.x)).
const clip01 = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);

/** A copy of `obs` with the alpha/beta/gamma features replaced by `w`, normalized as the ObservationBuilder does. */
export function withWeights(obs: Float32Array, w: Weights): Float32Array {
  if (obs.length !== OBS_SIZE) throw new Error(`withWeights: observation has ${obs.length} features, expected ${OBS_SIZE}`);
  for (const k of ['alpha', 'beta', 'gamma'] as const) {
    if (typeof w[k] !== 'number' || !Number.isFinite(w[k])) throw new Error(`withWeights: weights.${k} must be a finite number, got ${String(w[k])}`);
  }
  const out = Float32Array.from(obs);
  out[ALPHA_INDEX] = clip01(w.alpha);
  out[BETA_INDEX] = clip01(w.beta);
  out[GAMMA_INDEX] = clip01(w.gamma);
  return out;
}

/** A copy of `obs` with the edge-forecast features zeroed, as SparkIotEnv's maskEdgeFeatures does. */
export function maskEdge(obs: Float32Array): Float32Array {
  const out = Float32Array.from(obs);
  for (const i of EDGE_FEATURE_INDICES) out[i] = 0;
  return out;
}

export interface PpoAgentPolicyOptions {
  id: string;
  checkpointPath: string;
  /** Zero the edge features before acting (the rl-no-edge ablation was trained that way). */
  maskEdge?: boolean;
  /**
   * Hold scale-downs of the executor count for this many seconds (src/policies/scale-down-hold.ts; default 0 = the
   * network's output as is). The registered agents use AGENT_SCALE_DOWN_HOLD_S.
   */
  scaleDownHoldS?: number;
  /** A residual checkpoint's base: the calm-load sizing of `forecast-sizing` (default FORECAST_SIZING_CALM; null: off). */
  baseCalm?: CalmSettings | null;
  /** The world a residual checkpoint's base rule sizes for (default the built-in config). */
  config?: SimConfig;
}

export class PpoAgentPolicy implements Policy {
  readonly id: string;
  readonly checkpointPath: string;
  readonly maskEdge: boolean;
  private readonly baseCalm: CalmSettings | null | undefined;
  private readonly config: SimConfig | undefined;
  private readonly hold: ScaleDownHold | null;
  private model: TrainedModel | null = null;
  /** For a residual checkpoint (trained with envOptions.residualBase): the base rule its output corrects (src/env/residual-env.ts). */
  private base: Policy | null = null;
  private lastBase: Action | null = null;
  private lastNotes: string[] = [];

  constructor(opts: PpoAgentPolicyOptions) {
    if (!opts.id) throw new Error('PpoAgentPolicy: id is required');
    if (!opts.checkpointPath) throw new Error(`PpoAgentPolicy '${opts.id}': checkpointPath is required`);
    this.id = opts.id;
    this.checkpointPath = opts.checkpointPath;
    this.maskEdge = opts.maskEdge ?? false;
    this.hold = opts.scaleDownHoldS ? new ScaleDownHold(opts.scaleDownHoldS) : null;
    this.baseCalm = opts.baseCalm;
    this.config = opts.config;
  }

  /** Loads and checks the checkpoint (once); throws a CheckpointError naming the file and the mismatch. */
  load(): TrainedModel {
    if (!this.model) {
      const ckpt = readCheckpoint(this.checkpointPath);
      // The action space says what the network outputs: corrections to the forecast-sizing rule (trained with
      // envOptions.residualBase, src/core/residual-action.ts) or the action itself.
      const residual = describeSpaceMismatch(ckpt.actionSpace, residualActionSpace) === null;
      const spaces = { algo: 'ppo' as const, observationSpace: observationSpace(), actionSpace: residual ? residualActionSpace : ACTION_SPACE };
      assertCompatible(ckpt, spaces, `'${this.checkpointPath}'`);
      this.model = modelFromCheckpoint(ckpt, `'${this.checkpointPath}'`);
      this.base = residual ? residualBasePolicy({ maskEdge: this.maskEdge, calm: this.baseCalm, ...(this.config ? { config: this.config } : {}) }) : null;
    }
    return this.model;
  }

  /** True when the checkpoint is a residual policy over forecast-sizing (loads it). */
  get isResidual(): boolean {
    this.load();
    return this.base !== null;
  }

  reset(seed: number): void {
    // The network is deterministic and memoryless; the state is the hold's history and, for a residual checkpoint, the
    // base rule's (its memory pick and message sizes seen). Loading here surfaces a bad checkpoint early.
    this.load();
    this.base?.reset(seed);
    this.lastBase = null;
    this.hold?.reset();
    this.lastNotes = [];
  }

  /**
   * The deterministic action for the raw observation (everything the network sees is in obs); with a scale-down hold
   * the executor count is held (src/policies/scale-down-hold.ts), which needs ctx.controlIntervalS.
   */
  act(obs: Float32Array, ctx?: PolicyContext): Action {
    this.load();
    let base: Action | null = null;
    if (this.base) {
      if (!ctx) throw new Error(`PpoAgentPolicy '${this.id}': a residual checkpoint needs the policy context (its base rule reads it)`);
      // The base never sees the future, whatever the caller passes.
      base = this.base.act(obs, { ...ctx, future: undefined });
    }
    this.lastBase = base;
    const action = this.networkAction(obs, base);
    this.lastNotes = [];
    if (!this.hold) return action;
    if (!ctx) throw new Error(`PpoAgentPolicy '${this.id}': the scale-down hold needs the policy context (control interval)`);
    const executors = this.hold.apply(action.executors, ctx.controlIntervalS);
    if (executors !== action.executors) {
      this.lastNotes = [`scale-down hold: the network recommended ${action.executors} executors; ${executors} kept (its highest of the last ${this.hold.holdS} s)`];
    }
    return { ...action, executors };
  }

  /**
   * The network's action for `obs` on a given base action (residual checkpoints; ignored by absolute ones), before the
   * hold. Pure: it does not advance the base rule or the hold, so a probe can ask it for many weight vectors in one
   * state (the weights report does, with `lastBaseAction`).
   */
  networkAction(obs: Float32Array, base: Action | null): Action {
    const model = this.load();
    if (obs.length !== OBS_SIZE) throw new Error(`PpoAgentPolicy '${this.id}': observation has ${obs.length} features, expected ${OBS_SIZE}`);
    const a = model.predict(this.maskEdge ? maskEdge(obs) : obs);
    const index = typeof a === 'number' ? [a] : Array.from(a);
    if (!this.base) return decodeAction(index);
    if (!base) throw new Error(`PpoAgentPolicy '${this.id}': a residual checkpoint needs the base rule's action`);
    return applyResidual(base, index);
  }

  /** The base rule's action of the last `act` (null for an absolute checkpoint or before the first act). */
  get lastBaseAction(): Action | null {
    return this.lastBase;
  }

  explain(): string[] {
    return [...this.lastNotes];
  }
}
