/**
 * PPO's update checked number by number against SB3's loss on a policy small enough to work by hand.
 *
 * The observation is always 0 and the actor and critic are single linear layers (piLayers = vfLayers = []), so
 * the only parameters that move are the two logits z (actor bias) and the value c (critic bias). Episodes last
 * one step, so A = r - V(0) and R = r. A reference written from SB3's formulas (ppo.py train(): per-minibatch
 * advantage normalisation with the unbiased std, clipped surrogate, optional value clipping around the old value,
 * entropy bonus, one global grad-norm clip, torch Adam) predicts z, c and the logged statistics after the first
 * iteration. adamEps is large in most cases so the Adam step is proportional to the gradient, not just its sign.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.ts';
import { box, discrete } from '../../core/spaces.ts';
import type { Env, EnvAction, ResetResult, StepResult } from '../../env/types.ts';
import { SyncVecEnv } from '../../env/vector.ts';
import type { PpoConfig } from './config.ts';
import { PPO } from './ppo.ts';
import type { PpoIterationStats } from './ppo.ts';

/** One-step episodes, observation [0]; reward = base[t] + (action 0 ? bonus : 0) for the t-th step. */
class StepBandit implements Env {
  readonly id = 'StepBandit';
  readonly observationSpace = box(-1, 1, [1]);
  readonly actionSpace = discrete(2);
  private t = 0;
  constructor(
    private readonly base: readonly number[],
    private readonly bonus: number,
  ) {}
  reset(): ResetResult {
    return { obs: Float32Array.of(0), info: {} };
  }
  step(a: EnvAction): StepResult {
    const reward = this.base[this.t % this.base.length]! + (a === 0 ? this.bonus : 0);
    this.t++;
    return { obs: Float32Array.of(0), reward, terminated: true, truncated: false, info: {} };
  }
}

interface Case {
  cfg: Partial<PpoConfig>;
  /** Initial logits and value. */
  z: [number, number];
  c: number;
  base: number[];
  bonus: number;
  seed: number;
  /** learn() length; the first iteration is checked. Defaults to nSteps. */
  total?: number;
  /** The lr and clip range the reference uses (the schedule's value at the first update). */
  lr: number;
  clip: number;
  clipVf?: number | null;
}

interface Observed {
  z: [number, number];
  c: number;
  actions: number[];
  stats: PpoIterationStats;
}

function runFirstIteration(k: Case): Observed {
  const cfg: Partial<PpoConfig> = { piLayers: [], vfLayers: [], ...k.cfg };
  const ppo = new PPO(new SyncVecEnv([new StepBandit(k.base, k.bonus)]), cfg, k.seed);
  // Linear layers: actor params [W (2x1), b (2)], critic params [W (1x1), b (1)].
  ppo.policy.actor.params.set([0.3, -0.4, k.z[0], k.z[1]]);
  ppo.policy.critic.params.set([0.6, k.c]);
  let seen: Observed | null = null;
  ppo.learn(k.total ?? ppo.config.nSteps, (stats) => {
    if (seen) return;
    const a = ppo.policy.actor.params;
    seen = { z: [a[2]!, a[3]!], c: ppo.policy.critic.params[1]!, actions: Array.from(ppo.buffer.actions), stats };
  });
  return seen!;
}

/** torch.optim.Adam on one scalar. */
class ScalarAdam {
  private m = 0;
  private v = 0;
  private t = 0;
  constructor(
    private readonly lr: number,
    private readonly eps: number,
  ) {}
  step(p: number, g: number): number {
    this.t++;
    this.m = 0.9 * this.m + 0.1 * g;
    this.v = 0.999 * this.v + 0.001 * g * g;
    const denom = Math.sqrt(this.v) / Math.sqrt(1 - 0.999 ** this.t) + this.eps;
    return p - ((this.lr / (1 - 0.9 ** this.t)) * this.m) / denom;
  }
}

interface Expected {
  z: [number, number];
  c: number;
  policyLoss: number;
  valueLoss: number;
  entropyLoss: number;
  approxKl: number;
  clipFraction: number;
}

/** SB3's PPO.train for the two logits and the value, given the sampled actions and each epoch's permutation. */
function reference(k: Case, actions: number[], perms: number[][]): Expected {
  const cfg = { batchSize: 64, entCoef: 0, vfCoef: 0.5, maxGradNorm: 0.5, adamEps: 1e-5, normalizeAdvantage: true, ...k.cfg };
  const n = actions.length;
  const logSoftmax = (z: number[]): number[] => {
    const lse = Math.log(Math.exp(z[0]!) + Math.exp(z[1]!));
    return [z[0]! - lse, z[1]! - lse];
  };
  const z = [...k.z];
  let c = k.c;
  const oldLogp = logSoftmax(z);
  const oldV = k.c;
  const rewards = actions.map((a, t) => k.base[t % k.base.length]! + (a === 0 ? k.bonus : 0));
  const adv = rewards.map((r) => r - oldV); // one-step episodes: delta = r - V(s), returns = r
  const opt = [new ScalarAdam(k.lr, cfg.adamEps), new ScalarAdam(k.lr, cfg.adamEps), new ScalarAdam(k.lr, cfg.adamEps)];
  const sums = { pg: 0, v: 0, ent: 0, kl: 0, clipFrac: 0, batches: 0 };
  for (const perm of perms) {
    for (let start = 0; start < n; start += cfg.batchSize) {
      const idx = perm.slice(start, start + cfg.batchSize);
      const B = idx.length;
      let a = idx.map((j) => adv[j]!);
      if (cfg.normalizeAdvantage && B > 1) {
        const mean = a.reduce((s, x) => s + x, 0) / B;
        const std = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / (B - 1)); // torch's unbiased std
        a = a.map((x) => (x - mean) / (std + 1e-8));
      }
      const lp = logSoftmax(z);
      const p = lp.map(Math.exp);
      const H = -(p[0]! * lp[0]! + p[1]! * lp[1]!);
      const gz = [0, 0];
      let pg = 0;
      let kl = 0;
      let clipped = 0;
      let vLoss = 0;
      let gc = 0;
      idx.forEach((j, b) => {
        const act = actions[j]!;
        const logRatio = lp[act]! - oldLogp[act]!;
        const r = Math.exp(logRatio);
        const rc = Math.min(1 + k.clip, Math.max(1 - k.clip, r));
        const s1 = a[b]! * r;
        const s2 = a[b]! * rc;
        pg += -Math.min(s1, s2) / B;
        // d(-min(s1, s2))/d logp: the unclipped branch's -A r, unless the clipped (constant) branch is the min.
        const dLogp = s2 < s1 && rc !== r ? 0 : -a[b]! * r;
        for (let i = 0; i < 2; i++) gz[i] = gz[i]! + ((dLogp / B) * ((i === act ? 1 : 0) - p[i]!));
        kl += (r - 1 - logRatio) / B;
        if (Math.abs(r - 1) > k.clip) clipped++;
        // Value loss mse(R, V_pred), V_pred = V_old + clamp(V - V_old, -clipVf, clipVf) with clipping.
        const clipVf = k.clipVf ?? null;
        const vPred = clipVf === null ? c : oldV + Math.min(clipVf, Math.max(-clipVf, c - oldV));
        const dPred = vPred === c ? 1 : 0;
        vLoss += (vPred - rewards[j]!) ** 2 / B;
        gc += (cfg.vfCoef * 2 * (vPred - rewards[j]!) * dPred) / B;
      });
      // Entropy bonus: loss += ent_coef * -mean(H), dH/dz_i = -p_i (log p_i + H).
      for (let i = 0; i < 2; i++) gz[i] = gz[i]! + cfg.entCoef * p[i]! * (lp[i]! + H);
      const norm = Math.hypot(gz[0]!, gz[1]!, gc);
      const coef = Math.min(1, cfg.maxGradNorm / (norm + 1e-6));
      z[0] = opt[0]!.step(z[0]!, gz[0]! * coef);
      z[1] = opt[1]!.step(z[1]!, gz[1]! * coef);
      c = opt[2]!.step(c, gc * coef);
      sums.pg += pg;
      sums.v += vLoss;
      sums.ent += -H;
      sums.kl += kl;
      sums.clipFrac += clipped / B;
      sums.batches++;
    }
  }
  const nb = sums.batches;
  return { z: [z[0]!, z[1]!], c, policyLoss: sums.pg / nb, valueLoss: sums.v / nb, entropyLoss: sums.ent / nb, approxKl: sums.kl / nb, clipFraction: sums.clipFrac / nb };
}

/** The permutation of each epoch: SB3 draws a fresh random permutation per epoch (here from the seed's 'ppo-minibatches' stream). */
function epochPermutations(seed: number, n: number, epochs: number): number[][] {
  const rng = new Rng(seed).fork('ppo-minibatches');
  return Array.from({ length: epochs }, () => {
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    rng.shuffle(perm);
    return Array.from(perm);
  });
}

const near = (actual: number, expected: number, what: string, tol = 1e-9): void => assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs expected ${expected}`);

function check(k: Case, got: Observed): Expected {
  const n = got.actions.length;
  const want = reference(k, got.actions, epochPermutations(k.seed, n, k.cfg.nEpochs ?? 10));
  near(got.z[0], want.z[0], 'logit 0');
  near(got.z[1], want.z[1], 'logit 1');
  near(got.c, want.c, 'value');
  near(got.stats.policyLoss, want.policyLoss, 'policyLoss');
  near(got.stats.valueLoss, want.valueLoss, 'valueLoss');
  near(got.stats.entropyLoss, want.entropyLoss, 'entropyLoss');
  near(got.stats.approxKl, want.approxKl, 'approxKl');
  near(got.stats.clipFraction, want.clipFraction, 'clipFraction');
  return want;
}

const bothActions = (actions: number[]): void => assert.ok(actions.includes(0) && actions.includes(1), `the case needs both actions sampled: ${actions.join(',')}`);

test('one PPO update: normalised advantages, mean over the minibatch, value target = returns, vf_coef', () => {
  const k: Case = {
    cfg: { nSteps: 6, batchSize: 6, nEpochs: 1, learningRate: 0.1, adamEps: 1, maxGradNorm: 1e6, vfCoef: 0.5 },
    z: [0.4, -0.2],
    c: 0.7,
    base: [0.5, -1, 2, 0, 1.5, -0.5],
    bonus: 1,
    seed: 11,
    lr: 0.1,
    clip: 0.2,
  };
  const got = runFirstIteration(k);
  bothActions(got.actions);
  const want = check(k, got);
  // Sanity of the hand model: the value moves towards the mean return, a logit towards the better action.
  assert.ok(Math.abs(want.c - k.c) > 1e-3 && Math.abs(want.z[0] - k.z[0]) > 1e-3);
});

test('entropy bonus: with equal advantages only ent_coef acts, and it pulls the logits together', () => {
  // Every reward is 1 and V = 0.5, so every advantage is 0.5 and the normalised advantages are exactly 0.
  const k: Case = {
    cfg: { nSteps: 4, batchSize: 4, nEpochs: 1, learningRate: 0.1, adamEps: 1, maxGradNorm: 1e6, entCoef: 0.2 },
    z: [1, -0.5],
    c: 0.5,
    base: [1],
    bonus: 0,
    seed: 3,
    lr: 0.1,
    clip: 0.2,
  };
  const got = runFirstIteration(k);
  check(k, got);
  assert.ok(got.z[0] < k.z[0] && got.z[1] > k.z[1], `logits ${got.z} should move towards each other from ${k.z}`);
});

test('value clipping: the second epoch clips V around the old value and its gradient is cut', () => {
  const k: Case = {
    cfg: { nSteps: 4, batchSize: 4, nEpochs: 2, learningRate: 0.2, adamEps: 1e-5, maxGradNorm: 1e6, clipRangeVf: 0.05 },
    z: [0.1, 0],
    c: 0,
    base: [3, 2, 4, 3],
    bonus: 0,
    seed: 5,
    lr: 0.2,
    clip: 0.2,
    clipVf: 0.05,
  };
  const got = runFirstIteration(k);
  const want = check(k, got);
  // After epoch 1 V moved by ~lr = 0.2 > 0.05, so epoch 2's prediction is V_old + 0.05.
  const meanSq = [3, 2, 4, 3].reduce((s, r) => s + (0.05 - r) ** 2, 0) / 4;
  const epoch1 = [3, 2, 4, 3].reduce((s, r) => s + r * r, 0) / 4;
  near(want.valueLoss, (epoch1 + meanSq) / 2, 'hand value loss');
});

test('global grad-norm clipping scales the whole gradient before Adam', () => {
  const k: Case = {
    cfg: { nSteps: 6, batchSize: 6, nEpochs: 1, learningRate: 0.1, adamEps: 1, maxGradNorm: 0.05, entCoef: 0.01 },
    z: [0.2, 0.1],
    c: -1,
    base: [2, 1, 3, 0, 2, 1],
    bonus: 0.5,
    seed: 7,
    lr: 0.1,
    clip: 0.2,
  };
  const got = runFirstIteration(k);
  bothActions(got.actions);
  check(k, got);
});

test('lin_ schedules use progress_remaining = 1 - timesteps done / total after the rollout, and the optimiser gets that lr', () => {
  // 4 rollouts of 4 steps: after the first, progress_remaining = 1 - 4/16 = 0.75.
  const k: Case = {
    cfg: { nSteps: 4, batchSize: 4, nEpochs: 1, learningRate: 'lin_0.4', clipRange: 'lin_0.2', adamEps: 1, maxGradNorm: 1e6 },
    z: [0.3, 0],
    c: 0.2,
    base: [1, 0, 2, -1],
    bonus: 1,
    seed: 9,
    total: 16,
    lr: 0.3,
    clip: 0.15,
  };
  const got = runFirstIteration(k);
  near(got.stats.learningRate, 0.3, 'learningRate', 1e-15);
  near(got.stats.clipRange, 0.15, 'clipRange', 1e-15);
  check(k, got);
});

test('minibatches come from a fresh random permutation each epoch', () => {
  const k: Case = {
    cfg: { nSteps: 4, batchSize: 2, nEpochs: 2, learningRate: 0.05, adamEps: 1, maxGradNorm: 1e6 },
    z: [0.2, -0.1],
    c: 0,
    base: [4, -2, 1, 0],
    bonus: 1,
    seed: 1,
    lr: 0.05,
    clip: 0.2,
  };
  const perms = epochPermutations(k.seed, 4, 2);
  // The case is only informative if some minibatch differs from the in-order split {0,1}, {2,3}.
  assert.ok(perms.some((p) => new Set(p.slice(0, 2)).has(2) || new Set(p.slice(0, 2)).has(3)), `permutations ${JSON.stringify(perms)}`);
  const got = runFirstIteration(k);
  check(k, got);
});

test('second epoch: ratio = exp(logp_new - logp_old), clipped at 1 +- clip (policyLoss, approxKl, clipFraction)', () => {
  const k: Case = {
    cfg: { nSteps: 6, batchSize: 6, nEpochs: 3, learningRate: 0.5, adamEps: 1e-5, maxGradNorm: 1e6, clipRange: 0.1 },
    z: [0, 0.3],
    c: 0,
    base: [1, -1, 0.5, 2, 0, 1],
    bonus: 1.5,
    seed: 13,
    lr: 0.5,
    clip: 0.1,
  };
  const got = runFirstIteration(k);
  bothActions(got.actions);
  const want = check(k, got);
  assert.ok(want.clipFraction > 0 && want.approxKl > 1e-3, 'the case must leave the clip range');
});
