// Chatbots Platform connector (providers/chatbots-platform.md): conversations and their messages over the
// REST API, replies through POST /conversations/{id}/messages, signed webhooks for realtime, chatbots as
// flows and templates as canned replies. Where the document is silent, see README.md.
import type { Capabilities } from '../../contract/schemas';
import { mapLimit, ProviderError, ProviderHttp, defaultErrorMessage, type RequestOptions } from '../http';
import { arr, isObj, num, obj, str, type Json } from '../parse';
import { sentSince } from '../sent';
import type {
  ConnectorContext,
  ConnectorFactory,
  ConversationRef,
  ProviderConnector,
  RealtimeHandlers,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  RemoteTemplate,
  SentMessage,
  SyncBatch,
  WebhookRequest,
  WebhookResult,
} from '../types';
import { hasMore, reachedBefore, readWalk, walkNewestFirst, walkStep, type FetchPage } from './pages';
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
const LIMITS = [{ limit: 100, windowMs: 60_000 }];
const PAGE_SIZE = 100;
const BACKFILL_PAGE_SIZE = 25;
const BACKFILL_MAX_PAGES = 50;
const BACKFILL_WINDOW_MS = 30 * DAY;
/** Newest messages per conversation in backfill; older ones come through olderMessages. */
const BACKFILL_MESSAGES = 100;
const READS_IN_FLIGHT = 4;
const MAX_MESSAGE_PAGES = 20;
const MAX_LIST_PAGES = 10;
/** poll(null) starts this far back: it overlaps the end of backfill rather than leaving a gap. */
const POLL_LOOKBACK_MS = 10 * 60_000;
/** Activity within this much of the watermark is looked at again (equal or second-precision timestamps). */
const POLL_OVERLAP_MS = 2_000;
/** findSent accepts messages this much older than sinceIso (server clocks, second-precision timestamps). */
const CLOCK_SLACK_MS = 2_000;
const WEBHOOK_RECHECK_MS = 60_000;

const CAPABILITIES: Capabilities = {
  realtime: 'webhook',
  broadcast: 'fanout',
  flows: 'toggle',
  flowTest: false,
  templates: true,
  markRead: false,
  unavailable: {
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

class ChatbotsPlatformConnector implements ProviderConnector {
  readonly provider = 'chatbots-platform' as const;
  readonly capabilities = CAPABILITIES;
  readonly pollIntervalMs = { live: 30_000, fallback: 4_000 };
  readonly http: ProviderHttp;
  private readonly session: Session;
  private version: Promise<string> | null = null;
  private webhookRegistered = false;
  private readonly subscriptions = new Set<() => void>();

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
        throw new ProviderError('auth', `Chatbots Platform rejected the API key (${e.message})`, e.status);
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
   * The conversation list, newest activity first (walked in whatever order the server lists it), down to
   * the watermark; then the recent messages of each conversation whose activity changed.
   */
  async poll(cursor: string | null): Promise<SyncBatch> {
    const state = parseCursor(cursor);
    const since = num(state.since, NaN);
    const start = Number.isFinite(since) ? since : Date.now() - POLL_LOOKBACK_MS;
    // Signatures of the conversations at the watermark, so that an unchanged one is not fetched again.
    const marks = obj(state.marks);
    const threshold = start - POLL_OVERLAP_MS;

    const listed = await this.listConversationsSince(threshold);
    const changed = listed.filter(
      (l) =>
        (l.activity === null || l.activity >= threshold) && marks[l.conversation.externalId] !== l.signature,
    );
    let watermark = start;
    const recents = await mapLimit(changed, READS_IN_FLIGHT, (l) =>
      this.recentMessages(l.conversation.externalId, threshold, Infinity),
    );
    const messages = recents.flat();
    changed.forEach((l, i) => {
      for (const t of [l.activity, ...recents[i].map((m) => Date.parse(m.createdAt))])
        if (t !== null) watermark = Math.max(watermark, t);
    });
    const nextMarks = Object.fromEntries(
      listed
        .filter((l) => l.activity !== null && l.activity >= watermark - POLL_OVERLAP_MS)
        .map((l) => [l.conversation.externalId, l.signature]),
    );
    return {
      conversations: changed.map((l) => l.conversation),
      messages,
      cursor: JSON.stringify({ since: watermark, marks: nextMarks }),
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

  /** Doc: POST /conversations/{id}/messages {text}. It has no idempotency key: exactly-once relies on findSent. */
  async send(conv: ConversationRef, text: string): Promise<SentMessage> {
    const endpoint = 'POST /conversations/{id}/messages';
    const body = await this.call('POST', `/conversations/${enc(conv.externalId)}/messages`, {
      json: { text },
    });
    const data = obj(unwrap(body, endpoint));
    const m = readMessage(isObj(data.message) ? data.message : data, conv.externalId);
    if (!m) throw new ProviderError('malformed', `${endpoint} returned no message id`);
    return {
      externalId: m.externalId,
      createdAt: m.createdAt,
      status: m.status === 'received' ? 'sent' : m.status,
    };
  }

  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    const since = Date.parse(sinceIso) - CLOCK_SLACK_MS;
    return sentSince(await this.recentMessages(conv.externalId, since, Infinity), text, since);
  }

  // ---- realtime ----

  /** Registers ctx.webhookUrl (once), then re-checks the registration every minute; retries with backoff. */
  async subscribe(handlers: RealtimeHandlers): Promise<() => void> {
    const url = this.ctx.webhookUrl;
    if (!url) {
      handlers.onState('down', 'webhooks cannot reach this app (a hosted provider and a loopback-only app)');
      return () => undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let live = false;
    let failures = 0;
    const check = async () => {
      try {
        await this.ensureWebhook(url);
        failures = 0;
        if (!live) handlers.onState('live');
        live = true;
      } catch (e) {
        if (live || failures === 0)
          handlers.onState('down', `webhook registration failed: ${(e as Error).message}`);
        live = false;
        failures++;
      }
      if (stopped) return;
      const backoff = Math.min(60_000, 1000 * 2 ** failures) * (0.75 + Math.random() / 2);
      timer = setTimeout(() => void check(), failures ? backoff : WEBHOOK_RECHECK_MS);
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

  handleWebhook(req: WebhookRequest): WebhookResult {
    if (req.method !== 'POST') return { events: [] };
    const { payload, deliveryId } = verifyWebhook(req, this.ctx.webhookSecret);
    return { events: webhookEvents(payload), deliveryId };
  }

  // ---- chatbots and templates ----

  async listFlows(): Promise<RemoteFlow[]> {
    return (await this.listAll('/chatbots')).map(readFlow).filter(present);
  }

  /** Doc silent on the field: PUT /chatbots/{id} {status: 'active' | 'inactive'}; answers the chatbot as the server has it. */
  async setFlowActive(externalId: string, active: boolean): Promise<RemoteFlow> {
    const endpoint = 'PUT /chatbots/{id}';
    const body = await this.call('PUT', `/chatbots/${enc(externalId)}`, {
      json: { status: active ? 'active' : 'inactive' },
    });
    const flow = readFlow(unwrap(body, endpoint));
    if (!flow) throw new ProviderError('malformed', `${endpoint} returned no chatbot`);
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
      return '/v1';
    } catch (e) {
      if (!(e instanceof ProviderError) || e.kind !== 'not_found') throw e;
      await this.http.request('GET', '/conversations', probe);
      return '';
    }
  }

  private async call(method: string, path: string, o: RequestOptions = {}): Promise<unknown> {
    return (await this.http.request(method, (await this.versionPrefix()) + path, o)).body;
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

  /** The conversation list from the newest activity down to `threshold` (all of it when the order is unknown). */
  private async listConversationsSince(threshold: number): Promise<Listed[]> {
    const listed: Listed[] = [];
    const pages = walkNewestFirst(
      this.conversationPages(PAGE_SIZE),
      activityMs,
      BACKFILL_MAX_PAGES,
      createdMs,
    );
    for await (const step of pages) {
      for (const raw of step.items) {
        const conversation = readConversation(raw);
        const activity = activityMs(raw);
        const signature = [activity, raw.messageCount, raw.status].map((v) => str(v)).join('|');
        if (conversation) listed.push({ conversation, activity, signature });
      }
      if (reachedBefore(step, activityMs, threshold)) break;
    }
    return listed;
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

  private async ensureWebhook(url: string): Promise<void> {
    const listed = await this.registeredWebhookUrls();
    if (listed ? listed.includes(url) : this.webhookRegistered) return;
    const registration = { url, events: WEBHOOK_EVENTS, secret: this.ctx.webhookSecret };
    try {
      await this.call('POST', '/webhooks', { json: registration });
    } catch (e) {
      // A server that knows only the documented events may refuse the others.
      if (!(e instanceof ProviderError) || e.kind !== 'client') throw e;
      await this.call('POST', '/webhooks', { json: { ...registration, events: DOCUMENTED_EVENTS } });
    }
    this.webhookRegistered = true;
  }

  /** Doc silent on listing webhooks: null when the server cannot list them. */
  private async registeredWebhookUrls(): Promise<string[] | null> {
    try {
      return (await this.pages('/webhooks', PAGE_SIZE)(1)).items.map((h) => str(h.url));
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
