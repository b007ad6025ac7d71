/**
 * For the CLI tests: runs `src/cli/main.ts` with `args` in a child process and resolves with its exit code and
 * output. `onStdout` / `onStderr` see the stream as it grows (to act on a printed URL while a server runs); `cwd`
 * runs it from another folder.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The installed entry point (bin/edgepilot.js), for runs from another working directory. */
const BIN = fileURLToPath(new URL('../../bin/edgepilot.js', import.meta.url));

export function runCli(args: string[], watch: { onStdout?: (text: string) => void; onStderr?: (text: string) => void; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    // From another folder, through the bin a user would run (which finds tsx itself).
    const argv = watch.cwd === undefined ? ['--import', 'tsx', 'src/cli/main.ts', ...args] : [BIN, ...args];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...(watch.cwd !== undefined ? { cwd: watch.cwd } : {}) });
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
