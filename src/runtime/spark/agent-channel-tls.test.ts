/**
 * The agent channel over HTTPS: the agent reaches it only with the controller's certificate as its trust anchor, the
 * bearer token and signatures work as over HTTP, and a renewed certificate is swapped in without a restart.
 * Fixtures: test/fixtures/tls (self-signed, test-only, for 127.0.0.1 and localhost).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { AgentChannel, signBody } from './agent-channel.ts';

const TOKEN = '0123456789abcdef-tls-token';
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
const A = { cert: fixture('agent-a.crt'), key: fixture('agent-a.key') };
const B = { cert: fixture('agent-b.crt'), key: fixture('agent-b.key') };

/** One request on a new connection (no keep-alive, so each call sees the server's current certificate). */
function call(url: string, path: string, ca: string | undefined, body?: string): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const ts = String(Date.now());
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (body !== undefined) Object.assign(headers, { 'x-edgepilot-timestamp': ts, 'x-edgepilot-signature': signBody(TOKEN, ts, body) });
    const req = request(url + path, { method: body === undefined ? 'GET' : 'POST', headers, agent: false, ...(ca ? { ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('over TLS the channel serves https, takes signed events and serves signed decisions to a client that trusts its certificate', async () => {
  const ch = await AgentChannel.start({ token: TOKEN, tls: A });
  try {
    assert.match(ch.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const progress = JSON.stringify({ progress: { id: 'q', batchId: 7 } });
    assert.equal((await call(ch.url, '/spark/progress', A.cert, progress)).status, 202);
    assert.deepEqual(ch.drainEvents().map((e) => [e.kind, e.body.batchId]), [['progress', 7]]);
    ch.publishDecision(5, 'tls');
    const r = await call(ch.url, '/spark/decisions?after=0', A.cert);
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.text) as { decision: { executors: number } }).decision.executors, 5);
    assert.equal(r.headers['x-edgepilot-signature'], signBody(TOKEN, String(r.headers['x-edgepilot-timestamp']), r.text), 'decisions are still signed');
  } finally {
    await ch.close();
  }
});

test('a client that does not trust the certificate is refused by the handshake, before any request reaches the channel', async () => {
  const ch = await AgentChannel.start({ token: TOKEN, tls: A });
  try {
    await assert.rejects(call(ch.url, '/spark/progress', undefined, '{"event":"idle"}'), (e: NodeJS.ErrnoException) => /SELF_SIGNED|UNABLE_TO_VERIFY/.test(String(e.code)));
    await assert.rejects(call(ch.url, '/spark/progress', B.cert, '{"event":"idle"}'), (e: NodeJS.ErrnoException) => /SELF_SIGNED|UNABLE_TO_VERIFY/.test(String(e.code)), 'another certificate is no anchor');
    assert.deepEqual(ch.drainEvents(), []);
  } finally {
    await ch.close();
  }
});

test('reloadTls swaps in a renewed certificate for new connections; a pair that does not load leaves the old one serving', async () => {
  const ch = await AgentChannel.start({ token: TOKEN, tls: A });
  try {
    ch.reloadTls(B);
    assert.equal((await call(ch.url, '/healthz', B.cert)).status, 200, 'the new certificate serves');
    await assert.rejects(call(ch.url, '/healthz', A.cert), (e: NodeJS.ErrnoException) => /SELF_SIGNED|UNABLE_TO_VERIFY/.test(String(e.code)), 'the old one is gone');
    assert.throws(() => ch.reloadTls({ cert: B.cert, key: A.key }), /the new certificate and key do not load, the old ones stay/);
    assert.throws(() => ch.reloadTls({ cert: 'not a certificate', key: B.key }), /the new certificate and key do not load, the old ones stay/);
    assert.equal((await call(ch.url, '/healthz', B.cert)).status, 200, 'still serving B');
  } finally {
    await ch.close();
  }
});

test('a certificate and key that do not belong together are refused at start; reloadTls on a plain channel is refused', async () => {
  await assert.rejects(AgentChannel.start({ token: TOKEN, tls: { cert: A.cert, key: B.key } }), /AgentChannel: the TLS certificate and key do not load/);
  const plain = await AgentChannel.start({ token: TOKEN });
  try {
    assert.match(plain.url, /^http:\/\//);
    assert.throws(() => plain.reloadTls(A), /serves plain HTTP/);
  } finally {
    await plain.close();
  }
});
