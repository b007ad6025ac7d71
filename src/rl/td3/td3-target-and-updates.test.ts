/**
 * TD3's critic target, actor step, Polyak updates and exploration noise checked against hand-computed values.
 *
 * The networks are set by hand so their outputs are known: the observation is always 0, a current critic is a
 * constant q, a target critic is Q'(a) = alpha |a - k| + beta (two ReLU units), an actor is tanh(bias). One
 * transition is stored, so every minibatch row is that transition and the logged critic loss is
 * sum_i (q_i - y)^2 with y = r + (1 - terminated) gamma min_i Q_i'(clip(pi'(s') + clip(noise, -c, c), -1, 1))
 * (SB3 td3.py train). Huge target noise makes the clipped noise exactly +-c, and the target critics are built
 * symmetric around the two possible target actions, so y does not depend on the noise's signs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../../env/types.ts';
import type { Td3Config } from './config.ts';
import { TD3 } from './td3.ts';
import type { Td3RoundStats } from './td3.ts';

/** Reset observation [0]; every step gives `reward`, observation [next], and ends the episode if `terminated`. */
class OneStep implements Env {
  readonly id = 'OneStep';
  readonly observationSpace = box(-1, 1, [1]);
  readonly actionSpace = box(-1, 1, [1]);
  constructor(
    private readonly reward: number,
    private readonly terminated: boolean,
    private readonly next = 0,
  ) {}
  reset(): ResetResult {
    return { obs: Float32Array.of(0), info: {} };
  }
  step(): StepResult {
    return { obs: Float32Array.of(this.next), reward: this.reward, terminated: this.terminated, truncated: false, info: {} };
  }
}

// Layouts with netArch [2]. Critic [2 -> 2 -> 1]: W1 rows (s, a) at 0..3, b1 4..5, W2 6..7, b2 8.
// Actor [1 -> 2 -> 1] (tanh head): W1 0..1, b1 2..3, W2 4..5, b2 6.
const constantCritic = (q: number): number[] => [0, 0, 0, 0, 0, 0, 0, 0, q];
/** alpha * (relu(a - k) + relu(k - a)) + beta = alpha |a - k| + beta. */
const vCritic = (alpha: number, k: number, beta: number): number[] => [0, 1, 0, -1, -k, k, alpha, alpha, beta];
/** alpha (relu(a + 10) - 10) + sigma (relu(s + 10) - 10) + beta = alpha a + sigma s + beta for a, s > -10. */
const planeCritic = (alpha: number, sigma: number, beta: number): number[] => [0, 1, 1, 0, 10, 10, alpha, sigma, beta - 10 * alpha - 10 * sigma];
/** alpha * (relu(a + 10) - 10) + beta = alpha a + beta for a > -10. */
const linearCritic = (alpha: number, beta: number): number[] => [0, 1, 0, 0, 10, 0, alpha, 0, beta - 10 * alpha];
const constantActor = (action: number): number[] => [0, 0, 0, 0, 0, 0, Math.atanh(action)];
/** tanh(atanh(action) * relu(s)): `action` at s = 1, 0 at s = 0. */
const rampActor = (action: number): number[] => [1, 0, 0, 0, Math.atanh(action), 0, 0];

interface Nets {
  actor: number[];
  actorTarget: number[];
  critics: [number[], number[]];
  criticTargets: [number[], number[]];
}

function make(env: Env, cfg: Partial<Td3Config>, nets: Nets): TD3 {
  const td3 = new TD3(env, { netArch: [2], dtype: 'f64', learningStarts: 0, batchSize: 32, bufferSize: 16, gamma: 0.5, actionNoiseSigma: 0, ...cfg }, 1);
  td3.actor.params.set(nets.actor);
  td3.actorTarget.params.set(nets.actorTarget);
  for (const i of [0, 1] as const) {
    td3.critics[i].params.set(nets.critics[i]);
    td3.criticTargets[i].params.set(nets.criticTargets[i]);
  }
  return td3;
}

/** Runs one env step and one update; returns the critic loss logged for it. */
function firstCriticLoss(td3: TD3): number {
  let stats: Td3RoundStats | null = null;
  td3.learn(1, (s) => (stats = s));
  assert.equal(td3.numUpdates, 1);
  return stats!.criticLoss!;
}

const near = (actual: number, expected: number, what: string, tol = 1e-9): void => assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs expected ${expected}`);

// Current critics q0 = 0, q1 = 1; target critics Q1' = |a - k| + 2, Q2' = 3 |a - k| - 1; gamma 0.5.
const lossFor = (y: number): number => (0 - y) ** 2 + (1 - y) ** 2;

test('TD3 target without noise: min of the twin target critics at the target actor\'s action, times gamma, cut at termination', () => {
  // s = 0, s' = 1. The target actor gives 0.6 at s' (0 at s), the online actor 0.2 (must not be used).
  // Q1'(s', a') = a' + s' + 1 = 2.6 and Q2'(s', a') = 3 a' - s' = 0.8.
  const nets = (): Nets => ({ actor: constantActor(0.2), actorTarget: rampActor(0.6), critics: [constantCritic(0), constantCritic(1)], criticTargets: [planeCritic(1, 1, 1), planeCritic(3, -1, 0)] });
  const notDone = make(new OneStep(1, false, 1), { targetPolicyNoise: 0 }, nets());
  near(firstCriticLoss(notDone), lossFor(1 + 0.5 * 0.8), 'y = r + gamma * min(2.6, 0.8) = 1.4');
  const done = make(new OneStep(1, true, 1), { targetPolicyNoise: 0 }, nets());
  near(firstCriticLoss(done), lossFor(1), 'terminated: y = r');
});

test('TD3 target policy smoothing: the noise is clipped to +-target_noise_clip before it is added', () => {
  // Target action 0.6 + clip(1e6 * N(0, 1), -0.3, 0.3) = 0.9 or 0.3; with k = 0.6 both give |a - k| = 0.3.
  const td3 = make(new OneStep(1, false), { targetPolicyNoise: 1e6, targetNoiseClip: 0.3 }, {
    actor: constantActor(0.6),
    actorTarget: constantActor(0.6),
    critics: [constantCritic(0), constantCritic(1)],
    criticTargets: [vCritic(1, 0.6, 2), vCritic(3, 0.6, -1)],
  });
  // min(0.3 + 2, 0.9 - 1) = -0.1, y = 1 - 0.05.
  near(firstCriticLoss(td3), lossFor(0.95), 'critic loss');
});

test('TD3 target policy smoothing: the noise is target_policy_noise * N(0, 1), not N(0, 1)', () => {
  // With std 1e-6 and clip 0.3 the noise is never clipped and |noise| < 1e-5, so |a - k| < 1e-5 with k = 0.6:
  // min(2, -1) = -1 and y = 2 - 0.5 to within 2e-5 (unit noise would give |a - k| ~ 0.2 on average).
  const td3 = make(new OneStep(2, false), { targetPolicyNoise: 1e-6, targetNoiseClip: 0.3 }, {
    actor: constantActor(0.6),
    actorTarget: constantActor(0.6),
    critics: [constantCritic(0), constantCritic(1)],
    criticTargets: [vCritic(1, 0.6, 2), vCritic(3, 0.6, -1)],
  });
  near(firstCriticLoss(td3), lossFor(1.5), 'critic loss', 1e-3);
});

test('TD3 target actions are clipped to [-1, 1] after the noise is added', () => {
  // 0.9 + (+-0.5) = 1.4 -> 1 or 0.4; with k = 0.7 both clipped actions give |a - k| = 0.3 (1.4 would give 0.7).
  const td3 = make(new OneStep(1, false), { targetPolicyNoise: 1e6, targetNoiseClip: 0.5 }, {
    actor: constantActor(0.9),
    actorTarget: constantActor(0.9),
    critics: [constantCritic(0), constantCritic(1)],
    criticTargets: [vCritic(1, 0.7, 2), vCritic(3, 0.7, -1)],
  });
  near(firstCriticLoss(td3), lossFor(0.95), 'critic loss');
});

test('TD3 actor climbs critic 1 only, on the delayed step, and all three targets are Polyak-averaged then', () => {
  // Q1 = 2a + 5 and Q2 = -2a + 5: the actor's gradient must follow Q1 (SB3 q1_forward), so tanh(bias) goes up.
  const actorTarget0 = constantActor(-0.3);
  const criticTargets0: [number[], number[]] = [vCritic(1, 0, 2), vCritic(3, 0, -1)];
  const td3 = make(new OneStep(0, true), { policyDelay: 2, tau: 0.1, learningRate: 1e-3, targetPolicyNoise: 0 }, {
    actor: constantActor(0),
    actorTarget: actorTarget0,
    critics: [linearCritic(2, 5), linearCritic(-2, 5)],
    criticTargets: criticTargets0,
  });
  td3.learn(1);
  assert.equal(td3.actor.params[6], 0, 'no actor step on update 1');
  assert.deepEqual(Array.from(td3.actorTarget.params), actorTarget0);
  td3.learn(1);
  assert.equal(td3.numUpdates, 2);
  // The first Adam step of the actor moves its output bias by lr * g / (|g| + eps), |g| ~ 2.
  near(td3.actor.params[6]!, 1e-3, 'actor output bias after its first step', 1e-9);
  // Only the output bias has a gradient (the hidden units are at ReLU's zero).
  assert.deepEqual(Array.from(td3.actor.params.subarray(0, 6)), [0, 0, 0, 0, 0, 0]);
  const polyak = (old: number[], now: ArrayLike<number>): number[] => old.map((t, i) => 0.9 * t + 0.1 * now[i]!);
  const close = (got: ArrayLike<number>, want: number[], what: string): void => want.forEach((w, i) => near(got[i]!, w, `${what}[${i}]`, 1e-12));
  close(td3.actorTarget.params, polyak(actorTarget0, td3.actor.params), 'actor target');
  close(td3.criticTargets[0].params, polyak(criticTargets0[0], td3.critics[0].params), 'critic 1 target');
  close(td3.criticTargets[1].params, polyak(criticTargets0[1], td3.critics[1].params), 'critic 2 target');
});

test('TD3 exploration noise is added to the scaled action and clipped to [-1, 1], during warm-up too', () => {
  const nets = (): Nets => ({ actor: constantActor(0.25), actorTarget: constantActor(0.25), critics: [constantCritic(0), constantCritic(0)], criticTargets: [constantCritic(0), constantCritic(0)] });
  for (const learningStarts of [0, 100]) {
    const td3 = make(new OneStep(0, true), { actionNoiseSigma: 1e6, learningStarts }, nets());
    td3.learn(4);
    const actions = Array.from(td3.replay.actions.subarray(0, 4));
    assert.ok(actions.every((a) => a === 1 || a === -1), `learningStarts ${learningStarts}: actions ${actions} should be pushed to the bounds`);
  }
  // Without noise the stored action is the actor's own.
  const quiet = make(new OneStep(0, true), { actionNoiseSigma: 0, learningStarts: 0 }, nets());
  quiet.learn(1);
  near(quiet.replay.actions[0]!, 0.25, 'noise-free action');
});
