/**
 * Pendulum-v1 ported from Gymnasium (gymnasium/envs/classic_control/pendulum.py; anchors.md §5.3).
 * Never terminates; the registry adds the 200-step TimeLimit as Gymnasium's registration does.
 */
import { Rng } from '../../core/rng.ts';
import { box } from '../../core/spaces.ts';
import type { BoxSpace } from '../../core/spaces.ts';
import { InvalidActionError } from '../types.ts';
import type { Env, EnvAction, ResetOptions, ResetResult, StepResult } from '../types.ts';

// Constants from Gymnasium's PendulumEnv.__init__ (g defaults to 10.0).
const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const G = 10.0;
const M = 1.0;
const L = 1.0;

/** Python's ((x + pi) % (2 pi)) - pi, with Python's non-negative modulo. */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  const r = (x + Math.PI) % twoPi;
  return (r < 0 ? r + twoPi : r) - Math.PI;
}

export class PendulumEnv implements Env {
  readonly id = 'Pendulum-v1';
  readonly observationSpace: BoxSpace = box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]);
  readonly actionSpace: BoxSpace = box(-MAX_TORQUE, MAX_TORQUE, [1]);
  /** [theta, theta_dot] */
  readonly state = new Float64Array(2);
  private rng = new Rng(0);

  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.state[0] = this.rng.uniform(-Math.PI, Math.PI);
    this.state[1] = this.rng.uniform(-1, 1);
    return { obs: this.obs(), info: {} };
  }

  step(action: EnvAction): StepResult {
    const raw = typeof action === 'number' ? action : action[0];
    if (typeof raw !== 'number' || Number.isNaN(raw)) throw new InvalidActionError(this.id, `expected a torque, got ${String(raw)}`);
    // Gymnasium clips the action to [-max_torque, max_torque] itself; u is float32 there.
    const u = Math.fround(Math.min(MAX_TORQUE, Math.max(-MAX_TORQUE, raw)));
    const th = this.state[0]!;
    const thDot = this.state[1]!;
    const cost = angleNormalize(th) ** 2 + 0.1 * thDot ** 2 + 0.001 * u ** 2;
    let newThDot = thDot + ((3 * G) / (2 * L) * Math.sin(th) + (3.0 / (M * L ** 2)) * u) * DT;
    newThDot = Math.min(MAX_SPEED, Math.max(-MAX_SPEED, newThDot));
    this.state[0] = th + newThDot * DT;
    this.state[1] = newThDot;
    return { obs: this.obs(), reward: -cost, terminated: false, truncated: false, info: {} };
  }

  private obs(): Float32Array {
    const th = this.state[0]!;
    return Float32Array.of(Math.cos(th), Math.sin(th), this.state[1]!);
  }
}
