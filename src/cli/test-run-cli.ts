/**
 * For the CLI tests: runs `src/cli/main.ts` with `args` in a child process and resolves with its exit code and
 * output. `onStdout` / `onStderr` see the stream as it grows (to act on a printed URL while a server runs); `cwd`
 * runs it from another folder; `env` adds environment variables; `onSpawn` gets the child (to send it a signal).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The installed entry point (bin/edgepilot.js), for runs from another working directory. */
const BIN = fileURLToPath(new URL('../../bin/edgepilot.js', import.meta.url));

export function runCli(args: string[], watch: { onStdout?: (text: string) => void; onStderr?: (text: string) => void; cwd?: string; env?: Record<string, string>; onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    // From another folder, through the bin a user would run (which finds tsx itself).
    const argv = watch.cwd === undefined ? ['--import', 'tsx', 'src/cli/main.ts', ...args] : [BIN, ...args];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...(watch.cwd !== undefined ? { cwd: watch.cwd } : {}), ...(watch.env !== undefined ? { env: { ...process.env, ...watch.env } } : {}) });
    watch.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
      watch.onStdout?.(stdout);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
      watch.onStderr?.(stderr);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * For usage errors that are thrown before a command starts anything: runs `register`'s command in this process and
 * resolves with what it threw (null if it finished), without the cost of a child process.
 */
export async function cliErrorInProcess(register: (program: Command) => void, args: string[]): Promise<unknown> {
  const program = new Command().exitOverride();
  register(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return null;
  } catch (err) {
    return err;
  }
}
