import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from './cartpole.ts';
import { PendulumEnv, angleNormalize } from './pendulum.ts';
import { makeEnv } from '../registry.ts';

test('CartPole one Euler step matches the Gymnasium equations by hand', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 1 });
  env.state.set([0.01, -0.02, 0.03, 0.04]);
  const r = env.step(1);
  // temp = (10 + 0.05 * 0.04^2 * sin 0.03) / 1.1
  const temp = (10 + 0.05 * 0.0016 * Math.sin(0.03)) / 1.1;
  const thetaAcc = (9.8 * Math.sin(0.03) - Math.cos(0.03) * temp) / (0.5 * (4 / 3 - (0.1 * Math.cos(0.03) ** 2) / 1.1));
  const xAcc = temp - (0.05 * thetaAcc * Math.cos(0.03)) / 1.1;
  const expected = [0.01 + 0.02 * -0.02, -0.02 + 0.02 * xAcc, 0.03 + 0.02 * 0.04, 0.04 + 0.02 * thetaAcc];
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(env.state[i]! - expected[i]!) < 1e-15, `state ${i}`);
  assert.equal(r.obs[3], Math.fround(expected[3]!));
  // Golden numbers from Gymnasium's formulas evaluated in CPython: theta_acc, x_acc.
  assert.ok(Math.abs(thetaAcc - -14.153435898000405) < 1e-12 && Math.abs(xAcc - 9.733959787377762) < 1e-12, `${thetaAcc} ${xAcc}`);
  assert.equal(r.reward, 1);
  assert.equal(r.terminated, false);
});

test('CartPole terminates past 12 degrees or 2.4 m, with reward 1 on the terminal step', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 2 });
  env.state.set([0, 0, 0.2094, 1]);
  const r = env.step(0);
  assert.equal(r.terminated, true);
  assert.equal(r.reward, 1);
  env.state.set([2.39, 1, 0, 0]);
  assert.equal(env.step(1).terminated, true);
});

test('CartPole reset draws U(-0.05, 0.05) and is seed-deterministic; bad actions are rejected', () => {
  const a = new CartPoleEnv().reset({ seed: 7 }).obs;
  const b = new CartPoleEnv().reset({ seed: 7 }).obs;
  assert.deepEqual(a, b);
  for (const v of a) assert.ok(Math.abs(v) <= 0.05);
  assert.throws(() => new CartPoleEnv().step(2), /CartPole-v1: invalid action/);
});

test('CartPole-v1 from the registry truncates at 500 steps', () => {
  const env = makeEnv('CartPole-v1');
  env.reset({ seed: 0 });
  const inner = (env as unknown as { env: { env: CartPoleEnv } }).env.env;
  let last;
  for (let t = 0; t < 500; t++) {
    inner.state.set([0, 0, 0, 0]); // keep the pole upright so only the time limit can end the episode
    last = env.step(t % 2);
  }
  assert.equal(last!.truncated, true);
  assert.equal(last!.terminated, false);
  assert.deepEqual(last!.info['episode'], { r: 500, l: 500 });
});

test('Pendulum one step matches the Gymnasium equations by hand', () => {
  const env = new PendulumEnv();
  env.reset({ seed: 1 });
  env.state.set([3.5, 1.0]);
  const r = env.step([1.5]);
  const cost = angleNormalize(3.5) ** 2 + 0.1 * 1 + 0.001 * 1.5 ** 2;
  const thDot = 1 + (15 * Math.sin(3.5) + 3 * 1.5) * 0.05;
  assert.ok(Math.abs(r.reward - -cost) < 1e-12);
  assert.ok(Math.abs(env.state[1]! - thDot) < 1e-12);
  assert.ok(Math.abs(env.state[0]! - (3.5 + thDot * 0.05)) < 1e-12);
  // Golden values from Gymnasium's formulas in CPython: angle_normalize(3.5), cost.
  assert.ok(Math.abs(angleNormalize(3.5) - -2.7831853071795862) < 1e-12);
  assert.ok(Math.abs(cost - 7.848370454100327) < 1e-12, `${cost}`);
  assert.ok(Math.abs(angleNormalize(-3.5) - 2.7831853071795862) < 1e-12, 'Python modulo is non-negative');
  assert.equal(r.obs[2], Math.fround(thDot));
});

test('Pendulum clips torque to +-2 and speed to +-8; reward stays in [-16.2736044, 0]', () => {
  const env = new PendulumEnv();
  env.reset({ seed: 3 });
  env.state.set([Math.PI, 7.9]);
  const r = env.step([100]);
  assert.ok(env.state[1]! <= 8);
  assert.ok(r.reward >= -16.2736044 && r.reward <= 0);
  const e2 = new PendulumEnv();
  e2.reset({ seed: 3 });
  e2.state.set([1, 0]);
  const e3 = new PendulumEnv();
  e3.reset({ seed: 3 });
  e3.state.set([1, 0]);
  assert.equal(e2.step([100]).reward, e3.step([2]).reward);
});

test('Pendulum-v1 from the registry truncates at 200 steps and never terminates', () => {
  const env = makeEnv('Pendulum-v1');
  env.reset({ seed: 5 });
  let r;
  for (let t = 0; t < 200; t++) {
    r = env.step([0]);
    assert.equal(r.terminated, false);
    if (t < 199) assert.equal(r.truncated, false);
  }
  assert.equal(r!.truncated, true);
});
