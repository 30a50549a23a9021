// InstantChat connector. The provider's model: one Instagram business account per user; each
// Instagram thread is a conversation (GET /api/messages/instagram, unpaginated) whose messages come from
// GET /api/messages/instagram/:id (unpaginated); the contact is the Instagram user (instagramUserId,
// also the recipientId for replies). Auth is a JWT from POST /api/auth/login, cached and renewed on 401, or
// a JWT the user gives (the document's SDK takes one), used as is.
import type { Capabilities, Diagnostic } from '../../domain/entities';
import type {
  ConversationRef,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  SentMessage,
  SyncBatch,
} from '../../domain/remote';
import type { ConnectorContext, ConnectorFactory, ProviderConnector, RealtimeHandlers } from '../types';
import { mapLimit, ProviderError, ProviderHttp } from '../http';
import { id, isObj, isoTime, num, obj, readCursor, str, type Json } from '../parse';
import { sentSince } from '../sent';
import {
  conversationId,
  envelope,
  errorMessage,
  fingerprint,
  listIn,
  messageExternalId,
  toConversation,
  toFlow,
  toMessage,
} from './mapping';
import { Readings, type PageStatus } from './readings';
import { messageEvent, openRealtime } from './realtime';

const MINUTE = 60_000;
/** Documented: authentication endpoints 5 requests per minute, API endpoints 100 per minute per user. */
const AUTH_LIMITS = [{ limit: 5, windowMs: MINUTE }];
const API_LIMITS = [{ limit: 100, windowMs: MINUTE }];
/** Backfill window: conversations active in the last 30 days, at most this many. */
const BACKFILL_DAYS = 30;
const MAX_BACKFILL_CONVERSATIONS = 1000;
/** Conversations whose messages are fetched per backfill or poll step (one request each). */
const CHUNK = 10;
/** Conversations whose messages are read side by side (the limiter still paces them to the documented rate). */
const READS_IN_FLIGHT = 4;
/** A first poll re-reads conversations active this recently, which covers activity during the backfill. */
const RECENT_MS = 10 * MINUTE;

const CONVERSATIONS = '/api/messages/instagram';
const INSTAGRAM_STATUS = '/api/instagram/status';

export const createConnector = ((ctx) => new InstantChatConnector(ctx)) satisfies ConnectorFactory;

/**
 * The JWT: the one the user gave, used as is (nothing documented renews it), or one from logging in, cached,
 * one login at a time, a new one only when the old token stops working.
 */
class Session {
  private token: string | null;
  private readonly given: boolean;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly http: ProviderHttp,
    private readonly ctx: ConnectorContext,
    private readonly loggedIn: () => void,
  ) {
    this.given = 'token' in ctx.credentials;
    this.token = 'token' in ctx.credentials ? ctx.credentials.token : null;
  }

  current(): Promise<string> {
    return this.token ? Promise.resolve(this.token) : this.login();
  }

  /** False for a given token: a refused one stays refused, and the request fails as an auth error. */
  async renew(): Promise<boolean> {
    if (this.given) return false;
    this.token = null;
    await this.login();
    return true;
  }

  private login(): Promise<string> {
    this.pending ??= this.requestToken().finally(() => (this.pending = null));
    return this.pending;
  }

  private async requestToken(): Promise<string> {
    const creds = this.ctx.credentials;
    if (!('username' in creds))
      throw new ProviderError('auth', 'InstantChat needs a username and a password');
    const endpoint = 'POST /api/auth/login';
    let body: unknown;
    try {
      body = await this.http.json('POST', '/api/auth/login', { json: creds, noAuth: true });
    } catch (e) {
      if (e instanceof ProviderError && (e.status === 400 || e.status === 401 || e.status === 403))
        throw new ProviderError(
          'auth',
          `InstantChat rejected the username or password (${e.message})`,
          e.status,
          undefined,
          e.reason,
        );
      throw e;
    }
    const token = str(envelope(body, endpoint).token, '', 8000);
    if (!token) throw new ProviderError('malformed', `${endpoint} returned no token`);
    this.token = token;
    this.loggedIn();
    return token;
  }
}

interface PollState {
  /** Conversation id → fingerprint of its list entry when we last read its messages. */
  seen: Record<string, string>;
  /** Conversations whose messages still have to be read in this round. */
  pending: string[];
}

const ids = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

const fingerprints = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** ISO times in UTC (as isoTime writes them) sort as plain strings. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byActivityDesc = (a: RemoteConversation, b: RemoteConversation) =>
  compare(b.lastActivityAt, a.lastActivityAt);

class InstantChatConnector implements ProviderConnector {
  readonly provider = 'instantchat' as const;
  readonly capabilities: Capabilities = {
    realtime: 'socket.io',
    broadcast: 'fanout',
    flows: 'toggle',
    flowTest: true,
    templates: false,
    markRead: false,
    unavailable: {
      templates: 'InstantChat has no templates or canned replies',
      markRead: 'InstantChat has no endpoint to mark a conversation as read',
    },
  };
  readonly pollIntervalMs = { live: 60_000, fallback: 10_000 };
  readonly http: ProviderHttp;
  private readonly session: Session;
  private readonly readings: Readings;
  /** Customer username → the conversation of that thread (null: several threads have it), from the last list. */
  private threads = new Map<string, string | null>();
  private readonly closers = new Set<() => void>();

  constructor(private readonly ctx: ConnectorContext) {
    const common = { baseUrl: ctx.baseUrl, unlimited: ctx.unlimited, errorMessage };
    const login = { limits: AUTH_LIMITS, limiter: ctx.rateLimiter?.('auth', AUTH_LIMITS) };
    this.readings = new Readings('token' in ctx.credentials ? 'token' : 'login');
    this.session = new Session(new ProviderHttp({ ...common, ...login }), ctx, () =>
      this.readings.authWorked(),
    );
    this.http = new ProviderHttp({
      ...common,
      limits: API_LIMITS,
      limiter: ctx.rateLimiter?.('api', API_LIMITS),
      auth: async () => ({ authorization: `Bearer ${await this.session.current()}` }),
      refreshAuth: () => this.session.renew(),
    });
  }

  /** Logs in (or takes the given token), then reads which Instagram account is connected, which checks a given token. */
  async authenticate(): Promise<void> {
    await this.session.current();
    await this.readInstagramStatus();
  }

  /** Step 1: the conversation list (newest activity first, bounded). Then the messages of CHUNK conversations per step. */
  async backfill(cursor: string | null): Promise<SyncBatch> {
    const state = readCursor(cursor);
    if (!state) {
      const since = new Date(Date.now() - BACKFILL_DAYS * 24 * 3600_000).toISOString();
      const conversations = (await this.conversationItems())
        .map(toConversation)
        .filter((c): c is RemoteConversation => c !== null && c.lastActivityAt >= since)
        .sort(byActivityDesc)
        .slice(0, MAX_BACKFILL_CONVERSATIONS);
      const queue = conversations.map((c) => c.externalId);
      return { conversations, messages: [], cursor: JSON.stringify({ queue }), done: queue.length === 0 };
    }
    const queue = ids(state.queue);
    const messages = await this.messagesOf(queue.slice(0, CHUNK));
    const rest = queue.slice(CHUNK);
    return { conversations: [], messages, cursor: JSON.stringify({ queue: rest }), done: rest.length === 0 };
  }

  /**
   * One list request, then the messages of the conversations whose list entry changed (the list has no
   * "changed since" filter and its order is not documented, so entries are compared, not positions).
   */
  async poll(cursor: string | null): Promise<SyncBatch> {
    const prev = readCursor(cursor);
    const prevSeen = prev ? fingerprints(prev.seen) : null;
    const pending = ids(prev?.pending);
    if (prevSeen && pending.length) return this.pollStep({ seen: prevSeen, pending }, []);

    const seen: Record<string, string> = {};
    const all: RemoteConversation[] = [];
    const changed: RemoteConversation[] = [];
    const recent = new Date(Date.now() - RECENT_MS).toISOString();
    for (const item of await this.conversationItems()) {
      const conv = toConversation(item);
      if (!conv) continue;
      seen[conv.externalId] = fingerprint(item);
      all.push(conv);
      const isChanged = prevSeen
        ? prevSeen[conv.externalId] !== seen[conv.externalId]
        : conv.lastActivityAt >= recent;
      if (isChanged) changed.push(conv);
    }
    // The first poll hands over every conversation so unread counts start fresh.
    return this.pollStep({ seen, pending: changed.map((c) => c.externalId) }, prevSeen ? changed : all);
  }

  /** InstantChat documents no idempotency key, so none is sent; after a failed send the outbox asks findSent. */
  async send(conv: ConversationRef, text: string, _idempotencyKey: string): Promise<SentMessage> {
    const recipientId = id(conv.meta.instagramUserId);
    if (!recipientId)
      throw new ProviderError('client', 'This conversation has no Instagram user id to reply to');
    const endpoint = 'POST /api/instagram/send-message';
    const body = envelope(
      await this.http.json('POST', '/api/instagram/send-message', { json: { recipientId, message: text } }),
      endpoint,
    );
    const messageId = id(body.messageId);
    if (!messageId) throw new ProviderError('malformed', `${endpoint} returned no messageId`);
    // The document's examples answer `mid_…` here and list `msg_…`: this id may never come back in a read.
    // The store matches the listed copy to this reply by conversation and text.
    const sent: SentMessage = {
      externalId: messageExternalId(conv.externalId, messageId),
      createdAt: isoTime(body.timestamp),
      status: 'sent',
    };
    this.readings.replySent(conv.externalId, text, sent);
    return sent;
  }

  /** By text: the thread may list the reply under an id of its own, not the one send-message answered. */
  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    return sentSince(await this.messagesOf([conv.externalId]), text, Date.parse(sinceIso));
  }

  async subscribe(handlers: RealtimeHandlers): Promise<() => void> {
    const stop = openRealtime(
      this.ctx.baseUrl,
      this.session,
      {
        onEvent: handlers.onEvent,
        onState: (state, reason) => {
          this.readings.realtimeState(state, reason);
          handlers.onState(state, reason);
        },
      },
      {
        message: (data) => {
          const { event, placedBy } = messageEvent(data, {
            pageUsername: this.readings.pageUsername,
            threadOf: (username) => this.threads.get(username) ?? null,
          });
          this.readings.eventPlaced(placedBy);
          return event;
        },
        // A reconnected account may be another one: read it again (best effort, the event's payload is not documented).
        instagramConnected: () => void this.readInstagramStatus().catch(() => undefined),
      },
      this.ctx.backoffScale,
    );
    const close = () => {
      this.closers.delete(close);
      stop();
    };
    this.closers.add(close);
    return close;
  }

  async listFlows(): Promise<RemoteFlow[]> {
    const body = await this.http.json('GET', '/api/flow/user');
    return listIn(body, 'flows', 'GET /api/flow/user')
      .map(toFlow)
      .filter((f): f is RemoteFlow => f !== null);
  }

  /** The endpoint toggles, so it is called only when the current state differs from the wanted one. */
  async setFlowActive(externalId: string, active: boolean): Promise<RemoteFlow> {
    const flow = (await this.listFlows()).find((f) => f.externalId === externalId);
    if (!flow) throw new ProviderError('not_found', `InstantChat has no flow with id ${externalId}`, 404);
    if (flow.active === active) return flow;
    const path = `/api/flow/${encodeURIComponent(externalId)}/toggle`;
    const isActive = envelope(await this.http.json('PATCH', path), `PATCH ${path}`).isActive;
    if (typeof isActive !== 'boolean')
      throw new ProviderError('malformed', `PATCH ${path} returned no isActive`);
    // Someone else toggled at the same moment: report it as transient so the caller re-reads and retries.
    if (isActive !== active)
      throw new ProviderError(
        'server',
        `Flow "${flow.name}" changed concurrently and is now ${isActive ? 'on' : 'off'}`,
      );
    return { ...flow, active };
  }

  async testFlow(
    externalId: string,
    input: string,
  ): Promise<{ output: string; steps?: number; raw?: unknown }> {
    const path = `/api/flow/${encodeURIComponent(externalId)}/test`;
    const result = envelope(await this.http.json('POST', path, { json: { input } }), `POST ${path}`).result;
    if (!isObj(result)) throw new ProviderError('malformed', `POST ${path} returned no result`);
    const steps = num(result.stepsExecuted, NaN);
    return { output: str(result.output), ...(Number.isFinite(steps) ? { steps } : {}), raw: result };
  }

  diagnostics(): Diagnostic[] {
    return this.readings.diagnostics();
  }

  async close(): Promise<void> {
    for (const close of [...this.closers]) close();
  }

  /**
   * Which Instagram account is connected (documented). An answer of another shape, or none at this path,
   * leaves the account unknown without stopping the channel; auth and transient failures are thrown.
   */
  private async readInstagramStatus(): Promise<void> {
    const endpoint = `GET ${INSTAGRAM_STATUS}`;
    try {
      this.readings.page = toPageStatus(envelope(await this.http.json('GET', INSTAGRAM_STATUS), endpoint));
      this.readings.authWorked();
    } catch (e) {
      if (!(e instanceof ProviderError && ['not_found', 'client', 'malformed'].includes(e.kind))) throw e;
      this.readings.page = { kind: 'unavailable', error: e.message };
    }
  }

  /** The whole list (it is not paginated); it also tells which thread a customer's username belongs to. */
  private async conversationItems() {
    const items = listIn(
      await this.http.json('GET', CONVERSATIONS),
      'conversations',
      `GET ${CONVERSATIONS}`,
    ).filter((c) => conversationId(c) !== null);
    this.threads = threadsByUsername(items);
    this.readings.threadsListed(items.length);
    return items;
  }

  /** Messages of these conversations, one request each; a conversation that no longer exists has none. */
  private async messagesOf(conversationIds: string[]): Promise<RemoteMessage[]> {
    const perConversation = await mapLimit(conversationIds, READS_IN_FLIGHT, async (convId) => {
      const path = `${CONVERSATIONS}/${encodeURIComponent(convId)}`;
      try {
        const items = listIn(await this.http.json('GET', path), 'messages', `GET ${path}`);
        return items.map((m) => toMessage(m, convId, this.readings.pageUsername));
      } catch (e) {
        if (!(e instanceof ProviderError && e.kind === 'not_found')) throw e;
        return [];
      }
    });
    const messages = perConversation.flat();
    this.readings.listed(messages);
    return messages;
  }

  private async pollStep(state: PollState, conversations: RemoteConversation[]): Promise<SyncBatch> {
    const messages = await this.messagesOf(state.pending.slice(0, CHUNK));
    const pending = state.pending.slice(CHUNK);
    return {
      conversations,
      messages,
      cursor: JSON.stringify({ seen: state.seen, pending }),
      done: pending.length === 0,
    };
  }
}

function toPageStatus(body: Json): PageStatus {
  if (body.connected === false) return { kind: 'disconnected' };
  if (body.connected !== true)
    throw new ProviderError('malformed', `GET ${INSTAGRAM_STATUS} returned no connected flag`);
  return { kind: 'connected', username: str(body.username, '', 200) || null, pageId: id(body.pageId) };
}

/** Username → conversation id, or null where several threads share a username (no single place for them). */
function threadsByUsername(items: Json[]): Map<string, string | null> {
  const threads = new Map<string, string | null>();
  for (const item of items) {
    const username = str(item.username, '', 200);
    const convId = conversationId(item);
    if (username && convId) threads.set(username, threads.has(username) ? null : convId);
  }
  return threads;
}
