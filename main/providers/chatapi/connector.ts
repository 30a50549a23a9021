// ChatAPI connector (providers/chatapi.md). The API key belongs to the support agent, a ChatAPI user;
// each customer conversation is a room holding the customer and the agent. Rooms → conversations,
// the other participant → contact, room messages → messages (out when the agent sent them).
import type { Capabilities } from '../../contract/schemas';
import { ProviderError, ProviderHttp, type RateWindow } from '../http';
import { id, isObj, obj, readCursor, str, type Json } from '../parse';
import { sentSince } from '../sent';
import type {
  ConnectorContext,
  ConnectorFactory,
  ConversationRef,
  ProviderConnector,
  RealtimeHandlers,
  RemoteConversation,
  RemoteMessage,
  SentMessage,
  SyncBatch,
} from '../types';
import {
  errorMessage,
  listPage,
  ownUserId,
  participantIds,
  roomActivity,
  roomConversation,
  roomFingerprint,
  roomRef,
  roomShowsActivity,
  senderConversation,
  single,
  toMessage,
} from './map';
import { RealtimeLink } from './realtime';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The document's limit for message requests. One client-side window covers every request we make. */
const LIMITS: RateWindow[] = [{ limit: 1000, windowMs: HOUR }];
const PAGE_SIZE = 100;
const MAX_ROOM_PAGES = 50;
const MAX_MESSAGE_PAGES = 5;
/**
 * A backfill step reads several rooms' history side by side (the rate limiter still spaces the requests), and
 * the cache stores them together: about this long of requests at the documented rate, 8 rooms at least and a
 * page of rooms at most. Under the documented 1,000 requests an hour that is 8 rooms, so history shows up every
 * half minute; where the limit allows more, larger steps keep ChatAPI, often most of an account's messages,
 * from finishing long after the other providers.
 */
const STEP_SECONDS = 10;
const MIN_ROOMS_PER_STEP = 8;
const BACKFILL_WINDOW_MS = 30 * DAY;
/** First poll after backfill: re-read rooms active this recently (messages may have arrived meanwhile). */
const FIRST_POLL_LOOKBACK_MS = HOUR;
/** Messages may be stored slightly out of order: re-read this far behind the newest one seen. */
const SKEW_MS = 60_000;
const MAX_ROOMS_PER_POLL = 20;
/** catchUp() lists again while rooms move under its listing, this many times at most. */
const MAX_CATCH_UP_PASSES = 10;

const CAPABILITIES: Capabilities = {
  realtime: 'websocket',
  broadcast: 'fanout',
  flows: 'none',
  flowTest: false,
  templates: false,
  markRead: false,
  unavailable: {
    flows: 'ChatAPI has no chatbot flows',
    flowTest: 'ChatAPI has no chatbot flows to test',
    templates: 'ChatAPI has no message templates',
    markRead: 'ChatAPI has no read receipts',
  },
};

/** The document's base URL ends in /api/v1; a bare origin is accepted too. */
export function apiBase(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return base.endsWith('/api/v1') ? base : base + '/api/v1';
}

interface BackfillCursor {
  roomPage: number;
  roomsDone: boolean;
  /** Rooms (as sent in `room_id`) whose messages are still to fetch, and the next page of the first. */
  queue: (string | number)[];
  messagePage: number;
  /** When this backfill began (epoch ms), and whether catchUp() has listed the rooms active since. */
  since: number;
  caughtUp: boolean;
}

const finished = (c: BackfillCursor) => c.roomsDone && c.caughtUp && !c.queue.length;
const queued = (conv: RemoteConversation) => roomRef(conv.meta?.roomId, conv.externalId);

/** Per room: [digest of its list entry, newest message time seen (epoch ms, 0: none), numeric room_id if any]. */
type RoomMark = [string, number, number?];

interface PollCursor {
  rooms: Record<string, RoomMark>;
  round: number;
  sweep: number;
  /** Changed rooms were left for the next round: it reads every page, not only down to an unchanged one. */
  backlog?: boolean;
}

interface MessagesPage {
  messages: RemoteMessage[];
  hasNext: boolean;
  /** The page is ordered newest first, so later pages only hold older messages. */
  newestFirst: boolean;
  oldest: number;
}

const ms = (iso: string) => Date.parse(iso) || 0;

/** True when no later page can hold messages at or after `bound`. */
const reachedBefore = (p: MessagesPage, bound: number) =>
  p.newestFirst && p.messages.length > 0 && p.oldest < bound;

class ChatApiConnector implements ProviderConnector {
  readonly provider = 'chatapi' as const;
  readonly capabilities = CAPABILITIES;
  /** 1000 requests/hour shared with sends: one room-list request per poll every 5 s stays near 720/hour. */
  readonly pollIntervalMs = { live: 30_000, fallback: 5_000 };
  readonly http: ProviderHttp;
  private readonly apiKey: string;
  private me: string | null = null;
  /** Rooms seen so far, to give pushed messages their conversation. */
  private readonly rooms = new Map<string, RemoteConversation>();
  /** Doc silent on sortable room fields: ask for updated_at, fall back to the default order if refused. */
  private roomSort: string | undefined = 'updated_at';
  private readonly closing = new AbortController();
  private readonly links = new Set<RealtimeLink>();

  constructor(ctx: ConnectorContext) {
    this.apiKey = 'apiKey' in ctx.credentials ? ctx.credentials.apiKey : '';
    this.http = new ProviderHttp({
      baseUrl: apiBase(ctx.baseUrl),
      limits: LIMITS,
      limiter: ctx.rateLimiter?.('api', LIMITS),
      unlimited: ctx.unlimited,
      auth: () => ({ authorization: `Bearer ${this.apiKey}` }),
      errorMessage,
    });
  }

  async authenticate(): Promise<void> {
    if (!this.apiKey) throw new ProviderError('auth', 'ChatAPI needs an API key');
    let me: Json;
    try {
      me = single(await this.get('/clients/me'), 'GET /clients/me');
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'auth')
        throw new ProviderError('auth', `ChatAPI refused the API key (${e.message})`, e.status);
      throw e;
    }
    this.me = ownUserId(me) ?? (await this.userInEveryRoom());
    if (!this.me)
      throw new ProviderError('malformed', 'GET /clients/me did not say which user the API key belongs to');
  }

  async backfill(cursor: string | null): Promise<SyncBatch> {
    const me = await this.ensureMe();
    const c: BackfillCursor = {
      roomPage: 1,
      roomsDone: false,
      queue: [],
      messagePage: 1,
      since: Date.now(),
      caughtUp: false,
      ...readCursor<BackfillCursor>(cursor, (v) => Array.isArray(v.queue) && typeof v.roomPage === 'number'),
    };
    if (c.queue.length) {
      // Several rooms' recent history per step, read side by side: one request and one cache transaction per
      // room made a 4,000-room account crawl. The first room resumes at the page the cursor names.
      const perStep = Math.floor(this.http.limiter.ratePerSecond * STEP_SECONDS);
      const rooms = c.queue.slice(0, Math.min(Math.max(perStep, MIN_ROOMS_PER_STEP), PAGE_SIZE));
      const histories = await Promise.all(
        rooms.map((room, i) => this.recentHistory(room, i === 0 ? c.messagePage : 1, me)),
      );
      const next = { ...c, queue: c.queue.slice(rooms.length), messagePage: 1 };
      return {
        conversations: [],
        messages: histories.flatMap((h) => h.messages),
        cursor: JSON.stringify(next),
        done: finished(next),
        historyComplete: rooms.filter((_, i) => histories[i].complete).map(String),
      };
    }
    if (c.roomsDone) return this.catchUp(c, me);
    const { items, hasNext } = await this.roomsPage(c.roomPage);
    const conversations = items.flatMap((room) => this.remember(room, me) ?? []);
    const next: BackfillCursor = {
      ...c,
      roomPage: c.roomPage + 1,
      roomsDone: !hasNext || c.roomPage >= MAX_ROOM_PAGES,
      queue: conversations.map(queued),
      messagePage: 1,
    };
    return { conversations, messages: [], cursor: JSON.stringify(next), done: finished(next) };
  }

  /**
   * Rooms come most recently active first, so a room that got a message while backfill paged moved up into a
   * page already read and was never listed. After the last page, the rooms active since backfill began are
   * listed again from the top and queued (one read twice costs a request, one never read would lose its
   * history). A room can move up under this listing too: listing again the rooms active since it began, until
   * one finds none, closes that gap. All in one step, so no restart falls between pages.
   */
  private async catchUp(c: BackfillCursor, me: string): Promise<SyncBatch> {
    if (c.caughtUp) return { conversations: [], messages: [], cursor: JSON.stringify(c), done: true };
    const found = new Map<string, RemoteConversation>();
    let since = c.since;
    for (let pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
      const started = Date.now();
      const active = await this.roomsActiveSince(since, me);
      for (const conv of active) found.set(conv.externalId, conv);
      if (!active.length) break;
      since = started;
    }
    const conversations = [...found.values()];
    const next: BackfillCursor = {
      ...c,
      caughtUp: true,
      queue: [...new Set([...c.queue, ...conversations.map(queued)])],
    };
    return { conversations, messages: [], cursor: JSON.stringify(next), done: finished(next) };
  }

  /** The rooms with activity at or after `since`: the top of the list, read page by page. */
  private async roomsActiveSince(since: number, me: string): Promise<RemoteConversation[]> {
    const out: RemoteConversation[] = [];
    for (let page = 1; page <= MAX_ROOM_PAGES; page++) {
      const { items, hasNext } = await this.roomsPage(page);
      const active = items.filter((room) => ms(roomActivity(room) ?? '') >= since);
      out.push(...active.flatMap((room) => this.remember(room, me) ?? []));
      if (!hasNext || active.length < items.length) break;
    }
    return out;
  }

  /**
   * One room-list read per round: rooms whose entry changed (or new rooms) get their newest messages
   * fetched. Now and then one unchanged room is re-read too, for servers whose room list does not move
   * when a message arrives.
   */
  async poll(cursor: string | null): Promise<SyncBatch> {
    const me = await this.ensureMe();
    const prev = readCursor<PollCursor>(cursor, (v) => isObj(v.rooms) && typeof v.round === 'number');
    const state: PollCursor = {
      rooms: { ...prev?.rooms },
      round: (prev?.round ?? 0) + 1,
      sweep: prev?.sweep ?? 0,
    };
    const { conversations, changed, showsActivity } = await this.scanRooms(prev, state, me);
    const known = Object.keys(state.rooms).sort();
    if (prev && known.length && state.round % (showsActivity ? 6 : 1) === 0) {
      const pick = known[state.sweep++ % known.length];
      if (!changed.includes(pick)) changed.push(pick);
    }
    // Rooms left for the next round keep their old fingerprint, so they show up as changed again; they may sit
    // below a page with no news, so that round reads every page.
    for (const roomId of changed.slice(MAX_ROOMS_PER_POLL))
      state.rooms[roomId][0] = prev?.rooms[roomId]?.[0] ?? '';
    state.backlog = changed.length > MAX_ROOMS_PER_POLL;
    const messages: RemoteMessage[] = [];
    for (const roomId of changed.slice(0, MAX_ROOMS_PER_POLL)) {
      messages.push(...(await this.newMessages(roomId, state.rooms[roomId], me)));
    }
    return {
      conversations,
      messages,
      cursor: JSON.stringify(state),
      done: changed.length <= MAX_ROOMS_PER_POLL,
    };
  }

  async olderMessages(
    conv: ConversationRef,
    before: string | null,
  ): Promise<{ messages: RemoteMessage[]; next: string | null }> {
    const me = await this.ensureMe();
    const page = Math.max(1, Number(before) || 1);
    const p = await this.messagesPage(roomRef(conv.meta.roomId, conv.externalId), page, me);
    return { messages: p.messages, next: p.hasNext ? String(page + 1) : null };
  }

  /** ChatAPI documents no idempotency key: one POST, and findSent() settles doubts after a crash. */
  async send(conv: ConversationRef, text: string): Promise<SentMessage> {
    const me = await this.ensureMe();
    const body = await this.http.json('POST', '/messages', {
      json: { room_id: roomRef(conv.meta.roomId, conv.externalId), content: text, message_type: 'text' },
      signal: this.closing.signal,
    });
    const sent = toMessage(single(body, 'POST /messages'), conv.externalId, me);
    if (!sent) throw new ProviderError('malformed', 'POST /messages returned a message without an id');
    return { externalId: sent.externalId, createdAt: sent.createdAt, status: 'sent' };
  }

  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    const me = await this.ensureMe();
    const since = ms(sinceIso);
    const room = roomRef(conv.meta.roomId, conv.externalId);
    const read: RemoteMessage[] = [];
    for (let page = 1; page <= MAX_MESSAGE_PAGES; page++) {
      const p = await this.messagesPage(room, page, me);
      read.push(...p.messages);
      if (!p.hasNext || reachedBefore(p, since)) break;
    }
    return sentSince(read, text, since);
  }

  async subscribe(handlers: RealtimeHandlers): Promise<() => void> {
    const me = await this.ensureMe();
    const link = new RealtimeLink({
      url: this.http.url('/websocket/open').href.replace(/^http/, 'ws'),
      headers: { authorization: `Bearer ${this.apiKey}` },
      onFrame: (frame) => this.onFrame(frame, me, handlers),
      onState: (state, reason) => handlers.onState(state, reason),
    });
    this.links.add(link);
    link.start();
    return () => {
      link.stop();
      this.links.delete(link);
    };
  }

  async close(): Promise<void> {
    this.closing.abort();
    for (const link of this.links) link.stop();
    this.links.clear();
  }

  private async ensureMe(): Promise<string> {
    if (!this.me) await this.authenticate();
    return this.me as string;
  }

  private get(path: string, query?: Record<string, string | number | undefined>): Promise<unknown> {
    return this.http.json('GET', path, { query, signal: this.closing.signal });
  }

  private remember(room: Json, me: string): RemoteConversation | null {
    const conv = roomConversation(room, me);
    if (conv) this.rooms.set(conv.externalId, conv);
    return conv;
  }

  private async roomsPage(page: number): Promise<{ items: Json[]; hasNext: boolean }> {
    try {
      const body = await this.get('/rooms', { page, size: PAGE_SIZE, sort: this.roomSort, order: 'desc' });
      return listPage(body, 'GET /rooms', PAGE_SIZE);
    } catch (e) {
      if (!this.roomSort || !(e instanceof ProviderError) || (e.status !== 400 && e.status !== 422)) throw e;
      this.roomSort = undefined;
      return this.roomsPage(page);
    }
  }

  /**
   * A room's messages of the backfill window, newest first, from page `from` on (at most MAX_MESSAGE_PAGES);
   * `complete` when that was all the room has.
   */
  private async recentHistory(
    room: string | number,
    from: number,
    me: string,
  ): Promise<{ messages: RemoteMessage[]; complete: boolean }> {
    const messages: RemoteMessage[] = [];
    for (let page = from; page <= MAX_MESSAGE_PAGES; page++) {
      const p = await this.messagesPage(room, page, me);
      messages.push(...p.messages);
      if (!p.hasNext) return { messages, complete: from === 1 };
      if (reachedBefore(p, Date.now() - BACKFILL_WINDOW_MS)) break;
    }
    return { messages, complete: false };
  }

  private async messagesPage(room: string | number, page: number, me: string): Promise<MessagesPage> {
    const roomId = String(room);
    const body = await this.get('/messages', {
      room_id: room,
      page,
      size: PAGE_SIZE,
      sort: 'created_at',
      order: 'desc',
    });
    const { items, hasNext } = listPage(body, 'GET /messages', PAGE_SIZE);
    const messages = items.flatMap((m) => toMessage(m, roomId, me) ?? []);
    const times = messages.map((m) => ms(m.createdAt));
    return {
      messages,
      hasNext,
      newestFirst: times.every((t, i) => i === 0 || t <= times[i - 1]),
      oldest: Math.min(...times),
    };
  }

  /** Reads the room list into `state`; answers the rooms that are new or changed since `prev`. */
  private async scanRooms(prev: PollCursor | null, state: PollCursor, me: string) {
    const firstMark = Date.now() - FIRST_POLL_LOOKBACK_MS;
    const conversations: RemoteConversation[] = [];
    const changed: string[] = [];
    let showsActivity = false;
    for (let page = 1; page <= MAX_ROOM_PAGES; page++) {
      const { items, hasNext } = await this.roomsPage(page);
      let pageChanged = false;
      for (const room of items) {
        const conv = this.remember(room, me);
        if (!conv) continue;
        showsActivity ||= roomShowsActivity(room);
        const old = prev?.rooms[conv.externalId];
        const fingerprint = roomFingerprint(room);
        const mark = old?.[1] ?? (prev ? 0 : firstMark);
        const roomId = conv.meta?.roomId;
        state.rooms[conv.externalId] =
          typeof roomId === 'number' ? [fingerprint, mark, roomId] : [fingerprint, mark];
        if (old?.[0] === fingerprint) continue;
        pageChanged = true;
        conversations.push(conv);
        // The first round after backfill re-reads only recently active rooms.
        const activity = roomActivity(room);
        if (prev || !activity || ms(activity) >= firstMark) changed.push(conv.externalId);
      }
      // Rooms come most recently active first: an unchanged page means the rest is unchanged too.
      if (!hasNext || (prev && !prev.backlog && !pageChanged && this.roomSort && sortedByActivity(items)))
        break;
    }
    return { conversations, changed, showsActivity };
  }

  /** A room's messages since its mark (a little before, in case of late inserts); moves the mark. */
  private async newMessages(roomId: string, mark: RoomMark, me: string): Promise<RemoteMessage[]> {
    const since = mark[1] ? mark[1] - SKEW_MS : 0;
    const out: RemoteMessage[] = [];
    for (let page = 1; page <= MAX_MESSAGE_PAGES; page++) {
      const p = await this.messagesPage(mark[2] ?? roomId, page, me);
      out.push(...p.messages.filter((m) => ms(m.createdAt) >= since));
      if (!p.hasNext || reachedBefore(p, since)) break;
    }
    mark[1] = out.reduce((t, m) => Math.max(t, ms(m.createdAt)), mark[1]);
    return out;
  }

  /** Doc silent on who "me" is: without a user in /clients/me, the one participant of every room. */
  private async userInEveryRoom(): Promise<string | null> {
    const { items } = await this.roomsPage(1);
    if (items.length < 2) return null;
    const common = items.map(participantIds).reduce((a, b) => a.filter((x) => b.includes(x)));
    return common.length === 1 ? common[0] : null;
  }

  /** Pushed frames `{type: 'message' | 'message_updated', data: message, room_id}` become message events. */
  private onFrame(frame: unknown, me: string, h: RealtimeHandlers): void {
    const f = obj(frame);
    const type = str(f.type ?? f.event, '', 50);
    if (!['message', 'message_updated', 'new_message', 'message.created', 'message.updated'].includes(type))
      return;
    const data = obj(f.data ?? f.message);
    const roomRaw = data.room_id ?? f.room_id;
    const roomId = id(roomRaw);
    const message = roomId ? toMessage(data, roomId, me) : null;
    if (!roomId || !message) return h.onEvent({ kind: 'resync' });
    const known = this.rooms.get(roomId);
    const conversation = known ?? senderConversation(data, roomId, roomRaw, me) ?? undefined;
    h.onEvent({ kind: 'message', message, conversation });
    if (!known) h.onEvent({ kind: 'resync' });
  }
}

function sortedByActivity(rooms: Json[]): boolean {
  const times = rooms.map((r) => ms(roomActivity(r) ?? ''));
  return times.every((t, i) => i === 0 || t <= times[i - 1]);
}

export const createConnector: ConnectorFactory = (ctx) => new ChatApiConnector(ctx);
