/**
 * Starts and stops an embedded S3 server (s3rver 3.7.1, disk-backed) on 127.0.0.1 with a free port, for the
 * tests, the benchmark and the live demo.
 *
 * Two modes:
 * - 'child' (default): a forked Node process started with `--openssl-legacy-provider`, so the whole S3 API
 *   works, ListObjectsV2 included. The port is chosen by the OS (listen on port 0) and reported over IPC, so
 *   there is no race between picking a free port and binding it. The child exits when its parent dies.
 * - 'in-process': cheaper (no second Node), but ListObjectsV2 fails with ERR_OSSL_EVP_UNSUPPORTED unless
 *   this process itself was started with `--openssl-legacy-provider` (reference/infra.md §2.3). Put, get
 *   and delete, all the shuffle stores need, work either way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EmbeddedS3Options {
  mode?: 'child' | 'in-process';
  /** Folder for the objects; default a fresh temp folder, removed by stop(). */
  directory?: string;
  /** How long to wait for the server to listen; default 15000 ms (a busy 2-core machine). */
  startTimeoutMs?: number;
}

export interface EmbeddedS3 {
  /** e.g. http://127.0.0.1:40123 */
  endpoint: string;
  port: number;
  directory: string;
  /** Child process id in 'child' mode. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startEmbeddedS3(options: EmbeddedS3Options = {}): Promise<EmbeddedS3> {
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'edgepilot-s3rver-')));
  const removeDirectory = async (): Promise<void> => {
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
  };
  try {
    const started = options.mode === 'in-process'
      ? await startInProcess(directory)
      : await startChild(directory, ownsDirectory, options.startTimeoutMs ?? 15000);
    return {
      endpoint: `http://127.0.0.1:${started.port}`,
      port: started.port,
      directory,
      pid: started.pid,
      stop: async () => {
        await started.stop();
        await removeDirectory();
      },
    };
  } catch (err) {
    await removeDirectory();
    throw err;
  }
}

interface Started {
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

async function startInProcess(directory: string): Promise<Started> {
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const address = await server.run();
  return { port: address.port, pid: undefined, stop: () => server.close() };
}

function startChild(directory: string, ownsDirectory: boolean, startTimeoutMs: number): Promise<Started> {
  const script = fileURLToPath(new URL('./s3rver-child.ts', import.meta.url));
  // Resolve tsx from here rather than from the working directory, so any cwd works.
  const tsxLoader = import.meta.resolve('tsx');
  const child = fork(script, [], {
    execArgv: ['--openssl-legacy-provider', '--import', tsxLoader],
    env: { ...process.env, EDGEPILOT_S3RVER_DIR: directory, EDGEPILOT_S3RVER_REMOVE_DIR: ownsDirectory ? '1' : '0', NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  return new Promise<Started>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`embedded s3rver: ${why}${stderr ? `; stderr: ${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${startTimeoutMs} ms`), startTimeoutMs);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited during start-up (code ${code}, signal ${signal})`));
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message?.type !== 'listening' || typeof message.port !== 'number') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ port: message.port, pid: child.pid, stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}
