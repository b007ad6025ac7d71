/**
 * Starts a private redis-server (Debian redis-server 7, reference/infra.md §2.2) on 127.0.0.1 and a free port,
 * without persistence, for tests that need to stop or freeze Redis and for the tier benchmark when no
 * --redis-url is given. `npm test` installs the package (scripts/test-services.sh).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface LocalRedis {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the server keeps its socket but stops answering (a hung server). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
}

/** True when a redis-server binary is on PATH. */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before listening on ${port}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server: nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export async function startLocalRedis(options: { port?: number; startTimeoutMs?: number; extraArgs?: string[] } = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.extraArgs ?? [])],
    { stdio: 'ignore' },
  );
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`cannot start redis-server: ${err.message}`))));
  spawnError.catch(() => undefined);
  try {
    await Promise.race([waitForPort(port, child, options.startTimeoutMs ?? 10_000), spawnError]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
      child.kill(signal);
      await exited;
    },
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      child.kill('SIGCONT');
    },
  };
}
