#!/usr/bin/env node
// Finds every *.test.ts under src/ and test/ and runs them with Node's test runner (Node 20 has no --test globs).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const roots = ['src', 'test'];
const files = [];
const only = process.argv.slice(2);
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
}
for (const r of roots) {
  try { walk(r); } catch { /* folder may not exist yet */ }
}
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
selected.sort();
if (selected.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// A test that leaks a server or client keeps its file's process alive after its tests passed, and Node 20's runner
// then waits for good. A watchdog turns such a hang into a failure that says so (the whole suite takes about 8 min on
// the 2-core machine; EDGEPILOT_TEST_WATCHDOG_MIN overrides the limit, 0 turns it off).
const watchdogMin = Number(process.env.EDGEPILOT_TEST_WATCHDOG_MIN ?? 18);
if (!(watchdogMin >= 0)) {
  console.error(`run-tests: EDGEPILOT_TEST_WATCHDOG_MIN must be a number of minutes >= 0, got '${process.env.EDGEPILOT_TEST_WATCHDOG_MIN}'`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...selected], { stdio: 'inherit', detached: true });
let timedOut = false;
const timer = watchdogMin > 0 ? setTimeout(() => {
  timedOut = true;
  console.error(`\nrun-tests: the run passed ${watchdogMin} min and was stopped: a test file probably hangs (a server, client or timer left open keeps its process alive). Run the files one by one with node scripts/run-tests.mjs <path> to find it.`);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
}, watchdogMin * 60_000) : null;
// The child runs in its own process group (so the watchdog can stop all of it); pass Ctrl-C and SIGTERM on to it.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    try { process.kill(-child.pid, sig); } catch { /* already gone */ }
  });
}
child.on('exit', (code) => {
  if (timer) clearTimeout(timer);
  process.exit(timedOut ? 1 : code ?? 1);
});
