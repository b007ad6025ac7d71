import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { DashboardHub, type DashboardState } from './state.ts';
import { dashboardUrlHost, formatSseEvent, startDashboardServer, type DashboardControls } from './server.ts';
import { FAKE_DASHBOARD_INFO, FakeDecisionFeed } from './fake-feed.ts';

const INFO = FAKE_DASHBOARD_INFO;

async function withServer(controls: DashboardControls, fn: (base: string, token: string, hub: DashboardHub) => Promise<void>, metrics?: Parameters<typeof startDashboardServer>[0]['metrics']): Promise<void> {
  const hub = new DashboardHub({ info: INFO });
  const server = await startDashboardServer({ hub, controls, token: 'secret-token-123', ...(metrics ? { metrics } : {}) });
  try {
    await fn(server.url.replace(/\/$/, ''), server.token, hub);
  } finally {
    await server.close();
  }
}

test('read-only endpoints need no token: page, state, healthz', async () => {
  await withServer({}, async (base, _token, hub) => {
    const feed = new FakeDecisionFeed(1);
    hub.recordDecision(feed.next());
    hub.recordDecision(feed.next());
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>Edgepilot dashboard<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/, 'no external resources');
    const state = (await (await fetch(`${base}/api/state`)).json()) as DashboardState;
    assert.equal(state.history.length, 2);
    assert.equal(state.decisionsTotal, 2);
    assert.equal(state.info.scenario, 'smart-city');
    assert.equal(state.latest?.tSeconds, 2);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean };
    assert.equal(health.ok, true);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/api/state`, { method: 'DELETE' })).status, 405);
  });
});

test('control endpoints: 401 without a token, 403 with a wrong one, act with the right one', async () => {
  const calls: string[] = [];
  const controls: DashboardControls = {
    setPolicy: (id) => void calls.push(`policy:${id}`),
    setMode: (m) => void calls.push(`mode:${m}`),
    stop: () => void calls.push('stop'),
  };
  await withServer(controls, async (base, token, hub) => {
    for (const path of ['/api/policy', '/api/mode', '/api/stop']) {
      const none = await fetch(`${base}${path}`, { method: 'POST', body: '{"policy":"fixed","mode":"paused"}' });
      assert.equal(none.status, 401, path);
      assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
      const wrong = await fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: 'Bearer not-the-token!' }, body: '{}' });
      assert.equal(wrong.status, 403, path);
      assert.equal((await fetch(`${base}${path}`)).status, 405, `GET ${path}`);
    }
    assert.deepEqual(calls, [], 'nothing happened without the token');
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const bad = await fetch(`${base}/api/policy`, { method: 'POST', headers: auth, body: '{"policy":"rm -rf"}' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /one of threshold-forecast, fixed/);
    const notJson = await fetch(`${base}/api/mode`, { method: 'POST', headers: auth, body: '{oops' });
    assert.equal(notJson.status, 400);
    const ok = await fetch(`${base}/api/policy`, { method: 'POST', headers: auth, body: '{"policy":"fixed"}' });
    assert.equal(ok.status, 200);
    assert.equal(hub.policy, 'fixed');
    assert.equal((await fetch(`${base}/api/mode`, { method: 'POST', headers: auth, body: '{"mode":"paused"}' })).status, 200);
    assert.equal((await fetch(`${base}/api/stop`, { method: 'POST', headers: auth })).status, 202);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(calls, ['policy:fixed', 'mode:paused', 'stop']);
  });
});

test('a control the runtime does not offer answers 501 (after auth), /metrics 404 without an exporter', async () => {
  await withServer({}, async (base, token) => {
    const r = await fetch(`${base}/api/stop`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 501);
    assert.equal((await fetch(`${base}/metrics`)).status, 404);
  });
});

test('/metrics is the mounted handler', async () => {
  await withServer(
    {},
    async (base) => {
      const r = await fetch(`${base}/metrics`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'edgepilot_up 1\n');
    },
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end('edgepilot_up 1\n');
    },
  );
});

/** Reads SSE frames from a GET until `count` events arrived. */
function readSse(url: string, count: number, onOpen: () => void): Promise<{ headers: Record<string, unknown>; raw: string; events: Array<{ event: string; data: unknown }> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let raw = '';
      const events: Array<{ event: string; data: unknown }> = [];
      res.setEncoding('utf8');
      onOpen();
      res.on('data', (chunk: string) => {
        raw += chunk;
        const frames = raw.split('\n\n');
        events.length = 0;
        for (const frame of frames.slice(0, -1)) {
          const lines = frame.split('\n');
          const ev = lines.find((l) => l.startsWith('event: '));
          const data = lines.find((l) => l.startsWith('data: '));
          if (ev && data) events.push({ event: ev.slice(7), data: JSON.parse(data.slice(6)) });
        }
        if (events.length >= count) {
          req.destroy();
          resolve({ headers: res.headers, raw, events: [...events] });
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('SSE stream: text/event-stream, retry hint, full state first, then one tick event per decision', async () => {
  await withServer({}, async (base, _token, hub) => {
    const feed = new FakeDecisionFeed(7);
    hub.recordDecision(feed.next());
    const got = await readSse(`${base}/api/events`, 4, () => {
      setTimeout(() => {
        hub.recordDecision(feed.next());
        hub.setCounters({ published: 10, ingested: 9, processed: 8, dropped: 1, malformed: 0 });
        hub.recordDecision(feed.next());
      }, 30);
    });
    assert.match(String(got.headers['content-type']), /^text\/event-stream/);
    assert.ok(got.raw.startsWith('retry: 2000\n\n'));
    assert.deepEqual(got.events.map((e) => e.event), ['state', 'tick', 'counters', 'tick']);
    const state = got.events[0]!.data as { history: unknown[] };
    assert.equal(state.history.length, 1);
    const tick = got.events[1]!.data as { tick: { tSeconds: number }; decisionsTotal: number };
    assert.equal(tick.tick.tSeconds, 2);
    assert.equal(tick.decisionsTotal, 2);
    assert.deepEqual(got.events[2]!.data, { published: 10, ingested: 9, processed: 8, dropped: 1, malformed: 0 });
    for (let i = 0; i < 50 && hub.subscriberCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(hub.subscriberCount, 0, 'a closed stream unsubscribes');
  });
});

test('formatSseEvent keeps one data line even when strings contain newlines', () => {
  const hub = new DashboardHub({ info: { ...INFO, notes: ['line one\nline two'] } });
  const text = formatSseEvent({ type: 'state', data: hub.state() });
  assert.equal(text.split('\n').filter((l) => l.startsWith('data: ')).length, 1);
  assert.ok(text.endsWith('\n\n'));
  assert.equal(text.split('\n').length, 4);
});

test('hub: bounded history, cumulative cost, input checks', () => {
  const hub = new DashboardHub({ info: INFO, historyLength: 3, decisionLogLength: 2 });
  const feed = new FakeDecisionFeed(3);
  let cost = 0;
  for (let i = 0; i < 5; i++) {
    const r = feed.next();
    cost += r.snapshot.costUsd;
    hub.recordDecision(r);
  }
  const s = hub.state();
  assert.equal(s.history.length, 3);
  assert.equal(s.decisions.length, 2);
  assert.equal(s.decisionsTotal, 5);
  assert.deepEqual(s.history.map((t) => t.tSeconds), [3, 4, 5]);
  assert.ok(Math.abs(s.latest!.costTotalUsd - cost) < 1e-12);
  assert.throws(() => hub.setCounters({ published: -1, ingested: 0, processed: 0, dropped: 0, malformed: 0 }), /published must be a finite number >= 0/);
  const bad = feed.next();
  bad.snapshot.costUsd = Number.NaN;
  assert.throws(() => hub.recordDecision(bad), /costUsd/);
});

test('the server refuses a short token and a bad port', async () => {
  const hub = new DashboardHub({ info: INFO });
  await assert.rejects(startDashboardServer({ hub, token: 'abc' }), /token must be at least 8/);
  await assert.rejects(startDashboardServer({ hub, port: 70000 }), /port must be an integer/);
});

/** One raw HTTP exchange over a socket (for request lines fetch() will not send); resolves with the status line. */
function rawRequest(base: string, text: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      got += chunk;
      if (got.includes('\r\n')) {
        socket.destroy();
        resolve(got.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}

/** Opens an SSE stream on a raw socket and resolves once its first bytes (headers and the state event) arrived. */
function openRawStream(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write('GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n'));
    socket.once('data', () => resolve(socket));
    socket.on('error', reject);
  });
}

test('a request target that is not a URL gets 400 naming it, not a 500', async () => {
  await withServer({}, async (base) => {
    assert.match(await rawRequest(base, 'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await rawRequest(base, 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 404 /);
    // Still serving after both.
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });
});

test('a client that stops reading its SSE stream is disconnected once its unread events pass the buffer limit', async () => {
  const hub = new DashboardHub({ info: INFO });
  const server = await startDashboardServer({ hub, token: 'secret-token-123', maxStreamBufferBytes: 64 * 1024 });
  const base = server.url.replace(/\/$/, '');
  const stalled = await openRawStream(base);
  stalled.on('error', () => undefined);
  try {
    assert.equal(server.streamCount, 1);
    assert.equal(hub.subscriberCount, 1);
    // The client never reads while this loop runs (same event loop): the kernel's socket buffers fill, then the
    // server's own buffer grows past the limit and the stream is dropped, synchronously, within the loop.
    const big = 'x'.repeat(100 * 1024);
    let sent = 0;
    while (server.streamCount > 0 && sent < 1000) {
      hub.updateInfo({ notes: [big, String(sent++)] });
    }
    assert.equal(server.streamCount, 0, `stream still open after ${sent} events of 100 KiB`);
    assert.equal(hub.subscriberCount, 0, 'the dropped stream unsubscribed from the hub');
    assert.ok(sent < 1000);
    // Other clients are unaffected.
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  } finally {
    stalled.destroy();
    await server.close();
  }
});

test('SSE streams beyond maxStreams get 503 with Retry-After; the open ones keep streaming', async () => {
  const hub = new DashboardHub({ info: INFO });
  const server = await startDashboardServer({ hub, token: 'secret-token-123', maxStreams: 2 });
  const base = server.url.replace(/\/$/, '');
  const open = [await openRawStream(base), await openRawStream(base)];
  try {
    assert.equal(server.streamCount, 2);
    const third = await fetch(`${base}/api/events`);
    assert.equal(third.status, 503);
    assert.equal(third.headers.get('retry-after'), '5');
    assert.match(((await third.json()) as { error: string }).error, /too many live streams \(2 open, limit 2\)/);
    assert.equal(server.streamCount, 2);
    // The two open streams still get events.
    const next = new Promise<string>((resolve) => open[0]!.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
    hub.setCounters({ published: 1, ingested: 1, processed: 1, dropped: 0, malformed: 0 });
    assert.match(await next, /event: counters/);
  } finally {
    for (const s of open) s.destroy();
    await server.close();
  }
});

test('the server listens on 127.0.0.1 by default and refuses a token with spaces, port 65536 and bad stream limits', async () => {
  const hub = new DashboardHub({ info: INFO });
  const server = await startDashboardServer({ hub, token: 'secret-token-123' });
  try {
    assert.equal(server.host, '127.0.0.1');
    assert.ok(server.url.startsWith('http://127.0.0.1:'), server.url);
  } finally {
    await server.close();
  }
  await assert.rejects(startDashboardServer({ hub, token: 'secret token 123' }), /without spaces/);
  await assert.rejects(startDashboardServer({ hub, port: 65536 }), /port must be an integer in \[0, 65535\]/);
  await assert.rejects(startDashboardServer({ hub, maxStreams: -1 }), /maxStreams must be an integer >= 0/);
  await assert.rejects(startDashboardServer({ hub, maxStreams: 1.5 }), /maxStreams must be an integer >= 0/);
  await assert.rejects(startDashboardServer({ hub, maxStreamBufferBytes: 0 }), /maxStreamBufferBytes must be > 0/);
  await assert.rejects(startDashboardServer({ hub, maxStreamBufferBytes: Number.NaN }), /maxStreamBufferBytes must be > 0/);
});

test('dashboardUrlHost brackets an IPv6 address and shows the wildcard address as loopback', () => {
  assert.equal(dashboardUrlHost('::1'), '[::1]');
  assert.equal(dashboardUrlHost('0.0.0.0'), '127.0.0.1');
  assert.equal(dashboardUrlHost('127.0.0.1'), '127.0.0.1');
  assert.equal(dashboardUrlHost('localhost'), 'localhost');
});

test('the page is served at / and /index.html, HEAD without a body, other methods 405 with Allow', async () => {
  await withServer({}, async (base) => {
    assert.match(await (await fetch(`${base}/index.html`)).text(), /<title>Edgepilot dashboard<\/title>/);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '', 'HEAD sends no body');
    const post = await fetch(`${base}/`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});

test('a wrong token of the right length gets 403, the token followed by more text 401', async () => {
  const calls: string[] = [];
  await withServer({ stop: () => void calls.push('stop') }, async (base, token) => {
    const sameLength = token.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
    assert.equal(sameLength.length, token.length);
    assert.equal((await fetch(`${base}/api/stop`, { method: 'POST', headers: { Authorization: `Bearer ${sameLength}` } })).status, 403);
    assert.equal((await fetch(`${base}/api/stop`, { method: 'POST', headers: { Authorization: `Bearer ${token} extra` } })).status, 401);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [], 'no stop without the exact token');
  });
});

test('control bodies over 4096 bytes, JSON arrays and unknown modes get 400; a mode switch shows in the hub', async () => {
  const calls: string[] = [];
  const controls: DashboardControls = { setMode: (m) => void calls.push(m), setPolicy: (p) => void calls.push(p) };
  await withServer(controls, async (base, token, hub) => {
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const big = await fetch(`${base}/api/mode`, { method: 'POST', headers: auth, body: JSON.stringify({ mode: 'paused', pad: 'x'.repeat(5000) }) });
    assert.equal(big.status, 400);
    assert.match(((await big.json()) as { error: string }).error, /larger than 4096 bytes/);
    const array = await fetch(`${base}/api/policy`, { method: 'POST', headers: auth, body: '["fixed"]' });
    assert.equal(array.status, 400);
    assert.match(((await array.json()) as { error: string }).error, /must be a JSON object/);
    const unknown = await fetch(`${base}/api/mode`, { method: 'POST', headers: auth, body: '{"mode":"turbo"}' });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error: string }).error, /one of demo, paused, got "turbo"/);
    assert.deepEqual(calls, [], 'nothing switched on a refused body');
    assert.equal((await fetch(`${base}/api/mode`, { method: 'POST', headers: auth, body: '{"mode":"paused"}' })).status, 200);
    assert.deepEqual(calls, ['paused']);
    assert.equal(hub.state().info.mode, 'paused', 'the header shows the new mode');
  });
});

test('healthz reports the uptime in seconds since the hub started, on the hub\'s clock', async () => {
  let clockMs = 1_000_000; // far from Date.now(), so an uptime read against the wall clock would be way off
  const hub = new DashboardHub({ info: INFO, nowMs: () => clockMs });
  const server = await startDashboardServer({ hub, token: 'secret-token-123' });
  try {
    clockMs += 3_600_400;
    const health = (await (await fetch(`${server.url}healthz`)).json()) as { uptimeS: number; running: boolean };
    assert.equal(health.uptimeS, 3600, 'an hour and 0.4 s on the hub\'s clock, in whole seconds');
    assert.equal(health.running, true);
  } finally {
    await server.close();
  }
});

test('close() returns while a client is half-way through sending a request', { timeout: 20_000 }, async () => {
  const hub = new DashboardHub({ info: INFO });
  const server = await startDashboardServer({ hub, token: 'secret-token-123' });
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write('GET /api/state HTTP/1.1\r\nHost: x\r\n');
  try {
    // Without the sockets destroyed, server.close() would wait for the request (Node's headers timeout is 60 s).
    await server.close();
    await closedByServer;
  } finally {
    socket.destroy();
  }
});

test('an SSE stream gets a keep-alive comment every 15 s by default', async () => {
  const hub = new DashboardHub({ info: INFO });
  const server = await startDashboardServer({ hub, token: 'secret-token-123' });
  mock.timers.enable({ apis: ['setInterval'] });
  let socket: Socket | undefined;
  try {
    socket = await openRawStream(server.url.replace(/\/$/, ''));
    let got = '';
    socket.setEncoding('utf8');
    const waitFor = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => (got.includes(text) ? (socket!.off('data', onData), resolve()) : undefined);
        const onData = (d: string) => {
          got += d;
          check();
        };
        socket!.on('data', onData);
        check();
      });
    mock.timers.tick(14_999);
    hub.setCounters({ published: 1, ingested: 1, processed: 1, dropped: 0, malformed: 0 });
    await waitFor('event: counters');
    assert.ok(!got.includes(': ping'), 'no keep-alive before 15 s');
    mock.timers.tick(1);
    await waitFor(': ping\n\n');
  } finally {
    mock.timers.reset();
    socket?.destroy();
    await server.close();
  }
});

test('the policy and mode switches answer 501 when the runtime offers none, even to a valid body', async () => {
  await withServer({}, async (base, token) => {
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const policy = await fetch(`${base}/api/policy`, { method: 'POST', headers: auth, body: '{"policy":"fixed"}' });
    assert.equal(policy.status, 501);
    assert.match(((await policy.json()) as { error: string }).error, /no policy switch/);
    const mode = await fetch(`${base}/api/mode`, { method: 'POST', headers: auth, body: '{"mode":"paused"}' });
    assert.equal(mode.status, 501);
    assert.match(((await mode.json()) as { error: string }).error, /no mode switch/);
  });
});

test('/metrics and /api/events accept GET only; a failing metrics handler gives a 500 naming the error', async () => {
  await withServer(
    {},
    async (base) => {
      assert.equal((await fetch(`${base}/metrics`, { method: 'POST', body: '' })).status, 405);
      assert.equal((await fetch(`${base}/api/events`, { method: 'POST', body: '' })).status, 405);
      const r = await fetch(`${base}/metrics`);
      assert.equal(r.status, 500);
      assert.deepEqual(await r.json(), { error: 'registry unavailable' });
    },
    () => {
      throw new Error('registry unavailable');
    },
  );
});

test('healthz says the run stopped once the hub is marked stopped', async () => {
  await withServer({}, async (base, _token, hub) => {
    assert.equal(((await (await fetch(`${base}/healthz`)).json()) as { running: boolean }).running, true);
    hub.markStopped();
    assert.equal(((await (await fetch(`${base}/healthz`)).json()) as { running: boolean }).running, false);
  });
});

test('SSE responses tell caches and proxies not to store or buffer them', async () => {
  await withServer({}, async (base) => {
    const got = await readSse(`${base}/api/events`, 1, () => undefined);
    assert.equal(got.headers['cache-control'], 'no-cache, no-transform');
    assert.equal(got.headers['x-accel-buffering'], 'no');
  });
});
