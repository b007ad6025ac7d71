/**
 * How an executor runs its map tasks: on a worker thread (the engine's executors) or inline on the main thread
 * (unit tests, where thread start-up would only add time). Both run the same runMapTask().
 */
import { Worker } from 'node:worker_threads';
import { runMapTask, type MapTaskInput, type MapTaskOutput } from './map-task.ts';

export interface TaskRunner {
  /** Resolves when the executor can take tasks (its thread is up); rejects if it failed to start. */
  readonly ready: Promise<void>;
  /** One task at a time (the pool guarantees it). */
  run(input: MapTaskInput): Promise<MapTaskOutput>;
  terminate(): Promise<void>;
}

export type RunnerFactory = () => TaskRunner;

export class InlineRunner implements TaskRunner {
  readonly ready = Promise.resolve();
  private stopped = false;
  async run(input: MapTaskInput): Promise<MapTaskOutput> {
    if (this.stopped) throw new Error('inline executor: run after terminate');
    return runMapTask(input);
  }
  async terminate(): Promise<void> {
    this.stopped = true;
  }
}

type Reply = { ready: true } | { ok: true; out: MapTaskOutput } | { ok: false; taskId: number; error: string };

export class ThreadRunner implements TaskRunner {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private pending: { resolve: (out: MapTaskOutput) => void; reject: (err: Error) => void } | undefined;
  private dead: Error | undefined;

  constructor() {
    // The worker is TypeScript: a one-line bootstrap registers tsx in it (loader flags in execArgv do not reach
    // worker threads on Node 20; the same trick as src/rl/td3/td3-threads.ts).
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    this.worker = new Worker(boot, { eval: true });
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (reply: Reply) => {
        if ('ready' in reply) {
          resolve();
          return;
        }
        const pending = this.pending;
        this.pending = undefined;
        if (pending === undefined) return;
        if (reply.ok) pending.resolve(reply.out);
        else pending.reject(new Error(`executor task ${reply.taskId}: ${reply.error}`));
      });
      const fail = (err: Error) => {
        this.dead ??= err;
        reject(err);
        this.pending?.reject(err);
        this.pending = undefined;
      };
      this.worker.on('error', (err) => fail(new Error(`executor thread failed: ${err.message}`)));
      this.worker.on('exit', (code) => fail(new Error(`executor thread exited (code ${code})`)));
    });
    this.ready.catch(() => undefined);
  }

  run(input: MapTaskInput): Promise<MapTaskOutput> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    if (this.pending !== undefined) return Promise.reject(new Error('executor thread: a task is already running'));
    return new Promise<MapTaskOutput>((resolve, reject) => {
      this.pending = { resolve, reject };
      // Transfer, not copy: one hand-off per task.
      const transfer = [input.lines.buffer as ArrayBuffer, input.receivedAtMs.buffer as ArrayBuffer];
      if (input.validate !== undefined) transfer.push(input.validate.buffer as ArrayBuffer);
      this.worker.postMessage(input, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error('executor thread terminated');
    await this.worker.terminate();
  }
}

export function runnerFactoryFor(mode: 'thread' | 'inline'): RunnerFactory {
  return mode === 'thread' ? () => new ThreadRunner() : () => new InlineRunner();
}
