/** The main-thread side of TD3's critic worker (see critic-worker.ts): shared layout, commands, hand-off. */
import { Worker } from 'node:worker_threads';
import type { Mlp } from '../nn/mlp.ts';

export const CMD = { idle: 0, targetQ: 1, update: 2, polyak: 3, exportParams: 4, exit: 5 } as const;

export interface CriticWorkerInit {
  sab: SharedArrayBuffer;
  criticSizes: number[];
  batchSize: number;
  learningRate: number;
  adamEps: number;
  criticParams: Float64Array;
  targetParams: Float64Array;
}

/** Offsets (in Float64 elements, after the 8-byte control block) of the shared arrays. */
export function layoutFor(batch: number, criticIn: number, nParams: number) {
  const inLen = batch * criticIn;
  const inNext = 0;
  const inCur = inNext + inLen;
  const targetQ = inCur + inLen;
  const outQ = targetQ + batch;
  const scalar = outQ + batch;
  const params = scalar + 1;
  return { inLen, inNext, inCur, targetQ, outQ, scalar, params, total: params + 2 * nParams };
}

export class CriticWorkerClient {
  readonly inNext: Float64Array;
  readonly inCur: Float64Array;
  readonly targetQ: Float64Array;
  readonly outQ: Float64Array;
  private readonly f: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly worker: Worker;
  private readonly layout: ReturnType<typeof layoutFor>;
  private busy = false;

  constructor(critic: Mlp, target: Mlp, batchSize: number, learningRate: number, adamEps: number) {
    this.layout = layoutFor(batchSize, critic.inputSize, critic.params.length);
    const sab = new SharedArrayBuffer(8 + this.layout.total * 8);
    this.ctrl = new Int32Array(sab, 0, 2);
    this.f = new Float64Array(sab, 8);
    const L = this.layout;
    this.inNext = this.f.subarray(L.inNext, L.inNext + L.inLen);
    this.inCur = this.f.subarray(L.inCur, L.inCur + L.inLen);
    this.targetQ = this.f.subarray(L.targetQ, L.targetQ + batchSize);
    this.outQ = this.f.subarray(L.outQ, L.outQ + batchSize);
    const init: CriticWorkerInit = {
      sab,
      criticSizes: [...critic.sizes],
      batchSize,
      learningRate,
      adamEps,
      criticParams: Float64Array.from(critic.params),
      targetParams: Float64Array.from(target.params),
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
