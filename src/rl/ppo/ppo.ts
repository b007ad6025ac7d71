/**
 * Proximal Policy Optimization with Stable-Baselines3 semantics (stable_baselines3/ppo/ppo.py,
 * common/on_policy_algorithm.py): n_envs x n_steps rollouts, GAE, time-limit bootstrapping, n_epochs of
 * shuffled minibatches with per-minibatch advantage normalisation, clipped surrogate, optional value
 * clipping, global grad-norm clip and one Adam over all parameters.
 */
import { Rng } from '../../core/rng.ts';
import type { EnvAction } from '../../env/types.ts';
import type { SyncVecEnv } from '../../env/vector.ts';
import type { EpisodeStats } from '../../env/wrappers.ts';
import { RolloutBuffer } from '../buffers.ts';
import { Adam, clipCoefficient, clipGradNorm, scaleGrads } from '../nn/adam.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, decodeWeights, encodeWeights, spaceFromJson, spaceToJson } from '../checkpoint.ts';
import type { CheckpointContent } from '../checkpoint.ts';
import type { ParamTensor } from '../nn/mlp.ts';
import { RunningMeanStd } from '../running-stats.ts';
import { makeSchedule } from '../schedules.ts';
import { PPO_DEFAULTS, PpoConfigSchema } from './config.ts';
import type { PpoConfig } from './config.ts';
import { ActorCriticPolicy } from './policy.ts';
import { PpoCriticWorkerClient } from './critic-threads.ts';

export interface PpoIterationStats {
  iteration: number;
  numTimesteps: number;
  /** Mean return / length of the last (up to) 100 finished episodes, SB3's ep_info_buffer. */
  meanEpisodeReturn: number | null;
  meanEpisodeLength: number | null;
  policyLoss: number;
  valueLoss: number;
  entropyLoss: number;
  approxKl: number;
  clipFraction: number;
  learningRate: number;
  clipRange: number;
}

/**
 * One sample's clipped surrogate loss -min(A r, A clip(r, 1-c, 1+c)) and its derivative w.r.t. log pi(a|s)
 * (r = exp(logp - logp_old), so dr/dlogp = r). As in torch, the clipped branch has zero gradient outside
 * [1-c, 1+c]; when both branches are equal inside the range they have the same gradient.
 */
export function clippedSurrogate(advantage: number, ratio: number, clip: number): { loss: number; dLossDLogProb: number } {
  const surr1 = advantage * ratio;
  const clippedRatio = ratio < 1 - clip ? 1 - clip : ratio > 1 + clip ? 1 + clip : ratio;
  const surr2 = advantage * clippedRatio;
  const inRange = ratio >= 1 - clip && ratio <= 1 + clip;
  const useUnclipped = surr1 < surr2 || inRange;
  return { loss: -Math.min(surr1, surr2), dLossDLogProb: useUnclipped ? -advantage * ratio : 0 };
}

export class PPO {
  readonly config: PpoConfig;
  readonly policy: ActorCriticPolicy;
  readonly buffer: RolloutBuffer;
  readonly optimizer: Adam;
  numTimesteps = 0;
  iteration = 0;
  readonly episodeInfos: EpisodeStats[] = [];
  private readonly rngAction: Rng;
  private readonly rngShuffle: Rng;
  private readonly lrSchedule: (p: number) => number;
  private readonly clipSchedule: (p: number) => number;
  private readonly clipVfSchedule: ((p: number) => number) | null;
  private lastObs: Float64Array | null = null;
  private readonly lastEpisodeStarts: Float64Array;
  // Per-step and per-minibatch scratch, allocated once.
  private readonly stepActions: Float64Array;
  private readonly stepValues: Float64Array;
  private readonly stepLogProbs: Float64Array;
  private readonly mbObs: Float64Array;
  private readonly mbDOut: Float64Array;
  private readonly mbDValue: Float64Array;
  private readonly perm: Int32Array;
  /** threads: 2: the critic's worker (created at the first update) and the Adam over the main thread's tensors. */
  private criticWorker: PpoCriticWorkerClient | null = null;
  private readonly mainTensors: ParamTensor[];
  private readonly mainOptimizer: Adam | null;

  constructor(
    readonly env: SyncVecEnv,
    config: Partial<PpoConfig>,
    readonly seed: number,
  ) {
    const merged = PpoConfigSchema.parse({ ...PPO_DEFAULTS, ...config });
    if (merged.nEnvs !== env.nEnvs) throw new Error(`PPO: config.nEnvs=${merged.nEnvs} but the vector env has ${env.nEnvs} envs`);
    this.config = merged;
    const rng = new Rng(seed);
    this.rngAction = rng.fork('ppo-actions');
    this.rngShuffle = rng.fork('ppo-minibatches');
    const maxBatch = Math.max(merged.batchSize, env.nEnvs);
    this.policy = new ActorCriticPolicy(env.observationSpace, env.actionSpace, { piLayers: merged.piLayers, vfLayers: merged.vfLayers, activation: merged.activation, orthoInit: merged.orthoInit, logStdInit: merged.logStdInit }, maxBatch, merged.normalizeObs);
    this.policy.init(rng.fork('ppo-init'), merged.initialAction);
    this.buffer = new RolloutBuffer(merged.nSteps, env.nEnvs, this.policy.obsSize, this.policy.dist.actionSize);
    this.lrSchedule = makeSchedule(merged.learningRate, 'learningRate');
    this.clipSchedule = makeSchedule(merged.clipRange, 'clipRange');
    this.clipVfSchedule = merged.clipRangeVf === null ? null : makeSchedule(merged.clipRangeVf, 'clipRangeVf');
    const tensors = this.policy.dist.extraSize > 0 ? [this.policy.actor, this.policy.critic, this.policy.logStd] : [this.policy.actor, this.policy.critic];
    this.optimizer = new Adam(tensors, { lr: this.lrSchedule(1), eps: merged.adamEps });
    // Adam is elementwise with one step count: with the critic's own Adam on the worker, this one over the rest is
    // the same optimiser split in two.
    this.mainTensors = tensors.filter((t) => t !== this.policy.critic);
    this.mainOptimizer = merged.threads === 2 ? new Adam(this.mainTensors, { lr: this.lrSchedule(1), eps: merged.adamEps }) : null;
    this.lastEpisodeStarts = new Float64Array(env.nEnvs).fill(1);
    this.stepActions = new Float64Array(env.nEnvs * this.policy.dist.actionSize);
    this.stepValues = new Float64Array(env.nEnvs);
    this.stepLogProbs = new Float64Array(env.nEnvs);
    this.mbObs = new Float64Array(merged.batchSize * this.policy.obsSize);
    this.mbDOut = new Float64Array(merged.batchSize * this.policy.dist.outputSize);
    this.mbDValue = new Float64Array(merged.batchSize);
    this.perm = new Int32Array(merged.nSteps * env.nEnvs);
  }

  /** Trains until at least `totalTimesteps` env steps (SB3 stops at the first rollout boundary past it). */
  learn(totalTimesteps: number, onIteration?: (stats: PpoIterationStats) => void): void {
    if (this.lastObs === null) {
      const obs = this.env.reset(this.seed);
      this.policy.obsRms?.update(obs, this.env.nEnvs);
      this.lastObs = Float64Array.from(obs);
    }
    const startTimesteps = this.numTimesteps;
    const target = startTimesteps + totalTimesteps;
    while (this.numTimesteps < target) {
      this.collectRollout();
      this.iteration++;
      const progressRemaining = 1 - (this.numTimesteps - startTimesteps) / totalTimesteps;
      const stats = this.train(progressRemaining);
      onIteration?.(stats);
    }
  }

  private collectRollout(): void {
    const { env, policy, buffer } = this;
    const E = env.nEnvs;
    const A = policy.dist.actionSize;
    const outSize = policy.dist.outputSize;
    const gamma = this.config.gamma;
    buffer.reset();
    const envActions: EnvAction[] = new Array<EnvAction>(E);
    let dones = new Uint8Array(E);
    while (!buffer.full) {
      const obs = this.lastObs!;
      const x = policy.normalize(obs, E);
      const out = policy.actor.forward(x, E);
      for (let e = 0; e < E; e++) {
        policy.dist.sample(out, e * outSize, policy.logStd.params, this.rngAction, this.stepActions, e * A);
        this.stepLogProbs[e] = policy.dist.logProb(out, e * outSize, policy.logStd.params, this.stepActions, e * A);
        envActions[e] = policy.toEnvAction(this.stepActions, e * A);
      }
      this.stepValues.set(policy.values(x, E));
      // The buffer stores the normalised observation the policy saw (SB3 stores VecNormalize's output).
      const storedObs = policy.obsRms ? Float64Array.from(x as Float64Array).subarray(0, E * policy.obsSize) : obs;
      const res = env.step(envActions);
      this.numTimesteps += E;
      const rewards = Float64Array.from(res.rewards);
      for (let e = 0; e < E; e++) {
        const ep = res.infos[e]!['episode'] as EpisodeStats | undefined;
        if (ep) {
          this.episodeInfos.push(ep);
          if (this.episodeInfos.length > 100) this.episodeInfos.shift();
        }
        // Time-limit truncation is not terminal: bootstrap with the value of the true final observation.
        if (res.truncated[e] && !res.terminated[e] && res.finalObs[e]) {
          const fx = policy.normalize(res.finalObs[e]!, 1);
          rewards[e] = rewards[e]! + gamma * policy.values(fx, 1)[0]!;
        }
      }
      buffer.add(storedObs, this.stepActions, rewards, this.lastEpisodeStarts, this.stepValues, this.stepLogProbs);
      policy.obsRms?.update(res.obs, E);
      this.lastObs = Float64Array.from(res.obs);
      dones = new Uint8Array(E);
      for (let e = 0; e < E; e++) {
        dones[e] = res.terminated[e]! || res.truncated[e]! ? 1 : 0;
        this.lastEpisodeStarts[e] = dones[e]!;
      }
    }
    const lastValues = Float64Array.from(policy.values(policy.normalize(this.lastObs!, E), E));
    buffer.computeReturnsAndAdvantage(lastValues, dones, gamma, this.config.gaeLambda);
  }

  private train(progressRemaining: number): PpoIterationStats {
    const cfg = this.config;
    const { policy, buffer } = this;
    const lr = this.lrSchedule(progressRemaining);
    this.optimizer.lr = lr;
    const clip = this.clipSchedule(progressRemaining);
    const clipVf = this.clipVfSchedule ? this.clipVfSchedule(progressRemaining) : null;
    const n = buffer.size;
    const O = policy.obsSize;
    const A = policy.dist.actionSize;
    const outSize = policy.dist.outputSize;
    const dist = policy.dist;
    const logStd = policy.logStd;
    const tensors = dist.extraSize > 0 ? [policy.actor, policy.critic, logStd] : [policy.actor, policy.critic];
    let pgSum = 0;
    let vSum = 0;
    let entSum = 0;
    let klSum = 0;
    let clipFracSum = 0;
    let nBatches = 0;
    const mbActions = new Float64Array(cfg.batchSize * A);
    const mbAdv = new Float64Array(cfg.batchSize);
    let continueTraining = true;
    const worker = cfg.threads === 2 ? (this.criticWorker ??= new PpoCriticWorkerClient(policy.critic, cfg.adamEps)) : null;
    if (worker) {
      worker.importFrom(policy.critic);
      this.mainOptimizer!.lr = lr;
    }
    for (let epoch = 0; epoch < cfg.nEpochs && continueTraining; epoch++) {
      for (let i = 0; i < n; i++) this.perm[i] = i;
      this.rngShuffle.shuffle(this.perm);
      const klEpoch: number[] = [];
      for (let start = 0; start < n; start += cfg.batchSize) {
        const B = Math.min(cfg.batchSize, n - start);
        for (let b = 0; b < B; b++) {
          const j = this.perm[start + b]!;
          for (let k = 0; k < O; k++) this.mbObs[b * O + k] = buffer.obs[j * O + k]!;
          for (let k = 0; k < A; k++) mbActions[b * A + k] = buffer.actions[j * A + k]!;
          mbAdv[b] = buffer.advantages[j]!;
        }
        // Per-minibatch advantage normalisation with torch's unbiased std (SB3: only when batch > 1).
        if (cfg.normalizeAdvantage && B > 1) {
          let mean = 0;
          for (let b = 0; b < B; b++) mean += mbAdv[b]!;
          mean /= B;
          let sq = 0;
          for (let b = 0; b < B; b++) sq += (mbAdv[b]! - mean) ** 2;
          const std = Math.sqrt(sq / (B - 1));
          for (let b = 0; b < B; b++) mbAdv[b] = (mbAdv[b]! - mean) / (std + 1e-8);
        }
        if (worker) {
          // The critic's forward runs on the worker meanwhile (it waits for the previous minibatch's step first).
          worker.wait();
          worker.obs.set(this.mbObs.subarray(0, B * O));
          worker.startForward(B);
        } else policy.critic.zeroGrad();
        policy.actor.zeroGrad();
        logStd.zeroGrad();
        const out = policy.actor.forward(this.mbObs, B);
        const values = worker ? null : policy.critic.forward(this.mbObs, B);
        this.mbDOut.fill(0, 0, B * outSize);
        let pg = 0;
        let vLoss = 0;
        let ent = 0;
        let kl = 0;
        let clipped = 0;
        const dEnt = -cfg.entCoef / B; // d(ent_coef * -mean(H)) / dH_i
        for (let b = 0; b < B; b++) {
          const j = this.perm[start + b]!;
          const logp = dist.logProb(out, b * outSize, logStd.params, mbActions, b * A);
          const logRatio = logp - buffer.logProbs[j]!;
          const ratio = Math.exp(logRatio);
          const surrogate = clippedSurrogate(mbAdv[b]!, ratio, clip);
          pg += surrogate.loss;
          const dLogp = surrogate.dLossDLogProb / B;
          if (Math.abs(ratio - 1) > clip) clipped++;
          kl += ratio - 1 - logRatio;
          const h = dist.entropy(out, b * outSize, logStd.params);
          ent += h;
          dist.backward(out, b * outSize, logStd.params, mbActions, b * A, dLogp, dEnt, this.mbDOut, logStd.grads);
          if (values) vLoss += this.valueTerm(b, j, values[b]!, B, clipVf);
        }
        if (worker) {
          worker.wait();
          // The same terms in the same order as above, once the worker's values are in.
          for (let b = 0; b < B; b++) vLoss += this.valueTerm(b, this.perm[start + b]!, worker.values[b]!, B, clipVf);
        }
        pg /= B;
        vLoss /= B;
        const entropyLoss = -ent / B;
        kl /= B;
        klEpoch.push(kl);
        if (cfg.targetKl !== null && kl > 1.5 * cfg.targetKl) {
          // SB3 checks the KL before the optimiser step and stops the whole update.
          continueTraining = false;
          break;
        }
        if (worker) {
          worker.dValue.set(this.mbDValue.subarray(0, B));
          worker.startBackward();
          policy.actor.backward(this.mbDOut);
          worker.wait();
          // The clip's order is `tensors`' (actor, critic, log_std), with the worker's copy of the critic's gradients.
          const coef = clipCoefficient(tensors.map((t) => (t === policy.critic ? worker.grads : t.grads)), cfg.maxGradNorm);
          worker.startStep(coef, lr);
          if (coef < 1) for (const t of this.mainTensors) scaleGrads(t.grads, coef);
          this.mainOptimizer!.step();
        } else {
          policy.actor.backward(this.mbDOut);
          policy.critic.backward(this.mbDValue);
          clipGradNorm(tensors, cfg.maxGradNorm);
          this.optimizer.step();
        }
        pgSum += pg;
        vSum += vLoss;
        entSum += entropyLoss;
        klSum += kl;
        clipFracSum += clipped / B;
        nBatches++;
      }
    }
    // The rollouts' value estimates and the checkpoints read the main thread's critic.
    worker?.exportInto(policy.critic);
    const eps = this.episodeInfos;
    return {
      iteration: this.iteration,
      numTimesteps: this.numTimesteps,
      meanEpisodeReturn: eps.length ? eps.reduce((s, e) => s + e.r, 0) / eps.length : null,
      meanEpisodeLength: eps.length ? eps.reduce((s, e) => s + e.l, 0) / eps.length : null,
      policyLoss: pgSum / Math.max(1, nBatches),
      valueLoss: vSum / Math.max(1, nBatches),
      entropyLoss: entSum / Math.max(1, nBatches),
      approxKl: klSum / Math.max(1, nBatches),
      clipFraction: clipFracSum / Math.max(1, nBatches),
      learningRate: lr,
      clipRange: clip,
    };
  }

  /** One sample's value loss term (SB3: mse(returns, values_pred), values_pred optionally clipped around the old value); sets its gradient. */
  private valueTerm(b: number, j: number, v: number, B: number, clipVf: number | null): number {
    const oldV = this.buffer.values[j]!;
    let vPred = v;
    let dvPred = 1;
    if (clipVf !== null) {
      const diff = v - oldV;
      if (diff > clipVf || diff < -clipVf) {
        vPred = oldV + (diff > 0 ? clipVf : -clipVf);
        dvPred = 0;
      }
    }
    const err = vPred - this.buffer.returns[j]!;
    this.mbDValue[b] = (this.config.vfCoef * 2 * err * dvPred) / B;
    return err * err;
  }

  /** Stops the critic's worker thread (threads: 2); the model stays usable, the next update starts a new one. */
  close(): void {
    this.criticWorker?.close();
    this.criticWorker = null;
  }

  predict(obs: ArrayLike<number>, opts: { deterministic?: boolean } = {}): EnvAction {
    return this.policy.predict(obs, { deterministic: opts.deterministic ?? true, rng: this.rngAction });
  }
}

/** The checkpoint content of a PPO model (weights, normalisation and hyper-parameters). */
export function ppoCheckpoint(ppo: PPO, envId: string): CheckpointContent {
  const p = ppo.policy;
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    algo: 'ppo',
    envId,
    architecture: { ...p.arch, actorSizes: [...p.actor.sizes], criticSizes: [...p.critic.sizes], distribution: p.dist.kind },
    observationSpace: spaceToJson(p.observationSpace),
    actionSpace: spaceToJson(p.actionSpace),
    weights: { actor: encodeWeights(p.actor.params), critic: encodeWeights(p.critic.params), logStd: encodeWeights(p.logStd.params) },
    normalization: p.obsRms ? p.obsRms.toJSON() : null,
    // threads is how a run used the machine, not what it learned: the checkpoint is the same either way.
    hyperparameters: (({ threads: _threads, ...hp }) => hp)(ppo.config),
    seed: ppo.seed,
    numTimesteps: ppo.numTimesteps,
  };
}

/** Rebuilds an inference policy from a verified checkpoint; `where` names the source in errors. */
export function ppoPolicyFromCheckpoint(ckpt: CheckpointContent, where: string): ActorCriticPolicy {
  if (ckpt.algo !== 'ppo') throw new CheckpointError(where, `is a ${ckpt.algo} model, expected ppo`);
  const arch = ckpt.architecture as unknown as ActorCriticPolicy['arch'];
  const policy = new ActorCriticPolicy(spaceFromJson(ckpt.observationSpace), spaceFromJson(ckpt.actionSpace), arch, 1, ckpt.normalization !== null);
  policy.actor.params.set(decodeWeights(ckpt.weights['actor'] ?? '', policy.actor.params.length, 'actor'));
  policy.critic.params.set(decodeWeights(ckpt.weights['critic'] ?? '', policy.critic.params.length, 'critic'));
  policy.logStd.params.set(decodeWeights(ckpt.weights['logStd'] ?? '', policy.logStd.params.length, 'logStd'));
  if (ckpt.normalization) policy.obsRms = RunningMeanStd.fromJSON(ckpt.normalization);
  return policy;
}
