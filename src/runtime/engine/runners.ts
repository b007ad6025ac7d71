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

/**
 * Threads of stopped executors, kept for the next executor to start. Why: a new thread loads tsx and the map-task
 * modules, ~0.25-0.3 s of CPU on an idle core (measured; most of it tsx's register) and more under load, and the controller scales executors up and down every
 * few seconds; an executor's cold start is emulated by the pool (coldStartMs), not by thread start-up. The threads keep
 * no state between tasks (worker.ts), so a reused one is as good as a new one. Idle threads are unref'd: they never
 * keep the process alive, and one idle for a minute is ended.
 */
const idleThreads: Worker[] = [];
/**
 * At most this many idle threads are kept, each for at most PARKED_THREAD_TTL_MS: a thread holds ~28 MB (docs/ENGINE.md,
 * measured), and the controller mostly moves a few executors at a time. [own] choices.
 */
const MAX_IDLE_THREADS = 8;
const PARKED_THREAD_TTL_MS = 60_000;

function newThread(): Worker {
  // The worker is TypeScript: a one-line bootstrap registers tsx in it (loader flags in execArgv do not reach
  // worker threads on Node 20; the same trick as src/rl/td3/td3-threads.ts).
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

/** An idle thread leaves the cache if it dies. */
/** Parked thread -> the timer that ends it once it has idled PARKED_THREAD_TTL_MS. */
const expiryTimers = new Map<Worker, ReturnType<typeof setTimeout>>();

function parkThread(worker: Worker): boolean {
  if (idleThreads.length >= MAX_IDLE_THREADS) return false;
  worker.unref();
  const drop = () => {
    const i = idleThreads.indexOf(worker);
    if (i >= 0) idleThreads.splice(i, 1);
    clearTimeout(expiryTimers.get(worker));
    expiryTimers.delete(worker);
  };
  worker.once('exit', drop);
  worker.once('error', drop);
  const expiry = setTimeout(() => {
    drop();
    void worker.terminate();
  }, PARKED_THREAD_TTL_MS);
  expiry.unref();
  expiryTimers.set(worker, expiry);
  idleThreads.push(worker);
  return true;
}

function takeParkedThread(): Worker | undefined {
  const worker = idleThreads.pop();
  if (worker === undefined) return undefined;
  clearTimeout(expiryTimers.get(worker));
  expiryTimers.delete(worker);
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.ref();
  return worker;
}

export class ThreadRunner implements TaskRunner {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private pending: { resolve: (out: MapTaskOutput) => void; reject: (err: Error) => void } | undefined;
  private dead: Error | undefined;
  private readonly onMessage: (reply: Reply) => void;
  private readonly onError: (err: Error) => void;
  private readonly onExit: (code: number) => void;

  constructor() {
    const parked = takeParkedThread();
    this.worker = parked ?? newThread();
    let resolveReady!: () => void;
    let rejectReady!: (err: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.onMessage = (reply: Reply) => {
      if ('ready' in reply) {
        resolveReady();
        return;
      }
      const pending = this.pending;
      this.pending = undefined;
      if (pending === undefined) return;
      if (reply.ok) pending.resolve(reply.out);
      else pending.reject(new Error(`executor task ${reply.taskId}: ${reply.error}`));
    };
    const fail = (err: Error) => {
      this.dead ??= err;
      rejectReady(err);
      this.pending?.reject(err);
      this.pending = undefined;
    };
    this.onError = (err) => fail(new Error(`executor thread failed: ${err.message}`));
    this.onExit = (code) => fail(new Error(`executor thread exited (code ${code})`));
    this.worker.on('message', this.onMessage);
    this.worker.on('error', this.onError);
    this.worker.on('exit', this.onExit);
    // A parked thread said `ready` long ago.
    if (parked !== undefined) resolveReady();
    this.ready.catch(() => undefined);
  }

  /** The worker thread's id (a reused thread keeps its id). */
  get threadId(): number {
    return this.worker.threadId;
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

  /** Stops this executor. Its thread, if idle and healthy, is parked for the next executor; otherwise it is ended. */
  async terminate(): Promise<void> {
    const healthy = this.dead === undefined && this.pending === undefined;
    this.dead ??= new Error('executor thread terminated');
    if (healthy) {
      this.worker.off('message', this.onMessage);
      this.worker.off('error', this.onError);
      this.worker.off('exit', this.onExit);
      if (parkThread(this.worker)) return;
    }
    // Ended, not parked: a task still running is rejected by the 'exit' listener (when one is attached).
    await this.worker.terminate();
  }
}

export function runnerFactoryFor(mode: 'thread' | 'inline'): RunnerFactory {
  return mode === 'thread' ? () => new ThreadRunner() : () => new InlineRunner();
}
