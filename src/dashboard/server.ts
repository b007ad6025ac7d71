/**
 * The dashboard server (node:http, no framework): the page, its live feed over Server-Sent Events, a JSON state
 * endpoint, health, Prometheus metrics and the token-protected control endpoints.
 *
 *   GET  /             the page (self-contained HTML/JS/CSS, no CDN)
 *   GET  /api/state    DashboardState as JSON
 *   GET  /api/events   SSE: `event: state` on connect, then `tick`, `counters`, `info`; `: ping` every 15 s
 *   GET  /healthz      {"ok":true,...}
 *   GET  /metrics      the Prometheus handler passed in (404 when none)
 *   POST /api/policy   {"policy": id}   } need `Authorization: Bearer <token>`:
 *   POST /api/mode     {"mode": name}   } 401 without a token, 403 with a wrong one,
 *   POST /api/stop                      } 501 when the runtime offers no such control
 *
 * Reading needs no token (the server listens on 127.0.0.1 by default); anything that changes the running system
 * does. The token is compared in constant time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DashboardEvent, DashboardHub } from './state.ts';
import { renderDashboardPage } from './page.ts';

/** What the control endpoints can do; the runtime supplies the ones it supports. */
export interface DashboardControls {
  setPolicy?(policyId: string): Promise<void> | void;
  setMode?(mode: string): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface DashboardServerOptions {
  hub: DashboardHub;
  /** Default 127.0.0.1: read-only data still should not be on every interface unless asked for. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Bearer token of the control endpoints; generated (128 random bits, hex) when absent. */
  token?: string;
  controls?: DashboardControls;
  /** Mounted at /metrics (engineer E's Prometheus exposition). */
  metrics?: MetricsHandler;
  /** SSE keep-alive comment period. Default 15 s (proxies close idle streams after 30-60 s [recalled]). */
  heartbeatMs?: number;
  /** Most SSE streams open at once; one more gets 503 with Retry-After. Default DEFAULT_MAX_STREAMS. */
  maxStreams?: number;
  /**
   * A stream whose client has not read this many bytes of events is closed (the browser reconnects and gets the whole
   * state again), so a stalled client cannot make the server buffer without bound. Default DEFAULT_MAX_STREAM_BUFFER_BYTES.
   */
  maxStreamBufferBytes?: number;
}

export interface DashboardServer {
  url: string;
  host: string;
  port: number;
  token: string;
  /** Number of open SSE streams. */
  readonly streamCount: number;
  close(): Promise<void>;
}

/** Control request bodies are tiny JSON objects; anything bigger is refused. */
const MAX_BODY_BYTES = 4096;
/** [assumed] A dashboard has a few viewers; 100 streams leave room for many tabs and still bound sockets and fan-out. */
export const DEFAULT_MAX_STREAMS = 100;
/** [assumed] 1 MiB: hundreds of ticks' worth of events (one is ~1-2 KB); a client that far behind is not reading. */
export const DEFAULT_MAX_STREAM_BUFFER_BYTES = 1024 * 1024;
const MIN_TOKEN_CHARS = 8;

export function generateToken(): string {
  return randomBytes(16).toString('hex');
}

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`dashboard: port must be an integer in [0, 65535], got ${port}`);
  const token = opts.token ?? generateToken();
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) throw new Error(`dashboard: token must be at least ${MIN_TOKEN_CHARS} characters without spaces`);
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
  if (!Number.isInteger(maxStreams) || maxStreams < 0) throw new Error(`dashboard: maxStreams must be an integer >= 0, got ${maxStreams}`);
  const maxStreamBufferBytes = opts.maxStreamBufferBytes ?? DEFAULT_MAX_STREAM_BUFFER_BYTES;
  if (!(maxStreamBufferBytes > 0)) throw new Error(`dashboard: maxStreamBufferBytes must be > 0, got ${maxStreamBufferBytes}`);
  const hub = opts.hub;
  const controls = opts.controls ?? {};
  const page = renderDashboardPage();
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // e.g. `GET http://[::1 HTTP/1.1`: the client's mistake, not a server error.
      sendJson(res, 400, { error: `request target is not a valid URL: ${JSON.stringify(String(req.url).slice(0, 200))}` });
      return;
    }
    if (path === '/' || path === '/index.html') {
      if (!allow(method, ['GET', 'HEAD'], res)) return;
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        // Everything is inline and same-origin: the page must work with no network.
        'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(method === 'HEAD' ? undefined : page);
      return;
    }
    if (path === '/healthz') {
      if (!allow(method, ['GET', 'HEAD'], res)) return;
      sendJson(res, 200, { ok: true, running: hub.state().running, uptimeS: hub.uptimeS(), streams: streams.size });
      return;
    }
    if (path === '/api/state') {
      if (!allow(method, ['GET'], res)) return;
      sendJson(res, 200, hub.state());
      return;
    }
    if (path === '/api/events') {
      if (!allow(method, ['GET'], res)) return;
      openStream(req, res);
      return;
    }
    if (path === '/metrics') {
      if (!allow(method, ['GET'], res)) return;
      if (opts.metrics === undefined) {
        sendJson(res, 404, { error: 'no metrics exporter is mounted in this process' });
        return;
      }
      await opts.metrics(req, res);
      return;
    }
    if (path === '/api/policy' || path === '/api/mode' || path === '/api/stop') {
      if (!allow(method, ['POST'], res)) return;
      if (!authorized(req, res)) return;
      await control(path, req, res);
      return;
    }
    sendJson(res, 404, { error: `no such endpoint: ${method} ${path}` });
  }

  function authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
    if (match === null) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="edgepilot"');
      sendJson(res, 401, { error: 'this endpoint changes the running system: send Authorization: Bearer <token> (printed at start)' });
      return false;
    }
    const given = Buffer.from(match[1]!);
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      sendJson(res, 403, { error: 'wrong token' });
      return false;
    }
    return true;
  }

  async function control(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = await readJsonBody(req);
    } catch (err) {
      sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const state = hub.state();
    if (path === '/api/stop') {
      if (controls.stop === undefined) return sendJson(res, 501, { error: 'this process offers no stop control' });
      sendJson(res, 202, { ok: true, stopping: true });
      // Answer first: stopping closes this server.
      setImmediate(() => void Promise.resolve(controls.stop!()).catch(() => undefined));
      return;
    }
    if (path === '/api/policy') {
      if (controls.setPolicy === undefined) return sendJson(res, 501, { error: 'this process offers no policy switch' });
      const policyId = body.policy;
      if (typeof policyId !== 'string' || !state.info.policies.includes(policyId)) {
        return sendJson(res, 400, { error: `body.policy must be one of ${state.info.policies.join(', ')}, got ${JSON.stringify(policyId)}` });
      }
      await controls.setPolicy(policyId);
      hub.updateInfo({ policy: policyId });
      return sendJson(res, 200, { ok: true, policy: policyId });
    }
    if (controls.setMode === undefined) return sendJson(res, 501, { error: 'this process offers no mode switch' });
    const mode = body.mode;
    if (typeof mode !== 'string' || !state.info.modes.includes(mode)) {
      return sendJson(res, 400, { error: `body.mode must be one of ${state.info.modes.join(', ')}, got ${JSON.stringify(mode)}` });
    }
    await controls.setMode(mode);
    hub.updateInfo({ mode });
    sendJson(res, 200, { ok: true, mode });
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    if (streams.size >= maxStreams) {
      res.setHeader('Retry-After', '5');
      sendJson(res, 503, { error: `too many live streams (${streams.size} open, limit ${maxStreams}); close a dashboard tab or retry later` });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // The browser reconnects after 2 s if the stream drops; the first event is the whole state again.
    const first = `retry: 2000\n\n${formatSseEvent({ type: 'state', data: hub.state() })}`;
    res.write(first);
    streams.add(res);
    // Writes to a client that stopped reading pile up in memory: past the limit (on top of the first event, the whole
    // state, which a slow link may still be receiving) the stream is closed instead.
    const limit = maxStreamBufferBytes + Buffer.byteLength(first);
    const send = (text: string) => {
      if (res.writableEnded || res.destroyed) return;
      res.write(text);
      if (res.writableLength > limit) {
        cleanup();
        res.destroy();
      }
    };
    const unsubscribe = hub.subscribe((e) => send(formatSseEvent(e)));
    const heartbeat = setInterval(() => send(': ping\n\n'), heartbeatMs);
    let cleaned = false;
    function cleanup(): void {
      if (cleaned) return;
      cleaned = true;
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    }
    req.on('close', cleanup);
    res.on('close', cleanup);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`dashboard cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = dashboardUrlHost(host);
  let closed = false;
  return {
    url: `http://${urlHost}:${actualPort}/`,
    host,
    port: actualPort,
    token,
    get streamCount() {
      return streams.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const res of streams) res.end();
      streams.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}

/** The host part of the URL printed for a listen address: IPv6 in brackets, and the wildcard as loopback (a browser cannot open 0.0.0.0 everywhere). */
export function dashboardUrlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
}

/** One SSE event: `event: <type>` and the JSON on one `data:` line (JSON.stringify never emits a raw newline). */
export function formatSseEvent(e: DashboardEvent): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

function allow(method: string, methods: string[], res: ServerResponse): boolean {
  if (methods.includes(method)) return true;
  res.setHeader('Allow', methods.join(', '));
  sendJson(res, 405, { error: `method ${method} not allowed; use ${methods.join(' or ')}` });
  return false;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`request body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('request body must be a JSON object');
  return parsed as Record<string, unknown>;
}
