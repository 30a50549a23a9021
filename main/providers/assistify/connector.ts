// Assistify connector (providers/assistify.md): Bearer token, DRF-style lists, and one chat WebSocket per
// conversation, which is both the realtime feed and the only documented way for an agent to write.
//
// Request budget: the doc allows 100 requests a minute and 1000 an hour per user. Live messages and sends go
// over WebSockets, so HTTP is left for backfill and reconciliation: poll costs one request (GET /messages/
// since the cursor) every 4.5 s = 800/hour, plus one conversation list on every 20th round (40/hour) and when
// a message names a conversation we have not seen, leaving about 150/hour for backfill and findSent. 4.5 s
// also keeps a new customer's first message (a new conversation, which no socket watches yet) under 5 s.
import { mapLimit, ProviderError, ProviderHttp, type RequestOptions } from '../http';
import { isObj, str, type Json } from '../parse';
import { sentSince } from '../sent';
import type { Capabilities } from '../../contract/schemas';
import type {
  ConnectorFactory,
  ConnectorContext,
  ConversationRef,
  ProviderConnector,
  RealtimeHandlers,
  RemoteConversation,
  RemoteMessage,
  SentMessage,
  SyncBatch,
} from '../types';
import { ChatSockets } from './realtime';
import { MAX_TEXT, isCustomer, readList, senderOf, toConversation, toMessage, type Page } from './wire';

const LIMITS = [
  { limit: 100, windowMs: 60_000 },
  { limit: 1000, windowMs: 3_600_000 },
];
const DAY_MS = 24 * 3600_000;
const BACKFILL_PAGE_SIZE = 20;
const BACKFILL_MAX_PAGES = 25;
const BACKFILL_DAYS = 30;
const POLL_PAGE_SIZE = 100;
const POLL_MAX_PAGES = 10;
/** Poll re-reads this much before its cursor, for messages committed a little out of order. */
const OVERLAP_MS = 5_000;
const REFRESH_EVERY_ROUNDS = 20;
const NEWEST_CONVERSATIONS = 50;
const WATCHED_CONVERSATIONS = 20;
const OPEN_TIMEOUT_MS = 10_000;
const ECHO_TIMEOUT_MS = 5_000;
const MAX_HISTORY_PAGES = 20;

interface BackfillCursor {
  page: number;
  startedAt: number;
}

interface PollCursor {
  /** Newest created_at seen (ms). */
  since: number;
  /** [externalId, createdAt ms] of messages already returned within OVERLAP_MS of `since`. */
  recent: [string, number][];
  /** Next page of the current round (rounds of more than POLL_MAX_PAGES pages span several calls). */
  page: number;
  /** Newest created_at seen so far in the current round. */
  max: number;
  round: number;
}

interface EchoWaiter {
  conversationId: string;
  text: string;
  resolve(m: RemoteMessage | null): void;
  reject(e: Error): void;
}

const t = (iso: string) => Date.parse(iso);
const isSome = <T>(x: T | null): x is T => x !== null;

function parseJson(s: string | null): Json | null {
  if (!s) return null;
  try {
    const v: unknown = JSON.parse(s);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

class AssistifyConnector implements ProviderConnector {
  readonly provider = 'assistify' as const;
  readonly capabilities: Capabilities = {
    realtime: 'websocket',
    broadcast: 'fanout',
    flows: 'none',
    flowTest: false,
    templates: false,
    markRead: false,
    unavailable: {
      flows: 'Assistify has no chatbot flow API',
      flowTest: 'Assistify has no chatbot flow API',
      templates: 'Assistify has no canned replies or templates in its API',
      markRead: 'Assistify has no read receipts in its API',
      newConversationsLive:
        'Assistify’s WebSocket is opened per conversation (ws/chat/{id}/), so a new customer’s first message is found by polling, every 4.5 s (its limit is 1,000 requests an hour); later messages arrive live',
    },
  };
  readonly pollIntervalMs = { live: 4_500, fallback: 4_500 };
  readonly http: ProviderHttp;
  private readonly token: string;
  private readonly sockets: ChatSockets;
  /** Conversations seen so far, with the latest activity we know of. */
  private readonly known = new Map<string, RemoteConversation>();
  private readonly sendQueues = new Map<string, Promise<unknown>>();
  private echoes: EchoWaiter[] = [];
  private handlers: RealtimeHandlers | null = null;
  private backfillStartedAt: number | null = null;

  constructor(ctx: ConnectorContext) {
    this.token = 'token' in ctx.credentials ? ctx.credentials.token : '';
    this.http = new ProviderHttp({
      baseUrl: ctx.baseUrl,
      limits: LIMITS,
      limiter: ctx.rateLimiter?.('api', LIMITS),
      unlimited: ctx.unlimited,
      auth: () => ({ authorization: `Bearer ${this.token}` }),
    });
    const base = new URL(ctx.baseUrl);
    this.sockets = new ChatSockets(
      `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}`,
      this.token,
      {
        frame: (conversationId, data) => this.onFrame(conversationId, data),
        // The engine reconciles (polls) whenever the link comes back up.
        state: (state, reason) => this.handlers?.onState(state, reason),
      },
      WATCHED_CONVERSATIONS,
    );
  }

  async authenticate(): Promise<void> {
    if (!this.token) throw new ProviderError('auth', 'Assistify needs an API token');
    try {
      await this.listPage('/conversations/', {}, 1, 1);
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'auth')
        throw new ProviderError('auth', `Assistify rejected the API token (${e.message})`, e.status);
      throw e;
    }
  }

  /** One page of conversations (newest first) with their whole histories. */
  async backfill(cursor: string | null): Promise<SyncBatch> {
    const c = this.readBackfillCursor(cursor);
    this.backfillStartedAt ??= c.startedAt;
    const page = await this.listPage(
      '/conversations/',
      { ordering: '-created_at' },
      c.page,
      BACKFILL_PAGE_SIZE,
    );
    const found = page.items.map(toConversation).filter(isSome);
    const messages = (await mapLimit(found, 4, (conv) => this.history(conv.externalId))).flat();
    found.forEach((conv) => this.remember(conv));
    messages.forEach((m) => this.bump(m));
    const conversations = found.map((conv) => this.known.get(conv.externalId)!);
    const cutoff = c.startedAt - BACKFILL_DAYS * DAY_MS;
    const pastWindow =
      conversations.length > 0 && conversations.every((conv) => t(conv.lastActivityAt) < cutoff);
    this.watchMostActive();
    return {
      conversations,
      messages,
      cursor: JSON.stringify({ page: c.page + 1, startedAt: c.startedAt }),
      done: !page.hasMore || c.page >= BACKFILL_MAX_PAGES || pastWindow,
    };
  }

  /** Every message created since the cursor, in all conversations, whatever order the server lists them in. */
  async poll(cursor: string | null): Promise<SyncBatch> {
    const c = this.readPollCursor(cursor);
    const from = c.since - OVERLAP_MS;
    const returned = new Set(c.recent.map(([key]) => key));
    const fresh = new Map<string, RemoteMessage>();
    let page = c.page;
    let more = true;
    for (let n = 0; more && n < POLL_MAX_PAGES; n++) {
      const query = { created_at__gte: new Date(from).toISOString(), ordering: 'created_at' };
      const p = await this.listPage('/messages/', query, page++, POLL_PAGE_SIZE);
      for (const m of p.items.map((raw) => toMessage(raw))) {
        // The server's date filter is trusted only as far as we can check it.
        if (m && !returned.has(m.externalId) && t(m.createdAt) >= from) fresh.set(m.externalId, m);
      }
      more = p.hasMore;
    }
    const messages = [...fresh.values()];
    const max = Math.max(c.max, ...messages.map((m) => t(m.createdAt)));
    const conversations = await this.conversationsOf(
      messages,
      c.page === 1 && c.round % REFRESH_EVERY_ROUNDS === 0,
    );
    this.watchMostActive();
    if (more) return { conversations, messages, cursor: JSON.stringify({ ...c, page, max }), done: false };
    const since = Math.max(c.since, max);
    const recent = [...c.recent, ...messages.map((m): [string, number] => [m.externalId, t(m.createdAt)])]
      .filter(([, at]) => at >= since - OVERLAP_MS)
      .slice(-1000);
    const next: PollCursor = { since, recent, page: 1, max: since, round: c.round + 1 };
    return { conversations, messages, cursor: JSON.stringify(next), done: true };
  }

  /**
   * Over the conversation's WebSocket (the doc's only way for an agent to write), confirmed by the echo.
   * Assistify has no idempotency key: after a crash the outbox asks findSent before sending again.
   */
  send(conv: ConversationRef, text: string): Promise<SentMessage> {
    const id = conv.externalId;
    return this.serially(id, async () => {
      const startedAt = new Date().toISOString();
      const ws = await this.sockets.open(id, OPEN_TIMEOUT_MS);
      const echo = this.awaitEcho(id, text);
      ws.send(JSON.stringify({ message: text }), (err) => {
        const error = err && new ProviderError('network', `Assistify chat socket: ${err.message}`);
        if (error) this.settleEcho(id, { error });
      });
      const echoed = await echo;
      if (echoed) {
        this.bump(echoed);
        return { externalId: echoed.externalId, createdAt: echoed.createdAt, status: 'sent' };
      }
      // The echo did not come or carried no id: the conversation's history tells (the newest copy since this
      // send started is this one: sends to a conversation go one at a time).
      const found = (await this.findSent(conv, text, startedAt)).at(-1);
      if (!found)
        throw new ProviderError('timeout', `Assistify did not confirm the message to conversation ${id}`);
      return found;
    });
  }

  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    return sentSince(await this.history(conv.externalId), text, t(sinceIso));
  }

  async subscribe(handlers: RealtimeHandlers): Promise<() => void> {
    this.handlers = handlers;
    this.sockets.restate();
    try {
      if (!this.known.size) await this.refreshNewest();
      this.watchMostActive();
    } catch (e) {
      // The next poll fills the conversation list and opens the sockets.
      handlers.onState('down', `Assistify: ${(e as Error).message}`);
    }
    return () => {
      this.handlers = null;
      this.sockets.watch([]);
    };
  }

  async close(): Promise<void> {
    this.handlers = null;
    this.sockets.close();
    for (const w of this.echoes) w.reject(new ProviderError('network', 'connector closed'));
    this.echoes = [];
  }

  // --- HTTP reads -----------------------------------------------------------------------------------

  /** One page of a list, whether the server pages it (DRF) or answers the whole list as an array. */
  private async listPage(
    path: string,
    query: RequestOptions['query'],
    page: number,
    size: number,
  ): Promise<Page> {
    let body: unknown;
    try {
      body = await this.http.json('GET', path, { query: { ...query, page, page_size: size } });
    } catch (e) {
      // DRF answers 404 "Invalid page." past the last page, e.g. when the list shrank meanwhile.
      if (page > 1 && e instanceof ProviderError && e.kind === 'not_found')
        return { items: [], hasMore: false };
      throw e;
    }
    if (Array.isArray(body))
      return { items: body.slice((page - 1) * size, page * size), hasMore: body.length > page * size };
    return readList(body, `GET ${path}`);
  }

  /** A conversation's whole history (a plain array in the doc; followed page by page if paginated). */
  private async history(conversationId: string): Promise<RemoteMessage[]> {
    const out: RemoteMessage[] = [];
    for (let page = 1; page <= MAX_HISTORY_PAGES; page++) {
      const query = { conversation_id: conversationId, page: page > 1 ? page : undefined };
      const body = await this.http.json('GET', '/messages/get_conversation_messages/', { query });
      const list = readList(body, 'GET /messages/get_conversation_messages/');
      out.push(...list.items.map((raw) => toMessage(raw, conversationId)).filter(isSome));
      if (!list.hasMore) break;
    }
    return out;
  }

  private async refreshNewest(): Promise<RemoteConversation[]> {
    const page = await this.listPage('/conversations/', { ordering: '-created_at' }, 1, NEWEST_CONVERSATIONS);
    return page.items
      .map(toConversation)
      .filter(isSome)
      .filter((conv) => this.remember(conv))
      .map((conv) => this.known.get(conv.externalId)!);
  }

  private async fetchConversation(id: string): Promise<RemoteConversation | null> {
    try {
      return toConversation(await this.http.json('GET', `/conversations/${encodeURIComponent(id)}/`));
    } catch (e) {
      if (e instanceof ProviderError && (e.kind === 'not_found' || e.kind === 'client')) return null;
      throw e;
    }
  }

  /**
   * The conversations a poll must report: new ones and status changes (from the newest list, on refresh
   * rounds and whenever a message names an unknown conversation) and those whose activity moved.
   */
  private async conversationsOf(messages: RemoteMessage[], refresh: boolean): Promise<RemoteConversation[]> {
    const changed = new Map<string, RemoteConversation>();
    const unknown = () =>
      [...new Set(messages.map((m) => m.conversationExternalId))].filter((id) => !this.known.has(id));
    if (refresh || unknown().length)
      for (const conv of await this.refreshNewest()) changed.set(conv.externalId, conv);
    // Older conversations come one by one from the detail route; if even that fails the message goes
    // on alone (its conversation was then stored by backfill).
    for (const id of unknown().slice(0, 10)) {
      const conv = await this.fetchConversation(id);
      if (conv) this.remember(conv);
    }
    for (const m of messages) {
      const conv = this.bump(m);
      if (conv) changed.set(conv.externalId, conv);
    }
    return [...changed.values()];
  }

  // --- conversation cache ---------------------------------------------------------------------------

  /** Store what the server says of a conversation; true when it is new or its status changed. */
  private remember(conv: RemoteConversation): boolean {
    const old = this.known.get(conv.externalId);
    const lastActivityAt =
      old && old.lastActivityAt > conv.lastActivityAt ? old.lastActivityAt : conv.lastActivityAt;
    this.known.set(conv.externalId, { ...conv, lastActivityAt });
    return !old || old.status !== conv.status;
  }

  /** A message moves its conversation's last activity forward. */
  private bump(m: RemoteMessage): RemoteConversation | undefined {
    const conv = this.known.get(m.conversationExternalId);
    if (conv && m.createdAt > conv.lastActivityAt) conv.lastActivityAt = m.createdAt;
    return conv;
  }

  private watchMostActive(): void {
    if (!this.handlers) return;
    const ids = [...this.known.values()]
      .sort((a, b) => (a.lastActivityAt < b.lastActivityAt ? 1 : -1))
      .slice(0, WATCHED_CONVERSATIONS)
      .map((conv) => conv.externalId);
    this.sockets.watch(ids);
  }

  // --- realtime ---------------------------------------------------------------------------------------

  /** A frame on a conversation's socket: the message object (possibly wrapped in {message}), or {error}. */
  private onFrame(conversationId: string, data: unknown): void {
    if (!isObj(data)) return;
    const payload = isObj(data.message) ? data.message : data;
    const error = str(payload.error, '', 500) || str(payload.detail, '', 500);
    if (error) {
      this.settleEcho(conversationId, {
        error: new ProviderError('client', `Assistify refused the message: ${error}`),
      });
      return;
    }
    const message = toMessage(payload, conversationId);
    const text = str(payload.content ?? payload.text ?? payload.message, '', MAX_TEXT);
    const waiter = this.echoes.find((w) => w.conversationId === conversationId);
    if (waiter && text === waiter.text && !isCustomer(senderOf(payload)))
      return this.settleEcho(conversationId, { message });
    if (!message) return this.handlers?.onEvent({ kind: 'resync' });
    this.handlers?.onEvent({ kind: 'message', message, conversation: this.bump(message) });
  }

  private awaitEcho(conversationId: string, text: string): Promise<RemoteMessage | null> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settleEcho(conversationId, { message: null }), ECHO_TIMEOUT_MS);
      const clear = () => clearTimeout(timer);
      this.echoes.push({
        conversationId,
        text,
        resolve: (m) => (clear(), resolve(m)),
        reject: (e) => (clear(), reject(e)),
      });
    });
  }

  /** Our own message came back (`message`, null when the echo carried no id) or was refused (`error`). */
  private settleEcho(
    conversationId: string,
    outcome: { message: RemoteMessage | null } | { error: ProviderError },
  ): void {
    const waiter = this.echoes.find((w) => w.conversationId === conversationId);
    if (!waiter) return;
    this.echoes = this.echoes.filter((w) => w !== waiter);
    if ('message' in outcome) waiter.resolve(outcome.message);
    else waiter.reject(outcome.error);
  }

  /** Sends into one conversation go one at a time, so each echo is matched to its own send. */
  private serially<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (this.sendQueues.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.sendQueues.set(key, next);
    const cleanup = () => {
      if (this.sendQueues.get(key) === next) this.sendQueues.delete(key);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  // --- cursors ----------------------------------------------------------------------------------------

  private readBackfillCursor(cursor: string | null): BackfillCursor {
    const c = parseJson(cursor);
    const page = Number(c?.page);
    const startedAt = Number(c?.startedAt);
    if (Number.isInteger(page) && page >= 1 && Number.isFinite(startedAt)) return { page, startedAt };
    return { page: 1, startedAt: Date.now() };
  }

  private readPollCursor(cursor: string | null): PollCursor {
    const c = parseJson(cursor);
    if (
      c &&
      Number.isFinite(c.since) &&
      Array.isArray(c.recent) &&
      Number.isInteger(c.page) &&
      Number.isFinite(c.max)
    )
      return {
        since: Number(c.since),
        recent: c.recent as [string, number][],
        page: Number(c.page),
        max: Number(c.max),
        round: Number(c.round) || 0,
      };
    // First poll: start an hour back, or where backfill started, so nothing between the two is missed.
    const since = Math.min(Date.now() - 3600_000, this.backfillStartedAt ?? Infinity);
    return { since, recent: [], page: 1, max: since, round: 0 };
  }
}

export const createConnector: ConnectorFactory = (ctx) => new AssistifyConnector(ctx);
