// The one HTTP client every connector uses: JSON in and out, timeouts, a per-account rate limiter that
// stays under the documented limits, obeys Retry-After and X-RateLimit-*, and turns every failure
// into a ProviderError: its message says what happened for the log, refusals.ts words it for the agent.

import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { backoffCeilingMs, type BackoffCurve } from '../domain/backoff';
import { exchange, type RawResponse, type TransportError } from './transport';

export type ProviderErrorKind =
  | 'network'
  | 'timeout'
  | 'auth'
  | 'rate_limit'
  | 'server'
  | 'client'
  | 'not_found'
  | 'malformed'
  /** A send left and its outcome is unknown: it may have reached the customer. Reconcile; never resend blindly. */
  | 'unconfirmed';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    /** The provider's own words from its answer, when it gave any (redacted, bounded); refusals.ts words them. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
  /** Worth retrying later without anyone changing anything. */
  get transient(): boolean {
    return ['network', 'timeout', 'rate_limit', 'server', 'malformed'].includes(this.kind);
  }
  /** The provider could not be reached, or failed on its side: its channel is offline. */
  get unreachable(): boolean {
    return ['network', 'timeout', 'server'].includes(this.kind);
  }
}

/** Hears how each attempt ended: null when the provider answered (whatever it said), else why it could not. */
export type AttemptListener = (failure: ProviderError | null) => void;

export interface RateWindow {
  limit: number;
  windowMs: number;
}

export interface HttpOptions {
  baseUrl: string;
  /** The provider's documented limits, e.g. [{limit: 100, windowMs: 60_000}]. */
  limits: RateWindow[];
  timeoutMs?: number;
  /** Headers that authenticate a request (called per request so tokens can rotate). */
  auth?: () => Promise<Record<string, string>> | Record<string, string>;
  /** Called once on a 401; return true when credentials were refreshed and the request may be retried. */
  refreshAuth?: () => Promise<boolean>;
  /** Provider-specific extraction of a readable error message from an error body. */
  errorMessage?: (body: unknown) => string | undefined;
  /** The limiter this client's requests count against, shared with others calling the same account
   *  (ConnectorContext.rateLimiter); absent: one of its own, with `limits`. */
  limiter?: RateLimiter;
  /** For tests and benchmarks: no client-side limit. */
  unlimited?: boolean;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Skip the auth headers (login endpoints). */
  noAuth?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: RawResponse['headers'];
  body: unknown;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cancelled = () => new ProviderError('network', 'request cancelled');
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** 1 + 2 + 4 + 8 + 16 + 32 s of backoff: a minute's window has passed before a 429 without a hint is given up. */
const UNHINTED_429_TRIES = 6;
const MAX_WAIT_MS = 60_000;
/**
 * Without jitter, and unscaled: the waits must add up to the provider's window, and the limiter's block holds
 * every request of the account anyway, so there is nothing to spread out.
 */
const UNHINTED_429: BackoffCurve = { firstMs: 1_000, maxMs: MAX_WAIT_MS };

/**
 * Who a request is for. The agent's own actions (a reply, its reconciliation, a status push, a flow switch, a
 * broadcast, a credential test) may use an account's whole rate window; sync's reads in the background
 * (backfill, polls, history, catalogs) only SYNC_SHARE of each window, so a reply never waits a minute behind a
 * backfill that spent the window. Carried by the async context, so no connector has to pass it along.
 */
type Priority = 'agent' | 'sync';
const priority = new AsyncLocalStorage<Priority>();

/** Runs `fn` (and everything it starts) as the agent's own action: its requests go before sync's. */
export function asAgentAction<T>(fn: () => Promise<T>): Promise<T> {
  return priority.run('agent', fn);
}

/** Runs `fn` (and everything it starts) as background sync: its requests leave the agent a share of each window. */
export function asSync<T>(fn: () => Promise<T>): Promise<T> {
  return priority.run('sync', fn);
}

/** Requests outside both (a credential test, marking read at the provider) are someone waiting: the agent's. */
const currentPriority = (): Priority => priority.getStore() ?? 'agent';

/** Share of each documented window sync may spend; the rest stays for the agent's actions. */
const SYNC_SHARE = 0.8;

/** What sync may spend of a window of `limit` requests: at least one, and at least one left for the agent. */
function syncLimit(limit: number): number {
  if (limit <= 1) return limit;
  return Math.max(1, Math.min(limit - 1, Math.floor(limit * SYNC_SHARE)));
}

/** Sliding-window limiter: waits until a request fits every documented window. */
/**
 * Our stamp is taken just before a request leaves; the provider counts it when it arrives. Requests spend a
 * few milliseconds (more on a busy machine) in between, not always the same: a little slack on each window
 * keeps the provider's count at the limit, not one over it.
 */
const WINDOW_SLACK_MS = 250;

export class RateLimiter {
  private stamps: number[] = [];
  private blockedUntil = 0;
  sent = 0;

  /** How far back a stamp can still count, slack included. */
  private readonly longest: number;

  constructor(
    private readonly windows: RateWindow[],
    private readonly now: () => number = Date.now,
  ) {
    this.longest = Math.max(0, ...windows.map((w) => w.windowMs + WINDOW_SLACK_MS));
  }

  /**
   * Milliseconds to wait before the next request of this priority may go out (0: now). Every request counts
   * against every window whoever made it; sync's stop at their share, so the agent's always find room first.
   */
  delay(p: Priority = currentPriority()): number {
    const now = this.now();
    let wait = Math.max(0, this.blockedUntil - now);
    while (this.stamps.length && this.stamps[0] <= now - this.longest) this.stamps.shift();
    for (const w of this.windows) {
      const limit = p === 'agent' ? w.limit : syncLimit(w.limit);
      const span = w.windowMs + WINDOW_SLACK_MS;
      const inWindow = this.stamps.filter((t) => t > now - span);
      if (inWindow.length >= limit) wait = Math.max(wait, inWindow[inWindow.length - limit] + span - now);
    }
    return wait;
  }

  async take(signal?: AbortSignal): Promise<void> {
    const p = currentPriority();
    for (let d = this.delay(p); d > 0; d = this.delay(p)) await sleep(Math.min(d, MAX_WAIT_MS), signal);
    this.stamps.push(this.now());
    this.sent++;
  }

  /** Sustained requests per second the documented windows allow (Infinity when unlimited). */
  get ratePerSecond(): number {
    return Math.min(Infinity, ...this.windows.map((w) => (w.limit * 1000) / w.windowMs));
  }

  /** The provider said: nothing before `ms` from now. */
  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  /**
   * What the provider still counts (requests inside a window, a pause it asked for), as text to keep: after a
   * restart a fresh limiter would otherwise spend the whole window's budget again at once, and get 429s.
   */
  memory(): string {
    const since = this.now() - this.longest;
    return JSON.stringify({ stamps: this.stamps.filter((t) => t > since), blockedUntil: this.blockedUntil });
  }

  /** Takes back what memory() kept (anything unreadable is ignored: the provider's 429s still guide us). */
  recall(text: string | null): void {
    try {
      const m = JSON.parse(text ?? '') as { stamps?: unknown; blockedUntil?: unknown };
      const now = this.now();
      const stamps = Array.isArray(m.stamps)
        ? m.stamps.filter((t): t is number => typeof t === 'number' && t <= now)
        : [];
      this.stamps = union(this.stamps, stamps);
      if (typeof m.blockedUntil === 'number') this.blockedUntil = Math.max(this.blockedUntil, m.blockedUntil);
    } catch {
      // nothing kept, or not ours
    }
  }
}

/**
 * The stamps of both lists, in order, each as often as the list holding it more often has it: a limiter shared
 * by the connectors of one account takes back its own memory when a channel restarts, and must not count the
 * requests it still holds twice.
 */
function union(held: number[], recalled: number[]): number[] {
  const left = new Map<number, number>();
  for (const t of held) left.set(t, (left.get(t) ?? 0) + 1);
  const extra = recalled.filter((t) => {
    const n = left.get(t) ?? 0;
    left.set(t, n - 1);
    return n <= 0;
  });
  return [...held, ...extra].sort((a, b) => a - b);
}

/** A provider may ask for a pause, not for its channel to stop for good: longer asks count as an hour. */
const MAX_RETRY_AFTER_MS = 3_600_000;

function retryAfterMs(h: HttpResponse['headers']): number | undefined {
  const asked = askedWaitMs(h);
  return asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_MS);
}

function askedWaitMs(h: HttpResponse['headers']): number | undefined {
  const ra = h.get('retry-after');
  if (ra) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  const remaining = h.get('x-ratelimit-remaining');
  const reset = h.get('x-ratelimit-reset');
  if (remaining === '0' && reset) {
    const n = Number(reset);
    // Reset is either epoch seconds or seconds from now; both appear in the wild.
    if (Number.isFinite(n)) return Math.max(0, n > 1e9 ? n * 1000 - Date.now() : n * 1000);
  }
  return undefined;
}

export function defaultErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 200) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const k of ['message', 'detail', 'error']) {
    const v = b[k];
    if (typeof v === 'string' && v) return v;
    if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).message === 'string')
      return (v as Record<string, string>).message;
  }
  return undefined;
}

const MAX_ERROR_TEXT = 500;
const MAX_RESPONSE_BYTES = 20_000_000;

function transportFailure(e: TransportError, what: string, timeoutMs: number): ProviderError {
  switch (e.reason) {
    case 'timeout':
      return new ProviderError('timeout', `${what}: no answer within ${timeoutMs / 1000} s`);
    case 'cancelled':
      return new ProviderError('network', `${what}: request cancelled`);
    case 'too_large':
      return new ProviderError('malformed', `${what}: response too large`);
    case 'dropped':
      return new ProviderError('network', `${what}: connection dropped while reading`);
    default:
      return new ProviderError('network', `${what}: cannot reach the provider (${e.detail ?? e.message})`);
  }
}
/** Shorter values (e.g. a username) are too common to stand for a credential. */
const MIN_SECRET_LENGTH = 6;

/** What a request carried that must never be repeated: auth header values, and a login request's body fields. */
function secretsSent(auth: Record<string, string>, o: RequestOptions): string[] {
  const values = Object.values(auth).flatMap((v) => [v, v.replace(/^\w+\s+/, '')]);
  if (o.noAuth) {
    const fields = o.json && typeof o.json === 'object' ? Object.values(o.json) : [];
    values.push(...fields.filter((v): v is string => typeof v === 'string'), ...Object.values(o.form ?? {}));
  }
  return values.filter((v) => v.length >= MIN_SECRET_LENGTH);
}

const redact = (text: string, secrets: string[]) =>
  secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);

function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'server';
  return 'client';
}

export class ProviderHttp {
  readonly limiter: RateLimiter;
  private readonly opts: HttpOptions;
  private readonly closed = new AbortController();
  private readonly attemptListeners = new Set<AttemptListener>();

  constructor(opts: HttpOptions) {
    this.opts = opts;
    this.limiter = opts.unlimited ? new RateLimiter([]) : (opts.limiter ?? new RateLimiter(opts.limits));
    // Every request waiting or in flight listens for close(), and each stops listening when it ends: many at
    // once (a backfill's parallel reads, the outbox) is normal, not a leak.
    setMaxListeners(0, this.closed.signal);
  }

  get baseUrl(): string {
    return this.opts.baseUrl.replace(/\/+$/, '');
  }

  url(path: string, query?: RequestOptions['query']): URL {
    const u = new URL(this.baseUrl + (path.startsWith('/') ? path : '/' + path));
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** Cancel every request still waiting or in flight (the connector is closing). */
  close(): void {
    this.closed.abort();
  }

  /**
   * Tells `listener` how every attempt of this client ends, the moment it ends: one call may wait and retry for
   * a long time, and a channel's health must not wait for it. Answers the function that stops listening.
   */
  onAttempt(listener: AttemptListener): () => void {
    this.attemptListeners.add(listener);
    return () => this.attemptListeners.delete(listener);
  }

  private reportAttempt(failure: ProviderError | null, signal: AbortSignal): void {
    if (signal.aborted) return; // cancelled here, not the provider's doing
    for (const listener of this.attemptListeners) listener(failure);
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const o = {
      ...opts,
      signal: opts.signal ? AbortSignal.any([opts.signal, this.closed.signal]) : this.closed.signal,
    };
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      // Credentials first (a login or token refresh may take a while): the limiter's stamp must stay close to
      // the moment the provider sees the request, or its window and ours drift apart and it answers 429.
      const auth = !o.noAuth && this.opts.auth ? await this.opts.auth() : {};
      await this.limiter.take(o.signal);
      const { secrets, ...res } = await this.attempt(method, path, o, auth);
      if (res.status === 429) {
        const hint = retryAfterMs(res.headers);
        const wait = hint ?? backoffCeilingMs(attempt, UNHINTED_429);
        this.limiter.block(wait);
        // Without a hint (documents that promise no header), keep backing off until about a minute, the
        // shortest window any of them documents, has passed: the provider counted more than we did.
        if (attempt < (hint === undefined ? UNHINTED_429_TRIES : 3) && wait <= MAX_WAIT_MS) continue;
        throw new ProviderError(
          'rate_limit',
          `rate limited by the provider (retry in ${Math.ceil(wait / 1000)} s)`,
          429,
          wait,
        );
      }
      const wait = retryAfterMs(res.headers);
      if (wait !== undefined && res.headers.get('x-ratelimit-remaining') === '0') this.limiter.block(wait);
      if (res.status === 401 && !o.noAuth && !refreshed && this.opts.refreshAuth) {
        refreshed = true;
        if (await this.opts.refreshAuth()) continue;
      }
      if (res.status >= 400) throw this.failure(method, path, res, secrets);
      return res;
    }
  }

  /** The error an answer of 400 or more stands for. */
  private failure(method: string, path: string, res: HttpResponse, secrets: string[]): ProviderError {
    const said = (this.opts.errorMessage ?? defaultErrorMessage)(res.body);
    // Error text ends up in logs and, worded by refusals.ts, in the UI: bounded, and without the credentials a
    // provider may echo. The message (with the request line) is for the log.
    const reason = said === undefined ? undefined : redact(said.slice(0, MAX_ERROR_TEXT), secrets);
    return new ProviderError(
      kindForStatus(res.status),
      `${method} ${path}: ${res.status} ${reason ?? `HTTP ${res.status}`}`,
      res.status,
      retryAfterMs(res.headers),
      reason,
    );
  }

  /** One exchange, reported to the attempt listeners (a 5xx answer as the failure it is). */
  private async attempt(
    method: string,
    path: string,
    o: RequestOptions & { signal: AbortSignal },
    auth: Record<string, string>,
  ): Promise<HttpResponse & { secrets: string[] }> {
    let res: HttpResponse & { secrets: string[] };
    try {
      res = await this.once(method, path, o, auth);
    } catch (e) {
      const err = e as ProviderError;
      this.reportAttempt(err.unreachable ? err : null, o.signal);
      throw e;
    }
    this.reportAttempt(res.status >= 500 ? this.failure(method, path, res, res.secrets) : null, o.signal);
    return res;
  }

  async json<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    return (await this.request(method, path, o)).body as T;
  }

  private async once(
    method: string,
    path: string,
    o: RequestOptions & { signal: AbortSignal },
    auth: Record<string, string>,
  ): Promise<HttpResponse & { secrets: string[] }> {
    const headers: Record<string, string> = { accept: 'application/json', ...(o.headers ?? {}), ...auth };
    let body: string | undefined;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.json);
    } else if (o.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(o.form).toString();
    }
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    let res: RawResponse;
    try {
      res = await exchange(this.url(path, o.query), {
        method,
        headers,
        body,
        signal: o.signal,
        timeoutMs,
        maxBytes: MAX_RESPONSE_BYTES,
      });
    } catch (e) {
      throw transportFailure(e as TransportError, `${method} ${path}`, timeoutMs);
    }
    if (res.status >= 300 && res.status < 400) {
      // The address is shown to the agent: bounded, and without a credential a provider might have put in it.
      const to = redact(
        (res.headers.get('location') ?? 'another address').slice(0, MAX_ERROR_TEXT),
        secretsSent(auth, o),
      );
      throw new ProviderError(
        'client',
        `${method} ${path}: the provider redirects to ${to}; check the channel's base URL`,
        res.status,
      );
    }
    const text = res.text;
    let parsed: unknown = text;
    const type = res.headers.get('content-type') ?? '';
    if (text && (type.includes('json') || /^\s*[[{]/.test(text))) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.status < 400)
          throw new ProviderError(
            'malformed',
            `${method} ${path}: the provider sent malformed JSON`,
            res.status,
          );
      }
    } else if (!text) parsed = null;
    return { status: res.status, headers: res.headers, body: parsed, secrets: secretsSent(auth, o) };
  }
}

/** `fn` over `items` with at most `limit` calls in flight (a connector's reads side by side), results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
