/**
 * PPO's critic on a worker thread (`threads: 2`), the main-thread side. SB3's ActorCriticPolicy has separate actor
 * and critic networks (net_arch pi / vf), so within a minibatch their forward and backward passes are independent:
 * the worker runs the critic's while the main thread runs the actor's and the action distribution. They meet twice:
 * the value loss needs the critic's values, and the global gradient-norm clip needs every gradient. The main thread
 * sums the squares in the single-threaded order (actor, critic, log_std) from a copy of the critic's gradients, and
 * each side scales its own gradients and steps its own Adam (Adam is elementwise with one step count, so two
 * optimisers equal SB3's one). The results are bit-identical to `threads: 1` (src/rl/ppo/ppo-threads.test.ts).
 * Everything crosses in one SharedArrayBuffer of float64 (the PPO networks are float64); Atomics wait/notify do the
 * hand-off, as in TD3's critic worker (src/rl/td3/td3-threads.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Mlp } from '../nn/mlp.ts';

export const PPO_CMD = { idle: 0, forward: 1, backward: 2, step: 3, importParams: 4, exportParams: 5, exit: 6 } as const;

export interface PpoCriticWorkerInit {
  sab: SharedArrayBuffer;
  sizes: number[];
  activation: 'tanh' | 'relu';
  maxBatch: number;
  adamEps: number;
  params: Float64Array;
}

/** Offsets (in float64 elements after the 16-byte control block) of the shared sections. */
export function ppoCriticLayout(maxBatch: number, obsSize: number, nParams: number) {
  const coef = 0;
  const lr = 1;
  const obs = 2;
  const values = obs + maxBatch * obsSize;
  const dValue = values + maxBatch;
  const grads = dValue + maxBatch;
  const params = grads + nParams;
  const total = params + nParams;
  return { coef, lr, obs, values, dValue, grads, params, total, byteOffset: 16, totalBytes: 16 + 8 * total };
}

/** The control block (command, done flag, batch) and the float64 section, the same views on both sides. */
export function ppoCriticViews(sab: SharedArrayBuffer, L: ReturnType<typeof ppoCriticLayout>): { ctrl: Int32Array; f64: Float64Array } {
  return { ctrl: new Int32Array(sab, 0, 4), f64: new Float64Array(sab, L.byteOffset, L.total) };
}

export class PpoCriticWorkerClient {
  readonly obs: Float64Array;
  readonly values: Float64Array;
  readonly dValue: Float64Array;
  readonly grads: Float64Array;
  private readonly params: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly f64: Float64Array;
  private readonly layout: ReturnType<typeof ppoCriticLayout>;
  private readonly worker: Worker;
  private busy = false;

  constructor(critic: Mlp, adamEps: number) {
    if (!(critic.params instanceof Float64Array)) throw new Error('PpoCriticWorkerClient: the PPO critic must be float64');
    const L = ppoCriticLayout(critic.maxBatch, critic.inputSize, critic.params.length);
    this.layout = L;
    const sab = new SharedArrayBuffer(L.totalBytes);
    ({ ctrl: this.ctrl, f64: this.f64 } = ppoCriticViews(sab, L));
    this.obs = this.f64.subarray(L.obs, L.values);
    this.values = this.f64.subarray(L.values, L.dValue);
    this.dValue = this.f64.subarray(L.dValue, L.grads);
    this.grads = this.f64.subarray(L.grads, L.params);
    this.params = this.f64.subarray(L.params, L.total);
    const init: PpoCriticWorkerInit = { sab, sizes: [...critic.sizes], activation: critic.activation as 'tanh' | 'relu', maxBatch: critic.maxBatch, adamEps, params: critic.params.slice() };
    // The worker is TypeScript too: a one-line bootstrap registers tsx in it (loader flags in execArgv do not reach
    // worker threads on Node 20), as for TD3's critic worker.
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./critic-worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    this.worker = new Worker(boot, { eval: true, workerData: init });
    this.worker.unref();
  }

  private start(cmd: number, batch = 0): void {
    if (this.busy) throw new Error('PpoCriticWorkerClient: previous command not awaited');
    this.ctrl[2] = batch;
    Atomics.store(this.ctrl, 1, 0);
    Atomics.store(this.ctrl, 0, cmd);
    Atomics.notify(this.ctrl, 0);
    this.busy = true;
  }

  /** Blocks until the running command is done (a no-op when none runs). */
  wait(): void {
    if (!this.busy) return;
    // A generous timeout turns a dead worker (e.g. a failed start) into an error instead of a hang.
    if (Atomics.wait(this.ctrl, 1, 0, 60_000) === 'timed-out') throw new Error('PPO critic worker did not answer within 60 s (did it fail to start?)');
    this.busy = false;
  }

  /** Starts the critic's forward pass over the first `batch` rows of `obs` (zeroing its gradients first). */
  startForward(batch: number): void {
    this.start(PPO_CMD.forward, batch);
  }

  /** Starts the critic's backward pass from `dValue`; its gradients land in `grads`. */
  startBackward(): void {
    this.start(PPO_CMD.backward);
  }

  /** Starts the critic's clip scaling (when coef < 1) and Adam step at learning rate `lr`. */
  startStep(coef: number, lr: number): void {
    this.f64[this.layout.coef] = coef;
    this.f64[this.layout.lr] = lr;
    this.start(PPO_CMD.step);
  }

  /** Sets the worker's critic parameters (before a training iteration: the main thread's copy is the truth then). */
  importFrom(critic: Mlp): void {
    this.wait();
    this.params.set(critic.params);
    this.start(PPO_CMD.importParams);
    this.wait();
  }

  /** Copies the worker's critic parameters into `critic` (after a training iteration). */
  exportInto(critic: Mlp): void {
    this.wait();
    this.start(PPO_CMD.exportParams);
    this.wait();
    critic.params.set(this.params);
  }

  close(): void {
    Atomics.store(this.ctrl, 0, PPO_CMD.exit);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}
