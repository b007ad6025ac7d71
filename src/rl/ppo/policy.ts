/**
 * SB3's ActorCriticPolicy for MLP inputs: separate actor and critic networks (net_arch pi/vf), orthogonal
 * init (gains sqrt(2) hidden, 0.01 action head, 1 value head), a distribution chosen by the action space,
 * and optional running observation normalisation (VecNormalize-like) that travels with the model.
 */
import type { Rng } from '../../core/rng.ts';
import { flatSize } from '../../core/spaces.ts';
import type { Space } from '../../core/spaces.ts';
import type { EnvAction } from '../../env/types.ts';
import { distributionFor } from '../distributions.ts';
import type { Distribution } from '../distributions.ts';
import { Mlp } from '../nn/mlp.ts';
import type { Activation } from '../nn/mlp.ts';
import { ParamVector } from '../nn/adam.ts';
import { RunningMeanStd } from '../running-stats.ts';

export interface ActorCriticArch {
  piLayers: number[];
  vfLayers: number[];
  activation: Activation;
  orthoInit: boolean;
  logStdInit: number;
}

export class ActorCriticPolicy {
  readonly actor: Mlp;
  readonly critic: Mlp;
  readonly logStd: ParamVector;
  readonly dist: Distribution;
  readonly obsSize: number;
  obsRms: RunningMeanStd | null;
  private readonly normObs: Float64Array;
  private readonly action1: Float64Array;

  constructor(
    readonly observationSpace: Space,
    readonly actionSpace: Space,
    readonly arch: ActorCriticArch,
    maxBatch: number,
    normalizeObs: boolean,
  ) {
    if (observationSpace.kind !== 'box') throw new Error(`ActorCriticPolicy: observation space must be a Box, got ${observationSpace.kind}`);
    this.obsSize = flatSize(observationSpace);
    this.dist = distributionFor(actionSpace);
    this.actor = new Mlp({ sizes: [this.obsSize, ...arch.piLayers, this.dist.outputSize], activation: arch.activation }, maxBatch);
    this.critic = new Mlp({ sizes: [this.obsSize, ...arch.vfLayers, 1], activation: arch.activation }, maxBatch);
    this.logStd = new ParamVector(this.dist.extraSize, arch.logStdInit);
    this.obsRms = normalizeObs ? new RunningMeanStd(this.obsSize) : null;
    this.normObs = new Float64Array(maxBatch * this.obsSize);
    this.action1 = new Float64Array(this.dist.actionSize);
  }

  init(rng: Rng, initialAction?: { action: number[]; logit: number }): void {
    if (this.arch.orthoInit) {
      this.actor.initOrthogonal(rng.fork('actor'), Math.SQRT2, 0.01);
      this.critic.initOrthogonal(rng.fork('critic'), Math.SQRT2, 1);
    } else {
      this.actor.initTorchDefault(rng.fork('actor'));
      this.critic.initTorchDefault(rng.fork('critic'));
    }
    this.logStd.params.fill(this.arch.logStdInit);
    if (initialAction) this.preferInitialAction(initialAction.action, initialAction.logit);
  }

  /** Sets the action head's bias of the given index of each categorical component to `logit` (config.initialAction). */
  private preferInitialAction(action: number[], logit: number): void {
    const space = this.actionSpace;
    const nvec = space.kind === 'discrete' ? [space.n] : space.kind === 'multi-discrete' ? space.nvec : null;
    if (!nvec) throw new Error(`PPO: initialAction needs a Discrete or MultiDiscrete action space, got ${space.kind}`);
    if (action.length !== nvec.length) throw new Error(`PPO: initialAction.action has ${action.length} indices, the action space ${nvec.length} components`);
    let offset = 0;
    for (let i = 0; i < nvec.length; i++) {
      if (action[i]! >= nvec[i]!) throw new Error(`PPO: initialAction.action[${i}] = ${action[i]} is outside the component's ${nvec[i]} choices`);
      this.actor.setOutputBias(offset + action[i]!, logit);
      offset += nvec[i]!;
    }
  }

  /** Normalised copy of `n` raw observations (or the input itself when normalisation is off). */
  normalize(obs: ArrayLike<number>, n: number): ArrayLike<number> {
    return this.obsRms ? this.obsRms.normalize(obs, n, this.normObs) : obs;
  }

  /** Value estimates of `n` already-normalised observations (a view, valid until the next critic call). */
  values(normObs: ArrayLike<number>, n: number): Float64Array {
    return this.critic.forward(normObs, n);
  }

  /**
   * Picks an action for one raw observation, like SB3's policy.predict: normalised with the frozen
   * statistics, the distribution's mode if deterministic, Box actions clipped to the bounds.
   */
  predict(obs: ArrayLike<number>, opts: { deterministic?: boolean; rng?: Rng } = {}): EnvAction {
    const x = this.normalize(obs, 1);
    const out = this.actor.forward(x, 1);
    if (opts.deterministic ?? true) this.dist.mode(out, 0, this.action1, 0);
    else {
      if (!opts.rng) throw new Error('ActorCriticPolicy.predict: a stochastic prediction needs an rng');
      this.dist.sample(out, 0, this.logStd.params, opts.rng, this.action1, 0);
    }
    return this.toEnvAction(this.action1, 0);
  }

  /** Converts a stored action row to what the env accepts (clipping Box actions, as SB3 does before env.step). */
  toEnvAction(actions: Float64Array, a: number): EnvAction {
    const space = this.actionSpace;
    switch (space.kind) {
      case 'discrete':
        return actions[a]!;
      case 'multi-discrete':
        return Int32Array.from(actions.subarray(a, a + space.nvec.length));
      case 'box': {
        const d = space.low.length;
        const out = new Float32Array(d);
        for (let i = 0; i < d; i++) out[i] = Math.min(space.high[i]!, Math.max(space.low[i]!, actions[a + i]!));
        return out;
      }
    }
  }
}
