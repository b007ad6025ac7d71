import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const traceLoad = fileURLToPath(new URL('./trace-load.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', traceLoad, ...args], { encoding: 'utf8', timeout: 120_000 });

test('bench:trace-load counts every message it wrote, whole or in chunks, plain or gzip, once per --repeat', () => {
  for (const extra of [[], ['--chunked'], ['--gzip', '--chunked'], ['--access-log', '--chunked']]) {
    const r = run('--rows', '3000', '--repeat', '2', '--json', ...extra);
    assert.equal(r.status, 0, `${extra.join(' ')}: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rows: number; chunked: boolean; gzip: boolean; secondsCounted: number });
    assert.equal(lines.length, 2, extra.join(' '));
    for (const s of lines) {
      assert.equal(s.rows, 3000);
      assert.equal(s.chunked, extra.includes('--chunked'));
      assert.equal(s.gzip, extra.includes('--gzip'));
      assert.ok(s.secondsCounted > 0);
    }
  }
  const bad = run('--repeat', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--repeat must be a positive integer, got '0'/);
});
