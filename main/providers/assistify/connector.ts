// Assistify connector (providers/assistify.md): Bearer token, DRF-style lists, and one chat WebSocket per
// conversation, which is both the realtime feed and the only documented way for an agent to write.
//
// Request budget: the doc allows 100 requests a minute and 1000 an hour per user. Live messages and sends go
// over WebSockets, so HTTP is left for polling and reconciliation. Polling takes one of two paths:
// - the message feed, `GET /messages/?created_at__gte=` (shown in the doc only as a filter example): one
//   request every 4.5 s = 800/hour, plus a conversation list on every 20th round and when a message names a
//   conversation we have not seen;
// - where that feed is absent (or ignores its filter), the documented conversation list, newest first, every
//   round (800/hour), plus the histories of new conversations and of conversations a socket frame pointed at
//   (at most READS_PER_ROUND a round), and one stale open conversation every SWEEP_EVERY_ROUNDS rounds.
// The account's limiter paces any excess; confirming a send costs one to three reads.
// 4.5 s keeps a new customer's first message (a new conversation, which no socket watches yet) under 5 s.
import { mapLimit, ProviderError, ProviderHttp, type RequestOptions } from '../http';
import { isObj, str, type Json } from '../parse';
import { sentSince } from '../sent';
import type { Capabilities, Diagnostic } from '../../domain/entities';
import type {
  ConversationRef,
  RemoteConversation,
  RemoteMessage,
  SentMessage,
  SyncBatch,
} from '../../domain/remote';
import type { ConnectorContext, ConnectorFactory, ProviderConnector, RealtimeHandlers } from '../types';
import { KnownConversations } from './known';
import { ChatSockets } from './realtime';
import {
  MAX_TEXT,
  nestedCustomer,
  readList,
  senderOf,
  sideOf,
  toConversation,
  toMessage,
  type Page,
} from './wire';

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
const MAX_HISTORY_PAGES = 20;
/** The message feed, once found absent, is asked again this rarely. */
const FEED_REPROBE_MS = 3_600_000;
/** While frames point at conversations to read, the conversation list is read at most this often. */
const LIST_EVERY_MS = 4_000;
/** Histories read per round of the conversation-list path (new ones first, then those frames pointed at). */
const READS_PER_ROUND = 3;
/** A new conversation whose history is still empty is read again this many times before it is shown empty. */
const NEW_CONVERSATION_READS = 3;
/** An open conversation no frame pointed at is read again after this long, one every SWEEP_EVERY_ROUNDS. */
const SWEEP_AFTER_MS = 15 * 60_000;
const SWEEP_EVERY_ROUNDS = 40;
const MAX_UNLISTED = 1_000;
/** Server and local clocks may differ by this much when telling new conversations and our replies apart. */
const CLOCK_SKEW_MS = 60_000;
/** Before each read of the conversation that confirms a send (an echo with an id may come first). */
const CONFIRM_READ_DELAYS_MS = [500, 1_500, 3_000];
const MAX_CLAIMED = 1_000;

interface BackfillCursor {
  page: number;
  startedAt: number;
}

interface PollCursor {
  /** Feed: newest created_at seen (ms). Conversation list: when the last list read started (local ms). */
  since: number;
  /** Feed: [externalId, createdAt ms] of messages already returned within OVERLAP_MS of `since`. */
  recent: [string, number][];
  /** Feed: next page of the current round (rounds of more than POLL_MAX_PAGES pages span several calls). */
  page: number;
  /** Feed: newest created_at seen so far in the current round. */
  max: number;
  round: number;
  /** When the message feed was last found absent (local ms); 0 while it answers. */
  feedMissingAt: number;
}

type FeedState = 'unknown' | 'answers' | 'absent' | 'unfiltered';

/** The message feed cannot serve polling here (the reason is in `state`). */
class FeedMissing extends Error {
  constructor(readonly state: 'absent' | 'unfiltered') {
    super(state);
  }
}

interface EchoWaiter {
  conversationId: string;
  text: string;
  resolve(m: RemoteMessage): void;
  reject(e: Error): void;
}

/** What the provider's answers have shown so far, for diagnostics(). */
interface Observed {
  feed: FeedState;
  sends: { echo: number; list: number; unconfirmed: number; asCustomer: number };
  /** This app's replies as read back: with a sender naming the business, or with none. */
  repliesBack: { named: number; unnamed: number };
  /** Messages whose sender said nothing sure about the side. */
  inferred: number;
  nestedCustomers: boolean | null;
  frames: { withId: number; withoutId: number };
  closed: number;
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
  private readonly known = new KnownConversations();
  /** Conversation-list path: new conversations waiting for their history, with the reads left for them. */
  private readonly pendingNew = new Map<string, { readsLeft: number }>();
  private listedAt = 0;
  /** Feed path: conversations its messages named that the newest list did not hold (not looked up again). */
  private readonly unlisted = new Set<string>();
  /** Messages found as this app's replies, so an identical later reply is not confirmed by an earlier one. */
  private readonly claimed = new Set<string>();
  private readonly sendQueues = new Map<string, Promise<unknown>>();
  private echoes: EchoWaiter[] = [];
  private handlers: RealtimeHandlers | null = null;
  private backfillStartedAt: number | null = null;
  private readonly observed: Observed = {
    feed: 'unknown',
    sends: { echo: 0, list: 0, unconfirmed: 0, asCustomer: 0 },
    repliesBack: { named: 0, unnamed: 0 },
    inferred: 0,
    nestedCustomers: null,
    frames: { withId: 0, withoutId: 0 },
    closed: 0,
  };

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
      ctx.backoffScale,
    );
  }

  async authenticate(): Promise<void> {
    if (!this.token) throw new ProviderError('auth', 'Assistify needs an API token');
    try {
      await this.listPage('/conversations/', {}, 1, 1);
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'auth')
        throw new ProviderError(
          'auth',
          `Assistify rejected the API token (${e.message})`,
          e.status,
          undefined,
          e.reason,
        );
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
    const found = this.conversations(page.items);
    const messages = (await mapLimit(found, 4, (conv) => this.history(conv.externalId))).flat();
    for (const conv of found) {
      this.known.remember(conv);
      this.known.markRead(conv.externalId);
    }
    messages.forEach((m) => this.known.bump(m));
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

  /** What changed since the cursor: through the message feed where it answers, else the conversation list. */
  async poll(cursor: string | null): Promise<SyncBatch> {
    const c = this.readPollCursor(cursor);
    if (c.feedMissingAt && Date.now() - c.feedMissingAt < FEED_REPROBE_MS) return this.pollList(c);
    // Coming back to the feed after it was missing: from when it was last asked, so nothing in between is lost.
    const feed = c.feedMissingAt
      ? { ...c, since: c.feedMissingAt, recent: [], page: 1, max: c.feedMissingAt, feedMissingAt: 0 }
      : c;
    try {
      return await this.pollFeed(feed);
    } catch (e) {
      if (!(e instanceof FeedMissing)) throw e;
      this.observed.feed = e.state;
      return this.pollList({ ...c, feedMissingAt: Date.now() });
    }
  }

  /**
   * Over the conversation's WebSocket (the doc's only way for an agent to write), confirmed by an echo that
   * carries an id or else by reading the conversation's messages back. When neither shows the reply, its
   * outcome is unknown: 'unconfirmed', never a retryable error, so it is not sent again blindly.
   */
  send(conv: ConversationRef, text: string): Promise<SentMessage> {
    const id = conv.externalId;
    return this.serially(id, async () => {
      const startedAt = Date.now();
      const ws = await this.sockets.open(id, OPEN_TIMEOUT_MS);
      const echo = this.awaitEcho(id, text);
      // A write error does not prove the frame did not leave: the reads below tell.
      ws.send(JSON.stringify({ message: text }), () => undefined);
      try {
        return await this.confirmSent(conv, text, startedAt, echo);
      } finally {
        this.dropEcho(id);
      }
    });
  }

  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    return sentSince(await this.history(conv.externalId), text, t(sinceIso));
  }

  /**
   * Resolving closes the conversation at Assistify (the doc's close_conversation). The doc has no way to
   * reopen one: reopening stays in this app (see README), and Assistify keeps it closed.
   */
  async setConversationStatus(conv: ConversationRef, status: 'open' | 'resolved'): Promise<void> {
    if (status !== 'resolved') return;
    // The next conversation list reports the closed status, as it would a close made at Assistify.
    await this.http.json('POST', `/conversations/${encodeURIComponent(conv.externalId)}/close_conversation/`);
    this.observed.closed++;
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

  diagnostics(): Diagnostic[] {
    return [
      this.directionDiagnostic(),
      this.sendDiagnostic(),
      this.discoveryDiagnostic(),
      this.realtimeDiagnostic(),
      this.contactsDiagnostic(),
      {
        topic: 'status',
        reading:
          'resolving a conversation closes it at Assistify (POST /conversations/{id}/close_conversation/); the document has no way to reopen one, so reopening stays in this app',
        confirmed: this.observed.closed > 0,
      },
    ];
  }

  async close(): Promise<void> {
    this.handlers = null;
    this.sockets.close();
    // Those frames had left: what became of them is unknown.
    for (const w of this.echoes)
      w.reject(new ProviderError('unconfirmed', 'connector closed before the reply was confirmed'));
    this.echoes = [];
  }

  // --- polling: the message feed --------------------------------------------------------------------

  /** Every message created since the cursor, in all conversations, whatever order the server lists them in. */
  private async pollFeed(c: PollCursor): Promise<SyncBatch> {
    const from = c.since - OVERLAP_MS;
    const returned = new Set(c.recent.map(([key]) => key));
    const fresh = new Map<string, RemoteMessage>();
    let page = c.page;
    let more = true;
    for (let n = 0; more && n < POLL_MAX_PAGES; n++) {
      const p = await this.feedPage(from, page++);
      for (const m of p.messages) {
        // The server's date filter is trusted only as far as we can check it.
        if (!returned.has(m.externalId) && t(m.createdAt) >= from) fresh.set(m.externalId, m);
      }
      more = p.hasMore;
    }
    this.observed.feed = 'answers';
    const messages = [...fresh.values()];
    this.noteInferred(messages);
    this.known.clearHints();
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
    const next: PollCursor = { since, recent, page: 1, max: since, round: c.round + 1, feedMissingAt: 0 };
    return { conversations, messages, cursor: JSON.stringify(next), done: true };
  }

  /** One page of the feed; FeedMissing when the server has no such list or does not filter it by date. */
  private async feedPage(
    from: number,
    page: number,
  ): Promise<{ messages: RemoteMessage[]; hasMore: boolean }> {
    const query = { created_at__gte: new Date(from).toISOString(), ordering: 'created_at' };
    let p: Page;
    try {
      p = await this.listPage('/messages/', query, page, POLL_PAGE_SIZE);
    } catch (e) {
      // 404/405: no such list; 400: it does not take our filter. Either way it cannot serve polling.
      if (page === 1 && e instanceof ProviderError && [400, 404, 405].includes(e.status ?? 0))
        throw new FeedMissing('absent');
      throw e;
    }
    // A filter that is ignored lists everything ever written, a page per round: a day's slack allows a
    // server that filters by date only.
    const messages = p.items.map((raw) => toMessage(raw)).filter(isSome);
    if (messages.some((m) => t(m.createdAt) < from - DAY_MS)) throw new FeedMissing('unfiltered');
    return { messages, hasMore: p.hasMore };
  }

  /**
   * The conversations a feed round must report: new ones and status changes (from the newest list, on refresh
   * rounds and whenever a message names a conversation not seen yet) and those whose activity moved.
   */
  private async conversationsOf(messages: RemoteMessage[], refresh: boolean): Promise<RemoteConversation[]> {
    const changed = new Map<string, RemoteConversation>();
    const unknown = [...new Set(messages.map((m) => m.conversationExternalId))].filter(
      (id) => !this.known.has(id) && !this.unlisted.has(id),
    );
    if (refresh || unknown.length)
      for (const { conv, changed: statusOrNew } of await this.refreshNewest())
        if (statusOrNew) changed.set(conv.externalId, conv);
    // Older conversations are not in the newest list; the doc has no detail route to look them up, so their
    // messages go on alone (backfill stored those conversations), and they are not asked for again.
    if (this.unlisted.size > MAX_UNLISTED) this.unlisted.clear();
    for (const id of unknown) if (!this.known.has(id)) this.unlisted.add(id);
    for (const m of messages) {
      const conv = this.known.bump(m);
      if (conv) changed.set(conv.externalId, conv);
    }
    return [...changed.values()];
  }

  // --- polling: the conversation list ---------------------------------------------------------------

  /**
   * Without the feed: the newest conversations (documented, `ordering=-created_at`) show new customers and
   * status changes; histories are read for new conversations, for those a frame pointed at, and now and then
   * for one open conversation nothing pointed at.
   */
  private async pollList(c: PollCursor): Promise<SyncBatch> {
    const changed = new Map<string, RemoteConversation>();
    let since = c.since;
    const startedAt = Date.now();
    // A round woken early by a frame reads what the frame pointed at, not the list again.
    if (!this.known.hintedIds().length || startedAt - this.listedAt >= LIST_EVERY_MS) {
      this.listedAt = startedAt;
      for (const { conv, changed: statusOrNew } of await this.refreshNewest()) {
        // Created since the last list read and never read here: shown once its history is read.
        if (this.isNew(conv, c.since)) {
          if (!this.pendingNew.has(conv.externalId))
            this.pendingNew.set(conv.externalId, { readsLeft: NEW_CONVERSATION_READS });
        } else if (statusOrNew) changed.set(conv.externalId, conv);
      }
      since = startedAt;
    }
    const messages: RemoteMessage[] = [];
    for (const id of this.readsDue(c.round).slice(0, READS_PER_ROUND)) {
      const history = await this.history(id);
      this.known.markRead(id);
      messages.push(...history);
      const pending = this.pendingNew.get(id);
      if (pending && !history.length && --pending.readsLeft > 0) continue;
      this.pendingNew.delete(id);
      if (this.known.has(id)) changed.set(id, this.known.get(id)!);
    }
    this.noteInferred(messages);
    for (const m of messages) this.known.bump(m);
    this.watchMostActive();
    const next: PollCursor = { ...c, since, page: 1, round: c.round + 1 };
    return {
      conversations: [...changed.keys()].map((id) => this.known.get(id)!),
      messages,
      cursor: JSON.stringify(next),
      done: true,
    };
  }

  /** Histories to read, most urgent first: new conversations, then those frames pointed at, then a stale one. */
  private readsDue(round: number): string[] {
    const stale = round % SWEEP_EVERY_ROUNDS === 0 ? this.known.stalest(SWEEP_AFTER_MS) : undefined;
    return [...new Set([...this.pendingNew.keys(), ...this.known.hintedIds(), ...(stale ? [stale] : [])])];
  }

  /** Created after the last list read (with clock slack) and not read here since: not in the store yet. */
  private isNew(conv: RemoteConversation, since: number): boolean {
    return !this.known.wasRead(conv.externalId) && t(conv.lastActivityAt) >= since - CLOCK_SKEW_MS;
  }

  // --- sending ----------------------------------------------------------------------------------------

  /** The reply as the provider holds it: from an echo with an id, else from the conversation's messages. */
  private async confirmSent(
    conv: ConversationRef,
    text: string,
    startedAt: number,
    echo: Promise<RemoteMessage>,
  ): Promise<SentMessage> {
    let storedAsCustomer = false;
    for (const delay of CONFIRM_READ_DELAYS_MS) {
      const echoed = await Promise.race([echo, sleep(delay)]);
      if (echoed) return this.confirmed(echoed, 'echo');
      const history = await this.history(conv.externalId);
      const since = startedAt - CLOCK_SKEW_MS;
      const found = sentSince(history, text, since).filter((m) => !this.claimed.has(m.externalId));
      const mine = history.find((m) => m.externalId === found.at(-1)?.externalId);
      if (mine) return this.confirmed(mine, 'list');
      storedAsCustomer = history.some(
        (m) => m.text === text && m.direction === 'in' && !m.directionInferred && t(m.createdAt) >= since,
      );
      if (storedAsCustomer) break;
    }
    if (storedAsCustomer) this.observed.sends.asCustomer++;
    else this.observed.sends.unconfirmed++;
    throw new ProviderError(
      'unconfirmed',
      storedAsCustomer
        ? `Assistify stored the reply to conversation ${conv.externalId} as the customer’s own message: check it there`
        : `Assistify did not show the reply to conversation ${conv.externalId}: it may or may not have reached the customer`,
    );
  }

  private confirmed(m: RemoteMessage, how: 'echo' | 'list'): SentMessage {
    this.observed.sends[how]++;
    this.observed.repliesBack[m.directionInferred ? 'unnamed' : 'named']++;
    this.claimed.add(m.externalId);
    if (this.claimed.size > MAX_CLAIMED) this.claimed.delete(this.claimed.values().next().value!);
    this.known.bump(m);
    return { externalId: m.externalId, createdAt: m.createdAt, status: m.status };
  }

  /** Sends into one conversation go one at a time, so each echo and each read is matched to its own send. */
  private serially<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (this.sendQueues.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.sendQueues.set(key, next);
    const cleanup = () => {
      if (this.sendQueues.get(key) === next) this.sendQueues.delete(key);
    };
    next.then(cleanup, cleanup);
    return next;
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

  /** The newest conversations, each `changed` when it is new here or its status changed. */
  private async refreshNewest(): Promise<{ conv: RemoteConversation; changed: boolean }[]> {
    const page = await this.listPage('/conversations/', { ordering: '-created_at' }, 1, NEWEST_CONVERSATIONS);
    return this.conversations(page.items).map((conv) => {
      const changed = this.known.remember(conv);
      return { conv: this.known.get(conv.externalId)!, changed };
    });
  }

  /** Conversations of a list answer, noting whether the server nests customers (the doc shows only ids). */
  private conversations(items: unknown[]): RemoteConversation[] {
    if (items.length) this.observed.nestedCustomers = items.some((raw) => nestedCustomer(raw) !== null);
    return items.map(toConversation).filter(isSome);
  }

  private watchMostActive(): void {
    if (this.handlers) this.sockets.watch(this.known.mostActive(WATCHED_CONVERSATIONS));
  }

  private noteInferred(messages: RemoteMessage[]): void {
    this.observed.inferred += messages.filter((m) => m.directionInferred).length;
  }

  // --- realtime ---------------------------------------------------------------------------------------

  /**
   * A frame on a conversation's socket: a message object (possibly wrapped in {message}), {error}, or
   * something without an id (the doc's example shape, {message: "text"}), which only says the conversation
   * changed: it is read again on the next poll.
   */
  private onFrame(conversationId: string, data: unknown): void {
    if (!isObj(data)) return;
    const payload = isObj(data.message) ? data.message : data;
    const error = str(payload.error, '', 500) || str(payload.detail, '', 500);
    if (error) {
      this.rejectEcho(
        conversationId,
        new ProviderError('client', `Assistify refused the message: ${error}`, undefined, undefined, error),
      );
      return;
    }
    const message = toMessage(payload, conversationId);
    const text = str(payload.content ?? payload.text ?? payload.message, '', MAX_TEXT);
    const waiter = this.echoes.find((w) => w.conversationId === conversationId && w.text === text);
    if (!message) {
      this.observed.frames.withoutId++;
      // Our own reply coming back without an id: the send's reads confirm it.
      if (waiter) return;
      this.known.hint(conversationId);
      return this.handlers?.onEvent({ kind: 'resync' });
    }
    this.observed.frames.withId++;
    if (waiter && sideOf(senderOf(payload)) !== 'customer') {
      this.echoes = this.echoes.filter((w) => w !== waiter);
      return waiter.resolve(message);
    }
    this.noteInferred([message]);
    this.handlers?.onEvent({ kind: 'message', message, conversation: this.known.bump(message) });
  }

  /** Resolves with the echo of our own reply when one comes with an id; never resolves otherwise. */
  private awaitEcho(conversationId: string, text: string): Promise<RemoteMessage> {
    return new Promise((resolve, reject) => this.echoes.push({ conversationId, text, resolve, reject }));
  }

  private rejectEcho(conversationId: string, error: ProviderError): void {
    const waiter = this.echoes.find((w) => w.conversationId === conversationId);
    if (!waiter) return;
    this.echoes = this.echoes.filter((w) => w !== waiter);
    waiter.reject(error);
  }

  private dropEcho(conversationId: string): void {
    this.echoes = this.echoes.filter((w) => w.conversationId !== conversationId);
  }

  // --- diagnostics --------------------------------------------------------------------------------------

  private directionDiagnostic(): Diagnostic {
    const { named, unnamed } = this.observed.repliesBack;
    const back =
      named + unnamed ? ` (this app's replies came back ${named} with a sender, ${unnamed} without)` : '';
    return {
      topic: 'direction',
      reading:
        `by the documented \`sender\` field: "customer" is the customer, any other named sender (agent, bot, …) this business${back}; ` +
        `a message without a sender is taken as inbound and matched against replies sent from here (${this.observed.inferred} so far)`,
      confirmed: named > 0 && this.observed.sends.asCustomer === 0,
    };
  }

  private sendDiagnostic(): Diagnostic {
    const { echo, list, unconfirmed, asCustomer } = this.observed.sends;
    const way =
      'replies go as {message} over ws/chat/{id}/ (the document has no other way for an agent to write)';
    if (!echo && !list && !unconfirmed && !asCustomer)
      return { topic: 'send', reading: `${way}; none sent yet`, confirmed: false };
    const parts = [
      `${echo} confirmed by an echo with an id`,
      `${list} by reading the conversation's messages back`,
      `${unconfirmed} unconfirmed (left for the agent to check, never sent again blindly)`,
    ];
    if (asCustomer) parts.push(`${asCustomer} stored by Assistify as the customer's own message`);
    return {
      topic: 'send',
      reading: `${way}: ${parts.join(', ')}`,
      confirmed: echo + list > 0 && !asCustomer,
    };
  }

  private discoveryDiagnostic(): Diagnostic {
    const list =
      'new conversations are found by GET /conversations/?ordering=-created_at every poll round, new messages in known ones by their sockets and a slow re-read of each open conversation; the feed is asked again hourly';
    const readings: Record<FeedState, string> = {
      unknown: 'not polled yet',
      answers:
        'new messages are found by GET /messages/?created_at__gte= (the document shows it only as a filter example), which answers here',
      absent: `GET /messages/?created_at__gte= is absent here: ${list}`,
      unfiltered: `GET /messages/ ignores created_at__gte here: ${list}`,
    };
    return {
      topic: 'discovery',
      reading: readings[this.observed.feed],
      confirmed: this.observed.feed !== 'unknown',
    };
  }

  private realtimeDiagnostic(): Diagnostic {
    const { withId, withoutId } = this.observed.frames;
    const way = `one WebSocket per conversation, for the ${WATCHED_CONVERSATIONS} most active`;
    const reading =
      withId > 0
        ? `${way}: frames carry the message with its id and go straight to the inbox`
        : withoutId > 0
          ? `${way}: frames carry no message id, so each one has its conversation read again on the next poll`
          : `${way}: no frame seen yet`;
    return { topic: 'realtime', reading, confirmed: withId + withoutId > 0 };
  }

  private contactsDiagnostic(): Diagnostic {
    const nested = this.observed.nestedCustomers;
    const reading =
      nested === null
        ? 'no conversation seen yet'
        : nested
          ? 'conversations carry a customer object the document does not show: names, handles and tags come from it'
          : 'conversations carry customer_id only (the document has no customer endpoint): contacts are named "Customer <id>", with no handle';
    return { topic: 'contacts', reading, confirmed: nested !== null };
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
        feedMissingAt: Number(c.feedMissingAt) || 0,
      };
    // First poll: start an hour back, or where backfill started, so nothing between the two is missed.
    const since = Math.min(Date.now() - 3600_000, this.backfillStartedAt ?? Infinity);
    return { since, recent: [], page: 1, max: since, round: 0, feedMissingAt: 0 };
  }
}

function sleep(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

export const createConnector: ConnectorFactory = (ctx) => new AssistifyConnector(ctx);
