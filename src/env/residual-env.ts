/**
 * SparkIotResidualEnv (`SparkIot` with the option residualBase: 'forecast-sizing'): SparkIotTrainEnv with the residual action of
 * src/core/residual-action.ts. Each step the base rule (`forecast-sizing`, src/policies/forecast-sizing.ts) proposes an
 * absolute action from the same PolicyContext every policy gets; the agent's residual corrects it and the corrected
 * action is what the simulator runs. With maskEdgeFeatures the base ignores the edge forecast too (the no-edge twin).
 *
 * A Gymnasium ActionWrapper in spirit; it keeps the PolicyContext of the last reset/step, which the base needs.
 * `residualBasePolicy` (src/policies/forecast-sizing.ts) is the one factory for the base, used by this env and by
 * PpoAgentPolicy at inference.
 */
import { applyResidual, residualActionSpace } from '../core/residual-action.ts';
import { residualBasePolicy } from '../policies/forecast-sizing.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import { encodeAction } from '../core/action.ts';
import { SparkIotTrainEnv, parseSparkIotTrainOptions, type SparkIotTrainEnvOptions } from './spark-iot-train-env.ts';
import type { Env, EnvAction, ResetOptions, ResetResult, StepResult } from './types.ts';

const WHERE = 'SparkIot (residualBase forecast-sizing)';

function contextOf(info: Record<string, unknown>): PolicyContext {
  const ctx = info['context'] as PolicyContext | undefined;
  if (!ctx || !ctx.snapshot) throw new Error(`${WHERE}: the inner env's info has no PolicyContext`);
  // The base is not clairvoyant: whatever the env exposes, it never sees the future.
  return { ...ctx, future: undefined };
}

export class SparkIotResidualEnv implements Env<Float32Array, EnvAction> {
  readonly id = 'SparkIot';
  readonly inner: SparkIotTrainEnv;
  readonly base: Policy;
  private obs: Float32Array | null = null;
  private ctx: PolicyContext | null = null;

  constructor(options: SparkIotTrainEnvOptions = {}) {
    const parsed = parseSparkIotTrainOptions(options as Record<string, unknown>, WHERE);
    if (parsed.residualBase !== 'forecast-sizing') throw new Error(`${WHERE}: option residualBase must be 'forecast-sizing', got ${JSON.stringify(parsed.residualBase)}`);
    this.inner = new SparkIotTrainEnv(parsed);
    this.base = residualBasePolicy({ maskEdge: options.maskEdgeFeatures ?? false, config: this.inner.inner.config, ...(parsed.residualBaseCalm === false ? { calm: null } : {}) });
  }

  get observationSpace() {
    return this.inner.observationSpace;
  }

  get actionSpace() {
    return residualActionSpace;
  }

  reset(opts: ResetOptions = {}): ResetResult<Float32Array> {
    const r = this.inner.reset(opts);
    this.base.reset(this.inner.episode?.worldSeed ?? 0);
    this.obs = r.obs;
    this.ctx = contextOf(r.info);
    return r;
  }

  step(action: EnvAction): StepResult<Float32Array> {
    if (!this.obs || !this.ctx) throw new Error(`${WHERE}.step: call reset() first`);
    const residual = typeof action === 'number' ? [action] : action;
    const baseAction = this.base.act(this.obs, this.ctx);
    const r = this.inner.step(encodeAction(applyResidual(baseAction, residual)));
    this.obs = r.obs;
    this.ctx = contextOf(r.info);
    return { ...r, info: { ...r.info, baseAction } };
  }
}
