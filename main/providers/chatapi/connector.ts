// ChatAPI connector (providers/chatapi.md). The API key belongs to the support agent, a ChatAPI user;
// each customer conversation is a room. Rooms → conversations, the room's other participant (where rooms
// list them) or the room itself → contact, room messages → messages (out when the agent sent them, as far
// as anything says: see identity.ts and README.md).
import type { Capabilities, Diagnostic } from '../../domain/entities';
import type {
  ConversationRef,
  RemoteConversation,
  RemoteMessage,
  SentMessage,
  SyncBatch,
} from '../../domain/remote';
import type { ConnectorContext, ConnectorFactory, ProviderConnector, RealtimeHandlers } from '../types';
import { ProviderError, ProviderHttp, type RateWindow } from '../http';
import { id, isObj, obj, readCursor, str, type Json } from '../parse';
import { sentSince } from '../sent';
import { OwnIdentity } from './identity';
import {
  dataObject,
  errorMessage,
  listPage,
  listsParticipants,
  ownUserId,
  roomActivity,
  roomConversation,
  roomFingerprint,
  roomRef,
  roomShowsActivity,
  senderOf,
  toMessage,
  type Page,
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

/** What both sync cursors carry besides their position: the user this app's own replies showed it is. */
interface Learned {
  me?: string;
}

interface BackfillCursor extends Learned {
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

interface PollCursor extends Learned {
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

/** Where the room list comes from: every room of the client (the document's admin list), or the user's own. */
type RoomsSource = '/rooms/all' | '/rooms';

interface RealtimeSeen {
  state: 'live' | 'down';
  reason?: string;
  messageFrames: number;
}

const isStatus = (e: unknown, ...statuses: number[]): e is ProviderError =>
  e instanceof ProviderError && e.status !== undefined && statuses.includes(e.status);

/** A 401 or 403 from a key check, as the credentials problem it is. */
function refusedKey(e: unknown): unknown {
  return e instanceof ProviderError && e.kind === 'auth'
    ? new ProviderError('auth', `ChatAPI refused the API key (${e.message})`, e.status, undefined, e.reason)
    : e;
}

class ChatApiConnector implements ProviderConnector {
  readonly provider = 'chatapi' as const;
  readonly capabilities = CAPABILITIES;
  /** 1000 requests/hour shared with sends: one room-list request per poll every 5 s stays near 720/hour. */
  readonly pollIntervalMs = { live: 30_000, fallback: 5_000 };
  readonly http: ProviderHttp;
  private readonly apiKey: string;
  private readonly identity: OwnIdentity;
  /** Rooms seen so far, to give pushed messages their conversation. */
  private readonly rooms = new Map<string, RemoteConversation>();
  /** Doc silent on sortable room fields: ask for updated_at, fall back to the default order if refused. */
  private roomSort: string | undefined = 'updated_at';
  /** Null until the first room list: /rooms/all is tried first and given up on a 403 (or 404). */
  private roomsSource: RoomsSource | null = null;
  /** Whether the rooms read so far listed their participants (null: none read yet). */
  private roomsListParticipants: boolean | null = null;
  /** Rooms listed whose messages ChatAPI refused (403): rooms of the client this user is not in. */
  private readonly unreadableRooms = new Set<string>();
  /** Rooms this connector joined to send into: their messages are read again at the next poll. */
  private readonly joinedRooms = new Set<string>();
  private realtime: RealtimeSeen | null = null;
  private sendsAnswered = 0;
  private readonly closing = new AbortController();
  private readonly links = new Set<RealtimeLink>();

  constructor(private readonly ctx: ConnectorContext) {
    const c = ctx.credentials;
    this.apiKey = 'apiKey' in c ? c.apiKey : '';
    this.identity = new OwnIdentity('userId' in c ? c.userId : null);
    this.http = new ProviderHttp({
      baseUrl: apiBase(ctx.baseUrl),
      limits: LIMITS,
      limiter: ctx.rateLimiter?.('api', LIMITS),
      unlimited: ctx.unlimited,
      auth: () => ({ authorization: `Bearer ${this.apiKey}` }),
      errorMessage,
    });
  }

  /**
   * Checks the key with GET /clients/me, and takes the user it names, if any: a valid key works whatever that
   * answer holds. Where client information is refused to a user key (403, or 404) or is no JSON, listing rooms
   * checks the key.
   */
  async authenticate(): Promise<void> {
    if (!this.apiKey) throw new ProviderError('auth', 'ChatAPI needs an API key');
    try {
      this.identity.namedByClient(ownUserId(dataObject(await this.get('/clients/me'))));
    } catch (e) {
      const unusable = isStatus(e, 403, 404) || (e instanceof ProviderError && e.kind === 'malformed');
      if (!unusable) throw refusedKey(e);
      await this.roomsPage(1).catch((err: unknown) => {
        throw refusedKey(err);
      });
    }
  }

  async backfill(cursor: string | null): Promise<SyncBatch> {
    const c: BackfillCursor = {
      roomPage: 1,
      roomsDone: false,
      queue: [],
      messagePage: 1,
      since: Date.now(),
      caughtUp: false,
      ...readCursor<BackfillCursor>(cursor, (v) => Array.isArray(v.queue) && typeof v.roomPage === 'number'),
    };
    this.identity.restore(c.me);
    if (c.queue.length) {
      // Several rooms' recent history per step, read side by side: one request and one cache transaction per
      // room made a 4,000-room account crawl. The first room resumes at the page the cursor names.
      const perStep = Math.floor(this.http.limiter.ratePerSecond * STEP_SECONDS);
      const rooms = c.queue.slice(0, Math.min(Math.max(perStep, MIN_ROOMS_PER_STEP), PAGE_SIZE));
      const histories = await Promise.all(
        rooms.map((room, i) => this.recentHistory(room, i === 0 ? c.messagePage : 1)),
      );
      const next = { ...c, queue: c.queue.slice(rooms.length), messagePage: 1 };
      return {
        conversations: [],
        messages: histories.flatMap((h) => h.messages),
        cursor: this.keep(next),
        done: finished(next),
        historyComplete: rooms.filter((_, i) => histories[i].complete).map(String),
      };
    }
    if (c.roomsDone) return this.catchUp(c);
    const { items, hasNext } = await this.roomsPage(c.roomPage);
    const conversations = items.flatMap((room) => this.remember(room) ?? []);
    const next: BackfillCursor = {
      ...c,
      roomPage: c.roomPage + 1,
      roomsDone: !hasNext || c.roomPage >= MAX_ROOM_PAGES,
      queue: conversations.map(queued),
      messagePage: 1,
    };
    return { conversations, messages: [], cursor: this.keep(next), done: finished(next) };
  }

  /** A cursor as text, with the user the app's own replies showed (so a restart need not learn it again). */
  private keep(cursor: BackfillCursor | PollCursor): string {
    return JSON.stringify({ ...cursor, me: this.identity.learned });
  }

  /**
   * Rooms come most recently active first, so a room that got a message while backfill paged moved up into a
   * page already read and was never listed. After the last page, the rooms active since backfill began are
   * listed again from the top and queued (one read twice costs a request, one never read would lose its
   * history). A room can move up under this listing too: listing again the rooms active since it began, until
   * one finds none, closes that gap. All in one step, so no restart falls between pages.
   */
  private async catchUp(c: BackfillCursor): Promise<SyncBatch> {
    if (c.caughtUp) return { conversations: [], messages: [], cursor: this.keep(c), done: true };
    const found = new Map<string, RemoteConversation>();
    let since = c.since;
    for (let pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
      const started = Date.now();
      const active = await this.roomsActiveSince(since);
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
    return { conversations, messages: [], cursor: this.keep(next), done: finished(next) };
  }

  /** The rooms with activity at or after `since`: the top of the list, read page by page. */
  private async roomsActiveSince(since: number): Promise<RemoteConversation[]> {
    const out: RemoteConversation[] = [];
    for (let page = 1; page <= MAX_ROOM_PAGES; page++) {
      const { items, hasNext } = await this.roomsPage(page);
      const active = items.filter((room) => ms(roomActivity(room) ?? '') >= since);
      out.push(...active.flatMap((room) => this.remember(room) ?? []));
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
    const prev = readCursor<PollCursor>(cursor, (v) => isObj(v.rooms) && typeof v.round === 'number');
    this.identity.restore(prev?.me);
    const state: PollCursor = {
      rooms: { ...prev?.rooms },
      round: (prev?.round ?? 0) + 1,
      sweep: prev?.sweep ?? 0,
    };
    const { conversations, changed, showsActivity } = await this.scanRooms(prev, state);
    for (const roomId of this.joinedRooms)
      if (state.rooms[roomId] && !changed.includes(roomId)) changed.push(roomId);
    this.joinedRooms.clear();
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
      messages.push(...(await this.newMessages(roomId, state.rooms[roomId])));
    }
    return {
      conversations,
      messages,
      cursor: this.keep(state),
      done: changed.length <= MAX_ROOMS_PER_POLL,
    };
  }

  async olderMessages(
    conv: ConversationRef,
    before: string | null,
  ): Promise<{ messages: RemoteMessage[]; next: string | null }> {
    const page = Math.max(1, Number(before) || 1);
    const p = await this.messagesPage(roomRef(conv.meta.roomId, conv.externalId), page);
    return { messages: p.messages, next: p.hasNext ? String(page + 1) : null };
  }

  /**
   * ChatAPI documents no idempotency key: one POST, and findSent() settles doubts after a crash or a timeout.
   * The answer's sender is who this key's user is (identity.ts).
   */
  async send(conv: ConversationRef, text: string): Promise<SentMessage> {
    const data = dataObject(await this.postMessage(roomRef(conv.meta.roomId, conv.externalId), text));
    this.identity.sentAs(senderOf(data));
    const sent = toMessage(data, conv.externalId, this.identity.me);
    // A 2xx means ChatAPI took the reply: never resend it blindly, find it in the room instead.
    if (!sent)
      throw new ProviderError('unconfirmed', 'POST /messages accepted the reply but answered no message id');
    this.sendsAnswered++;
    return { externalId: sent.externalId, createdAt: sent.createdAt, status: 'sent' };
  }

  /**
   * The document does not say sending needs membership of the room, so none is assumed. Where ChatAPI refuses
   * the reply (403: nothing went out), as it may in a room listed by /rooms/all that the user is not in, the
   * user joins the room (POST /rooms/{id}/join) and sends it once more.
   */
  private async postMessage(room: string | number, text: string): Promise<unknown> {
    const post = () =>
      this.http.json('POST', '/messages', {
        json: { room_id: room, content: text, message_type: 'text' },
        signal: this.closing.signal,
      });
    try {
      return await post();
    } catch (e) {
      if (!isStatus(e, 403)) throw e;
      const joined = await this.http
        .json('POST', `/rooms/${encodeURIComponent(String(room))}/join`, { signal: this.closing.signal })
        .then(
          () => true,
          () => false,
        );
      if (!joined) throw e;
      this.joinedRooms.add(String(room));
      this.unreadableRooms.delete(String(room));
      return post();
    }
  }

  async findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]> {
    const since = ms(sinceIso);
    const room = roomRef(conv.meta.roomId, conv.externalId);
    const read: RemoteMessage[] = [];
    for (let page = 1; page <= MAX_MESSAGE_PAGES; page++) {
      const p = await this.messagesPage(room, page);
      read.push(...p.messages);
      if (!p.hasNext || reachedBefore(p, since)) break;
    }
    return sentSince(read, text, since);
  }

  async subscribe(handlers: RealtimeHandlers): Promise<() => void> {
    const link = new RealtimeLink({
      url: this.http.url('/websocket/open').href.replace(/^http/, 'ws'),
      headers: { authorization: `Bearer ${this.apiKey}` },
      onFrame: (frame) => this.onFrame(frame, handlers),
      onState: (state, reason) => {
        this.realtime = { state, reason, messageFrames: this.realtime?.messageFrames ?? 0 };
        handlers.onState(state, reason);
      },
      backoffScale: this.ctx.backoffScale,
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

  private get(path: string, query?: Record<string, string | number | undefined>): Promise<unknown> {
    return this.http.json('GET', path, { query, signal: this.closing.signal });
  }

  private remember(room: Json): RemoteConversation | null {
    this.roomsListParticipants = (this.roomsListParticipants ?? false) || listsParticipants(room);
    const conv = roomConversation(room, this.identity.me);
    if (conv) this.rooms.set(conv.externalId, conv);
    return conv;
  }

  /**
   * One page of rooms: every room of the client (GET /rooms/all, "admin") where the key may list them, so a
   * customer's room the agent has not joined appears too; else the user's own (GET /rooms).
   */
  private async roomsPage(page: number): Promise<Page> {
    const path = this.roomsSource ?? '/rooms/all';
    try {
      const body = await this.get(path, { page, size: PAGE_SIZE, sort: this.roomSort, order: 'desc' });
      const list = listPage(body, `GET ${path}`, PAGE_SIZE);
      this.roomsSource = path;
      return list;
    } catch (e) {
      if (path === '/rooms/all' && isStatus(e, 403, 404)) {
        this.roomsSource = '/rooms';
        return this.roomsPage(page);
      }
      if (!this.roomSort || !isStatus(e, 400, 422)) throw e;
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
  ): Promise<{ messages: RemoteMessage[]; complete: boolean }> {
    const messages: RemoteMessage[] = [];
    for (let page = from; page <= MAX_MESSAGE_PAGES; page++) {
      const p = await this.readablePage(room, page);
      if (!p) break;
      messages.push(...p.messages);
      if (!p.hasNext) return { messages, complete: from === 1 };
      if (reachedBefore(p, Date.now() - BACKFILL_WINDOW_MS)) break;
    }
    return { messages, complete: false };
  }

  /**
   * A page of a room's messages for sync, or null when ChatAPI refuses this key the room (403): a room of the
   * client this user is not in. It stays listed, and is read once the user joins it (a reply does).
   */
  private async readablePage(room: string | number, page: number): Promise<MessagesPage | null> {
    try {
      const p = await this.messagesPage(room, page);
      this.unreadableRooms.delete(String(room));
      return p;
    } catch (e) {
      if (!isStatus(e, 403)) throw e;
      this.unreadableRooms.add(String(room));
      return null;
    }
  }

  private async messagesPage(room: string | number, page: number): Promise<MessagesPage> {
    const roomId = String(room);
    const body = await this.get('/messages', {
      room_id: room,
      page,
      size: PAGE_SIZE,
      sort: 'created_at',
      order: 'desc',
    });
    const { items, hasNext } = listPage(body, 'GET /messages', PAGE_SIZE);
    const messages = items.flatMap((m) => toMessage(m, roomId, this.identity.me) ?? []);
    const times = messages.map((m) => ms(m.createdAt));
    return {
      messages,
      hasNext,
      newestFirst: times.every((t, i) => i === 0 || t <= times[i - 1]),
      oldest: Math.min(...times),
    };
  }

  /** Reads the room list into `state`; answers the rooms that are new or changed since `prev`. */
  private async scanRooms(prev: PollCursor | null, state: PollCursor) {
    const firstMark = Date.now() - FIRST_POLL_LOOKBACK_MS;
    const conversations: RemoteConversation[] = [];
    const changed: string[] = [];
    let showsActivity = false;
    for (let page = 1; page <= MAX_ROOM_PAGES; page++) {
      const { items, hasNext } = await this.roomsPage(page);
      let pageChanged = false;
      for (const room of items) {
        const conv = this.remember(room);
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
  private async newMessages(roomId: string, mark: RoomMark): Promise<RemoteMessage[]> {
    const since = mark[1] ? mark[1] - SKEW_MS : 0;
    const out: RemoteMessage[] = [];
    for (let page = 1; page <= MAX_MESSAGE_PAGES; page++) {
      const p = await this.readablePage(mark[2] ?? roomId, page);
      if (!p) break;
      out.push(...p.messages.filter((m) => ms(m.createdAt) >= since));
      if (!p.hasNext || reachedBefore(p, since)) break;
    }
    mark[1] = out.reduce((t, m) => Math.max(t, ms(m.createdAt)), mark[1]);
    return out;
  }

  /**
   * Pushed frames `{type: 'message' | 'message_updated', data: message, room_id}` become message events. A
   * room not listed yet is stored under a placeholder until the resync lists it: a message names no customer.
   */
  private onFrame(frame: unknown, h: RealtimeHandlers): void {
    const f = obj(frame);
    const type = str(f.type ?? f.event, '', 50);
    if (!['message', 'message_updated', 'new_message', 'message.created', 'message.updated'].includes(type))
      return;
    const data = obj(f.data ?? f.message);
    const roomId = id(data.room_id ?? f.room_id);
    const message = roomId ? toMessage(data, roomId, this.identity.me) : null;
    if (!roomId || !message) return h.onEvent({ kind: 'resync' });
    if (this.realtime) this.realtime.messageFrames++;
    const known = this.rooms.get(roomId);
    h.onEvent({ kind: 'message', message, conversation: known });
    if (!known) h.onEvent({ kind: 'resync' });
  }

  /** What this connector took where the document is silent, and what ChatAPI's answers confirmed (no requests). */
  diagnostics(): Diagnostic[] {
    return [
      this.identity.diagnostic(),
      this.directionDiagnostic(),
      this.roomsDiagnostic(),
      this.contactsDiagnostic(),
      this.realtimeDiagnostic(),
      this.sendDiagnostic(),
    ];
  }

  private directionDiagnostic(): Diagnostic {
    const me = this.identity.me;
    const matched = "the inbox also recognises this app's own replies by room and text";
    if (!me)
      return {
        topic: 'direction',
        reading:
          "inferred: no field the document defines says who wrote a message and the key's user is not known " +
          `yet, so every message counts as the customer's; ${matched}`,
        confirmed: false,
      };
    return {
      topic: 'direction',
      reading:
        `a message is the agent's when its sender_id is user ${me}, otherwise the customer's (inferred: the ` +
        `document defines no sender field); ${matched}`,
      confirmed: this.identity.isConfirmed,
    };
  }

  private roomsDiagnostic(): Diagnostic {
    const refused = this.unreadableRooms.size
      ? `; ${this.unreadableRooms.size} listed room(s) refuse this key their messages (403) until it joins them`
      : '';
    if (this.roomsSource === '/rooms/all')
      return {
        topic: 'discovery',
        reading:
          'rooms: GET /rooms/all, every room of the client, joined or not; a reply ChatAPI refuses in a room ' +
          `this user is not in joins the room and is sent once more${refused}`,
        confirmed: true,
      };
    if (this.roomsSource === '/rooms')
      return {
        topic: 'discovery',
        reading:
          'rooms: GET /rooms only, the rooms this user is in (the key may not use GET /rooms/all); a ' +
          `customer's room appears once this user is in it${refused}`,
        confirmed: true,
      };
    return {
      topic: 'discovery',
      reading:
        'rooms: not listed yet; GET /rooms/all is tried first, GET /rooms where the key may not use it',
      confirmed: false,
    };
  }

  private contactsDiagnostic(): Diagnostic {
    if (this.roomsListParticipants)
      return {
        topic: 'contacts',
        reading:
          "contacts: a room's participant who is not this key's user (rooms list participants, a field the " +
          'document does not define); the room itself while that user is unknown',
        confirmed: this.identity.me !== null,
      };
    return {
      topic: 'contacts',
      reading:
        "contacts: each room is its customer's conversation, named by the room (rooms list no participants)",
      confirmed: this.roomsListParticipants === false,
    };
  }

  private realtimeDiagnostic(): Diagnostic {
    const rt = this.realtime;
    if (!rt)
      return { topic: 'realtime', reading: 'realtime: WebSocket not opened yet; polling', confirmed: false };
    if (rt.state === 'down')
      return {
        topic: 'realtime',
        reading: `realtime: WebSocket (GET /websocket/open) down${rt.reason ? ` (${rt.reason})` : ''}; polling every ${this.pollIntervalMs.fallback / 1000} s`,
        confirmed: false,
      };
    return rt.messageFrames
      ? {
          topic: 'realtime',
          reading: `realtime: WebSocket (GET /websocket/open) open; ${rt.messageFrames} message frame(s) read`,
          confirmed: true,
        }
      : {
          topic: 'realtime',
          reading:
            'realtime: WebSocket (GET /websocket/open) open, no message frame read yet (the document does not ' +
            `show their shape); polling every ${this.pollIntervalMs.live / 1000} s covers it`,
          confirmed: false,
        };
  }

  private sendDiagnostic(): Diagnostic {
    return {
      topic: 'send',
      reading:
        'send: one POST /messages (the document has no idempotency key); a send left without an answer is ' +
        "looked for in the room's messages before it is tried again",
      confirmed: this.sendsAnswered > 0,
    };
  }
}

function sortedByActivity(rooms: Json[]): boolean {
  const times = rooms.map((r) => ms(roomActivity(r) ?? ''));
  return times.every((t, i) => i === 0 || t <= times[i - 1]);
}

export const createConnector: ConnectorFactory = (ctx) => new ChatApiConnector(ctx);
