import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AgentChannel, agentEventOf, signBody } from './agent-channel.ts';

const TOKEN = '0123456789abcdef-test-token';

async function post(url: string, path: string, body: string, opts: { token?: string; ts?: string; sig?: string } = {}): Promise<number> {
  const ts = opts.ts ?? String(Date.now());
  const r = await fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token ?? TOKEN}`, 'x-edgepilot-timestamp': ts, 'x-edgepilot-signature': opts.sig ?? signBody(opts.token ?? TOKEN, ts, body) },
    body,
  });
  await r.text();
  return r.status;
}

test('signature is HMAC-SHA256 over "timestamp\\nbody" (the same vector as the Python agent test)', () => {
  const expected = `sha256=${createHmac('sha256', TOKEN).update('1700000000000\n{}').digest('hex')}`;
  assert.equal(signBody(TOKEN, '1700000000000', '{}'), expected);
});

test('progress events: accepted when signed, refused with a wrong token, signature or old timestamp', async () => {
  const ch = await AgentChannel.start({ token: TOKEN });
  try {
    const progress = JSON.stringify({ progress: { id: 'q', batchId: 3, numInputRows: 10 } });
    assert.equal(await post(ch.url, '/spark/progress', progress), 202);
    assert.equal(await post(ch.url, '/spark/progress', JSON.stringify({ event: 'idle', id: 'q' })), 202);
    assert.equal(await post(ch.url, '/spark/progress', progress, { token: 'x'.repeat(20) }), 401);
    assert.equal(await post(ch.url, '/spark/progress', progress, { sig: signBody(TOKEN, '1', progress) }), 401);
    assert.equal(await post(ch.url, '/spark/progress', progress, { ts: String(Date.now() - 3_600_000) }), 401, 'replay an hour later');
    assert.equal(await post(ch.url, '/spark/progress', '[1]'), 400);
    assert.equal(await post(ch.url, '/spark/progress', '{"nothing":1}'), 400);
    const events = ch.drainEvents();
    assert.deepEqual(events.map((e) => e.kind), ['progress', 'idle']);
    assert.equal(events[0]!.body.batchId, 3);
    assert.equal(ch.rejectedRequests, 3);
    assert.deepEqual(ch.drainEvents(), []);
    const noAuth = await fetch(`${ch.url}/spark/decisions`);
    assert.equal(noAuth.status, 401);
  } finally {
    await ch.close();
  }
});

test('decisions: monotonic seq, served after `after`, signed, expired ones withheld, long-poll wakes on publish', async () => {
  let now = 1_700_000_000_000;
  const ch = await AgentChannel.start({ token: TOKEN, decisionTtlMs: 5_000, nowMs: () => now });
  const get = async (after: number, waitMs = 0): Promise<{ decision: { seq: number; executors: number } | null; sigOk: boolean }> => {
    const r = await fetch(`${ch.url}/spark/decisions?after=${after}&waitMs=${waitMs}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const text = await r.text();
    const sigOk = r.headers.get('x-edgepilot-signature') === signBody(TOKEN, r.headers.get('x-edgepilot-timestamp')!, text);
    return { ...(JSON.parse(text) as { decision: { seq: number; executors: number } | null }), sigOk };
  };
  try {
    assert.equal((await get(0)).decision, null);
    const d1 = ch.publishDecision(4, 'burst ahead');
    assert.ok(d1.seq >= now, 'seq starts at the wall clock so a restarted controller supersedes older decisions');
    const r1 = await get(0);
    assert.equal(r1.decision!.executors, 4);
    assert.ok(r1.sigOk);
    assert.equal((await get(d1.seq)).decision, null, 'nothing newer than what the agent has');
    const d2 = ch.publishDecision(6);
    assert.ok(d2.seq > d1.seq);
    assert.equal((await get(d1.seq)).decision!.seq, d2.seq, 'only the newest decision is served');
    now += 5_000;
    assert.equal((await get(0)).decision, null, 'expired');
    const pending = get(d2.seq, 2_000);
    setTimeout(() => ch.publishDecision(2), 50);
    const woke = await pending;
    assert.equal(woke.decision!.executors, 2);
    assert.throws(() => ch.publishDecision(-1), /executors must be an integer >= 0/);
  } finally {
    await ch.close();
  }
});

test('acks are recorded; short tokens are refused at start', async () => {
  const ch = await AgentChannel.start({ token: TOKEN });
  try {
    assert.equal(await post(ch.url, '/spark/applied', JSON.stringify({ seq: 7, executors: 3, ok: true, detail: 'requestTotalExecutors(3)' })), 202);
    assert.equal(ch.lastAck!.seq, 7);
    assert.equal(ch.lastAck!.ok, true);
    assert.equal(await post(ch.url, '/spark/applied', JSON.stringify({ seq: 'x' })), 400);
  } finally {
    await ch.close();
  }
  await assert.rejects(AgentChannel.start({ token: 'short' }), /at least 16 characters/);
});

test('the listener events of test/fixtures/spark/listener-events.jsonl are accepted with their kinds', async () => {
  const ch = await AgentChannel.start({ token: TOKEN });
  try {
    const lines = readFileSync(new URL('../../../test/fixtures/spark/listener-events.jsonl', import.meta.url), 'utf8').trim().split('\n');
    for (const line of lines) assert.equal(await post(ch.url, '/spark/progress', line), 202);
    const events = ch.drainEvents();
    assert.deepEqual(events.map((e) => e.kind), ['started', 'idle', 'terminated']);
    assert.equal(events[2]!.body.exception, null);
  } finally {
    await ch.close();
  }
});

test('agentEventOf (both transports): the envelope, a raw listener event as progress, a progress object as the body whatever the kind, null for neither', () => {
  assert.deepEqual(agentEventOf({ event: 'idle', id: 'q' }), { kind: 'idle', body: { event: 'idle', id: 'q' } });
  assert.deepEqual(agentEventOf({ event: 'progress', progress: { batchId: 1 } }), { kind: 'progress', body: { batchId: 1 } });
  assert.deepEqual(agentEventOf({ progress: { batchId: 2 } }), { kind: 'progress', body: { batchId: 2 } });
  assert.deepEqual(agentEventOf({ event: 'terminated', progress: { batchId: 3 } }), { kind: 'terminated', body: { batchId: 3 } });
  assert.equal(agentEventOf({ id: 'q' }), null);
  assert.equal(agentEventOf({ event: 7, progress: 'x' }), null);
});
