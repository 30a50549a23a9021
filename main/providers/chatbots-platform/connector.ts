// Chatbots Platform connector (providers/chatbots-platform.md): conversations and their messages over the
// REST API, replies through POST /conversations/{id}/messages, signed webhooks for realtime, chatbots as
// flows and templates as canned replies. Where the document is silent, see README.md.
import { backoffMs, type BackoffCurve } from '../../domain/backoff';
import type { Capabilities, Diagnostic } from '../../domain/entities';
import type {
  ConversationRef,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  RemoteTemplate,
  SentMessage,
  SyncBatch,
} from '../../domain/remote';
import type {
  ConnectorContext,
  ConnectorFactory,
  ProviderConnector,
  RealtimeHandlers,
  WebhookRequest,
  WebhookResult,
} from '../types';
import { mapLimit, ProviderError, ProviderHttp, defaultErrorMessage, type RequestOptions } from '../http';
import { arr, isObj, num, obj, str, strings, type Json } from '../parse';
import { sentSince } from '../sent';
import { Findings } from './findings';
import {
  hasMore,
  reachedBefore,
  readWalk,
  walkNewestFirst,
  walkStep,
  type FetchPage,
  type Walk,
} from './pages';
import {
  activityMs,
  createdMs,
  messageChangeMs,
  messageTimeMs,
  readConversation,
  readFlow,
  readMessage,
  readPage,
  readTemplate,
  unwrap,
} from './read';
import { Session } from './session';
import { DOCUMENTED_EVENTS, WEBHOOK_EVENTS, verifyWebhook, webhookEvents } from './webhook';

const DAY = 24 * 3600_000;
/** Doc: standard tier, 100 requests per minute (the enterprise tier's 1000 cannot be detected). */
const LIMIT_PER_MINUTE = 100;
const LIMITS = [{ limit: LIMIT_PER_MINUTE, windowMs: 60_000 }];
const PAGE_SIZE = 100;
const BACKFILL_PAGE_SIZE = 25;
const BACKFILL_MAX_PAGES = 50;
const BACKFILL_WINDOW_MS = 30 * DAY;
/** Newest messages per conversation in backfill; older ones come through olderMessages. */
const BACKFILL_MESSAGES = 100;
const READS_IN_FLIGHT = 4;
const MAX_MESSAGE_PAGES = 20;
const MAX_LIST_PAGES = 10;
/**
 * A poll round's budget against 100 requests/min: this many conversation-list pages (one more when an
 * oldest-first list is entered from its end) and this many conversations' recent messages. A walk of the
 * list or a backlog of changed conversations that does not fit goes on in the next round, from the cursor.
 */
const POLL_LIST_PAGES = 3;
const POLL_CONVERSATIONS = 10;
/** The longest walk of the conversation list, over however many rounds (as backfill's). */
const POLL_SCAN_PAGES = 50;
/** poll(null) starts this far back: it overlaps the end of backfill rather than leaving a gap. */
const POLL_LOOKBACK_MS = 10 * 60_000;
/** Activity within this much of the watermark is looked at again (equal or second-precision timestamps). */
const POLL_OVERLAP_MS = 2_000;
/** findSent accepts messages this much older than sinceIso (server clocks, second-precision timestamps). */
const CLOCK_SLACK_MS = 2_000;
const WEBHOOK_RECHECK_MS = 60_000;
/** A failed webhook registration is tried again after 2 s, doubling to a minute. */
const WEBHOOK_RETRY: BackoffCurve = { firstMs: 2_000, maxMs: 60_000 };

const FLOW_OFF =
  'Chatbots Platform documents switching a chatbot on (deploy) but no way to switch one off; ' +
  "switch it off in the platform's dashboard";

const CAPABILITIES: Capabilities = {
  realtime: 'webhook',
  broadcast: 'fanout',
  flows: 'on-only',
  flowTest: false,
  templates: true,
  markRead: false,
  unavailable: {
    flows: FLOW_OFF,
    flowTest: 'Chatbots Platform has no endpoint to try a chatbot with a test message',
    markRead: 'Chatbots Platform has no endpoint to mark a conversation as read',
  },
};

/** Error text from {status:'error', error:{code, message, details}}. */
function errorMessage(body: unknown): string | undefined {
  const e = obj(obj(body).error);
  const message = str(e.message, '', 300) || defaultErrorMessage(body);
  const details = arr(e.details)
    .map((d) => (isObj(d) ? `${str(d.field, '', 60)} ${str(d.message, '', 200)}`.trim() : str(d, '', 200)))
    .filter(Boolean)
    .slice(0, 3);
  return details.length ? `${message} (${details.join('; ')})` : message;
}

function parseCursor(cursor: string | null): Json {
  try {
    return obj(cursor ? JSON.parse(cursor) : null);
  } catch {
    return {};
  }
}

const present = <T>(v: T | null): v is T => v !== null;
const enc = encodeURIComponent;

/** What the conversation list says about one conversation, for poll's change detection. */
interface Listed {
  conversation: RemoteConversation;
  activity: number | null;
  signature: string;
}

/** A conversation as a poll round saw it: its id, list signature and activity. */
interface Mark {
  id: string;
  sig: string;
  at: number | null;
}

/** Poll's cursor. */
interface PollState {
  /** The watermark: activity at or after it (less the overlap) is looked at. */
  since: number;
  /** Conversations fetched at or after the watermark, by id: one listed with the same signature is not fetched again. */
  marks: Record<string, Mark>;
  /** A walk of the conversation list that a round's budget cut short, to go on with in the next round. */
  scan: { walk: Walk; pages: number; rounds: number } | null;
  /** Changed conversations whose messages a round's budget left for the next one. */
  pending: Mark[];
  /** The newest activity fetched since the watermark last moved; it moves there once nothing is left over. */
  top: number;
}

function readMark(v: unknown): Mark | null {
  const m = obj(v);
  const at = m.at === null ? null : num(m.at, NaN);
  return typeof m.id === 'string' && typeof m.sig === 'string' && !Number.isNaN(at)
    ? { id: m.id, sig: m.sig, at }
    : null;
}

/** Poll's cursor, checked; anything unreadable starts from POLL_LOOKBACK_MS ago. */
function readPollState(cursor: string | null): PollState {
  const state = parseCursor(cursor);
  const since = num(state.since, NaN);
  const start = Number.isFinite(since) ? since : Date.now() - POLL_LOOKBACK_MS;
  const scan = obj(state.scan);
  const walk = readWalk(scan.walk);
  const marks = Object.values(obj(state.marks)).map(readMark).filter(present);
  return {
    since: start,
    marks: Object.fromEntries(marks.map((m) => [m.id, m])),
    scan: walk ? { walk, pages: num(scan.pages), rounds: num(scan.rounds) } : null,
    pending: arr(state.pending).map(readMark).filter(present),
    top: Math.max(start, num(state.top, start)),
  };
}

/** What identifies a conversation's state in the list: a change in any part means new activity to read. */
function listSignature(raw: Json, activity: number | null): string {
  return [activity, raw.messageCount, raw.status, obj(raw.lastMessage).id].map((v) => str(v)).join('|');
}

class ChatbotsPlatformConnector implements ProviderConnector {
  readonly provider = 'chatbots-platform' as const;
  readonly capabilities = CAPABILITIES;
  readonly pollIntervalMs = { live: 30_000, fallback: 4_000 };
  readonly http: ProviderHttp;
  private readonly session: Session;
  private version: Promise<string> | null = null;
  /** The events of the registration the provider accepted, once it has (it may not list registrations). */
  private webhookEvents: string[] | null = null;
  private readonly subscriptions = new Set<() => void>();
  private readonly findings = new Findings();

  constructor(private readonly ctx: ConnectorContext) {
    this.http = new ProviderHttp({
      baseUrl: ctx.baseUrl,
      limits: LIMITS,
      limiter: ctx.rateLimiter?.('api', LIMITS),
      auth: () => this.session.headers(),
      refreshAuth: () => this.session.onUnauthorized(),
      errorMessage,
      unlimited: ctx.unlimited,
    });
    this.session = new Session(ctx.credentials, this.http);
  }

  async authenticate(): Promise<void> {
    try {
      await this.session.headers();
      await this.versionPrefix();
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'auth' && 'apiKey' in this.ctx.credentials)
        throw new ProviderError(
          'auth',
          `Chatbots Platform rejected the API key (${e.message})`,
          e.status,
          undefined,
          e.reason,
        );
      throw e;
    }
  }

  // ---- sync ----

  async backfill(cursor: string | null): Promise<SyncBatch> {
    const state = parseCursor(cursor);
    const pagesDone = Math.max(0, Math.floor(num(state.pages)));
    const walk = readWalk(state.walk);
    if (pagesDone > 0 && !walk) return { conversations: [], messages: [], cursor, done: true };
    const step = await walkStep(this.conversationPages(BACKFILL_PAGE_SIZE), activityMs, walk, createdMs);
    const cutoff = Date.now() - BACKFILL_WINDOW_MS;
    const conversations: RemoteConversation[] = [];
    let reachedCutoff = false;
    for (const raw of step.items) {
      const conversation = readConversation(raw);
      if ((activityMs(raw) ?? Infinity) < cutoff) reachedCutoff = true;
      else if (conversation) conversations.push(conversation);
    }
    // Each conversation's messages are one more request: read a few side by side (the limiter spaces them).
    const histories = await mapLimit(conversations, READS_IN_FLIGHT, (c) =>
      this.recentWalk(c.externalId, -Infinity, BACKFILL_MESSAGES),
    );
    this.findings.conversations(conversations);
    for (const h of histories) this.findings.messages(h.messages);
    const pages = pagesDone + 1;
    const finished = pages >= BACKFILL_MAX_PAGES || (reachedCutoff && step.ordered);
    const next = finished ? null : step.walk;
    return {
      conversations,
      messages: histories.flatMap((h) => h.messages),
      cursor: JSON.stringify({ walk: next, pages }),
      done: next === null,
      historyComplete: conversations.filter((_, i) => histories[i].complete).map((c) => c.externalId),
    };
  }

  /**
   * The conversation list, newest activity first (walked in whatever order the server lists it), down to the
   * watermark; then the recent messages of each conversation whose activity changed. A round spends at most
   * POLL_LIST_PAGES list pages and POLL_CONVERSATIONS conversations' reads; what is left over (the rest of a
   * walk through a list of unproven order, a backlog of changed conversations) goes on in the next round, and
   * the watermark moves only once nothing is.
   */
  async poll(cursor: string | null): Promise<SyncBatch> {
    const state = readPollState(cursor);
    const threshold = state.since - POLL_OVERLAP_MS;
    const scan = await this.scanConversations(state.scan, threshold);
    const changed = scan.listed.filter(
      (l) =>
        (l.activity === null || l.activity >= threshold) &&
        state.marks[l.conversation.externalId]?.sig !== l.signature,
    );
    const queue = new Map(state.pending.map((m) => [m.id, m]));
    for (const l of changed)
      queue.set(l.conversation.externalId, {
        id: l.conversation.externalId,
        sig: l.signature,
        at: l.activity,
      });
    const due = [...queue.values()].slice(0, POLL_CONVERSATIONS);
    const pending = [...queue.values()].slice(POLL_CONVERSATIONS);
    const recents = await mapLimit(due, READS_IN_FLIGHT, (m) =>
      this.recentMessages(m.id, threshold, Infinity),
    );
    const messages = recents.flat();
    this.findings.conversations(changed.map((l) => l.conversation));
    this.findings.messages(messages);

    const marks = { ...state.marks };
    let top = state.top;
    due.forEach((m, i) => {
      marks[m.id] = m;
      for (const t of [m.at, ...recents[i].map((r) => Date.parse(r.createdAt))])
        if (t !== null) top = Math.max(top, t);
    });
    const caughtUp = scan.walk === null && pending.length === 0;
    const since = caughtUp ? top : state.since;
    const next: PollState = {
      since,
      // Marks below the new watermark are of no more use: those conversations are not looked at unless they move.
      marks: caughtUp
        ? Object.fromEntries(
            Object.entries(marks).filter(([, m]) => m.at === null || m.at >= since - POLL_OVERLAP_MS),
          )
        : marks,
      scan: scan.walk ? { walk: scan.walk, pages: scan.pages, rounds: scan.rounds } : null,
      pending,
      top,
    };
    return {
      conversations: changed.map((l) => l.conversation),
      messages,
      cursor: JSON.stringify(next),
      // The round is complete: what is left over waits for the next round rather than spending the budget now.
      done: true,
    };
  }

  async olderMessages(
    conv: ConversationRef,
    before: string | null,
  ): Promise<{ messages: RemoteMessage[]; next: string | null }> {
    const walk = readWalk(parseCursor(before));
    if (before && !walk) return { messages: [], next: null };
    const step = await walkStep(this.messagePages(conv.externalId), messageTimeMs, walk);
    return {
      messages: step.items.map((m) => readMessage(m, conv.externalId)).filter(present),
      next: step.walk ? JSON.stringify(step.walk) : null,
    };
  }

  // ---- sending ----

  /**
   * Doc: POST /conversations/{id}/messages {text}. It has no idempotency key: exactly-once relies on findSent.
   * A success whose answer cannot be read has still reached the provider: 'unconfirmed', never resent blindly.
   */
  async send(conv: ConversationRef, text: string): Promise<SentMessage> {
    const endpoint = 'POST /conversations/{id}/messages';
    const unconfirmed = (why: string) =>
      new ProviderError('unconfirmed', `${endpoint} accepted the message but ${why}`);
    let body: unknown;
    try {
      body = await this.call('POST', `/conversations/${enc(conv.externalId)}/messages`, { json: { text } });
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'malformed' && (e.status ?? 0) < 300)
        throw unconfirmed(`its answer is not JSON (${e.message})`);
      throw e;
    }
    let data: Json;
    try {
      data = obj(unwrap(body, endpoint));
    } catch (e) {
      throw unconfirmed((e as Error).message);
    }
    const m = readMessage(isObj(data.message) ? data.message : data, conv.externalId);
    if (!m) throw unconfirmed('its answer names no message id');
    this.findings.sent(m);
    return {
      externalId: m.externalId,
      createdAt: m.createdAt,
      status: m.status === 'received' ? 'sent' : m.status,
    };
  }

  /** Outgoing messages and those whose direction was inferred (the provider may not say which are ours). */
  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    const since = Date.parse(sinceIso) - CLOCK_SLACK_MS;
    return sentSince(await this.recentMessages(conv.externalId, since, Infinity), text, since);
  }

  // ---- realtime ----

  /**
   * Registers ctx.webhookUrl (once) and reports 'live' when the provider has accepted the registration, then
   * re-checks it every minute; retries with backoff. Without a URL the provider cannot reach this app: nothing
   * is registered and realtime is down for good, so the engine polls at the fallback rate.
   */
  async subscribe(handlers: RealtimeHandlers): Promise<() => void> {
    const url = this.ctx.webhookUrl;
    if (!url) {
      const reason =
        `webhooks cannot reach this app (${new URL(this.ctx.baseUrl).host} is not on this machine and the ` +
        `app answers on loopback only): polling every ${this.pollIntervalMs.fallback / 1000} s`;
      this.findings.realtime = { state: 'unreachable', reason };
      handlers.onState('down', reason);
      return () => undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let live = false;
    let failures = 0;
    const check = async () => {
      try {
        const events = await this.ensureWebhook(url);
        this.findings.realtime = { state: 'registered', events };
        failures = 0;
        if (!live) handlers.onState('live');
        live = true;
      } catch (e) {
        const reason = (e as Error).message;
        this.findings.realtime = { state: 'failed', reason };
        if (live || failures === 0) handlers.onState('down', `webhook registration failed: ${reason}`);
        live = false;
        failures++;
      }
      if (stopped) return;
      const wait = failures
        ? backoffMs(failures - 1, WEBHOOK_RETRY, this.ctx.backoffScale)
        : WEBHOOK_RECHECK_MS;
      timer = setTimeout(() => void check(), wait);
      timer.unref();
    };
    await check();
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      this.subscriptions.delete(stop);
    };
    this.subscriptions.add(stop);
    return stop;
  }

  /** A genuine delivery is applied, unless it is old enough to be a replay the server no longer remembers: then re-read. */
  handleWebhook(req: WebhookRequest): WebhookResult {
    if (req.method !== 'POST') return { events: [] };
    const { payload, deliveryId, signedOver, stale } = verifyWebhook(req, this.ctx.webhookSecret);
    this.findings.delivered(signedOver, stale);
    const events = stale ? [{ kind: 'resync' as const }] : webhookEvents(payload);
    for (const e of events) if (e.kind === 'message') this.findings.messages([e.message]);
    return { events, deliveryId };
  }

  diagnostics(): Diagnostic[] {
    return this.findings.list(
      {
        listPages: POLL_LIST_PAGES,
        conversations: POLL_CONVERSATIONS,
        pollEverySec: this.pollIntervalMs.fallback / 1000,
      },
      LIMIT_PER_MINUTE,
    );
  }

  // ---- chatbots and templates ----

  async listFlows(): Promise<RemoteFlow[]> {
    return (await this.listAll('/chatbots')).map(readFlow).filter(present);
  }

  /**
   * Doc: POST /chatbots/{id}/deploy switches a chatbot on; the chatbot is then read back as the server has it
   * (what deploy answers is undocumented). The document has no way to switch one off: PUT /chatbots/{id}
   * ("Update a chatbot") takes an undocumented body, and a full replacement without the chatbot's fields
   * would be refused or wipe them, so that is refused here, with the reason.
   */
  async setFlowActive(externalId: string, active: boolean): Promise<RemoteFlow> {
    if (!active) throw new ProviderError('client', FLOW_OFF);
    await this.call('POST', `/chatbots/${enc(externalId)}/deploy`);
    const endpoint = 'GET /chatbots/{id}';
    const flow = readFlow(unwrap(await this.call('GET', `/chatbots/${enc(externalId)}`), endpoint));
    if (!flow) throw new ProviderError('malformed', `${endpoint} returned no chatbot`);
    this.findings.deployed(flow.active);
    return flow;
  }

  async listTemplates(): Promise<RemoteTemplate[]> {
    return (await this.listAll('/templates')).map(readTemplate).filter(present);
  }

  async close(): Promise<void> {
    for (const stop of [...this.subscriptions]) stop();
  }

  // ---- helpers ----

  /** Doc: /api/v1 is current, while its endpoint tables write /api/...: use /v1 unless the server only has the latter. */
  private versionPrefix(): Promise<string> {
    this.version ??= this.detectVersion().catch((e: unknown) => {
      this.version = null;
      throw e;
    });
    return this.version;
  }

  private async detectVersion(): Promise<string> {
    const probe = { query: { page: 1, pageSize: 1 } };
    try {
      await this.http.request('GET', '/v1/conversations', probe);
      this.findings.version = '/v1';
    } catch (e) {
      if (!(e instanceof ProviderError) || e.kind !== 'not_found') throw e;
      await this.http.request('GET', '/conversations', probe);
      this.findings.version = '';
    }
    return this.findings.version;
  }

  private async call(method: string, path: string, o: RequestOptions = {}): Promise<unknown> {
    const res = await this.http.request(method, (await this.versionPrefix()) + path, o);
    const limit = Number(res.headers.get('x-ratelimit-limit'));
    if (limit > 0) this.findings.reportedLimit = limit;
    return res.body;
  }

  private pages(path: string, pageSize: number): FetchPage {
    return async (page) =>
      readPage(await this.call('GET', path, { query: { page, pageSize } }), `GET ${path}`, page);
  }

  private conversationPages(pageSize: number): FetchPage {
    return this.pages('/conversations', pageSize);
  }

  private messagePages(conversationId: string): FetchPage {
    return this.pages(`/conversations/${enc(conversationId)}/messages`, PAGE_SIZE);
  }

  /**
   * One round's part of a walk of the conversation list from the newest activity down to `threshold` (all of
   * it when the order is unknown): at most POLL_LIST_PAGES pages, going on from `from` when given. `walk` is
   * where the next round goes on, null once the walk is over.
   */
  private async scanConversations(
    from: PollState['scan'],
    threshold: number,
  ): Promise<{ listed: Listed[]; walk: Walk | null; pages: number; rounds: number }> {
    const listed: Listed[] = [];
    const fetchPage = this.conversationPages(PAGE_SIZE);
    let walk = from?.walk ?? null;
    let pages = from?.pages ?? 0;
    let firstPageOrdered: boolean | null = null;
    const rounds = (from?.rounds ?? 0) + 1;
    for (let steps = 0; steps === 0 || (walk && steps < POLL_LIST_PAGES); steps++) {
      const step = await walkStep(fetchPage, activityMs, walk, createdMs);
      if (!walk) firstPageOrdered = step.ordered;
      pages++;
      for (const raw of step.items) {
        const conversation = readConversation(raw);
        const activity = activityMs(raw);
        if (conversation) listed.push({ conversation, activity, signature: listSignature(raw, activity) });
      }
      walk = reachedBefore(step, activityMs, threshold) || pages >= POLL_SCAN_PAGES ? null : step.walk;
    }
    this.findings.scanned(firstPageOrdered, rounds);
    return { listed, walk, pages, rounds };
  }

  /** A conversation's messages changed at/after `since`, newest first, at most `max`. */
  private async recentMessages(conversationId: string, since: number, max: number): Promise<RemoteMessage[]> {
    return (await this.recentWalk(conversationId, since, max)).messages;
  }

  /** A conversation's messages changed at or after `since`, newest first, at most `max`; `complete`: all it has. */
  private async recentWalk(
    conversationId: string,
    since: number,
    max: number,
  ): Promise<{ messages: RemoteMessage[]; complete: boolean }> {
    const out: RemoteMessage[] = [];
    let lastPage = false;
    for await (const step of walkNewestFirst(
      this.messagePages(conversationId),
      messageTimeMs,
      MAX_MESSAGE_PAGES,
    )) {
      for (const raw of step.items) {
        const m = readMessage(raw, conversationId);
        if (m && (messageChangeMs(raw) ?? Infinity) >= since) out.push(m);
      }
      lastPage = !step.walk;
      if (out.length >= max || reachedBefore(step, messageTimeMs, since)) break;
    }
    return { messages: out.slice(0, max), complete: lastPage && out.length <= max && since === -Infinity };
  }

  private async listAll(path: string): Promise<Json[]> {
    const items: Json[] = [];
    const fetch = this.pages(path, PAGE_SIZE);
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const p = await fetch(page);
      items.push(...p.items);
      if (!hasMore(page, p)) break;
    }
    return items;
  }

  /**
   * The events registered for `url`: listed by the provider, or registered by this connector and accepted
   * (a success envelope). Registers all the events it can read, or only the two documented ones when the
   * server refuses the others.
   */
  private async ensureWebhook(url: string): Promise<string[]> {
    const listed = await this.registeredWebhooks();
    const mine = listed?.find((h) => str(h.url) === url);
    if (mine) return this.webhookEvents ?? strings(mine.events);
    if (!listed && this.webhookEvents) return this.webhookEvents;
    const register = async (events: string[]) => {
      const endpoint = 'POST /webhooks';
      unwrap(
        await this.call('POST', '/webhooks', { json: { url, events, secret: this.ctx.webhookSecret } }),
        endpoint,
      );
      return events;
    };
    try {
      this.webhookEvents = await register(WEBHOOK_EVENTS);
    } catch (e) {
      // A server that knows only the documented events may refuse the others.
      if (!(e instanceof ProviderError) || e.kind !== 'client') throw e;
      this.webhookEvents = await register(DOCUMENTED_EVENTS);
    }
    return this.webhookEvents;
  }

  /** Doc silent on listing webhooks: null when the server cannot list them. */
  private async registeredWebhooks(): Promise<Json[] | null> {
    try {
      return (await this.pages('/webhooks', PAGE_SIZE)(1)).items;
    } catch (e) {
      if (
        e instanceof ProviderError &&
        (e.kind === 'not_found' || e.kind === 'malformed' || e.status === 405)
      )
        return null;
      throw e;
    }
  }
}

export const createConnector: ConnectorFactory = (ctx) => new ChatbotsPlatformConnector(ctx);
