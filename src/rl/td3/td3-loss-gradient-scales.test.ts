/**
 * The scale of TD3's losses and gradients, which Adam's first step hides (it moves by lr * sign(g)) unless adamEps is
 * large, when the step is proportional to g. criticEnsemble > 2: the actor climbs the mean over all N critics (the twins and the extras) of mean_B Q_k(s, pi(s)),
 * checked on hand-set linear critics Q_k(s, a) = alpha_k a + beta_k with the observation fixed at 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../../env/types.ts';
import { TD3 } from './td3.ts';
import type { Td3RoundStats } from './td3.ts';

class ZeroObs implements Env {
  readonly id = 'ZeroObs';
  readonly observationSpace = box(-1, 1, [1]);
  readonly actionSpace = box(-1, 1, [1]);
  reset(): ResetResult {
    return { obs: Float32Array.of(0), info: {} };
  }
  step(): StepResult {
    return { obs: Float32Array.of(0), reward: 0, terminated: true, truncated: false, info: {} };
  }
}

// netArch [2]. Critic [2 -> 2 -> 1]: W1 rows (s, a) at 0..3, b1 4..5, W2 6..7, b2 8; alpha (relu(a + 10) - 10) + beta.
const linearCritic = (alpha: number, beta: number): number[] => [0, 1, 0, 0, 10, 0, alpha, 0, beta - 10 * alpha];

test('criticEnsemble 3: the actor loss is -mean over all three critics (twins included) and its gradient follows their mean slope', () => {
  const td3 = new TD3(new ZeroObs(), { netArch: [2], dtype: 'f64', criticEnsemble: 3, learningStarts: 0, batchSize: 4, bufferSize: 8, policyDelay: 1, actionNoiseSigma: 0, targetPolicyNoise: 0, learningRate: 1e-6 }, 1);
  // Actor tanh(0) = 0: every Q_k(0, 0) = beta_k.
  td3.actor.params.set([0, 0, 0, 0, 0, 0, 0]);
  const alphas = [2, -5, 1];
  const betas = [3, 6, 12];
  td3.critics[0].params.set(linearCritic(alphas[0]!, betas[0]!));
  td3.critics[1].params.set(linearCritic(alphas[1]!, betas[1]!));
  td3.extraCritics[0]!.params.set(linearCritic(alphas[2]!, betas[2]!));
  let stats: Td3RoundStats | null = null;
  td3.learn(1, (s) => (stats = s));
  const s = stats as Td3RoundStats | null;
  assert.ok(s);
  assert.equal(s.numUpdates, 1);
  // -(3 + 6 + 12) / 3 = -7 (the critics' own step, lr 1e-6, moves the betas by about 1e-6).
  assert.ok(Math.abs(s.actorLoss! - -7) < 1e-4, `actorLoss ${s.actorLoss}`);
  // Mean slope (2 - 5 + 1) / 3 < 0: the actor's output bias goes down (without critic 2 it would go up).
  assert.ok(td3.actor.params[6]! < 0, `actor output bias ${td3.actor.params[6]}`);
});

test('the actor gradient is d(-mean_B Q)/da, scaled by 1 / (N critics * B) over both row blocks (seen through a large Adam eps)', () => {
  // With adamEps 1e6 Adam's first step is lr * g / (|g| + eps), proportional to g. The actor's output bias b gives
  // a = tanh(b) = 0 with da/db = 1, so g = dLoss/db = -mean_k alpha_k.
  for (const [ensemble, alphas] of [[2, [2, -7]], [3, [2, -5, 1]]] as const) {
    for (const batchSize of [4, 5]) {
      const lr = 1e-3;
      const td3 = new TD3(new ZeroObs(), { netArch: [2], dtype: 'f64', criticEnsemble: ensemble, learningStarts: 0, batchSize, bufferSize: 8, policyDelay: 1, actionNoiseSigma: 0, targetPolicyNoise: 0, learningRate: lr, adamEps: 1e6 }, 1);
      td3.actor.params.set([0, 0, 0, 0, 0, 0, 0]);
      td3.critics[0].params.set(linearCritic(alphas[0]!, 1));
      td3.critics[1].params.set(linearCritic(alphas[1]!, 1));
      if (ensemble === 3) td3.extraCritics[0]!.params.set(linearCritic(alphas[2]!, 1));
      td3.learn(1);
      // Twins: the actor follows critic 1 only (SB3 q1_forward); an ensemble: the mean of all N.
      const used = ensemble === 2 ? [alphas[0]!] : [...alphas];
      const g = -used.reduce((s, a) => s + a, 0) / used.length;
      const want = -(lr * g) / (Math.abs(g) + 1e6);
      const got = td3.actor.params[6]!;
      assert.ok(Math.abs(got - want) <= 1e-6 * Math.abs(want), `ensemble ${ensemble}, batch ${batchSize}: bias ${got} vs ${want}`);
    }
  }
});

test('the critic gradient is d mse/dQ = 2 (Q - y) / B per row (seen through a large Adam eps), and the logged loss sums the twins\' mse', () => {
  // Constant critics Q = q_k (all hidden units at ReLU's zero, so only the output bias b moves), reward 0 and
  // terminated, so y = 0: g = dLoss/db = 2 q_k and b moves by -lr * g / (|g| + eps).
  const constantCritic = (q: number): number[] => [0, 0, 0, 0, 0, 0, 0, 0, q];
  const lr = 1e-3;
  const td3 = new TD3(new ZeroObs(), { netArch: [2], dtype: 'f64', learningStarts: 0, batchSize: 3, bufferSize: 8, policyDelay: 2, actionNoiseSigma: 0, targetPolicyNoise: 0, learningRate: lr, adamEps: 1e6 }, 1);
  const qs = [0.5, -2];
  td3.critics[0].params.set(constantCritic(qs[0]!));
  td3.critics[1].params.set(constantCritic(qs[1]!));
  let stats: Td3RoundStats | null = null;
  td3.learn(1, (s) => (stats = s));
  const s = stats as Td3RoundStats | null;
  assert.ok(s);
  assert.equal(s.criticLoss, 0.5 ** 2 + 2 ** 2);
  for (const k of [0, 1]) {
    const g = 2 * qs[k]!;
    const want = qs[k]! - (lr * g) / (Math.abs(g) + 1e6);
    const got = td3.critics[k].params[8]!;
    assert.ok(Math.abs(got - want) <= 1e-12, `critic ${k} output bias ${got} vs ${want}`);
    assert.deepEqual(Array.from(td3.critics[k].params.subarray(0, 8)), [0, 0, 0, 0, 0, 0, 0, 0]);
  }
});
