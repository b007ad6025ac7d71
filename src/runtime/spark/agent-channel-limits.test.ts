/** AgentChannel's replay window in both directions, its bounded event buffer and body limit (docs/SPARK.md "The driver agent and its protocol"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentChannel, signBody } from './agent-channel.ts';

const TOKEN = '0123456789abcdef-limits-token';
const NOW = 1_700_000_000_000;

async function post(url: string, body: string, ts: string): Promise<number> {
  const r = await fetch(`${url}/spark/progress`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'x-edgepilot-timestamp': ts, 'x-edgepilot-signature': signBody(TOKEN, ts, body) },
    body,
  });
  await r.text();
  return r.status;
}

test('a signed request more than 5 min off the controller clock is refused, ahead as well as behind', async () => {
  const ch = await AgentChannel.start({ token: TOKEN, nowMs: () => NOW });
  try {
    const body = JSON.stringify({ event: 'idle', id: 'q' });
    assert.equal(await post(ch.url, body, String(NOW + 299_000)), 202, '4 min 59 s ahead: within the window');
    assert.equal(await post(ch.url, body, String(NOW + 301_000)), 401, '5 min 1 s ahead: a timestamp from the future cannot be replayed later either');
    assert.equal(await post(ch.url, body, String(NOW - 301_000)), 401, '5 min 1 s behind');
    assert.equal(ch.rejectedRequests, 2, 'both refusals are counted');
  } finally {
    await ch.close();
  }
});

test('the event buffer is bounded and drops the OLDEST events first', async () => {
  const ch = await AgentChannel.start({ token: TOKEN, nowMs: () => NOW, maxBufferedEvents: 2 });
  try {
    for (const id of ['a', 'b', 'c']) assert.equal(await post(ch.url, JSON.stringify({ event: 'idle', id }), String(NOW)), 202, `event ${id} accepted`);
    assert.deepEqual(ch.drainEvents().map((e) => e.body.id), ['b', 'c'], 'the newest two are kept');
    assert.equal(ch.droppedEvents, 1, 'one dropped');
  } finally {
    await ch.close();
  }
});

test('a body over 1 MiB is refused with 413', async () => {
  const ch = await AgentChannel.start({ token: TOKEN, nowMs: () => NOW });
  try {
    const big = JSON.stringify({ event: 'idle', pad: 'x'.repeat(1_100_000) });
    // The controller answers 413 and stops reading; the client may see the answer or a reset connection.
    const status = await post(ch.url, big, String(NOW)).catch((err: Error) => `connection closed: ${err.message}`);
    assert.ok(status === 413 || typeof status === 'string', `oversized body refused, got ${status}`);
    assert.deepEqual(ch.drainEvents(), [], 'nothing buffered');
  } finally {
    await ch.close();
  }
});
