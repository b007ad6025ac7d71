import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentTls } from './agent-channel.ts';
import { loadTlsFiles, TlsFileWatcher } from './tls-files.ts';

const FIXTURES = new URL('../../../test/fixtures/tls/', import.meta.url);
const fixture = (name: string): string => fileURLToPath(new URL(name, FIXTURES));

function tempPair(): { dir: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-tls-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  copyFileSync(fixture('agent-a.crt'), certFile);
  copyFileSync(fixture('agent-a.key'), keyFile);
  return { dir, certFile, keyFile };
}

/** Rewrites a file with new content and a later mtime (a renewal within the same second must still be seen). */
function renew(file: string, from: string, bumpS: number): void {
  writeFileSync(file, readFileSync(from));
  const t = Date.now() / 1000 + bumpS;
  utimesSync(file, t, t);
}

test('loadTlsFiles reads a PEM pair and names the file that is missing or not PEM of its kind', () => {
  const pair = loadTlsFiles({ certFile: fixture('agent-a.crt'), keyFile: fixture('agent-a.key') });
  assert.match(String(pair.cert), /^-----BEGIN CERTIFICATE-----/);
  assert.match(String(pair.key), /-----BEGIN PRIVATE KEY-----/);
  assert.throws(() => loadTlsFiles({ certFile: '/no/such.crt', keyFile: fixture('agent-a.key') }), /^Error: agent TLS certificate \/no\/such\.crt: cannot be read \(ENOENT\)$/);
  assert.throws(() => loadTlsFiles({ certFile: fixture('agent-a.key'), keyFile: fixture('agent-a.key') }), /agent TLS certificate .*agent-a\.key: no PEM CERTIFICATE block in it/);
  assert.throws(() => loadTlsFiles({ certFile: fixture('agent-a.crt'), keyFile: fixture('agent-a.crt') }), /agent TLS key .*agent-a\.crt: no PEM PRIVATE KEY block in it/);
});

test('the watcher reloads when the files change, not before, and retries a renewal that did not load', () => {
  const { dir, certFile, keyFile } = tempPair();
  const applied: AgentTls[] = [];
  const logs: string[] = [];
  // Stands in for AgentChannel.reloadTls: refuses a certificate with another one's key, as TLS does.
  const apply = (tls: AgentTls): void => {
    const certIsB = String(tls.cert) === readFileSync(fixture('agent-b.crt'), 'utf8');
    const keyIsB = String(tls.key) === readFileSync(fixture('agent-b.key'), 'utf8');
    if (certIsB !== keyIsB) throw new Error('key values mismatch');
    applied.push(tls);
  };
  try {
    const w = new TlsFileWatcher({ certFile, keyFile }, apply, (l) => logs.push(l));
    assert.equal(w.check(), 'unchanged', 'nothing changed since the watcher was made');
    // A renewal caught half-way: the new certificate, the old key.
    renew(certFile, fixture('agent-b.crt'), 10);
    assert.equal(w.check(), 'failed');
    assert.match(logs.at(-1)!, /not reloaded, the old one keeps serving: key values mismatch/);
    assert.equal(w.check(), 'failed', 'tried again on the next check, not forgotten');
    renew(keyFile, fixture('agent-b.key'), 20);
    assert.equal(w.check(), 'reloaded');
    assert.equal(applied.length, 1);
    assert.equal(String(applied[0]!.cert), readFileSync(fixture('agent-b.crt'), 'utf8'));
    assert.match(logs.at(-1)!, /agent TLS certificate reloaded from .*tls\.crt/);
    assert.equal(w.check(), 'unchanged', 'loaded once per change');
    // A file removed during a renewal: refused with its name, the old pair stays.
    rmSync(keyFile);
    assert.equal(w.check(), 'failed');
    assert.match(logs.at(-1)!, /agent TLS key .*tls\.key: cannot be read \(ENOENT\)/);
    assert.equal(applied.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
