// ChatPion connector (providers/chatpion.md): API key in X-API-Key; subscribers are the conversations and
// GET /api/messages is one account-wide list of both sides, with no field saying which side wrote a message
// (see map.ts and own.ts). No realtime channel, so the inbox polls: one request per round while nothing
// changes, drawn from a daily budget so polling never starves sends.
import type { Capabilities, Diagnostic } from '../../domain/entities';
import type {
  ConversationRef,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  RemoteMessageStatus,
  SentMessage,
  SyncBatch,
} from '../../domain/remote';
import type {
  BroadcastRequest,
  ConnectorContext,
  ConnectorFactory,
  ProviderConnector,
  RealtimeEvent,
  WebhookRequest,
  WebhookResult,
} from '../types';
import { ProviderError, ProviderHttp, type RequestOptions } from '../http';
import { arr, id, isObj, num, readCursor, str, type Json } from '../parse';
import { sameSecret } from '../../secrets/compare';
import { openList, PAGE_SIZE, readSince, walkStep, type FetchPage, type ListMark, type Walk } from './lists';
import { mapAll, toConversation, toFlow, toMessage } from './map';
import { OwnMessages, type OwnBroadcast } from './own';
import { sentSince } from '../sent';

const DAY_MS = 86_400_000;
const LIMITS = [
  { limit: 100, windowMs: 60_000 },
  { limit: 5000, windowMs: DAY_MS },
];
const MAX_SUBSCRIBER_PAGES = 100;
const MAX_MESSAGE_PAGES = 50;
const BACKFILL_DAYS = 30;
const MAX_FLOW_PAGES = 10;
const FIND_SENT_PAGES = 5;
const POLL_MS = 2000;

/**
 * Requests polls may spend: refills at `perDay`, holds at most `burst`. Polling every 2 s would use
 * ChatPion's 5,000 requests a day within 3 hours and then hold every send for the rest of the day, so
 * polls get 500 + 3,500 a day at most and at least 1,000 a day stay for sends and backfill.
 */
export class PollBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly burst: number,
    private readonly perDay: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  get available(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  spend(requests: number): void {
    this.refill();
    this.tokens -= requests;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perDay) / DAY_MS);
    this.at = now;
  }
}

interface PollCursor {
  messages: ListMark;
  subscribers: ListMark;
  /** Status of each message on the newest page: reports new messages and status changes once. */
  seen: Record<string, RemoteMessageStatus>;
  /** Subscriber ids on the newest subscriber page: reports new subscribers once. */
  known: string[];
  /** Native broadcasts this app created whose messages may still be listed (absent in older cursors). */
  broadcasts?: OwnBroadcast[];
}

type BackfillCursor = { stage: 'subscribers' | 'messages'; walk: Walk | null };

const isBackfillCursor = (v: Json) => v.stage === 'subscribers' || v.stage === 'messages';
const isPollCursor = (v: Json) =>
  isObj(v.messages) && isObj(v.subscribers) && isObj(v.seen) && Array.isArray(v.known);

const malformed = (what: string) => new ProviderError('malformed', `ChatPion ${what}`);

const unconfirmed = (endpoint: string, why: string) =>
  new ProviderError('unconfirmed', `ChatPion's ${endpoint} accepted it but ${why}`);

/** A success whose answer cannot be read has still reached ChatPion: 'unconfirmed', never sent again blindly. */
async function accepted(endpoint: string, answer: Promise<unknown>): Promise<unknown> {
  try {
    return await answer;
  } catch (e) {
    if (e instanceof ProviderError && e.kind === 'malformed')
      throw unconfirmed(endpoint, `its answer could not be read (${e.message})`);
    throw e;
  }
}

// Doc silent on id types: the doc's ids are numbers, so digits go out as a number for strict servers.
const wireId = (v: string): string | number => (/^\d{1,15}$/.test(v) ? Number(v) : v);

function newestByConversation(messages: RemoteMessage[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of messages) {
    const at = out.get(m.conversationExternalId);
    if (!at || m.createdAt > at) out.set(m.conversationExternalId, m.createdAt);
  }
  return out;
}

class ChatPionConnector implements ProviderConnector {
  readonly provider = 'chatpion' as const;
  readonly capabilities: Capabilities = {
    realtime: 'none',
    broadcast: 'native',
    flows: 'read-only',
    flowTest: false,
    templates: false,
    markRead: false,
    unavailable: {
      realtime:
        'ChatPion has no realtime connection an API client can open: its webhooks are set up by hand in its dashboard and name no event for a customer’s message, so the inbox polls',
      flows: 'ChatPion’s API lists chatbot flows but has no endpoint to switch them on or off',
      flowTest: 'ChatPion’s API has no endpoint to test a flow',
      templates: 'ChatPion’s API has no saved replies or templates',
      markRead: 'ChatPion’s API has no endpoint to mark a conversation read',
    },
  };
  readonly pollIntervalMs = { live: POLL_MS, fallback: POLL_MS };
  readonly http: ProviderHttp;
  private readonly apiKey: string;
  private readonly stop = new AbortController();
  private readonly budget = new PollBudget(500, 3500);
  private readonly own = new OwnMessages();
  /** For diagnostics: when a poll round last finished, and a webhook last arrived with the right token. */
  private polledAt: string | null = null;
  private webhookAt: string | null = null;

  constructor(private readonly ctx: ConnectorContext) {
    this.apiKey = 'apiKey' in ctx.credentials ? ctx.credentials.apiKey : '';
    this.http = new ProviderHttp({
      baseUrl: ctx.baseUrl,
      limits: LIMITS,
      limiter: ctx.rateLimiter?.('api', LIMITS),
      auth: () => ({ 'X-API-Key': this.apiKey }),
      errorMessage: (body) => (isObj(body) ? str(body.message, '', 300) : str(body, '', 300)) || undefined,
      unlimited: ctx.unlimited,
    });
  }

  async authenticate(): Promise<void> {
    if (!this.apiKey) throw new ProviderError('auth', 'ChatPion needs an API key (Admin > API Settings)');
    try {
      const account = await this.data('GET', '/api/account');
      if (!isObj(account)) throw malformed('GET /api/account returned no account object');
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'auth')
        throw new ProviderError(
          'auth',
          `ChatPion rejected the API key: ${e.message}`,
          e.status,
          undefined,
          e.reason,
        );
      throw e;
    }
  }

  /** Subscribers first (conversations must exist before their messages), then messages, newest first. */
  async backfill(cursor: string | null): Promise<SyncBatch> {
    const c = readCursor<BackfillCursor>(cursor, isBackfillCursor) ?? { stage: 'subscribers', walk: null };
    if (c.stage === 'subscribers') {
      const step = await walkStep(this.subscriberPages(), 'subscribed_at', c.walk, MAX_SUBSCRIBER_PAGES);
      const next: BackfillCursor = step.next
        ? { stage: 'subscribers', walk: step.next }
        : { stage: 'messages', walk: null };
      return {
        conversations: mapAll(step.items, toConversation),
        messages: [],
        cursor: JSON.stringify(next),
        done: false,
      };
    }
    const step = await walkStep(this.messagePages(), 'sent_at', c.walk, MAX_MESSAGE_PAGES);
    const messages = this.messagesOf(step.items);
    const cutoff = new Date(Date.now() - BACKFILL_DAYS * DAY_MS).toISOString();
    const done = !step.next || messages.some((m) => m.createdAt < cutoff);
    const next: BackfillCursor = { stage: 'messages', walk: step.next };
    return { conversations: [], messages, cursor: done ? null : JSON.stringify(next), done };
  }

  async poll(cursor: string | null): Promise<SyncBatch> {
    const c = readCursor<PollCursor>(cursor, isPollCursor);
    this.own.remember(c?.broadcasts);
    if (c && !this.ctx.unlimited && !this.budget.available)
      return { conversations: [], messages: [], cursor, done: true };
    const before = this.http.limiter.sent;
    try {
      const batch = c ? await this.pollSince(c) : await this.startPolling();
      this.polledAt = new Date().toISOString();
      return batch;
    } finally {
      this.budget.spend(this.http.limiter.sent - before);
    }
  }

  /** After backfill: the newest messages and the subscribers they belong to, so nothing between the two is missed. */
  private async startPolling(): Promise<SyncBatch> {
    const msgs = await openList(this.messagePages(), 'sent_at');
    const subs = await openList(this.subscriberPages(), 'subscribed_at');
    const messages = this.messagesOf(msgs.newest);
    const activity = newestByConversation(messages);
    const conversations = mapAll(subs.newest, (s) => {
      const at = activity.get(id(s.id) ?? '');
      return at ? toConversation(s, at) : null;
    });
    const cursor: PollCursor = {
      messages: msgs.mark,
      subscribers: subs.mark,
      seen: Object.fromEntries(messages.map((m) => [m.externalId, m.status])),
      known: mapAll(subs.newest, (s) => id(s.id)),
      broadcasts: this.own.remembered,
    };
    return { conversations, messages, cursor: JSON.stringify(cursor), done: true };
  }

  private async pollSince(c: PollCursor): Promise<SyncBatch> {
    const msgs = await readSince(this.messagePages(), c.messages, 'sent_at');
    const fetched = this.messagesOf(msgs.items);
    const fresh = fetched.filter((m) => !(m.externalId in c.seen));
    const messages = [
      ...fresh,
      ...fetched.filter((m) => m.externalId in c.seen && c.seen[m.externalId] !== m.status),
    ];
    const cursor: PollCursor = {
      ...c,
      messages: msgs.mark,
      seen: Object.fromEntries(mapAll(msgs.newest, (m) => toMessage(m)).map((m) => [m.externalId, m.status])),
      broadcasts: this.own.remembered,
    };
    let conversations: RemoteConversation[] = [];
    if (msgs.mark.total !== c.messages.total) {
      // New messages may come from new subscribers: look at the subscribers' newest end too.
      const subs = await readSince(this.subscriberPages(), c.subscribers, 'subscribed_at');
      const activity = newestByConversation(fresh);
      conversations = mapAll(subs.items, (s) => {
        const sid = id(s.id) ?? '';
        return activity.has(sid) || !c.known.includes(sid) ? toConversation(s, activity.get(sid)) : null;
      });
      cursor.subscribers = subs.mark;
      cursor.known = mapAll(subs.newest, (s) => id(s.id));
    }
    return { conversations, messages: dedupe(messages), cursor: JSON.stringify(cursor), done: true };
  }

  async olderMessages(
    conv: ConversationRef,
    before: string | null,
  ): Promise<{ messages: RemoteMessage[]; next: string | null }> {
    const walk = readCursor<Walk>(before, (v) => typeof v.next === 'number');
    const step = await walkStep(this.messagePages(conv.externalId), 'sent_at', walk, Infinity);
    return {
      messages: this.messagesOf(step.items, conv.externalId),
      next: step.next ? JSON.stringify(step.next) : null,
    };
  }

  // Doc silent on idempotency: no key is documented, so none is sent; after a crash the outbox's findSent decides.
  async send(conv: ConversationRef, text: string): Promise<SentMessage> {
    const data = await accepted(
      'POST /api/messages',
      this.data('POST', '/api/messages', {
        json: { subscriber_id: wireId(conv.externalId), message: text, type: 'text' },
      }),
    );
    const m = isObj(data) ? toMessage(data, conv.externalId) : null;
    if (!m) throw unconfirmed('POST /api/messages', 'answered no message id');
    this.own.noteSent(m.externalId);
    return { externalId: m.externalId, createdAt: m.createdAt, status: m.status };
  }

  /** Walks the conversation back from its newest message until it passes `sinceIso`. */
  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    // Doc silent on precision: its times have whole seconds, so compare from the start of sinceIso's second.
    const since = Math.floor((Date.parse(sinceIso) || 0) / 1000) * 1000;
    const read: RemoteMessage[] = [];
    let walk: Walk | null = null;
    do {
      const step = await walkStep(this.messagePages(conv.externalId), 'sent_at', walk, FIND_SENT_PAGES);
      const page = mapAll(step.items, (m) => toMessage(m, conv.externalId));
      read.push(...page);
      walk = page.some((m) => Date.parse(m.createdAt) < since) ? null : step.next;
    } while (walk);
    return sentSince(read, text, since);
  }

  async broadcast(req: BroadcastRequest): Promise<{ externalId: string; status: string }> {
    const target =
      req.tags?.length || req.platforms?.length
        ? { tags: req.tags ?? [], platforms: req.platforms ?? [] }
        : undefined;
    const schedule = req.scheduleAt ? { time: req.scheduleAt, timezone: req.timezone ?? 'UTC' } : undefined;
    // Noted before it leaves: a poll running meanwhile may already read its messages.
    this.own.noteBroadcast(req.text, Date.now(), req.scheduleAt ? Date.parse(req.scheduleAt) : undefined);
    const data = await accepted(
      'POST /api/broadcasts',
      this.data('POST', '/api/broadcasts', {
        json: { name: req.name, message: req.text, type: 'text', target, schedule },
      }),
    );
    const externalId = isObj(data) ? id(data.id) : null;
    if (!externalId || !isObj(data)) throw unconfirmed('POST /api/broadcasts', 'answered no broadcast id');
    return { externalId, status: str(data.status, 'created', 40) };
  }

  async listFlows(): Promise<RemoteFlow[]> {
    const flows: RemoteFlow[] = [];
    for (let page = 1; page <= MAX_FLOW_PAGES; page++) {
      const { items, total, limit } = await this.pages('/api/flows', 'flows')(page, PAGE_SIZE);
      flows.push(...mapAll(items, toFlow));
      if (!items.length || page * limit >= total) break;
    }
    return flows;
  }

  /**
   * Doc silent on webhook signatures: there are none, so the URL registered in the dashboard carries the channel's
   * secret: `<webhookUrl>?token=<webhookSecret>`.
   */
  handleWebhook(req: WebhookRequest): WebhookResult {
    const token: unknown = req.query.token;
    if (!sameSecret(typeof token === 'string' ? token : '', this.ctx.webhookSecret))
      throw new ProviderError('auth', 'ChatPion webhook: missing or wrong token in the webhook URL');
    this.webhookAt = new Date().toISOString();
    if (req.method === 'GET') return { events: [] };
    let payload: unknown;
    try {
      payload = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      throw malformed('webhook body is not JSON');
    }
    if (!isObj(payload) || !isObj(payload.data)) throw malformed('webhook has no event data');
    const events = webhookEvents(str(payload.event, '', 60), payload.data);
    return {
      events: events.map((e) =>
        e.kind === 'message' ? { ...e, message: this.own.classify([e.message])[0] } : e,
      ),
    };
  }

  diagnostics(): Diagnostic[] {
    return [
      {
        topic: 'direction',
        reading:
          'inferred: ChatPion’s messages carry no field saying who wrote them, so each is taken as the customer’s unless it matches what this app sent (a reply by its id, or by conversation and text; a native broadcast by its text once created); what agents or flows send from ChatPion itself shows as the customer’s',
        confirmed: false,
      },
      {
        topic: 'inbound',
        reading: this.own.othersSeen
          ? 'customers’ messages: read from GET /api/messages, where messages this app did not send have appeared'
          : 'customers’ messages: expected in GET /api/messages (the document does not say that list holds them); none this app did not send has appeared there yet',
        confirmed: this.own.othersSeen,
      },
      { topic: 'send', reading: this.sendReading(), confirmed: this.own.sentCameBack },
      { topic: 'realtime', reading: this.pollingReading(), confirmed: this.polledAt !== null },
      { topic: 'webhooks', reading: this.webhookReading(), confirmed: this.webhookAt !== null },
    ];
  }

  async close(): Promise<void> {
    this.stop.abort();
  }

  private sendReading(): string {
    const how =
      'replies: POST /api/messages answers the message with its id; no idempotency key is documented, so when an answer is lost the subscriber’s messages are searched for the same text before any resend';
    return this.own.sentCameBack
      ? `${how}; replies have come back from ChatPion under the ids their sends answered`
      : `${how}; no reply of this app has come back from ChatPion yet`;
  }

  private pollingReading(): string {
    const every = `polling GET /api/messages every ${POLL_MS / 1000} s (ChatPion has no realtime API)`;
    if (!this.ctx.unlimited && !this.budget.available)
      return `${every}; paused: the day’s poll budget is spent (ChatPion allows 5,000 requests a day), rounds resume as it refills`;
    return this.polledAt ? `${every}; last round at ${this.polledAt}` : `${every}; no round has finished yet`;
  }

  private webhookReading(): string {
    const byHand =
      'ChatPion’s webhooks are set up by hand in its dashboard, and its documented events name none for a customer’s message';
    if (this.webhookAt)
      return `a delivery with this channel’s token arrived at ${this.webhookAt}; ${byHand}, so polling goes on`;
    if (!this.ctx.webhookUrl)
      return `none: ChatPion cannot reach this app, which listens on this machine only; ${byHand}`;
    return `none has arrived; ${byHand} (this channel’s webhook URL with ?token=<its webhook secret>)`;
  }

  /** Messages of a list page, this app's native broadcasts among them marked outbound. */
  private messagesOf(items: Json[], subscriberId?: string): RemoteMessage[] {
    return this.own.classify(mapAll(items, (m) => toMessage(m, subscriberId)));
  }

  /** `data` of a `{status, data}` envelope. */
  private async data(method: string, path: string, o: RequestOptions = {}): Promise<unknown> {
    const body = await this.http.json(method, path, { ...o, signal: this.stop.signal });
    if (!isObj(body) || !('data' in body) || body.status === 'error')
      throw malformed(
        `${method} ${path} returned ${JSON.stringify(body)?.slice(0, 80) ?? 'nothing'} instead of {status, data}`,
      );
    return body.data;
  }

  private pages(path: string, key: string, query: RequestOptions['query'] = {}): FetchPage {
    return async (page, limit) => {
      const data = await this.data('GET', path, { query: { ...query, page, limit } });
      const total = isObj(data) ? num(data.total, NaN) : NaN;
      if (!isObj(data) || !Array.isArray(data[key]) || !(total >= 0))
        throw malformed(`GET ${path} returned no ${key} list with a total`);
      const items = arr(data[key]).filter(isObj);
      const echoed = num(data.limit, 0);
      // A server that ignores our limit and does not echo its own shows it by a short page that is not the last.
      const inferred =
        items.length > 0 && items.length < limit && (page - 1) * limit + items.length < total
          ? items.length
          : limit;
      return { total, limit: echoed > 0 ? echoed : inferred, items };
    };
  }

  private subscriberPages(): FetchPage {
    return this.pages('/api/subscribers', 'subscribers');
  }

  private messagePages(subscriberId?: string): FetchPage {
    return this.pages('/api/messages', 'messages', { subscriber_id: subscriberId });
  }
}

function dedupe(messages: RemoteMessage[]): RemoteMessage[] {
  return [...new Map(messages.map((m) => [m.externalId, m])).values()];
}

const STATUS_EVENTS: Record<string, RemoteMessageStatus> = {
  'message.delivered': 'delivered',
  'message.read': 'read',
};

function webhookEvents(event: string, data: Json): RealtimeEvent[] {
  if (event === 'subscriber.created' || event === 'subscriber.updated') {
    const conversation = toConversation(data);
    return conversation ? [{ kind: 'conversation', conversation }] : [];
  }
  if (event === 'message.sent') {
    const message = toMessage(data);
    return message ? [{ kind: 'message', message }] : [];
  }
  const externalId = id(data.id);
  if (STATUS_EVENTS[event] && externalId)
    return [{ kind: 'message.status', externalId, status: STATUS_EVENTS[event] }];
  if (event.startsWith('broadcast.')) return [{ kind: 'resync' }];
  return [];
}

export const createConnector: ConnectorFactory = (ctx) => new ChatPionConnector(ctx);
