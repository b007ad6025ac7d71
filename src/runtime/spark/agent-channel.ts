/**
 * The HTTP endpoint the Edgepilot driver agent (python/edgepilot_agent, docs/SPARK.md) talks to:
 *
 *   POST /spark/progress           StreamingQueryListener events (the documented StreamingQueryProgress JSON)
 *   GET  /spark/decisions?after=N  the newest executor-count decision with seq > N (long-poll with waitMs=...)
 *   POST /spark/applied            the agent's report of what it did with a decision
 *   GET  /healthz                  liveness (no auth)
 *
 * Authentication: every request carries `Authorization: Bearer <token>`; POST bodies are also signed
 * (`X-Edgepilot-Timestamp`, `X-Edgepilot-Signature: sha256=<hex HMAC-SHA256(token, timestamp + "\n" + body)>`, the
 * timestamp within `maxClockSkewMs`, so a captured request cannot be replayed later), and decision responses are
 * signed the same way so the agent can check they come from this controller.
 *
 * TLS: with `tls` (a PEM certificate and key) the channel serves HTTPS, so the bearer token never crosses the network
 * in clear; `reloadTls` swaps in a renewed certificate without dropping the agent (docs/DEPLOY.md "TLS").
 *
 * Decisions carry a sequence number that only grows, also across controller restarts (it starts at the wall clock
 * in ms), and an expiry: the agent ignores duplicates, older sequence numbers and expired decisions.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface AgentDecision {
  seq: number;
  /** Total executors the driver should run. */
  executors: number;
  issuedAtMs: number;
  expiresAtMs: number;
  reason: string;
}

/**
 * The kind and body of an agent event: the agent's envelope {event, ...} or a raw listener event JSON
 * ({"progress": {...}}, a progress event). A `progress` object is the body whatever the kind; without it the whole
 * object is. Null when neither an event kind nor a progress object is there. Shared by the HTTP and MQTT paths.
 */
export function agentEventOf(body: Record<string, unknown>): { kind: string; body: Record<string, unknown> } | null {
  let kind = typeof body.event === 'string' ? body.event : '';
  let payload: Record<string, unknown> = body;
  if (body.progress && typeof body.progress === 'object') {
    kind = kind || 'progress';
    payload = body.progress as Record<string, unknown>;
  }
  return kind ? { kind, body: payload } : null;
}

/** How far a signed message's timestamp may be from the controller's clock (5 min), on both paths. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 300_000;

/** One event received from the agent. */
export interface AgentEvent {
  /** 'progress' | 'started' | 'idle' | 'terminated' (StreamingQueryListener callbacks, spark-k8s.md 1.7). */
  kind: string;
  receivedAtMs: number;
  /** The StreamingQueryProgress object for 'progress', else the event object. */
  body: Record<string, unknown>;
}

export interface AgentAck {
  seq: number;
  executors: number;
  ok: boolean;
  detail: string;
  receivedAtMs: number;
}

export interface AgentChannelOptions {
  /** Shared secret of the controller and the agent. Required: the channel never runs unauthenticated. */
  token: string;
  port?: number;
  host?: string;
  /** How long a decision stays valid (ms). [assumed] 60 s: six 10 s control intervals. */
  decisionTtlMs?: number;
  /** Longest long-poll the server holds (ms). */
  maxLongPollMs?: number;
  /** Largest accepted difference between the agent's timestamp and ours (ms). */
  maxClockSkewMs?: number;
  /** Events kept until drained. */
  maxBufferedEvents?: number;
  nowMs?: () => number;
  /** Serve HTTPS with this PEM certificate (chain) and private key. */
  tls?: AgentTls;
}

/** A PEM certificate (with its chain) and its private key. */
export interface AgentTls {
  cert: string | Buffer;
  key: string | Buffer;
}

const MAX_BODY_BYTES = 1_048_576;

export function signBody(token: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', token).update(`${timestamp}\n${body}`).digest('hex')}`;
}

/** Constant-time string comparison (tokens, signatures); shared by the HTTP and MQTT paths. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class AgentChannel {
  readonly url: string;
  private seq: number;
  private decision: AgentDecision | null = null;
  private events: AgentEvent[] = [];
  private waiters = new Set<() => void>();
  private progressListeners: Array<(e: AgentEvent) => void> = [];
  private readonly ttlMs: number;
  private readonly maxLongPollMs: number;
  private readonly maxSkewMs: number;
  private readonly maxEvents: number;
  private readonly nowMs: () => number;
  lastAck: AgentAck | null = null;
  /** Requests refused (bad token, bad signature, stale timestamp): visible to tests and /metrics. */
  rejectedRequests = 0;
  droppedEvents = 0;

  private constructor(private readonly server: Server | HttpsServer, private readonly token: string, opts: AgentChannelOptions) {
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`;
    this.ttlMs = opts.decisionTtlMs ?? 60_000;
    this.maxLongPollMs = opts.maxLongPollMs ?? 25_000;
    this.maxSkewMs = opts.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    this.maxEvents = opts.maxBufferedEvents ?? 10_000;
    this.nowMs = opts.nowMs ?? Date.now;
    // Start at the wall clock so a restarted controller's decisions still supersede the old ones at the agent.
    this.seq = Math.floor(this.nowMs());
  }

  static async start(opts: AgentChannelOptions): Promise<AgentChannel> {
    if (typeof opts.token !== 'string' || opts.token.length < 16) {
      throw new Error('AgentChannel: token must be a string of at least 16 characters (set --agent-token or EDGEPILOT_AGENT_TOKEN)');
    }
    let channel: AgentChannel | null = null;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      channel!.handle(req, res).catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        if (status === 401) channel!.rejectedRequests++;
        if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
      });
    };
    let server: Server | HttpsServer;
    if (opts.tls) {
      try {
        server = createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest);
      } catch (err) {
        throw new Error(`AgentChannel: the TLS certificate and key do not load: ${(err as Error).message}`);
      }
    } else {
      server = createServer(onRequest);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    channel = new AgentChannel(server, opts.token, opts);
    return channel;
  }

  /** Publishes the executor count the driver should run; returns the decision (with its new seq). */
  publishDecision(executors: number, reason = ''): AgentDecision {
    if (!Number.isInteger(executors) || executors < 0) throw new Error(`AgentChannel.publishDecision: executors must be an integer >= 0, got ${executors}`);
    const now = this.nowMs();
    this.seq = Math.max(this.seq + 1, Math.floor(now));
    this.decision = { seq: this.seq, executors, issuedAtMs: now, expiresAtMs: now + this.ttlMs, reason };
    for (const wake of this.waiters) wake();
    return { ...this.decision };
  }

  /**
   * Swaps in a renewed certificate and key; connections already open keep the old one. Throws (and keeps serving
   * the old pair) when the new pair does not load, or when the channel serves plain HTTP.
   */
  reloadTls(tls: AgentTls): void {
    if (!('setSecureContext' in this.server)) throw new Error('AgentChannel.reloadTls: this channel serves plain HTTP (started without tls)');
    try {
      this.server.setSecureContext({ cert: tls.cert, key: tls.key });
    } catch (err) {
      throw new Error(`AgentChannel.reloadTls: the new certificate and key do not load, the old ones stay: ${(err as Error).message}`);
    }
  }

  latestDecision(): AgentDecision | null {
    return this.decision ? { ...this.decision } : null;
  }

  /** Events received since the last call, oldest first. */
  drainEvents(): AgentEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  onEvent(listener: (e: AgentEvent) => void): void {
    this.progressListeners.push(listener);
  }

  async close(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') return this.send(res, 200, { ok: true });
    this.checkBearer(req);
    if (req.method === 'POST' && url.pathname === '/spark/progress') {
      const body = await this.readSignedBody(req);
      this.acceptEvent(body);
      return this.send(res, 202, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/spark/applied') {
      const body = await this.readSignedBody(req);
      const seq = Number(body.seq);
      const executors = Number(body.executors);
      if (!Number.isFinite(seq) || !Number.isFinite(executors)) throw new HttpError(400, '/spark/applied: body must have numeric seq and executors');
      this.lastAck = { seq, executors, ok: body.ok === true, detail: String(body.detail ?? ''), receivedAtMs: this.nowMs() };
      return this.send(res, 202, { ok: true });
    }
    if (req.method === 'GET' && url.pathname === '/spark/decisions') {
      const after = Number(url.searchParams.get('after') ?? '0');
      const waitMs = Math.min(this.maxLongPollMs, Math.max(0, Number(url.searchParams.get('waitMs') ?? '0') || 0));
      if (!Number.isFinite(after)) throw new HttpError(400, `/spark/decisions: after must be a number, got '${url.searchParams.get('after')}'`);
      let d = this.freshDecisionAfter(after);
      if (!d && waitMs > 0) {
        await this.waitForDecision(waitMs, req);
        d = this.freshDecisionAfter(after);
      }
      return this.send(res, 200, { decision: d, latestSeq: this.decision?.seq ?? 0, serverTimeMs: this.nowMs() }, true);
    }
    throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
  }

  private freshDecisionAfter(after: number): AgentDecision | null {
    const d = this.decision;
    return d && d.seq > after && d.expiresAtMs > this.nowMs() ? { ...d } : null;
  }

  private waitForDecision(waitMs: number, req: IncomingMessage): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
      req.once('close', done);
    });
  }

  private checkBearer(req: IncomingMessage): void {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !safeEqual(auth.slice(7), this.token)) throw new HttpError(401, 'missing or wrong bearer token');
  }

  private async readSignedBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const ts = String(req.headers['x-edgepilot-timestamp'] ?? '');
    const sig = String(req.headers['x-edgepilot-signature'] ?? '');
    const tsMs = Number(ts);
    if (!ts || !Number.isFinite(tsMs)) throw new HttpError(401, 'missing X-Edgepilot-Timestamp (ms since the epoch)');
    if (Math.abs(this.nowMs() - tsMs) > this.maxSkewMs) throw new HttpError(401, `X-Edgepilot-Timestamp ${ts} is more than ${this.maxSkewMs} ms from the controller's clock`);
    if (!safeEqual(sig, signBody(this.token, ts, body))) throw new HttpError(401, 'bad X-Edgepilot-Signature');
    try {
      const parsed = JSON.parse(body) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      return parsed as Record<string, unknown>;
    } catch (err) {
      throw new HttpError(400, `body is not a JSON object: ${(err as Error).message}`);
    }
  }

  /** Accepts the agent's envelope {event, ...} or a raw listener event JSON ({"progress": {...}}). */
  private acceptEvent(body: Record<string, unknown>): void {
    const parsed = agentEventOf(body);
    if (!parsed) throw new HttpError(400, '/spark/progress: expected {"event": "progress"|"started"|"idle"|"terminated", ...} or {"progress": {...}}');
    const e: AgentEvent = { kind: parsed.kind, receivedAtMs: this.nowMs(), body: parsed.body };
    this.events.push(e);
    if (this.events.length > this.maxEvents) {
      this.events.shift();
      this.droppedEvents++;
    }
    for (const l of this.progressListeners) l(e);
  }

  private send(res: ServerResponse, status: number, body: unknown, signed = false): void {
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signed) {
      const ts = String(Math.floor(this.nowMs()));
      headers['x-edgepilot-timestamp'] = ts;
      headers['x-edgepilot-signature'] = signBody(this.token, ts, text);
    }
    res.writeHead(status, headers);
    res.end(text);
  }
}
