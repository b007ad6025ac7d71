/**
 * CartPole-v1 ported from Gymnasium (gymnasium/envs/classic_control/cartpole.py; anchors.md §5.3):
 * Euler integration, +1 reward per step including the terminal one, termination at |theta| > 12 deg or
 * |x| > 2.4. The 500-step time limit is not here: the registry wraps the env in TimeLimit, as Gymnasium's
 * registration does (max_episode_steps=500).
 */
import { Rng } from '../../core/rng.ts';
import { box, discrete } from '../../core/spaces.ts';
import type { BoxSpace, DiscreteSpace } from '../../core/spaces.ts';
import { InvalidActionError } from '../types.ts';
import type { Env, EnvAction, ResetOptions, ResetResult, StepResult } from '../types.ts';

// Physical constants from Gymnasium's CartPoleEnv.__init__.
const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLE_MASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02; // seconds between state updates
export const THETA_THRESHOLD_RAD = (12 * 2 * Math.PI) / 360;
export const X_THRESHOLD = 2.4;
const F32_MAX = 3.4028234663852886e38; // np.finfo(np.float32).max, Gymnasium's "unbounded" velocity bound

export class CartPoleEnv implements Env {
  readonly id = 'CartPole-v1';
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = discrete(2);
  /** [x, x_dot, theta, theta_dot], float64 like Gymnasium's internal state. */
  readonly state = new Float64Array(4);
  private rng = new Rng(0);
  private stepsBeyondTerminated: number | null = null;

  constructor() {
    const high = [X_THRESHOLD * 2, F32_MAX, THETA_THRESHOLD_RAD * 2, F32_MAX];
    this.observationSpace = box(high.map((h) => -h), high);
  }

  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniform(-0.05, 0.05);
    this.stepsBeyondTerminated = null;
    return { obs: Float32Array.from(this.state), info: {} };
  }

  step(action: EnvAction): StepResult {
    const a = typeof action === 'number' ? action : action[0];
    if (a !== 0 && a !== 1) throw new InvalidActionError(this.id, `expected 0 or 1, got ${String(a)}`);
    const s = this.state;
    const x = s[0]!;
    const xDot = s[1]!;
    const theta = s[2]!;
    const thetaDot = s[3]!;
    const force = a === 1 ? FORCE_MAG : -FORCE_MAG;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot ** 2 * sin) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * cos ** 2) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    // kinematics_integrator == "euler"
    s[0] = x + TAU * xDot;
    s[1] = xDot + TAU * xAcc;
    s[2] = theta + TAU * thetaDot;
    s[3] = thetaDot + TAU * thetaAcc;
    const terminated = s[0]! < -X_THRESHOLD || s[0]! > X_THRESHOLD || s[2]! < -THETA_THRESHOLD_RAD || s[2]! > THETA_THRESHOLD_RAD;
    let reward = 1;
    if (terminated) {
      // Gymnasium returns 0 reward (and warns) for steps taken after termination.
      if (this.stepsBeyondTerminated === null) this.stepsBeyondTerminated = 0;
      else {
        this.stepsBeyondTerminated++;
        reward = 0;
      }
    }
    return { obs: Float32Array.from(s), reward, terminated, truncated: false, info: {} };
  }
}
