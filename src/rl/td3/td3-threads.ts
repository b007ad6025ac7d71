/** The main-thread side of TD3's critic worker (see critic-worker.ts): shared layout, commands, hand-off. */
import { Worker } from 'node:worker_threads';
import type { Mlp } from '../nn/mlp.ts';

export const CMD = { idle: 0, targetQ: 1, update: 2, actorStep: 3, exportParams: 4, exit: 5, actorTargetRows: 6 } as const;

export interface CriticWorkerInit {
  sab: SharedArrayBuffer;
  criticSizes: number[];
  batchSize: number;
  learningRate: number;
  adamEps: number;
  criticParams: Float64Array;
  targetParams: Float64Array;
  actorSizes: number[];
  actorParams: Float64Array;
  actorTargetParams: Float64Array;
  tau: number;
}

/**
 * Offsets (in Float64 elements, after the 8-byte control block) of the shared arrays. The worker owns critic 2
 * and its target, and mirrors the actor, the actor target and critic 1 (copied in before each use) to take the
 * second row block of the actor-target forward and of the actor step.
 */
export function layoutFor(batch: number, criticIn: number, nParams: number, actionSize: number, nActorParams: number) {
  const inLen = batch * criticIn;
  const inNext = 0;
  const inCur = inNext + inLen;
  const targetQ = inCur + inLen;
  const outQ = targetQ + batch;
  const scalar = outQ + batch;
  const params = scalar + 1;
  const nextA = params + 2 * nParams;
  const actorParams = nextA + batch * actionSize;
  const critic0Params = actorParams + nActorParams;
  const actorGrad = critic0Params + nParams;
  const actorPolyakPending = actorGrad + nActorParams;
  return { inLen, inNext, inCur, targetQ, outQ, scalar, params, nextA, actorParams, critic0Params, actorGrad, actorPolyakPending, total: actorPolyakPending + 1 };
}

export class CriticWorkerClient {
  readonly inNext: Float64Array;
  readonly inCur: Float64Array;
  readonly targetQ: Float64Array;
  readonly outQ: Float64Array;
  /** Actor-target output for the worker's rows [H, B), row-major (B - H) x actionSize. */
  readonly nextA: Float64Array;
  /** The actor's parameters (before the actor step; after it, for the worker's actor-target Polyak update). */
  readonly actorParams: Float64Array;
  readonly critic0Params: Float64Array;
  /** The worker's actor gradient over rows [H, B). */
  readonly actorGrad: Float64Array;
  private readonly f: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly worker: Worker;
  private readonly layout: ReturnType<typeof layoutFor>;
  private busy = false;

  constructor(critic: Mlp, target: Mlp, actor: Mlp, actorTarget: Mlp, batchSize: number, learningRate: number, adamEps: number, tau: number) {
    this.layout = layoutFor(batchSize, critic.inputSize, critic.params.length, actor.outputSize, actor.params.length);
    const sab = new SharedArrayBuffer(8 + this.layout.total * 8);
    this.ctrl = new Int32Array(sab, 0, 2);
    this.f = new Float64Array(sab, 8);
    const L = this.layout;
    this.inNext = this.f.subarray(L.inNext, L.inNext + L.inLen);
    this.inCur = this.f.subarray(L.inCur, L.inCur + L.inLen);
    this.targetQ = this.f.subarray(L.targetQ, L.targetQ + batchSize);
    this.outQ = this.f.subarray(L.outQ, L.outQ + batchSize);
    this.nextA = this.f.subarray(L.nextA, L.nextA + batchSize * actor.outputSize);
    this.actorParams = this.f.subarray(L.actorParams, L.actorParams + actor.params.length);
    this.critic0Params = this.f.subarray(L.critic0Params, L.critic0Params + critic.params.length);
    this.actorGrad = this.f.subarray(L.actorGrad, L.actorGrad + actor.params.length);
    const init: CriticWorkerInit = {
      sab,
      criticSizes: [...critic.sizes],
      batchSize,
      learningRate,
      adamEps,
      criticParams: Float64Array.from(critic.params),
      targetParams: Float64Array.from(target.params),
      actorSizes: [...actor.sizes],
      actorParams: Float64Array.from(actor.params),
      actorTargetParams: Float64Array.from(actorTarget.params),
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
    if (scalar !== undefined) this.f[this.layout.scalar] = scalar;
    Atomics.store(this.ctrl, 1, 0);
    Atomics.store(this.ctrl, 0, cmd);
    Atomics.notify(this.ctrl, 0);
    this.busy = true;
  }

  wait(): number {
    // A generous timeout turns a dead worker (e.g. a failed start) into an error instead of a hang.
    if (Atomics.wait(this.ctrl, 1, 0, 60_000) === 'timed-out') throw new Error('TD3 critic worker did not answer within 60 s (did it fail to start?)');
    this.busy = false;
    return this.f[this.layout.scalar]!;
  }

  /** After the main thread's actor step: the worker applies the same Polyak update to its actor-target mirror before its next use. */
  queueActorPolyak(actor: Mlp): void {
    this.actorParams.set(actor.params);
    this.f[this.layout.actorPolyakPending] = 1;
  }

  /** Copies the worker's critic and target parameters into the given networks. */
  exportInto(critic: Mlp, target: Mlp): void {
    this.start(CMD.exportParams);
    this.wait();
    const p = this.layout.params;
    critic.params.set(this.f.subarray(p, p + critic.params.length));
    target.params.set(this.f.subarray(p + critic.params.length, p + 2 * critic.params.length));
  }

  close(): void {
    Atomics.store(this.ctrl, 0, CMD.exit);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}
