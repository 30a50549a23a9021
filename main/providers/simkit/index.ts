// The shared machinery under the five provider simulators: one loopback HTTP server per provider,
// request parsing, the provider's documented rate limits, switchable faults, the sent-message log, and
// webhook delivery. Each provider's simulator.ts supplies only what its document specifies.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Credentials, ProviderId } from '../../domain/entities';

export interface SimRequest {
  method: string;
  /** Path below the provider's basePath, e.g. '/subscribers' for ChatPion's '/api/subscribers' when basePath is '/api'. */
  path: string;
  /** The full request path, for providers whose documents mix roots. */
  fullPath: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON or form body; undefined when empty. `invalidBody` is true when it could not be parsed. */
  body: unknown;
  invalidBody: boolean;
  rawBody: Buffer;
}

export interface SimReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this text as-is instead of JSON. */
  text?: string;
}

export interface SentEntry {
  to: string;
  text: string;
  at: string;
}

export interface InboundInput {
  contact?: { name?: string; handle?: string; id?: string };
  text: string;
}

export interface RateRule {
  limit: number;
  windowMs: number;
  /** Which requests count (default: all). */
  applies?: (req: SimRequest) => boolean;
}

export interface ProviderSim {
  readonly provider: ProviderId;
  /** Prefix of the documented base URL below the server origin: '' or '/api' or '/api/v1'. */
  readonly basePath: string;
  /** Credentials in the shape POST /api/v1/channels takes. */
  credentials(): Credentials;
  /** Documented limits, enforced by the kit with 429 and the provider's headers. Keyed per caller. */
  readonly rateRules: RateRule[];
  /**
   * The rate-limit headers the document promises: 'x-ratelimit' adds X-RateLimit-Limit/Remaining/Reset to
   * every answer, 'retry-after' a Retry-After on a 429, 'none' nothing. Outside strict mode every 429 has a
   * Retry-After.
   */
  readonly rateHeaders: 'x-ratelimit' | 'retry-after' | 'none';
  /** Strict mode (DESIGN.md): only what the document shows; where it is silent, the least helpful reading. */
  readonly strict?: boolean;
  /** The caller's identity for rate limiting (an API key or token); null for unauthenticated requests. */
  callerKey(req: SimRequest): string | null;
  /** Answer one request of the documented API (below basePath). */
  handle(req: SimRequest): Promise<SimReply> | SimReply;
  /** The provider's own error envelope. */
  error(status: number, message: string): SimReply;
  /** Called once with the kit: keep it to record sent messages (kit.recordSent), deliver webhooks and
   *  attach realtime servers (socket.io / WebSocket) to kit.server. */
  init(kit: SimKit): void;
  /** Drop realtime clients (the provider went down). */
  dropRealtime?(): void;
  /** A customer writes in; answers the provider's own ids. */
  inbound(input: InboundInput): { conversationId: string; messageId: string };
  /** Invalidate all issued tokens (fault: expiring tokens). */
  expireTokens?(): void;
  /** Fresh state. */
  reset(): void;
  close?(): Promise<void> | void;
}

export interface Faults {
  down: boolean;
  latencyMs: number;
  errorRate: number;
  /** true: every request answered 429 (a storm); a number: that many requests per minute. */
  rateLimit: boolean | number;
  /** Fraction of successful JSON answers sent truncated. */
  malformed: number;
  /** Access tokens expire after this many seconds (providers with expiring tokens). */
  tokenTtlSec?: number;
  /** Requests are taken in and never answered nor acted on, as if lost on the way: the caller times out. */
  unanswered?: boolean;
}

export const NO_FAULTS: Faults = { down: false, latencyMs: 0, errorRate: 0, rateLimit: false, malformed: 0 };

interface LimitInfo {
  limit: number;
  remaining: number;
  resetSec: number;
  retryAfterSec: number | null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps one ProviderSim in its HTTP server and applies faults and limits around it. */
export class SimKit {
  readonly server: http.Server;
  faults: Faults = { ...NO_FAULTS };
  sent: SentEntry[] = [];
  /** Requests that reached the documented API, and how many of them were refused with 429 (measurements). */
  served = 0;
  refused429 = 0;
  /** Requests let through, per documented rate rule (by index in `sim.rateRules`). */
  readonly acceptedPerRule: number[] = [];
  private windows = new Map<string, number[]>();
  private sockets = new Set<Duplex>();
  private upgradeHandlers: ((req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean)[] = [];

  constructor(readonly sim: ProviderSim) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    sim.init(this);
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get baseUrl(): string {
    return this.origin + this.sim.basePath;
  }

  /** Record an agent's message as the provider received it (GET /_sim/{provider}/sent). */
  recordSent(to: string, text: string): void {
    this.sent.push({ to, text, at: new Date().toISOString() });
  }

  /** Retry-After on a 429, unless strict and the document does not promise one. */
  private retryAfter(seconds: number): Record<string, string> {
    return this.sim.strict && this.sim.rateHeaders !== 'retry-after'
      ? {}
      : { 'retry-after': String(seconds) };
  }

  setFaults(f: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...f };
    if (this.faults.down) this.sim.dropRealtime?.();
    return this.faults;
  }

  /** True when an upgrade (WebSocket) may proceed; refuses while down. */
  allowUpgrade(socket: Duplex): boolean {
    if (!this.faults.down) return true;
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
    return false;
  }

  reset(): void {
    this.sent = [];
    this.windows.clear();
    this.faults = { ...NO_FAULTS };
    this.sim.reset();
  }

  async close(): Promise<void> {
    await this.sim.close?.();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** POST a JSON webhook to a receiver (errors are the receiver's problem, as with a real provider). */
  async deliverWebhook(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<number> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof payload === 'string' ? payload : JSON.stringify(payload),
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Applies the documented (or fault-overridden) limits to one request: the tightest window's figures. */
  private overLimit(req: SimRequest): LimitInfo | null {
    const key = this.sim.callerKey(req);
    if (key === null) return null;
    const fault = typeof this.faults.rateLimit === 'number';
    const rules: RateRule[] = fault
      ? [{ limit: this.faults.rateLimit as number, windowMs: 60_000 }]
      : this.sim.rateRules;
    const now = Date.now();
    const applicable = rules
      .map((rule, i) => ({ rule, i, k: fault ? `fault:${key}` : `${i}:${key}` }))
      .filter(({ rule }) => !rule.applies || rule.applies(req))
      .map(({ rule, i, k }) => {
        const stamps = (this.windows.get(k) ?? []).filter((t) => t > now - rule.windowMs);
        this.windows.set(k, stamps);
        return { rule, i, stamps };
      });
    if (!applicable.length) return null;
    const blocked = applicable.filter(({ rule, stamps }) => stamps.length >= rule.limit);
    if (blocked.length) {
      const waits = blocked.map(
        ({ rule, stamps }) => stamps[stamps.length - rule.limit] + rule.windowMs - now,
      );
      const wait = Math.max(...waits);
      const { rule } = blocked[0];
      return {
        limit: rule.limit,
        remaining: 0,
        resetSec: Math.ceil((now + wait) / 1000),
        retryAfterSec: Math.max(1, Math.ceil(wait / 1000)),
      };
    }
    for (const a of applicable) {
      a.stamps.push(now);
      if (!fault) this.acceptedPerRule[a.i] = (this.acceptedPerRule[a.i] ?? 0) + 1;
    }
    const tightest = applicable.reduce((a, b) =>
      b.rule.limit - b.stamps.length < a.rule.limit - a.stamps.length ? b : a,
    );
    return {
      limit: tightest.rule.limit,
      remaining: tightest.rule.limit - tightest.stamps.length,
      resetSec: Math.ceil((tightest.stamps[0] + tightest.rule.windowMs) / 1000),
      retryAfterSec: null,
    };
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const f = this.faults;
    if (f.down) {
      res.setHeader('connection', 'close');
      this.write(res, this.sim.error(503, 'Service Unavailable'));
      return;
    }
    if (f.unanswered) return;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 5_000_000) {
        this.write(res, this.sim.error(413, 'Request body too large'));
        return;
      }
      chunks.push(c as Buffer);
    }
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://sim');
    let body: unknown;
    let invalidBody = false;
    if (rawBody.length) {
      const type = req.headers['content-type'] ?? '';
      try {
        body = type.includes('application/x-www-form-urlencoded')
          ? Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')))
          : JSON.parse(rawBody.toString('utf8'));
      } catch {
        invalidBody = true;
      }
    }
    const base = this.sim.basePath;
    const inBase = url.pathname === base || url.pathname.startsWith(base + '/');
    const sreq: SimRequest = {
      method: req.method ?? 'GET',
      path: inBase ? url.pathname.slice(base.length) || '/' : url.pathname,
      fullPath: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      invalidBody,
      rawBody,
    };
    this.served++;
    if (f.rateLimit === true) {
      this.write(res, { ...this.sim.error(429, 'Too many requests'), headers: this.retryAfter(1) });
      return;
    }
    if (f.errorRate > 0 && Math.random() < f.errorRate) {
      this.write(res, this.sim.error(500, 'Internal server error'));
      return;
    }
    const limit = this.overLimit(sreq);
    const limitHeaders: Record<string, string> =
      limit && this.sim.rateHeaders === 'x-ratelimit'
        ? {
            'x-ratelimit-limit': String(limit.limit),
            'x-ratelimit-remaining': String(limit.remaining),
            'x-ratelimit-reset': String(limit.resetSec),
          }
        : {};
    if (limit?.retryAfterSec != null) {
      this.refused429++;
      const reply = this.sim.error(429, 'Too many requests');
      this.write(res, {
        ...reply,
        headers: { ...reply.headers, ...limitHeaders, ...this.retryAfter(limit.retryAfterSec) },
      });
      return;
    }
    let reply: SimReply;
    try {
      reply = await this.sim.handle(sreq);
    } catch (e) {
      reply = this.sim.error(500, `simulator error: ${(e as Error).message}`);
    }
    reply = { ...reply, headers: { ...limitHeaders, ...reply.headers } };
    if (f.malformed > 0 && reply.status < 300 && reply.text === undefined && Math.random() < f.malformed) {
      const json = JSON.stringify(reply.body ?? {});
      reply = {
        ...reply,
        text: json.slice(0, Math.max(1, Math.floor(json.length / 2))),
        headers: { ...reply.headers, 'content-type': 'application/json' },
      };
    }
    this.write(res, reply);
  }

  private write(res: http.ServerResponse, reply: SimReply): void {
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    if (reply.text !== undefined) {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      res.writeHead(reply.status, headers);
      res.end(reply.text);
      return;
    }
    if (reply.body === undefined || reply.status === 204) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(reply.status, headers);
    res.end(JSON.stringify(reply.body));
  }
}

/** Helpers for handlers. */
export const ok = (body: unknown, status = 200): SimReply => ({ status, body });

/** Simple path matching: match('/rooms/:id/join', '/rooms/42/join') → {id: '42'}. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const a = path.split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        out[p[i].slice(1)] = decodeURIComponent(a[i]);
      } catch {
        return null; // a malformed escape cannot name anything
      }
    } else if (p[i] !== a[i]) return null;
  }
  return out;
}

export function bearer(req: SimRequest): string | null {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

/** Page numbers from a query string, clamped; `max` is the documented maximum page size. */
export function paging(
  q: URLSearchParams,
  sizeKey: string,
  defSize: number,
  max: number,
): { page: number; size: number } {
  const page = Math.max(1, Math.floor(Number(q.get('page') ?? 1)) || 1);
  const size = Math.min(max, Math.max(1, Math.floor(Number(q.get(sizeKey) ?? defSize)) || defSize));
  return { page, size };
}
