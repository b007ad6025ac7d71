/**
 * Twin Delayed DDPG with Stable-Baselines3 semantics (stable_baselines3/td3/td3.py,
 * common/off_policy_algorithm.py): a tanh-bounded deterministic actor working in the [-1, 1] action scale
 * (rescaled to the Box for the env), twin critics on concat(obs, action), target-policy smoothing with
 * clipped noise and target actions clipped to [-1, 1], a delayed actor update, and Polyak updates of all
 * targets on the delayed steps. Time-limit truncation is not terminal (handle_timeout_termination).
 */
import { Rng } from '../../core/rng.ts';
import { flatSize } from '../../core/spaces.ts';
import type { BoxSpace } from '../../core/spaces.ts';
import type { Env } from '../../env/types.ts';
import type { EpisodeStats } from '../../env/wrappers.ts';
import { ReplayBuffer } from '../buffers.ts';
import { Adam } from '../nn/adam.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, decodeWeights, encodeWeights, spaceFromJson, spaceToJson } from '../checkpoint.ts';
import type { CheckpointContent } from '../checkpoint.ts';
import { Mlp } from '../nn/mlp.ts';
import { TD3_DEFAULTS, Td3ConfigSchema } from './config.ts';
import { actorStepRows, criticMseGradients, splitRow, type ActorStepScratch } from './actor-step.ts';
import { CMD, CriticWorkerClient } from './td3-threads.ts';
import type { Td3Config } from './config.ts';
import { parseDtype } from '../wasm/kernels.ts';
import type { Dtype } from '../wasm/kernels.ts';

export interface Td3RoundStats {
  numTimesteps: number;
  numUpdates: number;
  meanEpisodeReturn: number | null;
  meanEpisodeLength: number | null;
  criticLoss: number | null;
  actorLoss: number | null;
}

export class TD3 {
  readonly config: Td3Config;
  readonly obsSize: number;
  readonly actionSize: number;
  readonly actionSpace: BoxSpace;
  readonly actor: Mlp<Dtype>;
  readonly actorTarget: Mlp<Dtype>;
  readonly critics: [Mlp<Dtype>, Mlp<Dtype>];
  readonly criticTargets: [Mlp<Dtype>, Mlp<Dtype>];
  readonly actorOptimizer: Adam;
  readonly criticOptimizer: Adam;
  /** criticEnsemble > 2: the critics beyond the twins, fitted to the twins' target; the actor climbs the mean of all. */
  readonly extraCritics: Mlp<Dtype>[] = [];
  private readonly extraOptimizer: Adam | null = null;
  readonly replay: ReplayBuffer;
  numTimesteps = 0;
  numUpdates = 0;
  /** Whether the last collection round finished an episode (for per-episode logging). */
  lastRoundEndedEpisode = false;
  readonly episodeInfos: EpisodeStats[] = [];
  private readonly rngExplore: Rng;
  private readonly rngReplay: Rng;
  private readonly rngTargetNoise: Rng;
  private lastObs: Float64Array | null = null;
  // Minibatch scratch.
  private readonly batch: { obs: Float64Array; nextObs: Float64Array; actions: Float64Array; rewards: Float64Array; dones: Float64Array };
  private readonly criticIn: Float64Array;
  private readonly targetQ: Float64Array;
  private readonly dQ: Float64Array;
  private readonly dCriticIn: Float64Array;
  private readonly dActorOut: Float64Array;
  /** Actor-target actions for the minibatch's next observations, and the first row block's actor gradient. */
  private readonly nextA: Float64Array;
  private readonly actorGrad0: Float64Array;
  private readonly actorScratch: ActorStepScratch;
  private lastCriticLoss: number | null = null;
  /** threads: 2 only: the worker that owns critic 1, and the Adam over critic 0 alone. */
  private worker: CriticWorkerClient | null = null;
  private critic0Optimizer: Adam | null = null;
  private lastActorLoss: number | null = null;

  constructor(
    readonly env: Env,
    config: Partial<Td3Config>,
    readonly seed: number,
  ) {
    this.config = Td3ConfigSchema.parse({ ...TD3_DEFAULTS, ...config });
    if (this.config.criticEnsemble > 2 && this.config.threads !== 1) throw new Error(`TD3: criticEnsemble ${this.config.criticEnsemble} needs threads: 1 (the worker thread trains the twin critics only)`);
    if (env.actionSpace.kind !== 'box') throw new Error(`TD3: needs a Box action space, got ${env.actionSpace.kind}`);
    if (env.observationSpace.kind !== 'box') throw new Error(`TD3: needs a Box observation space, got ${env.observationSpace.kind}`);
    this.actionSpace = env.actionSpace;
    for (let i = 0; i < this.actionSpace.low.length; i++) {
      if (!Number.isFinite(this.actionSpace.low[i]!) || !Number.isFinite(this.actionSpace.high[i]!)) throw new Error(`TD3: action bound ${i} is not finite; TD3 needs a bounded Box`);
    }
    this.obsSize = flatSize(env.observationSpace);
    this.actionSize = this.actionSpace.low.length;
    const cfg = this.config;
    const rng = new Rng(seed);
    this.rngExplore = rng.fork('td3-explore');
    this.rngReplay = rng.fork('td3-replay');
    this.rngTargetNoise = rng.fork('td3-target-noise');
    const B = cfg.batchSize;
    const dtype: Dtype = cfg.dtype;
    const actorSpec = { sizes: [this.obsSize, ...cfg.netArch, this.actionSize], activation: 'relu' as const, outputActivation: 'tanh' as const, dtype };
    const criticSpec = { sizes: [this.obsSize + this.actionSize, ...cfg.netArch, 1], activation: 'relu' as const, dtype };
    this.actor = new Mlp(actorSpec, B);
    this.actorTarget = new Mlp(actorSpec, B);
    this.critics = [new Mlp(criticSpec, B), new Mlp(criticSpec, B)];
    this.criticTargets = [new Mlp(criticSpec, B), new Mlp(criticSpec, B)];
    this.actor.initTorchDefault(rng.fork('td3-actor-init'));
    this.critics[0].initTorchDefault(rng.fork('td3-critic0-init'));
    this.critics[1].initTorchDefault(rng.fork('td3-critic1-init'));
    this.actorTarget.copyFrom(this.actor);
    this.criticTargets[0].copyFrom(this.critics[0]);
    this.criticTargets[1].copyFrom(this.critics[1]);
    this.actorOptimizer = new Adam([this.actor], { lr: cfg.learningRate, eps: cfg.adamEps });
    this.criticOptimizer = new Adam(this.critics, { lr: cfg.learningRate, eps: cfg.adamEps });
    for (let k = 2; k < cfg.criticEnsemble; k++) {
      const critic = new Mlp(criticSpec, B);
      critic.initTorchDefault(rng.fork(`td3-critic${k}-init`));
      this.extraCritics.push(critic);
    }
    if (this.extraCritics.length > 0) this.extraOptimizer = new Adam(this.extraCritics, { lr: cfg.learningRate, eps: cfg.adamEps });
    this.replay = new ReplayBuffer(cfg.bufferSize, this.obsSize, this.actionSize);
    this.batch = {
      obs: new Float64Array(B * this.obsSize),
      nextObs: new Float64Array(B * this.obsSize),
      actions: new Float64Array(B * this.actionSize),
      rewards: new Float64Array(B),
      dones: new Float64Array(B),
    };
    this.criticIn = new Float64Array(B * (this.obsSize + this.actionSize));
    this.targetQ = new Float64Array(B);
    this.dQ = new Float64Array(B);
    this.dCriticIn = new Float64Array(B * (this.obsSize + this.actionSize));
    this.dActorOut = new Float64Array(B * this.actionSize);
    this.nextA = new Float64Array(B * this.actionSize);
    this.actorGrad0 = new Float64Array(this.actor.params.length);
    this.actorScratch = { criticIn: this.criticIn, dQ: this.dQ, dCriticIn: this.dCriticIn, dActorOut: this.dActorOut };
  }

  /** Actor-target actions for rows [from, to) of the minibatch's next observations into `nextA`. */
  private actorTargetRows(from: number, to: number): void {
    if (to <= from) return;
    const O = this.obsSize;
    const A = this.actionSize;
    this.nextA.set(this.actorTarget.forward(this.batch.nextObs.subarray(from * O, to * O), to - from), from * A);
  }

  /** [-1, 1] -> Box bounds (SB3 unscale_action). */
  unscaleAction(scaled: ArrayLike<number>): Float32Array {
    const out = new Float32Array(this.actionSize);
    for (let i = 0; i < this.actionSize; i++) {
      const lo = this.actionSpace.low[i]!;
      const hi = this.actionSpace.high[i]!;
      out[i] = lo + 0.5 * (scaled[i]! + 1) * (hi - lo);
    }
    return out;
  }

  /** Box bounds -> [-1, 1] (SB3 scale_action). */
  scaleAction(action: ArrayLike<number>, out: Float64Array): Float64Array {
    for (let i = 0; i < this.actionSize; i++) {
      const lo = this.actionSpace.low[i]!;
      const hi = this.actionSpace.high[i]!;
      out[i] = (2 * (action[i]! - lo)) / (hi - lo) - 1;
    }
    return out;
  }

  /** The deterministic action for one observation, in the env's Box units. */
  predict(obs: ArrayLike<number>): Float32Array {
    return this.unscaleAction(this.actor.forward(obs, 1));
  }

  learn(totalTimesteps: number, onRound?: (stats: Td3RoundStats) => void): void {
    const cfg = this.config;
    const freq = typeof cfg.trainFreq === 'number' ? { every: cfg.trainFreq, unit: 'step' as const } : cfg.trainFreq;
    if (this.lastObs === null) this.lastObs = Float64Array.from(this.env.reset({ seed: this.seed }).obs);
    const target = this.numTimesteps + totalTimesteps;
    const scaled = new Float64Array(this.actionSize);
    while (this.numTimesteps < target) {
      // Collect one rollout: `every` steps or `every` episodes (SB3 collect_rollouts with n_envs = 1).
      let stepsThisRound = 0;
      let episodesThisRound = 0;
      while (this.numTimesteps < target && (freq.unit === 'step' ? stepsThisRound < freq.every : episodesThisRound < freq.every)) {
        if (this.numTimesteps < cfg.learningStarts) {
          for (let i = 0; i < this.actionSize; i++) scaled[i] = this.rngExplore.uniform(-1, 1); // action_space.sample(), scaled
        } else {
          scaled.set(this.actor.forward(this.lastObs, 1));
        }
        if (cfg.actionNoiseSigma > 0) {
          for (let i = 0; i < this.actionSize; i++) scaled[i] = Math.min(1, Math.max(-1, scaled[i]! + cfg.actionNoiseSigma * this.rngExplore.normal()));
        }
        const r = this.env.step(this.unscaleAction(scaled));
        this.numTimesteps++;
        stepsThisRound++;
        const done = r.terminated || r.truncated;
        // next_obs is the true last observation even when the episode ends (SB3's terminal_observation).
        this.replay.add(this.lastObs, r.obs, scaled, r.reward, r.terminated);
        if (done) {
          episodesThisRound++;
          const ep = r.info['episode'] as EpisodeStats | undefined;
          if (ep) {
            this.episodeInfos.push(ep);
            if (this.episodeInfos.length > 100) this.episodeInfos.shift();
          }
          this.lastObs = Float64Array.from(this.env.reset().obs);
        } else {
          this.lastObs = Float64Array.from(r.obs);
        }
      }
      if (this.numTimesteps > cfg.learningStarts) {
        const steps = cfg.gradientSteps >= 0 ? cfg.gradientSteps : stepsThisRound;
        if (steps > 0) this.train(steps);
      }
      this.lastRoundEndedEpisode = episodesThisRound > 0;
      const eps = this.episodeInfos;
      onRound?.({
        numTimesteps: this.numTimesteps,
        numUpdates: this.numUpdates,
        meanEpisodeReturn: eps.length ? eps.reduce((s, e) => s + e.r, 0) / eps.length : null,
        meanEpisodeLength: eps.length ? eps.reduce((s, e) => s + e.l, 0) / eps.length : null,
        criticLoss: this.lastCriticLoss,
        actorLoss: this.lastActorLoss,
      });
    }
  }

  /** `gradientSteps` TD3 updates on minibatches from the replay buffer. */
  train(gradientSteps: number): void {
    if (this.config.threads === 2) {
      this.trainThreaded(gradientSteps);
      return;
    }
    const cfg = this.config;
    const B = cfg.batchSize;
    const O = this.obsSize;
    const A = this.actionSize;
    const C = O + A;
    const { batch, criticIn } = this;
    for (let g = 0; g < gradientSteps; g++) {
      this.numUpdates++;
      this.replay.sample(B, this.rngReplay, batch);
      // Target: r + (1 - done) * gamma * min_i Q_i'(s', clip(pi'(s') + clip(noise), -1, 1)).
      // (In two row blocks, as threads: 2 does, so both modes do the same arithmetic.)
      const H = splitRow(B);
      this.actorTargetRows(0, H);
      this.actorTargetRows(H, B);
      const nextA = this.nextA;
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < O; i++) criticIn[b * C + i] = batch.nextObs[b * O + i]!;
        for (let i = 0; i < A; i++) {
          let noise = cfg.targetPolicyNoise * this.rngTargetNoise.normal();
          noise = Math.min(cfg.targetNoiseClip, Math.max(-cfg.targetNoiseClip, noise));
          criticIn[b * C + O + i] = Math.min(1, Math.max(-1, nextA[b * A + i]! + noise));
        }
      }
      const q1t = this.criticTargets[0].forward(criticIn, B);
      const q2t = this.criticTargets[1].forward(criticIn, B);
      for (let b = 0; b < B; b++) this.targetQ[b] = batch.rewards[b]! + (1 - batch.dones[b]!) * cfg.gamma * Math.min(q1t[b]!, q2t[b]!);
      // Critic loss: sum over both critics of mse(Q_i(s, a), target).
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < O; i++) criticIn[b * C + i] = batch.obs[b * O + i]!;
        for (let i = 0; i < A; i++) criticIn[b * C + O + i] = batch.actions[b * A + i]!;
      }
      let criticLoss = 0;
      for (const critic of this.critics) criticLoss += criticMseGradients(critic, criticIn, this.targetQ, B, this.dQ);
      this.criticOptimizer.step();
      if (this.extraOptimizer) {
        // The ensemble's extra critics: the same mse to the same target (their loss is not logged).
        for (const critic of this.extraCritics) criticMseGradients(critic, criticIn, this.targetQ, B, this.dQ);
        this.extraOptimizer.step();
      }
      this.lastCriticLoss = criticLoss;
      if (this.numUpdates % cfg.policyDelay === 0) {
        // Actor loss: -mean Q_1(s, pi(s)) (with an ensemble: -mean over the N critics of mean Q_k(s, pi(s))); dLoss/da
        // flows through the critics' input. Two row blocks, summed g = g0 + g1 exactly as threads: 2 sums the main
        // thread's and the worker's blocks.
        const actorCritics = this.extraCritics.length > 0 ? [this.critics[0], this.critics[1], ...this.extraCritics] : [this.critics[0]];
        const scale = actorCritics.length * B;
        this.actor.zeroGrad();
        let actorLoss = 0;
        for (const critic of actorCritics) actorLoss += actorStepRows(this.actor, critic, batch.obs, H, scale, this.actorScratch);
        this.actorGrad0.set(this.actor.grads);
        this.actor.zeroGrad();
        for (const critic of actorCritics) actorLoss += actorStepRows(this.actor, critic, batch.obs.subarray(H * O), B - H, scale, this.actorScratch);
        const actorGrads = this.actor.grads;
        for (let i = 0; i < actorGrads.length; i++) actorGrads[i] = this.actorGrad0[i]! + actorGrads[i]!;
        this.actorOptimizer.step();
        this.lastActorLoss = actorLoss;
        this.criticTargets[0].polyakFrom(this.critics[0], cfg.tau);
        this.criticTargets[1].polyakFrom(this.critics[1], cfg.tau);
        this.actorTarget.polyakFrom(this.actor, cfg.tau);
      }
    }
  }

  /**
   * The same updates as `train`, with critic 1 on a worker thread: the two target critics and the two critic
   * updates run concurrently. Same random draws, same arithmetic, so the results are bit-identical.
   */
  private trainThreaded(gradientSteps: number): void {
    const cfg = this.config;
    const B = cfg.batchSize;
    const O = this.obsSize;
    const A = this.actionSize;
    const C = O + A;
    if (!this.worker) {
      this.worker = new CriticWorkerClient(this.critics[1], this.criticTargets[1], this.actor, this.actorTarget, B, cfg.learningRate, cfg.adamEps, cfg.tau);
      this.critic0Optimizer = new Adam([this.critics[0]], { lr: cfg.learningRate, eps: cfg.adamEps });
    }
    const w = this.worker;
    const { batch } = this;
    const H = splitRow(B);
    for (let g = 0; g < gradientSteps; g++) {
      this.numUpdates++;
      this.replay.sample(B, this.rngReplay, batch);
      const inNext = w.inNext;
      for (let b = 0; b < B; b++) for (let i = 0; i < O; i++) inNext[b * C + i] = batch.nextObs[b * O + i]!;
      // Actor-target actions: rows [0, H) here, [H, B) on the worker.
      w.start(CMD.actorTargetRows);
      this.actorTargetRows(0, H);
      w.wait();
      const nextA = this.nextA;
      nextA.set(w.nextA.subarray(0, (B - H) * A), H * A);
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < A; i++) {
          let noise = cfg.targetPolicyNoise * this.rngTargetNoise.normal();
          noise = Math.min(cfg.targetNoiseClip, Math.max(-cfg.targetNoiseClip, noise));
          inNext[b * C + O + i] = Math.min(1, Math.max(-1, nextA[b * A + i]! + noise));
        }
      }
      w.start(CMD.targetQ);
      const q1t = this.criticTargets[0].forward(inNext, B);
      w.wait();
      const q2t = w.outQ;
      for (let b = 0; b < B; b++) w.targetQ[b] = batch.rewards[b]! + (1 - batch.dones[b]!) * cfg.gamma * Math.min(q1t[b]!, q2t[b]!);
      const inCur = w.inCur;
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < O; i++) inCur[b * C + i] = batch.obs[b * O + i]!;
        for (let i = 0; i < A; i++) inCur[b * C + O + i] = batch.actions[b * A + i]!;
      }
      w.start(CMD.update);
      const critic = this.critics[0];
      const loss0 = criticMseGradients(critic, inCur, w.targetQ, B, this.dQ);
      this.critic0Optimizer!.step();
      // The reported loss is summed per critic here (a rounding-level difference in the logged value only).
      this.lastCriticLoss = loss0 + w.wait();
      if (this.numUpdates % cfg.policyDelay === 0) {
        // Actor step: rows [0, H) here, [H, B) on the worker (which also Polyak-updates critic 2's target).
        w.actorParams.set(this.actor.params);
        w.critic0Params.set(critic.params);
        w.start(CMD.actorStep);
        this.actor.zeroGrad();
        let actorLoss = actorStepRows(this.actor, critic, batch.obs, H, B, this.actorScratch);
        actorLoss += w.wait();
        const actorGrads = this.actor.grads;
        const workerGrads = w.actorGrad;
        for (let i = 0; i < actorGrads.length; i++) actorGrads[i] = actorGrads[i]! + workerGrads[i]!;
        this.actorOptimizer.step();
        this.lastActorLoss = actorLoss;
        this.criticTargets[0].polyakFrom(this.critics[0], cfg.tau);
        this.actorTarget.polyakFrom(this.actor, cfg.tau);
        w.queueActorPolyak(this.actor);
      }
    }
  }

  /** threads: 2: brings critic 1 and its target back from the worker (before saving a checkpoint). */
  syncFromWorker(): void {
    this.worker?.exportInto(this.critics[1], this.criticTargets[1]);
  }

  /** Stops the worker thread, if any. */
  close(): void {
    this.worker?.close();
    this.worker = null;
  }
}

/** The checkpoint content of a TD3 model (actor, critics and their targets). */
export function td3Checkpoint(td3: TD3, envId: string): CheckpointContent {
  td3.syncFromWorker();
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    algo: 'td3',
    envId,
    architecture: { actorSizes: [...td3.actor.sizes], criticSizes: [...td3.critics[0].sizes], activation: 'relu', actorOutput: 'tanh' },
    observationSpace: spaceToJson(td3.env.observationSpace),
    actionSpace: spaceToJson(td3.env.actionSpace),
    weights: {
      actor: encodeWeights(td3.actor.params),
      actorTarget: encodeWeights(td3.actorTarget.params),
      critic0: encodeWeights(td3.critics[0].params),
      critic1: encodeWeights(td3.critics[1].params),
      critic0Target: encodeWeights(td3.criticTargets[0].params),
      critic1Target: encodeWeights(td3.criticTargets[1].params),
      ...Object.fromEntries(td3.extraCritics.map((c, k) => [`critic${k + 2}`, encodeWeights(c.params)])),
    },
    normalization: null,
    hyperparameters: { ...td3.config },
    seed: td3.seed,
    numTimesteps: td3.numTimesteps,
  };
}

/** An inference-only TD3 actor: deterministic tanh actor rescaled to the Box, in the dtype it was trained in. */
export class Td3Actor {
  readonly actor: Mlp<Dtype>;
  constructor(
    readonly actionSpace: BoxSpace,
    sizes: readonly number[],
    dtype: Dtype = 'f64',
  ) {
    this.actor = new Mlp({ sizes, activation: 'relu', outputActivation: 'tanh', dtype }, 1);
  }
  predict(obs: ArrayLike<number>): Float32Array {
    const a = this.actor.forward(obs, 1);
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = this.actionSpace.low[i]! + 0.5 * (a[i]! + 1) * (this.actionSpace.high[i]! - this.actionSpace.low[i]!);
    return out;
  }
}

export function td3ActorFromCheckpoint(ckpt: CheckpointContent, where: string): Td3Actor {
  if (ckpt.algo !== 'td3') throw new CheckpointError(where, `is a ${ckpt.algo} model, expected td3`);
  const space = spaceFromJson(ckpt.actionSpace);
  if (space.kind !== 'box') throw new CheckpointError(where, `td3 action space must be a Box, got ${space.kind}`);
  const sizes = ckpt.architecture['actorSizes'] as number[];
  // Checkpoints written before TD3 had a dtype were trained in float64.
  const dtype = parseDtype(ckpt.hyperparameters['dtype'] ?? 'f64', `${where}: hyperparameters`);
  const actor = new Td3Actor(space, sizes, dtype);
  actor.actor.params.set(decodeWeights(ckpt.weights['actor'] ?? '', actor.actor.params.length, 'actor'));
  return actor;
}
