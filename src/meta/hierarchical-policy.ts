/**
 * The hierarchical policy `edge-rl`: the TD3 meta-controller (models/meta-td3.json) picks the weight vector every K
 * control steps (and at once when the operating mode changes) from the meta observation (src/meta/meta-observation.ts);
 * the lower-level PPO (models/edge-rl-ppo.json) acts on the observation with those weights in place of the ones
 * the world shows (withWeights). The registered policies add the SLO guard (src/meta/slo-guard.ts): the critical mode's
 * weights while the mode phase is, with evidence, over its SLA cap. The same class with a constant "meta" (and no
 * guard) is the fixed-weight policy of the meta report.
 */
import { AGENT_SCALE_DOWN_HOLD_S } from '../policies/scale-down-hold.ts';
import { existsSync } from 'node:fs';
import { loadConfig, type SimConfig } from '../core/config.ts';
import { box } from '../core/spaces.ts';
import type { Action, Weights } from '../core/types.ts';
import { modelFromCheckpoint } from '../rl/model.ts';
import { isEnsembleFile, readEnsembleManifest, type EnsemblePooling } from '../rl/ensemble.ts';
import { withWeights } from '../policies/rl-agent.ts';
import type { CalmSettings } from '../policies/forecast-sizing.ts';
import type { ModeContext, Policy, PolicyContext } from '../policies/types.ts';
import { DEFAULT_WINDOW_STEPS, loadLowerPolicy } from './meta-env.ts';
import { DEFAULT_META_CONTEXT_FEATURES, MetaObservationTracker, assertMetaContextFeatures, metaObservationSpace, type MetaContextFeatures } from './meta-observation.ts';
import { assertCompatible, readCheckpoint, type CheckpointContent } from '../rl/checkpoint.ts';
import { assertMode } from './modes.ts';
import { normalizeWeights, weightsLabel } from './weights.ts';
import { shippedModel } from '../core/paths.ts';
import { guardWeights, sloBreached, SloWindow, SLO_GUARD_DEFAULTS, type SloGuardSettings } from './slo-guard.ts';

export const DEFAULT_META_CHECKPOINT = shippedModel('meta-td3.json');
/** 24 TD3 seeds of the recipe, averaged: an ensemble manifest and its members (docs/META.md "An ensemble of 24 seeds"). */
export const META_TRAIN_COMMAND = 'edgepilot train --env SparkIotMeta --algo td3 --config configs/meta-td3.json --seeds 1-24 --jobs 2 --out models/meta-td3.json';
/** The meta-controller of the no-edge ablation `rl-no-edge-meta` (trained over models/rl-no-edge-ppo.json, edge features masked). */
export const NO_EDGE_META_CHECKPOINT = shippedModel('meta-td3-no-edge.json');
export const NO_EDGE_META_TRAIN_COMMAND = 'edgepilot train --env SparkIotMeta --algo td3 --config configs/meta-td3-no-edge.json --seeds 1-24 --jobs 2 --out models/meta-td3-no-edge.json';

/** The meta-controller as a function: meta observation -> raw weights (normalized by the policy). */
export type MetaController = (metaObs: Float32Array) => ArrayLike<number>;

/**
 * The meta observation a checkpoint was trained on: its recorded env option metaContextFeatures, else 'scenario'
 * (checkpoints from before the option was recorded all are). `where` names the file in errors.
 */
export function metaContextFeaturesOf(ckpt: CheckpointContent, where: string): MetaContextFeatures {
  const recorded = ckpt.envOptions?.['metaContextFeatures'];
  return recorded === undefined ? DEFAULT_META_CONTEXT_FEATURES : assertMetaContextFeatures(recorded, `meta-controller checkpoint ${where}`);
}

/** metaContextFeaturesOf the checkpoint at `path`. */
export function checkpointMetaContextFeatures(path: string): MetaContextFeatures {
  return metaContextFeaturesOf(readCheckpoint(path), `'${path}'`);
}

/** One TD3 actor, checked against the meta-env's spaces for its observation variant (the file is read once). */
export function loadMetaActor(path: string): { controller: MetaController; contextFeatures: MetaContextFeatures } {
  const ckpt = readCheckpoint(path);
  const contextFeatures = metaContextFeaturesOf(ckpt, `'${path}'`);
  assertCompatible(ckpt, { algo: 'td3', observationSpace: metaObservationSpace(contextFeatures), actionSpace: box(0, 1, [3]) }, `'${path}'`);
  const model = modelFromCheckpoint(ckpt, `'${path}'`);
  return { controller: (obs) => model.predict(obs) as Float32Array, contextFeatures };
}

/**
 * The mean of several meta-controllers' normalized weights. Averaging on the simplex (not the raw actions, whose
 * scale each actor sets its own way) keeps every member's vote the same size. `pooling`:
 *  - 'arithmetic': the component-wise mean. It cannot reach a corner of the simplex unless every member does, so a
 *    few members off the corner pull the vector toward the centre (docs/META.md "Pooling the seeds").
 *  - 'geometric': the closed geometric mean, exp(mean log w) rescaled to sum 1: the centre of compositions in
 *    Aitchison's geometry of the simplex (log-linear pooling), where a component most members set near 0 stays near 0.
 */
export function averageMetaControllers(members: readonly MetaController[], where = 'averageMetaControllers', pooling: EnsemblePooling = 'arithmetic'): MetaController {
  if (members.length === 0) throw new Error(`${where}: no members`);
  return (obs) => {
    const pooled = [0, 0, 0];
    for (const m of members) {
      const w = normalizeWeights(m(obs), `${where} member output`);
      const v = [w.alpha, w.beta, w.gamma];
      // normalizeWeights keeps every component >= WEIGHT_FLOOR / (1 + 3 WEIGHT_FLOOR), so the log is finite.
      for (let k = 0; k < 3; k++) pooled[k]! += (pooling === 'geometric' ? Math.log(v[k]!) : v[k]!) / members.length;
    }
    if (pooling === 'arithmetic') return pooled;
    const g = pooled.map(Math.exp);
    const sum = g[0]! + g[1]! + g[2]!;
    return g.map((x) => x / sum);
  };
}

/**
 * Loads the meta-controller: a TD3 checkpoint, or an ensemble manifest (`edgepilot train --seeds`, src/rl/ensemble.ts)
 * whose members' weights are pooled as the manifest says (docs/META.md "An ensemble of seeds", "Pooling the seeds").
 * A missing file names the command that makes it. The path defaults to the shipped one, or with `maskEdge` to the
 * no-edge ablation's.
 */
export function loadMetaController(checkpoint?: string, maskEdge = false): MetaController {
  return loadMetaControllerWithFeatures(checkpoint, maskEdge).controller;
}

/** loadMetaController, and the observation variant its checkpoints were trained on (all members must agree). */
export function loadMetaControllerWithFeatures(checkpoint?: string, maskEdge = false): { controller: MetaController; contextFeatures: MetaContextFeatures } {
  const path = checkpoint ?? (maskEdge ? NO_EDGE_META_CHECKPOINT : DEFAULT_META_CHECKPOINT);
  const command = maskEdge ? NO_EDGE_META_TRAIN_COMMAND : META_TRAIN_COMMAND;
  if (!existsSync(path)) throw new Error(`meta-controller checkpoint '${path}' not found; produce it with: ${command}`);
  if (!isEnsembleFile(path)) return loadMetaActor(path);
  const manifest = readEnsembleManifest(path);
  const missing = manifest.memberPaths.filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`meta-controller ensemble '${path}': member checkpoint${missing.length > 1 ? 's' : ''} ${missing.map((p) => `'${p}'`).join(', ')} not found; produce ${missing.length > 1 ? 'them' : 'it'} with: ${manifest.command ?? command}`);
  const members = manifest.memberPaths.map(loadMetaActor);
  const variants = [...new Set(members.map((m) => m.contextFeatures))];
  if (variants.length > 1) throw new Error(`meta-controller ensemble '${path}': its members were trained on different meta observations (${manifest.memberPaths.map((p, i) => `${p}: ${members[i]!.contextFeatures}`).join(', ')})`);
  return { controller: averageMetaControllers(members.map((m) => m.controller), `meta-controller ensemble '${path}'`, manifest.pooling), contextFeatures: variants[0]! };
}

export interface HierarchicalPolicyOptions {
  id: string;
  /** K: control steps between meta decisions (default 10, the meta-env's). */
  windowSteps?: number;
  metaCheckpointPath?: string;
  lowerCheckpointPath?: string;
  /** Injected meta-controller (tests, fixed weights); otherwise loaded from metaCheckpointPath on first reset. */
  meta?: MetaController;
  /** Injected lower-level policy; otherwise the PPO from lowerCheckpointPath. */
  lower?: Policy;
  /**
   * Scale-down hold of the loaded PPO (default AGENT_SCALE_DOWN_HOLD_S, src/policies/scale-down-hold.ts), the same
   * as every registered agent; not applied to an injected `lower`.
   */
  scaleDownHoldS?: number;
  /**
   * The no-edge ablation: the meta observation's edge features and the lower PPO's (obs 11-12) are zeroed. The
   * checkpoints then default to the ones trained that way (NO_EDGE_META_CHECKPOINT, models/rl-no-edge-ppo.json).
   */
  maskEdge?: boolean;
  /**
   * The meta observation of an injected `meta` (default 'scenario'). A loaded checkpoint brings its own (the env
   * option it was trained with), and this option must then be unset or agree.
   */
  metaContextFeatures?: MetaContextFeatures;
  /** The loaded PPO's base: calm-load sizing (default FORECAST_SIZING_CALM; null: off; docs/AGENT.md "Calm load"). */
  baseCalm?: CalmSettings | null;
  /** The SLO guard over the meta-controller's weights (src/meta/slo-guard.ts); default off. */
  sloGuard?: SloGuardSettings | null;
  config?: SimConfig;
}

/** Meta decisions a policy keeps at least (`decisions`); past twice this, the oldest are dropped. */
export const MAX_META_DECISIONS_KEPT = 10_000;

export class HierarchicalPolicy implements Policy {
  readonly id: string;
  readonly windowSteps: number;
  private readonly config: SimConfig;
  /** Checkpoints given in the options; unset = the defaults for this policy's maskEdge (resolved by the loaders). */
  private readonly metaPath: string | undefined;
  private readonly lowerPath: string | undefined;
  private readonly scaleDownHoldS: number;
  private readonly maskEdge: boolean;
  private readonly baseCalm: CalmSettings | null | undefined;
  private readonly sloGuard: SloGuardSettings | null;
  /** The guard's evidence: the current phase's last sloGuard.windowSteps steps. */
  private readonly sloWindow: SloWindow | null;
  private meta: MetaController | null;
  private lower: Policy | null;
  private tracker: MetaObservationTracker;
  private readonly requestedContextFeatures: MetaContextFeatures | undefined;
  private step = 0;
  private weights: Weights | null = null;
  private lastMode: string | null = null;
  /** The mode the previous step ran in (the snapshot in the next context belongs to it). */
  private prevStepMode: string | null = null;
  /**
   * Control-step indices (since reset) at which the meta-controller was consulted, and what it chose: the latest
   * MAX_META_DECISIONS_KEPT at least (a live controller never resets, and one decision every K steps would otherwise
   * pile up for as long as it runs; the longest bench run makes 10,000).
   */
  readonly decisions: { step: number; mode: string; weights: Weights; guarded?: boolean }[] = [];

  constructor(opts: HierarchicalPolicyOptions) {
    if (!opts.id) throw new Error('HierarchicalPolicy: id is required');
    this.id = opts.id;
    this.windowSteps = opts.windowSteps ?? DEFAULT_WINDOW_STEPS;
    if (!Number.isInteger(this.windowSteps) || this.windowSteps < 1) throw new Error(`HierarchicalPolicy '${opts.id}': windowSteps must be a positive integer, got ${opts.windowSteps}`);
    this.config = opts.config ?? loadConfig();
    this.maskEdge = opts.maskEdge ?? false;
    this.metaPath = opts.metaCheckpointPath;
    this.lowerPath = opts.lowerCheckpointPath;
    this.scaleDownHoldS = opts.scaleDownHoldS ?? AGENT_SCALE_DOWN_HOLD_S;
    this.meta = opts.meta ?? null;
    this.lower = opts.lower ?? null;
    this.baseCalm = opts.baseCalm;
    this.sloGuard = opts.sloGuard ?? null;
    this.sloWindow = this.sloGuard ? new SloWindow(this.sloGuard.windowSteps) : null;
    if (opts.metaContextFeatures !== undefined) assertMetaContextFeatures(opts.metaContextFeatures, `HierarchicalPolicy '${opts.id}'`);
    this.requestedContextFeatures = opts.metaContextFeatures;
    this.tracker = this.makeTracker(opts.metaContextFeatures ?? DEFAULT_META_CONTEXT_FEATURES);
  }

  private makeTracker(contextFeatures: MetaContextFeatures): MetaObservationTracker {
    return new MetaObservationTracker(this.windowSteps, this.config.observation.rateScaleMsgsPerS, this.config.modes, this.maskEdge, contextFeatures);
  }

  /** The meta observation variant in use (the loaded checkpoint's once reset has run). */
  get metaContextFeatures(): MetaContextFeatures {
    return this.tracker.contextFeatures;
  }

  reset(seed: number): void {
    // Loading here (not in the constructor) keeps `bench --help` and registry listings free of file access.
    if (!this.meta) {
      const loaded = loadMetaControllerWithFeatures(this.metaPath, this.maskEdge);
      if (this.requestedContextFeatures !== undefined && this.requestedContextFeatures !== loaded.contextFeatures) {
        throw new Error(`HierarchicalPolicy '${this.id}': metaContextFeatures '${this.requestedContextFeatures}' was asked for, but the meta-controller checkpoint was trained on '${loaded.contextFeatures}'`);
      }
      this.meta = loaded.controller;
      if (loaded.contextFeatures !== this.tracker.contextFeatures) this.tracker = this.makeTracker(loaded.contextFeatures);
    }
    this.lower ??= loadLowerPolicy(this.lowerPath, `${this.id}-lower`, this.scaleDownHoldS, this.maskEdge, this.baseCalm, this.config);
    this.lower.reset(seed);
    this.tracker.reset();
    this.sloWindow?.reset();
    this.step = 0;
    this.weights = null;
    this.lastMode = null;
    this.prevStepMode = null;
    this.decisions.length = 0;
  }

  /** The weights in force (null before the first act). */
  currentWeights(): Weights | null {
    return this.weights ? { ...this.weights } : null;
  }

  act(obs: Float32Array, ctx: PolicyContext): Action {
    if (!this.meta || !this.lower) throw new Error(`HierarchicalPolicy '${this.id}': call reset(seed) before act()`);
    const m = this.modeOf(ctx);
    this.tracker.observe(ctx, this.prevStepMode, m.budgetUsdPerHour);
    if (this.sloWindow && this.prevStepMode !== null) this.sloWindow.push(this.prevStepMode, this.tracker.lastStepViolated);
    if (this.weights === null || this.step % this.windowSteps === 0 || m.mode !== this.lastMode) {
      const mode = assertMode(m.mode, `HierarchicalPolicy '${this.id}'`);
      const metaObs = this.tracker.build(mode, m.budgetLeftFraction, m.budgetUsdPerHour);
      this.weights = normalizeWeights(this.meta(metaObs), `HierarchicalPolicy '${this.id}' meta output`);
      // The guard judges the phase it is in: right after a mode change the window still holds the old mode's steps.
      const w = this.sloWindow;
      const guarded = this.sloGuard !== null && w !== null && w.mode === mode && sloBreached(this.config.modes[mode], w.violatedSteps, w.steps, this.sloGuard);
      if (guarded) this.weights = guardWeights(this.config.modes);
      this.lastMode = m.mode;
      this.decisions.push({ step: this.step, mode: m.mode, weights: { ...this.weights }, ...(guarded ? { guarded } : {}) });
      // Trimmed in halves, so the cost of the copy is spread over the decisions between trims.
      if (this.decisions.length >= 2 * MAX_META_DECISIONS_KEPT) this.decisions.splice(0, this.decisions.length - MAX_META_DECISIONS_KEPT);
    }
    this.step++;
    this.prevStepMode = m.mode;
    return this.lower.act(withWeights(obs, this.weights), ctx);
  }

  /** The SLO guard's reason when it is in force, then the lower level's explanation of its last action (the scale-down hold). */
  explain(): string[] {
    const last = this.decisions.at(-1);
    const guard = last?.guarded
      ? [`SLO guard: ${this.sloWindow!.violatedSteps} of the last ${this.sloWindow!.steps} steps of this ${last.mode} phase violated the SLA, with evidence over its ${(100 * this.config.modes[assertMode(last.mode, 'HierarchicalPolicy.explain')].maxSlaViolationRate).toFixed(0)} % cap: the critical mode's weights instead of the meta-controller's`]
      : [];
    return [...guard, ...(this.lower?.explain?.() ?? [])];
  }

  /** The mode context, or 'normal' with the full budget when the world runs no mode schedule. */
  private modeOf(ctx: PolicyContext): ModeContext {
    if (ctx.mode) return ctx.mode;
    const scenario = (this.config.scenarios as Record<string, { budgetUsdPerHour: number } | undefined>)[ctx.scenario];
    if (!scenario) throw new Error(`HierarchicalPolicy '${this.id}': context has no mode and scenario '${ctx.scenario}' has no budget in the config`);
    return { mode: 'normal', budgetLeftFraction: 1, budgetUsdPerHour: scenario.budgetUsdPerHour };
  }
}

/** The registered `edge-rl` policy: TD3 meta-controller + PPO, both from models/, under the SLO guard (since session 20). */
export function createEdgeRlPolicy(config?: SimConfig): HierarchicalPolicy {
  return new HierarchicalPolicy({ id: 'edge-rl', sloGuard: SLO_GUARD_DEFAULTS, ...(config ? { config } : {}) });
}

/**
 * The registered `rl-no-edge-meta` policy: the no-edge ablation of `edge-rl` (both levels trained and run without the
 * edge), under the same SLO guard, so that the edge is the only difference.
 */
export function createNoEdgeMetaPolicy(config?: SimConfig): HierarchicalPolicy {
  return new HierarchicalPolicy({ id: 'rl-no-edge-meta', maskEdge: true, sloGuard: SLO_GUARD_DEFAULTS, ...(config ? { config } : {}) });
}

/** The PPO with one raw weight vector for the whole run (normalized by normalizeWeights), for the meta report. */
export function createFixedWeightsPolicy(raw: readonly number[], opts: { id?: string; lower?: Policy; lowerCheckpointPath?: string } = {}): HierarchicalPolicy {
  const fixed = Float32Array.from(raw);
  const w = normalizeWeights(fixed, 'createFixedWeightsPolicy');
  return new HierarchicalPolicy({ id: opts.id ?? `fixed-${weightsLabel(w)}`, meta: () => fixed, lower: opts.lower, lowerCheckpointPath: opts.lowerCheckpointPath });
}
