// ChatAPI simulator (providers/chatapi.md): Bearer API keys (a client's master key `ck_live_…`, users'
// scoped keys `sk_user_…`), `{data, status, timestamp}` envelopes, page/size pagination, `{detail,
// error_code, status_code, timestamp}` errors, the documented rate limits, and GET /websocket/open, a
// WebSocket that pushes new messages in the rooms of the connected user. Strict mode (DESIGN.md): only the
// fields the document shows, no user in /clients/me, no participants in rooms, 429 without Retry-After.
import { createHmac } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isObj, obj } from '../parse';
import {
  bearer,
  match,
  type InboundInput,
  type ProviderSim,
  type RateRule,
  type SimKit,
  type SimReply,
  type SimRequest,
} from '../simkit';
import { customer, rng, type Rng } from '../simkit/world';
import {
  World,
  type Client,
  type Message,
  type Notification,
  type Room,
  type User,
  type Webhook,
  type WorldOptions,
} from './state';

export const BASE_PATH = '/api/v1';
const HOUR = 3_600_000;
const MAX_PAGE_SIZE = 100;
const MAX_CONTENT = 10_000;
const MAX_SOCKETS_PER_CLIENT = 10;

// Doc silent: error codes for statuses the document's code table does not cover.
const ERROR_CODES: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'INVALID_CREDENTIALS',
  403: 'INSUFFICIENT_PERMISSIONS',
  404: 'RESOURCE_NOT_FOUND',
  413: 'VALIDATION_ERROR',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMIT_EXCEEDED',
};

interface FieldError {
  field: string;
  message: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

const invalid = (errors: FieldError[]) => new HttpError(422, 'Validation error in request data', errors);
const now = () => new Date().toISOString();
const envelope = (data: unknown, status = 200): SimReply => ({
  status,
  body: { data, status: 'success', timestamp: now() },
});
const NO_CONTENT: SimReply = { status: 204 };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Doc silent: paths are served below the base URL, and also with the /api/v1 prefix repeated, because the
 *  document writes them both ways (`/messages` and `GET /api/v1/messages`). */
const below = (path: string) =>
  path === BASE_PATH || path.startsWith(BASE_PATH + '/') ? path.slice(BASE_PATH.length) || '/' : path;

const DOCUMENTED_LIMITS: RateRule[] = [
  // Doc silent: "Authentication" requests are key rotations (POST /users/login).
  { limit: 100, windowMs: HOUR, applies: (r) => r.method === 'POST' && below(r.path) === '/users/login' },
  { limit: 1000, windowMs: HOUR, applies: (r) => /^\/messages(\/|$)/.test(below(r.path)) },
  { limit: 500, windowMs: HOUR, applies: (r) => /^\/notifications(\/|$)/.test(below(r.path)) },
];

interface Caller {
  client: Client;
  user: User | null;
}

interface Ctx {
  req: SimRequest;
  params: Record<string, string>;
  body: Record<string, unknown>;
  caller: Caller | null;
}

/** `admin`: the master key, or a user marked admin (the document's "(admin)" names no key type). */
type Access = 'public' | 'any' | 'master' | 'user' | 'admin';

interface Route {
  method: string;
  pattern: string;
  access: Access;
  run: (c: Ctx) => SimReply;
}

function clientOf(c: Ctx): Client {
  if (!c.caller) throw new HttpError(401, 'Invalid or missing API key');
  return c.caller.client;
}

function userOf(c: Ctx): User {
  const user = c.caller?.user;
  if (!user) throw new HttpError(403, 'This operation needs a user API key');
  return user;
}

function text(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  return typeof v === 'string' ? v.trim() : '';
}

function pageParams(q: URLSearchParams): { page: number; size: number } {
  const page = Number(q.get('page') ?? 1);
  const size = Number(q.get('size') ?? 20);
  const errors: FieldError[] = [];
  if (!Number.isInteger(page) || page < 1)
    errors.push({ field: 'page', message: 'page must be an integer >= 1' });
  // Doc silent: a size above the documented maximum is refused (422), not clamped.
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    errors.push({ field: 'size', message: `size must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  if (errors.length) throw invalid(errors);
  return { page, size };
}

/** Sorts by the `sort` field (default created_at) in `order` (default desc). Doc silent: an unknown field is a 422. */
function sorted<T>(items: T[], q: URLSearchParams, fields: Record<string, (t: T) => string>): T[] {
  const field = q.get('sort') ?? 'created_at';
  const order = q.get('order') ?? 'desc';
  const key = fields[field];
  if (!key)
    throw invalid([{ field: 'sort', message: `sort must be one of ${Object.keys(fields).join(', ')}` }]);
  if (order !== 'asc' && order !== 'desc')
    throw invalid([{ field: 'order', message: 'order must be asc or desc' }]);
  // Each key computed once, not twice per comparison: a sync's backfill sorts thousands of rooms per page.
  const asc = items
    .map((t) => ({ k: key(t), t }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.t);
  return order === 'asc' ? asc : asc.reverse();
}

function listReply<T>(items: T[], q: URLSearchParams, view: (t: T) => unknown): SimReply {
  const { page, size } = pageParams(q);
  const total = items.length;
  const pages = Math.ceil(total / size);
  const data = items.slice((page - 1) * size, page * size).map(view);
  const pagination = { page, size, total, pages, has_next: page < pages, has_prev: page > 1 };
  return { status: 200, body: { data, pagination, status: 'success', timestamp: now() } };
}

// Doc silent: start_date / end_date take a day (`2024-01-31`, end_date then covers the whole day) or an ISO time.
function dateBound(q: URLSearchParams, name: string, endOfDay: boolean): number | null {
  const v = q.get(name);
  if (!v) return null;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const ms = Date.parse(day ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms))
    throw invalid([{ field: name, message: 'must be a date (YYYY-MM-DD) or an ISO date-time' }]);
  return day && endOfDay ? ms + 86_400_000 - 1 : ms;
}

function refuse(socket: Duplex, reply: SimReply): void {
  const body = JSON.stringify(reply.body ?? {});
  socket.end(
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface ChatApiSimOptions extends WorldOptions {
  /** Benchmarks only: serve without the documented rate limits (a large world needs one message
   *  request per room to sync, far beyond 1000/hour). */
  unlimited?: boolean;
}

/** Sort fields of the room list: strict sorts only by what a room shows. */
const ROOM_SORTS: Record<string, (r: Room) => string> = {
  created_at: (r) => r.createdAt,
  updated_at: (r) => r.updatedAt,
  name: (r) => r.name,
};

export class ChatApiSim implements ProviderSim {
  readonly provider = 'chatapi' as const;
  readonly basePath = BASE_PATH;
  readonly rateHeaders = 'x-ratelimit' as const;
  readonly rateRules: RateRule[];
  readonly strict: boolean;
  world: World;
  private kit?: SimKit;
  private wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private sockets = new Set<{ ws: WebSocket; userId: string; clientId: string }>();
  private newcomers: Rng;
  private newcomerCount = 0;

  // Doc silent: which key each endpoint takes. The examples use the client's master key for users and
  // notifications and a user's key for messages; "Use appropriate API key type" answers 403 otherwise.
  // POST /clients registers a new client, so it takes no key.
  private readonly routes: Route[] = [
    { method: 'POST', pattern: '/clients', access: 'public', run: (c) => this.registerClient(c) },
    { method: 'GET', pattern: '/clients/me', access: 'any', run: (c) => this.me(c) },
    { method: 'PUT', pattern: '/clients/me', access: 'master', run: (c) => this.updateClient(c) },
    { method: 'POST', pattern: '/users', access: 'master', run: (c) => this.createUser(c) },
    { method: 'POST', pattern: '/users/login', access: 'master', run: (c) => this.login(c) },
    { method: 'GET', pattern: '/users', access: 'master', run: (c) => this.listUsers(c) },
    {
      method: 'GET',
      pattern: '/users/:id',
      access: 'any',
      run: (c) => envelope(this.world.userView(this.userById(c))),
    },
    { method: 'PUT', pattern: '/users/:id', access: 'any', run: (c) => this.updateUser(c) },
    { method: 'DELETE', pattern: '/users/:id', access: 'master', run: (c) => this.deleteUser(c) },
    { method: 'POST', pattern: '/rooms', access: 'any', run: (c) => this.createRoom(c) },
    { method: 'GET', pattern: '/rooms', access: 'user', run: (c) => this.listRooms(c, true) },
    { method: 'GET', pattern: '/rooms/all', access: 'admin', run: (c) => this.listRooms(c, false) },
    { method: 'POST', pattern: '/rooms/:id/join', access: 'user', run: (c) => this.joinRoom(c, true) },
    { method: 'POST', pattern: '/rooms/:id/leave', access: 'user', run: (c) => this.joinRoom(c, false) },
    { method: 'POST', pattern: '/messages', access: 'user', run: (c) => this.sendMessage(c) },
    { method: 'GET', pattern: '/messages', access: 'any', run: (c) => this.listMessages(c) },
    { method: 'PUT', pattern: '/messages/:id', access: 'user', run: (c) => this.updateMessage(c) },
    { method: 'DELETE', pattern: '/messages/:id', access: 'user', run: (c) => this.deleteMessage(c) },
    { method: 'POST', pattern: '/notifications', access: 'master', run: (c) => this.sendNotification(c) },
    { method: 'GET', pattern: '/notifications', access: 'master', run: (c) => this.listNotifications(c) },
    { method: 'GET', pattern: '/notifications/analytics', access: 'master', run: (c) => this.analytics(c) },
    { method: 'GET', pattern: '/notifications/:id', access: 'master', run: (c) => this.notification(c) },
    { method: 'GET', pattern: '/websocket/open', access: 'user', run: (c) => this.websocketInfo(c) },
    { method: 'POST', pattern: '/webhooks', access: 'master', run: (c) => this.saveWebhook(c, null) },
    { method: 'GET', pattern: '/webhooks', access: 'master', run: (c) => this.listWebhooks(c) },
    {
      method: 'PUT',
      pattern: '/webhooks/:id',
      access: 'master',
      run: (c) => this.saveWebhook(c, c.params.id),
    },
    { method: 'DELETE', pattern: '/webhooks/:id', access: 'master', run: (c) => this.deleteWebhook(c) },
  ];

  constructor(private readonly opts: ChatApiSimOptions) {
    this.rateRules = opts.unlimited ? [] : DOCUMENTED_LIMITS;
    this.strict = opts.strict ?? false;
    this.world = new World(opts);
    this.newcomers = rng(opts.seed + 1);
  }

  /** The agent's scoped key: the app acts as the support agent, a user in every customer's room. */
  credentials() {
    return { apiKey: this.world.agent.key };
  }

  /** The client's master key (admin operations: users, notifications, webhooks). */
  get masterKey(): string {
    return this.world.client.masterKey;
  }

  callerKey(req: SimRequest): string | null {
    return bearer(req);
  }

  error(status: number, message: string, errors?: FieldError[]): SimReply {
    const body: Record<string, unknown> = {
      detail: message,
      error_code: ERROR_CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'),
      status_code: status,
      timestamp: now(),
    };
    if (errors) body.errors = errors;
    return { status, body };
  }

  init(kit: SimKit): void {
    this.kit = kit;
    kit.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(kit, req, socket, head),
    );
  }

  handle(req: SimRequest): SimReply {
    const path = below(req.path);
    let found: { route: Route; params: Record<string, string> } | null = null;
    for (const route of this.routes) {
      const params = route.method === req.method ? match(route.pattern, path) : null;
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) return this.error(404, `Not found: ${req.method} ${req.fullPath}`);
    const caller = found.route.access === 'public' ? null : this.world.keyOwner(bearer(req));
    if (found.route.access !== 'public' && !caller) return this.error(401, 'Invalid or missing API key');
    if (found.route.access === 'master' && caller?.user)
      return this.error(403, 'This operation needs the client master API key');
    if (found.route.access === 'user' && !caller?.user)
      return this.error(403, 'This operation needs a user API key');
    if (found.route.access === 'admin' && caller?.user && !caller.user.isAdmin)
      return this.error(403, 'This operation needs an admin');
    if (req.rawBody.length) {
      // Doc silent: a body that is not JSON is a 400 (the document's "Invalid request data").
      if (!String(req.headers['content-type'] ?? '').includes('json'))
        return this.error(400, 'Content-Type must be application/json');
      if (req.invalidBody) return this.error(400, 'Request body is not valid JSON');
      if (!isObj(req.body)) return this.error(422, 'Request body must be a JSON object');
    }
    try {
      return found.route.run({ req, params: found.params, body: obj(req.body), caller });
    } catch (e) {
      if (e instanceof HttpError) return this.error(e.status, e.message, e.errors);
      throw e;
    }
  }

  inbound(input: InboundInput): { conversationId: string; messageId: string } {
    const w = this.world;
    const user = this.findCustomer(input.contact) ?? this.newCustomer(input.contact);
    const room =
      [...w.rooms.values()]
        .reverse()
        .find((r) => r.participants.includes(user.id) && r.participants.includes(w.agent.id)) ??
      w.addRoom(w.client.id, user.fullName, [user.id, w.agent.id]);
    const m = w.addMessage(room, user.id, input.text);
    this.announce('message', room, m);
    return { conversationId: room.id, messageId: m.id };
  }

  dropRealtime(): void {
    for (const s of this.sockets) s.ws.terminate();
    this.sockets.clear();
  }

  reset(): void {
    this.dropRealtime();
    this.world = new World(this.opts);
    this.newcomers = rng(this.opts.seed + 1);
    this.newcomerCount = 0;
  }

  close(): void {
    this.dropRealtime();
    this.wss.close();
  }

  // ── clients and users ────────────────────────────────────────────────────────────────────────

  private registerClient(c: Ctx): SimReply {
    const name = text(c.body, 'name');
    if (!name) throw invalid([{ field: 'name', message: 'Name is required' }]);
    const client = this.world.addClient(name, text(c.body, 'description'));
    return envelope({ ...this.world.clientView(client, null), master_api_key: client.masterKey }, 201);
  }

  private me(c: Ctx): SimReply {
    return envelope(this.world.clientView(clientOf(c), c.caller?.user ?? null));
  }

  private updateClient(c: Ctx): SimReply {
    const client = clientOf(c);
    if (typeof c.body.name === 'string' && c.body.name.trim()) client.name = c.body.name.trim();
    if (typeof c.body.description === 'string') client.description = c.body.description;
    client.updatedAt = now();
    return envelope(this.world.clientView(client, null));
  }

  private createUser(c: Ctx): SimReply {
    const client = clientOf(c);
    const email = text(c.body, 'email');
    const username = text(c.body, 'username');
    const errors: FieldError[] = [];
    if (!EMAIL.test(email)) errors.push({ field: 'email', message: 'Invalid email format' });
    if (!username) errors.push({ field: 'username', message: 'Username is required' });
    const taken = [...this.world.users.values()].some(
      (u) => u.clientId === client.id && (u.email === email || u.username === username),
    );
    // Doc silent: a duplicate email or username is a validation error (the document has no 409).
    if (!errors.length && taken)
      errors.push({ field: 'email', message: 'A user with this email or username exists' });
    if (errors.length) throw invalid(errors);
    const user = this.world.addUser(client.id, {
      email,
      username,
      fullName: text(c.body, 'full_name') || username,
    });
    return envelope({ ...this.world.userView(user), scoped_api_key: user.key }, 201);
  }

  private login(c: Ctx): SimReply {
    const client = clientOf(c);
    const email = text(c.body, 'email');
    // Doc silent: login names the user by email (or user_id); the answer carries the new scoped key.
    const userId = c.body.user_id === undefined ? '' : String(c.body.user_id);
    if (!email && !userId) throw invalid([{ field: 'email', message: 'email or user_id is required' }]);
    const user = [...this.world.users.values()].find(
      (u) => u.clientId === client.id && (u.email === email || u.id === userId),
    );
    if (!user) throw new HttpError(404, 'User not found');
    const key = this.world.rotateKey(user);
    return envelope({ user: this.world.userView(user), scoped_api_key: key });
  }

  private listUsers(c: Ctx): SimReply {
    const client = clientOf(c);
    const users = [...this.world.users.values()].filter((u) => u.clientId === client.id);
    const fields = {
      created_at: (u: User) => u.createdAt,
      updated_at: (u: User) => u.updatedAt,
      username: (u: User) => u.username,
    };
    return listReply(sorted(users, c.req.query, fields), c.req.query, (u) => this.world.userView(u));
  }

  private userById(c: Ctx): User {
    const user = this.world.users.get(c.params.id);
    if (!user || user.clientId !== clientOf(c).id) throw new HttpError(404, 'User not found');
    return user;
  }

  private updateUser(c: Ctx): SimReply {
    const user = this.userById(c);
    // Doc silent: a scoped key may update only its own user.
    if (c.caller?.user && c.caller.user.id !== user.id)
      throw new HttpError(403, 'A user key may only update its own user');
    const email = c.body.email;
    if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email)))
      throw invalid([{ field: 'email', message: 'Invalid email format' }]);
    if (typeof email === 'string') user.email = email;
    if (text(c.body, 'username')) user.username = text(c.body, 'username');
    if (text(c.body, 'full_name')) user.fullName = text(c.body, 'full_name');
    if (typeof c.body.is_active === 'boolean' && !c.caller?.user) user.isActive = c.body.is_active;
    user.updatedAt = now();
    return envelope(this.world.userView(user));
  }

  private deleteUser(c: Ctx): SimReply {
    this.world.removeUser(this.userById(c));
    return NO_CONTENT;
  }

  // ── rooms ────────────────────────────────────────────────────────────────────────────────────

  private roomById(c: Ctx, id: string): Room {
    const room = this.world.rooms.get(id);
    if (!room || room.clientId !== clientOf(c).id) throw new HttpError(404, 'Room not found');
    return room;
  }

  private createRoom(c: Ctx): SimReply {
    const client = clientOf(c);
    const name = text(c.body, 'name');
    const ids = Array.isArray(c.body.participant_ids) ? c.body.participant_ids.map(String) : [];
    const errors: FieldError[] = [];
    if (!name) errors.push({ field: 'name', message: 'Name is required' });
    if (c.body.meta !== undefined && !isObj(c.body.meta))
      errors.push({ field: 'meta', message: 'meta must be an object' });
    if (ids.some((id) => this.world.users.get(id)?.clientId !== client.id))
      errors.push({ field: 'participant_ids', message: 'Unknown user id' });
    if (errors.length) throw invalid(errors);
    const creator = c.caller?.user ? [c.caller.user.id] : [];
    const room = this.world.addRoom(client.id, name, [...creator, ...ids], obj(c.body.meta));
    room.description = text(c.body, 'description');
    return envelope(this.world.roomView(room), 201);
  }

  private listRooms(c: Ctx, mine: boolean): SimReply {
    const client = clientOf(c);
    const userId = c.caller?.user?.id;
    const rooms = [...this.world.rooms.values()].filter(
      (r) => r.clientId === client.id && (!mine || (userId !== undefined && r.participants.includes(userId))),
    );
    const fields = this.strict
      ? ROOM_SORTS
      : { ...ROOM_SORTS, last_message_at: (r: Room) => r.lastMessageAt ?? '' };
    return listReply(sorted(rooms, c.req.query, fields), c.req.query, (r) => this.world.roomView(r));
  }

  private joinRoom(c: Ctx, join: boolean): SimReply {
    const user = userOf(c);
    const room = this.roomById(c, c.params.id);
    // Doc silent: joining a room twice, or leaving one you are not in, succeeds without change.
    const others = room.participants.filter((id) => id !== user.id);
    room.participants = join ? [...others, user.id] : others;
    room.updatedAt = now();
    return envelope(this.world.roomView(room));
  }

  // ── messages ─────────────────────────────────────────────────────────────────────────────────

  private sendMessage(c: Ctx): SimReply {
    const user = userOf(c);
    const roomId =
      typeof c.body.room_id === 'number' || typeof c.body.room_id === 'string' ? String(c.body.room_id) : '';
    const content = typeof c.body.content === 'string' ? c.body.content : '';
    const type = c.body.message_type ?? 'text';
    const errors: FieldError[] = [];
    if (!roomId) errors.push({ field: 'room_id', message: 'Field required' });
    if (!content.trim()) errors.push({ field: 'content', message: 'Content cannot be empty' });
    // Doc silent: content is limited to 10,000 characters.
    if (content.length > MAX_CONTENT)
      errors.push({ field: 'content', message: `Content exceeds ${MAX_CONTENT} characters` });
    if (typeof type !== 'string' || !type)
      errors.push({ field: 'message_type', message: 'message_type must be a string' });
    if (errors.length) throw invalid(errors);
    const room = this.roomById(c, roomId);
    if (!room.participants.includes(user.id))
      throw new HttpError(403, 'You are not a participant of this room');
    const m = this.world.addMessage(room, user.id, content, String(type));
    this.kit?.recordSent(room.id, content);
    this.announce('message', room, m);
    return envelope(this.world.messageView(m), 201);
  }

  private listMessages(c: Ctx): SimReply {
    const q = c.req.query;
    // Doc silent: "Get messages from a room" — room_id is required.
    const roomId = q.get('room_id');
    if (!roomId) throw invalid([{ field: 'room_id', message: 'Field required' }]);
    const room = this.roomById(c, roomId);
    const user = c.caller?.user;
    if (user && !user.isAdmin && !room.participants.includes(user.id))
      throw new HttpError(403, 'You are not a participant of this room');
    const type = q.get('message_type');
    const from = dateBound(q, 'start_date', false);
    const to = dateBound(q, 'end_date', true);
    const messages = this.world.liveMessages(room.id).filter((m) => {
      const t = Date.parse(m.createdAt);
      return (!type || m.messageType === type) && (from === null || t >= from) && (to === null || t <= to);
    });
    const byCreation = { created_at: (m: Message) => m.createdAt };
    const fields = this.strict ? byCreation : { ...byCreation, updated_at: (m: Message) => m.updatedAt };
    return listReply(sorted(messages, q, fields), q, (m) => this.world.messageView(m));
  }

  private ownMessage(c: Ctx): { m: Message; room: Room } {
    const user = userOf(c);
    const m = this.world.messages.get(c.params.id);
    const room = m && !m.deleted ? this.world.rooms.get(m.roomId) : undefined;
    if (!m || !room || room.clientId !== user.clientId) throw new HttpError(404, 'Message not found');
    if (m.senderId !== user.id) throw new HttpError(403, 'You can only change your own messages');
    return { m, room };
  }

  private updateMessage(c: Ctx): SimReply {
    const { m, room } = this.ownMessage(c);
    const content = typeof c.body.content === 'string' ? c.body.content : '';
    if (!content.trim()) throw invalid([{ field: 'content', message: 'Content cannot be empty' }]);
    if (content.length > MAX_CONTENT)
      throw invalid([{ field: 'content', message: `Content exceeds ${MAX_CONTENT} characters` }]);
    m.content = content;
    if (typeof c.body.message_type === 'string' && c.body.message_type) m.messageType = c.body.message_type;
    m.editedAt = m.updatedAt = now();
    this.announce('message_updated', room, m);
    return envelope(this.world.messageView(m));
  }

  private deleteMessage(c: Ctx): SimReply {
    const { m, room } = this.ownMessage(c);
    // Doc silent: deletion is soft; deleted messages leave every list.
    m.deleted = true;
    m.updatedAt = now();
    this.announce('message_deleted', room, m);
    return NO_CONTENT;
  }

  // ── notifications ────────────────────────────────────────────────────────────────────────────

  private sendNotification(c: Ctx): SimReply {
    const client = clientOf(c);
    const type = text(c.body, 'type');
    const errors: FieldError[] = [];
    if (!['email', 'sms', 'push', 'websocket'].includes(type))
      errors.push({ field: 'type', message: 'type must be email, sms, push or websocket' });
    if (!text(c.body, 'content')) errors.push({ field: 'content', message: 'Content cannot be empty' });
    if (type === 'email' && !EMAIL.test(text(c.body, 'to_email')))
      errors.push({ field: 'to_email', message: 'Invalid email format' });
    if (errors.length) throw invalid(errors);
    // Doc silent: the simulator delivers notifications at once, with status "sent".
    const n = {
      id: this.world.id(),
      clientId: client.id,
      type,
      status: 'sent',
      fields: c.body,
      createdAt: now(),
    };
    this.world.notifications.push(n);
    return envelope(this.notificationView(n), 201);
  }

  private notificationView(n: Notification): Record<string, unknown> {
    return {
      ...n.fields,
      id: n.id,
      type: n.type,
      status: n.status,
      created_at: n.createdAt,
      sent_at: n.createdAt,
    };
  }

  private clientNotifications(c: Ctx) {
    const client = clientOf(c);
    return this.world.notifications.filter((n) => n.clientId === client.id);
  }

  private listNotifications(c: Ctx): SimReply {
    const q = c.req.query;
    const list = this.clientNotifications(c).filter(
      (n) =>
        (!q.get('status') || n.status === q.get('status')) && (!q.get('type') || n.type === q.get('type')),
    );
    const fields = { created_at: (n: Notification) => n.createdAt };
    return listReply(sorted(list, q, fields), q, (n) => this.notificationView(n));
  }

  private notification(c: Ctx): SimReply {
    const n = this.clientNotifications(c).find((x) => x.id === c.params.id);
    if (!n) throw new HttpError(404, 'Notification not found');
    return envelope(this.notificationView(n));
  }

  private analytics(c: Ctx): SimReply {
    const list = this.clientNotifications(c);
    const count = (key: 'type' | 'status') =>
      list.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n[key]]: (acc[n[key]] ?? 0) + 1 }), {});
    const sent = list.filter((n) => n.status === 'sent').length;
    return envelope({
      total: list.length,
      by_status: count('status'),
      by_type: count('type'),
      delivery_rate: list.length ? sent / list.length : 0,
    });
  }

  // ── webhooks ─────────────────────────────────────────────────────────────────────────────────

  private webhookView(h: Webhook): Record<string, unknown> {
    // The secret is write-only.
    return {
      id: h.id,
      url: h.url,
      events: h.events,
      is_active: h.isActive,
      created_at: h.createdAt,
      updated_at: h.updatedAt,
    };
  }

  private saveWebhook(c: Ctx, id: string | null): SimReply {
    const client = clientOf(c);
    const existing = id === null ? null : this.world.webhooks.get(id);
    if (id !== null && (!existing || existing.clientId !== client.id))
      throw new HttpError(404, 'Webhook not found');
    const url = c.body.url ?? existing?.url;
    const events = c.body.events ?? existing?.events ?? [];
    const errors: FieldError[] = [];
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))
      errors.push({ field: 'url', message: 'url must be an http(s) URL' });
    if (!Array.isArray(events) || events.some((e) => typeof e !== 'string'))
      errors.push({ field: 'events', message: 'events must be a list of event names' });
    if (errors.length || typeof url !== 'string' || !Array.isArray(events)) throw invalid(errors);
    const at = now();
    const hook = existing ?? {
      id: this.world.id(),
      clientId: client.id,
      url,
      events: [],
      secret: null,
      isActive: true,
      createdAt: at,
      updatedAt: at,
    };
    Object.assign(hook, {
      url,
      events: events.map(String),
      secret: typeof c.body.secret === 'string' ? c.body.secret : hook.secret,
      isActive: typeof c.body.is_active === 'boolean' ? c.body.is_active : hook.isActive,
      updatedAt: at,
    });
    this.world.webhooks.set(hook.id, hook);
    return envelope(this.webhookView(hook), existing ? 200 : 201);
  }

  private listWebhooks(c: Ctx): SimReply {
    const client = clientOf(c);
    const hooks = [...this.world.webhooks.values()].filter((h) => h.clientId === client.id);
    return listReply(sorted(hooks, c.req.query, { created_at: (h) => h.createdAt }), c.req.query, (h) =>
      this.webhookView(h),
    );
  }

  private deleteWebhook(c: Ctx): SimReply {
    const hook = this.world.webhooks.get(c.params.id);
    if (!hook || hook.clientId !== clientOf(c).id) throw new HttpError(404, 'Webhook not found');
    this.world.webhooks.delete(hook.id);
    return NO_CONTENT;
  }

  // ── realtime ─────────────────────────────────────────────────────────────────────────────────

  /** Doc silent: a plain GET /websocket/open answers where to connect; asked to upgrade, it is the socket. */
  private websocketInfo(c: Ctx): SimReply {
    const host = c.req.headers.host ?? '127.0.0.1';
    return envelope({
      url: `ws://${host}${BASE_PATH}/websocket/open`,
      protocol: 'websocket',
      auth: 'Authorization: Bearer <api key>',
    });
  }

  private upgrade(kit: SimKit, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (!url.pathname.startsWith(BASE_PATH + '/') || below(below(url.pathname)) !== '/websocket/open')
      return refuse(socket, this.error(404, `Not found: ${url.pathname}`));
    if (!kit.allowUpgrade(socket)) return;
    const header = req.headers.authorization;
    // Doc silent: the socket takes the key as a Bearer header, or as ?token= for browsers.
    const key =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? header.slice(7).trim()
        : url.searchParams.get('token');
    const caller = this.world.keyOwner(key);
    if (!caller) return refuse(socket, this.error(401, 'Invalid or missing API key'));
    const user = caller.user;
    if (!user) return refuse(socket, this.error(403, 'WebSocket connections need a user API key'));
    const open = [...this.sockets].filter((s) => s.clientId === caller.client.id).length;
    // Doc silent: the 11th connection of a client is refused with 429 before the upgrade.
    if (open >= MAX_SOCKETS_PER_CLIENT)
      return refuse(
        socket,
        this.error(429, `At most ${MAX_SOCKETS_PER_CLIENT} WebSocket connections per client`),
      );
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, user));
  }

  private attach(ws: WebSocket, user: User): void {
    const entry = { ws, userId: user.id, clientId: user.clientId };
    this.sockets.add(entry);
    ws.on('close', () => this.sockets.delete(entry));
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(raw));
      } catch {
        return;
      }
      if (isObj(msg) && msg.type === 'ping')
        ws.send(JSON.stringify({ type: 'pong', data: {}, timestamp: now() }));
    });
    const rooms = [...this.world.rooms.values()]
      .filter((r) => r.participants.includes(user.id))
      .map((r) => r.id);
    // Strict: the greeting names no user (nothing the document shows would).
    const data = this.strict ? { status: 'connected' } : { status: 'connected', user_id: user.id, rooms };
    ws.send(JSON.stringify({ type: 'connection_status', data, timestamp: now() }));
  }

  /** Pushes a message event to the room's connected participants and to the client's webhooks.
   *  Doc silent: frames are {type: 'message' | 'message_updated' | 'message_deleted', data, room_id, timestamp}. */
  private announce(type: 'message' | 'message_updated' | 'message_deleted', room: Room, m: Message): void {
    const data = this.world.messageView(m);
    const frame = JSON.stringify({ type, data, room_id: room.id, timestamp: now() });
    for (const s of this.sockets) if (room.participants.includes(s.userId)) s.ws.send(frame);
    // Doc silent: webhook deliveries are {event, data, timestamp} with event message.created/updated/deleted,
    // signed as X-ChatAPI-Signature: sha256=<HMAC-SHA256 of the body> when the endpoint has a secret.
    const event = {
      message: 'message.created',
      message_updated: 'message.updated',
      message_deleted: 'message.deleted',
    }[type];
    for (const hook of this.world.webhooks.values()) {
      if (
        hook.clientId !== room.clientId ||
        !hook.isActive ||
        (hook.events.length && !hook.events.includes(event))
      )
        continue;
      const body = JSON.stringify({ event, data, timestamp: now() });
      const headers: Record<string, string> = hook.secret
        ? { 'x-chatapi-signature': 'sha256=' + createHmac('sha256', hook.secret).update(body).digest('hex') }
        : {};
      void this.kit?.deliverWebhook(hook.url, body, headers);
    }
  }

  // ── simulated customers ──────────────────────────────────────────────────────────────────────

  private findCustomer(contact: InboundInput['contact']): User | null {
    if (!contact) return null;
    const w = this.world;
    const customers = [...w.users.values()].filter((u) => u.clientId === w.client.id && u.id !== w.agent.id);
    return (
      (contact.id && customers.find((u) => u.id === contact.id)) ||
      (contact.handle && customers.find((u) => u.username === contact.handle)) ||
      (contact.name && customers.find((u) => u.fullName === contact.name)) ||
      null
    );
  }

  private newCustomer(contact: InboundInput['contact']): User {
    const c = customer(this.newcomers, 10_000 + this.newcomerCount++);
    const handle = contact?.handle ?? c.handle;
    return this.world.addCustomer({
      ...c,
      name: contact?.name ?? c.name,
      handle,
      email: `${handle}@example.com`,
    }).user;
  }
}

export function createSimulator(o: ChatApiSimOptions): ChatApiSim {
  return new ChatApiSim(o);
}
