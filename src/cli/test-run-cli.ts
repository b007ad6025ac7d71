/**
 * For the CLI tests: runs `src/cli/main.ts` with `args` in a child process and resolves with its exit code and
 * output. `onStdout` / `onStderr` see the stream as it grows (to act on a printed URL while a server runs).
 */
import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], watch: { onStdout?: (text: string) => void; onStderr?: (text: string) => void } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
