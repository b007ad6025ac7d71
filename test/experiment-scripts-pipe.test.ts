import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const DIR = resolve('scripts/experiments');

test('every experiment script imports stdout-pipe before anything else', () => {
  const scripts = readdirSync(DIR).filter((f) => f.endsWith('.mts'));
  assert.ok(scripts.length > 0);
  for (const f of scripts) {
    const firstImport = readFileSync(join(DIR, f), 'utf8').split('\n').find((l) => l.startsWith('import '));
    assert.equal(firstImport, "import './stdout-pipe.ts';", f);
  }
});

/** Runs `script`, reads its first stdout chunk, closes the pipe; resolves with the exit code and stderr. */
function runAndCloseEarly(script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

test('a script whose reader goes away (| head) ends quietly with 0; without stdout-pipe it dies on EPIPE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-'));
  try {
    // Writes until the pipe breaks (the reader closes after the first chunk), then would go on for good.
    const body = "for (;;) { console.log('line'); await new Promise((r) => setImmediate(r)); }\n";
    const withGuard = join(dir, 'with.mts');
    writeFileSync(withGuard, `import ${JSON.stringify(join(DIR, 'stdout-pipe.ts'))};\n${body}`);
    const without = join(dir, 'without.mts');
    writeFileSync(without, body);
    const guarded = await runAndCloseEarly(withGuard);
    assert.equal(guarded.code, 0, guarded.stderr);
    assert.equal(guarded.stderr, '');
    const bare = await runAndCloseEarly(without);
    assert.notEqual(bare.code, 0);
    assert.match(bare.stderr, /EPIPE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
