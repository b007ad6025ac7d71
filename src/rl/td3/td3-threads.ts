/** The main-thread side of TD3's critic worker (see critic-worker.ts): shared layout, commands, hand-off. */
import { Worker } from 'node:worker_threads';
import type { Mlp } from '../nn/mlp.ts';
import { BYTES_PER_ELEMENT } from '../wasm/kernels.ts';
import type { Dtype, FloatArray } from '../wasm/kernels.ts';

export const CMD = { idle: 0, targetQ: 1, update: 2, actorStep: 3, exportParams: 4, exit: 5, actorTargetRows: 6 } as const;

export interface CriticWorkerInit {
  sab: SharedArrayBuffer;
  dtype: Dtype;
  criticSizes: number[];
  batchSize: number;
  learningRate: number;
  adamEps: number;
  criticParams: FloatArray;
  targetParams: FloatArray;
  actorSizes: number[];
  actorParams: FloatArray;
  actorTargetParams: FloatArray;
  tau: number;
}

/**
 * The shared memory: an 8-byte control block (command, done flag), then a float64 section (the returned
 * scalar, the pending-Polyak flag and the critic targets, which the single-threaded path also keeps in
 * float64, so both modes compute the same loss gradient), then a section in the networks' dtype. Offsets are
 * in elements of their section. The worker owns critic 2 and its target, and mirrors the actor, the actor
 * target and critic 1 (copied in before each use) to take the second row block of the actor-target forward
 * and of the actor step.
 */
export function layoutFor(dtype: Dtype, batch: number, criticIn: number, nParams: number, actionSize: number, nActorParams: number) {
  const scalar = 0;
  const actorPolyakPending = 1;
  const targetQ = 2;
  const f64Total = targetQ + batch;
  const inLen = batch * criticIn;
  const inNext = 0;
  const inCur = inNext + inLen;
  const outQ = inCur + inLen;
  const params = outQ + batch;
  const nextA = params + 2 * nParams;
  const actorParams = nextA + batch * actionSize;
  const critic0Params = actorParams + nActorParams;
  const actorGrad = critic0Params + nParams;
  const dataTotal = actorGrad + nActorParams;
  const dataByteOffset = 8 + 8 * f64Total;
  return {
    scalar, actorPolyakPending, targetQ, f64Total, inLen, inNext, inCur, outQ, params, nextA, actorParams, critic0Params, actorGrad, dataTotal, dataByteOffset,
    totalBytes: dataByteOffset + dataTotal * BYTES_PER_ELEMENT[dtype],
  };
}

/** The three views of the shared memory, the same on both sides. */
export function sharedViews(sab: SharedArrayBuffer, dtype: Dtype, L: ReturnType<typeof layoutFor>): { ctrl: Int32Array; f64: Float64Array; data: FloatArray } {
  return {
    ctrl: new Int32Array(sab, 0, 2),
    f64: new Float64Array(sab, 8, L.f64Total),
    data: dtype === 'f32' ? new Float32Array(sab, L.dataByteOffset, L.dataTotal) : new Float64Array(sab, L.dataByteOffset, L.dataTotal),
  };
}

export class CriticWorkerClient {
  readonly inNext: FloatArray;
  readonly inCur: FloatArray;
  /** Critic targets (float64, as in the single-threaded path). */
  readonly targetQ: Float64Array;
  readonly outQ: FloatArray;
  /** Actor-target output for the worker's rows [H, B), row-major (B - H) x actionSize. */
  readonly nextA: FloatArray;
  /** The actor's parameters (before the actor step; after it, for the worker's actor-target Polyak update). */
  readonly actorParams: FloatArray;
  readonly critic0Params: FloatArray;
  /** The worker's actor gradient over rows [H, B). */
  readonly actorGrad: FloatArray;
  private readonly f64: Float64Array;
  private readonly data: FloatArray;
  private readonly ctrl: Int32Array;
  private readonly worker: Worker;
  private readonly layout: ReturnType<typeof layoutFor>;
  private busy = false;

  constructor(critic: Mlp<Dtype>, target: Mlp<Dtype>, actor: Mlp<Dtype>, actorTarget: Mlp<Dtype>, batchSize: number, learningRate: number, adamEps: number, tau: number) {
    const dtype = critic.dtype;
    this.layout = layoutFor(dtype, batchSize, critic.inputSize, critic.params.length, actor.outputSize, actor.params.length);
    const L = this.layout;
    const sab = new SharedArrayBuffer(L.totalBytes);
    ({ ctrl: this.ctrl, f64: this.f64, data: this.data } = sharedViews(sab, dtype, L));
    const d = this.data;
    this.inNext = d.subarray(L.inNext, L.inNext + L.inLen);
    this.inCur = d.subarray(L.inCur, L.inCur + L.inLen);
    this.targetQ = this.f64.subarray(L.targetQ, L.targetQ + batchSize);
    this.outQ = d.subarray(L.outQ, L.outQ + batchSize);
    this.nextA = d.subarray(L.nextA, L.nextA + batchSize * actor.outputSize);
    this.actorParams = d.subarray(L.actorParams, L.actorParams + actor.params.length);
    this.critic0Params = d.subarray(L.critic0Params, L.critic0Params + critic.params.length);
    this.actorGrad = d.subarray(L.actorGrad, L.actorGrad + actor.params.length);
    const init: CriticWorkerInit = {
      sab,
      dtype,
      criticSizes: [...critic.sizes],
      batchSize,
      learningRate,
      adamEps,
      criticParams: critic.params.slice(),
      targetParams: target.params.slice(),
      actorSizes: [...actor.sizes],
      actorParams: actor.params.slice(),
      actorTargetParams: actorTarget.params.slice(),
      tau,
    };
    // The worker is TypeScript too: a one-line bootstrap registers tsx in the worker (as bin/edgepilot.js does),
    // because loader flags in execArgv do not reach worker threads on Node 20.
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./critic-worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    this.worker = new Worker(boot, { eval: true, workerData: init });
    this.worker.unref();
  }

  /** Starts a command on the worker; `wait()` blocks until it is done. */
  start(cmd: number, scalar?: number): void {
    if (this.busy) throw new Error('CriticWorkerClient: previous command not awaited');
    if (scalar !== undefined) this.f64[this.layout.scalar] = scalar;
    Atomics.store(this.ctrl, 1, 0);
    Atomics.store(this.ctrl, 0, cmd);
    Atomics.notify(this.ctrl, 0);
    this.busy = true;
  }

  wait(): number {
    // A generous timeout turns a dead worker (e.g. a failed start) into an error instead of a hang.
    if (Atomics.wait(this.ctrl, 1, 0, 60_000) === 'timed-out') throw new Error('TD3 critic worker did not answer within 60 s (did it fail to start?)');
    this.busy = false;
    return this.f64[this.layout.scalar]!;
  }

  /** After the main thread's actor step: the worker applies the same Polyak update to its actor-target mirror before its next use. */
  queueActorPolyak(actor: Mlp<Dtype>): void {
    this.actorParams.set(actor.params);
    this.f64[this.layout.actorPolyakPending] = 1;
  }

  /** Copies the worker's critic and target parameters into the given networks. */
  exportInto(critic: Mlp<Dtype>, target: Mlp<Dtype>): void {
    this.start(CMD.exportParams);
    this.wait();
    const p = this.layout.params;
    critic.params.set(this.data.subarray(p, p + critic.params.length));
    target.params.set(this.data.subarray(p + critic.params.length, p + 2 * critic.params.length));
  }

  close(): void {
    Atomics.store(this.ctrl, 0, CMD.exit);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}
