// The InstantChat simulator: the document's REST API (JWT auth, {success, …} envelopes, documented
// rate limits), its socket.io events and the Instagram webhook, over SimState. The document's base URL
// is a bare origin and every path starts with /api, so basePath is ''.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Server as SocketServer, type Socket } from 'socket.io';
import {
  bearer,
  match,
  ok,
  type InboundInput,
  type ProviderSim,
  type RateRule,
  type SimKit,
  type SimReply,
  type SimRequest,
} from '../simkit';
import { arr, id, isObj, obj, str, type Json } from '../parse';
import {
  SimState,
  lastActivity,
  runFlow,
  type Account,
  type FlowEdge,
  type FlowNode,
  type SimConversation,
  type SimFlow,
  type SimMessage,
  type WorldOptions,
} from './state';

const MINUTE = 60_000;
// Doc silent: tokens live 24 hours (faults.tokenTtlSec shortens them).
const DEFAULT_TOKEN_TTL_SEC = 24 * 3600;
// Doc silent: a message may be at most 1000 characters, Instagram's own limit for a direct message.
const MAX_MESSAGE_CHARS = 1000;
// Doc silent: the server's configured hub.verify_token for the Instagram webhook.
export const WEBHOOK_VERIFY_TOKEN = 'instantchat-verify-token';

const TITLES: Record<number, string> = {
  400: 'Validation failed',
  401: 'Authentication failed',
  403: 'Forbidden',
  404: 'Resource not found',
  413: 'Payload too large',
  429: 'Too many requests',
  500: 'Internal server error',
};

const isAuthPath = (path: string) => path.startsWith('/api/auth/');
const isWebhookPath = (path: string) => path.startsWith('/api/webhook/');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Params = Record<string, string>;
type Route =
  | { method: string; path: string; public: true; run: (req: SimRequest, p: Params) => SimReply }
  | {
      method: string;
      path: string;
      public?: false;
      run: (req: SimRequest, p: Params, a: Account) => SimReply;
    };

export type InstantChatSimOptions = WorldOptions;

export function createSimulator(o: InstantChatSimOptions): InstantChatSim {
  return new InstantChatSim(o);
}

export class InstantChatSim implements ProviderSim {
  readonly provider = 'instantchat' as const;
  readonly basePath = '';
  // Doc silent: no X-RateLimit-* headers, only Retry-After on 429.
  readonly rateHeaders = 'none' as const;
  readonly strict: boolean;
  readonly rateRules: RateRule[] = [
    { limit: 5, windowMs: MINUTE, applies: (r) => isAuthPath(r.path) },
    { limit: 1000, windowMs: MINUTE, applies: (r) => isWebhookPath(r.path) },
    { limit: 100, windowMs: MINUTE, applies: (r) => !isAuthPath(r.path) && !isWebhookPath(r.path) },
  ];
  private state: SimState;
  private kit?: SimKit;
  private io?: SocketServer;
  private tokenGeneration = 0;
  private readonly secret: string;
  private readonly routes: Route[] = [
    { method: 'POST', path: '/api/auth/signup', public: true, run: (req) => this.signup(req) },
    { method: 'POST', path: '/api/auth/login', public: true, run: (req) => this.login(req) },
    {
      method: 'GET',
      path: '/api/auth/verify',
      run: (_r, _p, a) => ok({ success: true, user: userSummary(a) }),
    },
    {
      method: 'GET',
      path: '/api/user/profile',
      run: (_r, _p, a) => ok({ success: true, profile: profile(a) }),
    },
    { method: 'GET', path: '/api/instagram/status', run: (_r, _p, a) => ok(instagramStatus(a)) },
    { method: 'POST', path: '/api/instagram/send-message', run: (req, _p, a) => this.send(req, a) },
    {
      method: 'GET',
      path: '/api/messages/instagram',
      run: (_r, _p, a) => ok({ success: true, conversations: listing(a, this.strict) }),
    },
    {
      method: 'GET',
      path: '/api/messages/instagram/:conversationId',
      run: (_r, p, a) => messages(a, p.conversationId),
    },
    { method: 'POST', path: '/api/flow/save', run: (req, _p, a) => this.saveFlow(req, a) },
    { method: 'GET', path: '/api/flow/get/:name', run: (_r, p, a) => getFlow(a, p.name) },
    {
      method: 'GET',
      path: '/api/flow/user',
      run: (_r, _p, a) => ok({ success: true, flows: a.flows.map(flowSummary) }),
    },
    {
      method: 'DELETE',
      path: '/api/flow/:id',
      run: (_r, p, a) => this.withFlow(a, p.id, (f) => deleteFlow(a, f)),
    },
    { method: 'PATCH', path: '/api/flow/:id/toggle', run: (_r, p, a) => this.withFlow(a, p.id, toggleFlow) },
    {
      method: 'POST',
      path: '/api/flow/:id/test',
      run: (req, p, a) => this.withFlow(a, p.id, (f) => this.testFlow(req, a, f)),
    },
    { method: 'GET', path: '/api/webhook/instagram', public: true, run: (req) => this.verifyWebhook(req) },
    { method: 'POST', path: '/api/webhook/instagram', public: true, run: (req) => this.webhookEvents(req) },
  ];

  constructor(private readonly o: InstantChatSimOptions) {
    this.state = new SimState(o);
    this.strict = o.strict ?? false;
    this.secret = `instantchat-sim-${o.seed}`;
  }

  credentials() {
    const { username, password } = this.state.main.user;
    return { username, password };
  }

  callerKey(req: SimRequest): string | null {
    // Doc silent: webhook calls all come from Instagram and share one budget.
    if (isWebhookPath(req.path)) return 'instagram';
    // Doc silent: login and signup are limited per username (protection against password guessing).
    if (req.path === '/api/auth/login' || req.path === '/api/auth/signup')
      return `login:${str(obj(req.body).username).toLowerCase()}`;
    const account = this.accountFor(bearer(req));
    return account ? `user:${account.user.id}` : null;
  }

  handle(req: SimRequest): SimReply {
    for (const route of this.routes) {
      const params = route.method === req.method ? match(route.path, req.path) : null;
      if (!params) continue;
      if (req.invalidBody) return invalid({ body: 'Request body is not valid JSON' });
      if (route.public) return route.run(req, params);
      const token = bearer(req);
      if (!token) return failure(401, 'No token provided');
      const account = this.accountFor(token);
      if (!account) return failure(401, 'Invalid or expired token');
      return route.run(req, params, account);
    }
    return failure(404, `Route ${req.method} ${req.path} not found`);
  }

  error(status: number, message: string): SimReply {
    return failure(status, message);
  }

  init(kit: SimKit): void {
    this.kit = kit;
    const io = new SocketServer(kit.server, {
      serveClient: false,
      allowRequest: (_req, cb) => cb(null, !kit.faults.down),
    });
    io.use((socket, next) => {
      if (this.socketAccount(socket)) return next();
      next(
        Object.assign(new Error('Authentication failed'), { data: { message: 'Invalid or expired token' } }),
      );
    });
    io.on('connection', (socket) => {
      const account = this.socketAccount(socket);
      if (!account) return void socket.disconnect(true);
      void socket.join(room(account));
      // Doc silent: instagram_connected is sent to each new socket whose account has Instagram connected.
      if (account.instagram) socket.emit('instagram_connected', instagramStatus(account));
    });
    this.io = io;
  }

  dropRealtime(): void {
    for (const socket of this.io?.of('/').sockets.values() ?? []) socket.conn.close();
  }

  inbound(input: InboundInput): { conversationId: string; messageId: string } {
    const account = this.state.main;
    const c = input.contact ?? {};
    const conv =
      findContact(account, c) ??
      this.state.newConversation(account, {
        username: c.handle || slug(c.name ?? '') || 'customer',
        fullName: c.name ?? c.handle ?? '',
      });
    const msg = this.customerWrites(account, conv, input.text);
    return { conversationId: conv.id, messageId: msg.id };
  }

  expireTokens(): void {
    this.tokenGeneration++;
  }

  reset(): void {
    this.state = new SimState(this.o);
  }

  close(): void {
    this.io?.disconnectSockets(true);
    this.io?.engine.close();
  }

  // --- auth -------------------------------------------------------------------------------------

  private sign(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }

  private issueToken(a: Account): string {
    const now = Date.now() / 1000;
    const ttl = this.kit?.faults.tokenTtlSec ?? DEFAULT_TOKEN_TTL_SEC;
    const claims = {
      sub: a.user.id,
      username: a.user.username,
      gen: this.tokenGeneration,
      iat: Math.floor(now),
      exp: Math.ceil(now + ttl),
    };
    const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
    return `${head}.${this.sign(head)}`;
  }

  private accountFor(token: string | null): Account | undefined {
    const [head, body, sig] = (token ?? '').split('.');
    if (!head || !body || !sig) return undefined;
    const want = Buffer.from(this.sign(`${head}.${body}`));
    const got = Buffer.from(sig);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    const claims = obj(parseJson(Buffer.from(body, 'base64url').toString('utf8')));
    if (
      claims.gen !== this.tokenGeneration ||
      typeof claims.exp !== 'number' ||
      claims.exp * 1000 <= Date.now()
    )
      return undefined;
    return this.state.byUserId(str(claims.sub));
  }

  private socketAccount(socket: Socket): Account | undefined {
    return this.accountFor(str(obj(socket.handshake.auth).token) || null);
  }

  private signup(req: SimRequest): SimReply {
    const b = obj(req.body);
    const [username, email, password] = [str(b.username).trim(), str(b.email).trim(), str(b.password)];
    const details: Record<string, string> = {};
    if (!username) details.username = 'Username is required';
    else if (this.state.findLogin(username)) details.username = 'Username is already taken';
    if (!EMAIL.test(email)) details.email = email ? 'Invalid email format' : 'Email is required';
    else if (this.state.findLogin(email)) details.email = 'Email is already registered';
    // Doc silent: passwords need at least 6 characters.
    if (password.length < 6) details.password = 'Password must be at least 6 characters';
    if (Object.keys(details).length) return invalid(details);
    const account = this.state.addAccount(username, email, password);
    // Doc silent: signup answers 201 Created.
    return ok({ success: true, token: this.issueToken(account), user: publicUser(account) }, 201);
  }

  private login(req: SimRequest): SimReply {
    const b = obj(req.body);
    const [username, password] = [str(b.username), str(b.password)];
    const details: Record<string, string> = {};
    if (!username) details.username = 'Username is required';
    if (!password) details.password = 'Password is required';
    if (Object.keys(details).length) return invalid(details);
    // Doc silent: the username field also accepts the account's email (the example uses an email as username).
    const account = this.state.findLogin(username);
    if (!account || account.user.password !== password) return failure(401, 'Invalid username or password');
    return ok({ success: true, token: this.issueToken(account), user: publicUser(account) });
  }

  // --- messages ---------------------------------------------------------------------------------

  private send(req: SimRequest, a: Account): SimReply {
    const b = obj(req.body);
    const recipientId = id(b.recipientId);
    const message = typeof b.message === 'string' ? b.message : '';
    const details: Record<string, string> = {};
    if (!recipientId) details.recipientId = 'Recipient ID is required';
    if (!message.trim()) details.message = 'Message is required';
    else if (message.length > MAX_MESSAGE_CHARS)
      details.message = `Message must be at most ${MAX_MESSAGE_CHARS} characters`;
    if (!a.instagram) details.instagram = 'Instagram account is not connected';
    if (Object.keys(details).length || !recipientId) return invalid(details);
    const conv = a.conversations.find((c) => c.instagramUserId === recipientId);
    // Doc silent: Instagram only lets a business reply to people who wrote first, so an unknown recipient is 404.
    if (!conv) return failure(404, `No conversation with Instagram user '${recipientId}'`);
    const msg = this.state.reply(conv, message);
    this.kit?.recordSent(recipientId, message);
    this.emitMessage(a, conv, msg);
    // Instagram's id; whether the messages list shows the same one is SimState.messageIds' reading.
    return ok({ success: true, messageId: msg.mid, timestamp: msg.timestamp });
  }

  private customerWrites(a: Account, conv: SimConversation, text: string, mid?: string): SimMessage {
    const msg = this.state.receive(conv, text, mid);
    if (a.instagram) a.instagram.lastSync = msg.timestamp;
    this.emitMessage(a, conv, msg);
    return msg;
  }

  /**
   * Doc silent on the payload. Default: the message as the messages endpoint lists it, with its
   * conversationId and conversation. Strict: the listed message alone, nothing that names its conversation.
   */
  private emitMessage(a: Account, conv: SimConversation, msg: SimMessage): void {
    const item = listedMessage(msg);
    this.io
      ?.to(room(a))
      .emit(
        'message',
        this.strict ? item : { conversationId: conv.id, message: item, conversation: conversationItem(conv) },
      );
  }

  // --- flows ------------------------------------------------------------------------------------

  private withFlow(a: Account, flowId: string, run: (f: SimFlow) => SimReply): SimReply {
    const flow = a.flows.find((f) => f.id === flowId);
    return flow ? run(flow) : failure(404, `Flow with id '${flowId}' not found`);
  }

  private saveFlow(req: SimRequest, a: Account): SimReply {
    const b = obj(req.body);
    const name = str(b.name, '', 200).trim();
    const nodes = flowNodes(b.nodes);
    const edges = b.edges === undefined ? [] : flowEdges(b.edges);
    const details: Record<string, string> = {};
    if (!name) details.name = 'Flow name is required';
    if (!nodes) details.nodes = 'Nodes must be an array of {id, type, data?}';
    if (!edges) details.edges = 'Edges must be an array of {source, target}';
    if (!nodes || !edges || Object.keys(details).length) return invalid(details);
    const description = str(b.description, '', 2000);
    // Doc silent: flows are loaded by name, so saving under an existing name updates that flow.
    const existing = a.flows.find((f) => f.name === name);
    if (existing) Object.assign(existing, { description, nodes, edges });
    const flow = existing ?? {
      id: this.state.ids.objectId(),
      name,
      description,
      nodes,
      edges,
      // Doc silent: a new flow starts inactive until someone switches it on.
      isActive: false,
      createdAt: new Date().toISOString(),
    };
    if (!existing) a.flows.push(flow);
    return ok({ success: true, message: 'Flow saved successfully', flowId: flow.id });
  }

  private testFlow(req: SimRequest, a: Account, flow: SimFlow): SimReply {
    const input = obj(req.body).input ?? '';
    if (typeof input !== 'string') return invalid({ input: 'Input must be a string' });
    const result = runFlow(flow);
    // Doc silent on the payload and on triggers: a test run emits flow_executed; inbound messages do not run flows.
    this.io?.to(room(a)).emit('flow_executed', {
      flowId: flow.id,
      name: flow.name,
      input,
      result,
      executedAt: new Date().toISOString(),
    });
    return ok({ success: true, result });
  }

  // --- Instagram webhook --------------------------------------------------------------------------

  private verifyWebhook(req: SimRequest): SimReply {
    const q = req.query;
    if (q.get('hub.mode') === 'subscribe' && q.get('hub.verify_token') === WEBHOOK_VERIFY_TOKEN)
      return { status: 200, text: q.get('hub.challenge') ?? '' };
    return failure(403, 'Webhook verification failed');
  }

  private webhookEvents(req: SimRequest): SimReply {
    const b = obj(req.body);
    if (b.object !== 'instagram' || !Array.isArray(b.entry))
      return invalid({ object: "Expected object 'instagram' with an entry list" });
    for (const entry of b.entry)
      for (const event of arr(obj(entry).messaging)) this.webhookMessage(obj(event));
    return ok({ success: true, message: 'Webhook processed successfully' });
  }

  /** Doc silent: only text messages from customers are stored, stamped with the time they were received;
   *  echoes of the page's own messages and redeliveries of a known mid are ignored; events go to the
   *  account that has Instagram connected. */
  private webhookMessage(event: Json): void {
    const account = this.state.main;
    const senderId = id(obj(event.sender).id);
    const message = obj(event.message);
    if (
      !senderId ||
      senderId === account.instagram?.pageId ||
      typeof message.text !== 'string' ||
      message.is_echo === true
    )
      return;
    const mid = id(message.mid) ?? undefined;
    // Doc silent: a sender never seen before starts a conversation named instagram_<id>.
    const conv =
      account.conversations.find((c) => c.instagramUserId === senderId) ??
      this.state.newConversation(account, {
        username: `instagram_${senderId}`,
        fullName: '',
        instagramUserId: senderId,
      });
    if (mid && conv.messages.some((m) => m.mid === mid)) return;
    this.customerWrites(account, conv, message.text, mid);
  }
}

// --- plain helpers --------------------------------------------------------------------------------

const failure = (status: number, message: string): SimReply => ({
  status,
  body: { success: false, error: TITLES[status] ?? 'Request failed', message },
});
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};
const room = (a: Account) => `user:${a.user.id}`;
// Doc silent on the status of a validation error: 400.
const invalid = (details: Record<string, string>): SimReply => ({
  status: 400,
  body: { success: false, error: 'Validation failed', details },
});

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9 ]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '.');

function findContact(a: Account, c: NonNullable<InboundInput['contact']>): SimConversation | undefined {
  return a.conversations.find(
    (conv) =>
      (c.id !== undefined && (conv.id === c.id || conv.instagramUserId === c.id)) ||
      (c.handle !== undefined && conv.username === c.handle) ||
      (c.handle === undefined && c.name !== undefined && conv.fullName === c.name),
  );
}

const publicUser = (a: Account) => ({ ...userSummary(a), createdAt: a.user.createdAt });
const userSummary = (a: Account) => ({ id: a.user.id, username: a.user.username, email: a.user.email });
const profile = (a: Account) => {
  const { id: userId, username, email, fullName, bio, avatarUrl, createdAt } = a.user;
  return { id: userId, username, email, fullName, bio, avatarUrl, createdAt };
};

function instagramStatus(a: Account) {
  if (!a.instagram) return { success: true, connected: false };
  const { username, lastSync, pageId } = a.instagram;
  return { success: true, connected: true, username, lastSync, pageId };
}

function conversationItem(c: SimConversation) {
  const last = c.messages[c.messages.length - 1];
  return {
    id: c.id,
    instagramUserId: c.instagramUserId,
    username: c.username,
    fullName: c.fullName,
    lastMessage: last?.content ?? '',
    timestamp: lastActivity(c),
    unreadCount: c.unreadCount,
    avatar: c.avatar,
  };
}

/** Doc silent: the list is not paginated; it comes newest activity first (strict mode: oldest first). */
function listing(a: Account, strict: boolean) {
  const newestFirst = a.conversations
    .map(conversationItem)
    .sort((x, y) =>
      x.timestamp === y.timestamp ? (x.id < y.id ? -1 : 1) : x.timestamp > y.timestamp ? -1 : 1,
    );
  return strict ? newestFirst.reverse() : newestFirst;
}

/** The documented fields of a message (Instagram's `mid` is not one of them). */
const listedMessage = (m: SimMessage) => ({
  id: m.id,
  sender: m.sender,
  content: m.content,
  timestamp: m.timestamp,
  isFromUser: m.isFromUser,
  isInstagram: m.isInstagram,
});

/** Doc silent: all messages of the conversation, oldest first (as in the document's example). */
function messages(a: Account, conversationId: string): SimReply {
  const conv = a.conversations.find((c) => c.id === conversationId);
  if (!conv) return failure(404, `Conversation with id '${conversationId}' not found`);
  return ok({ success: true, messages: conv.messages.map(listedMessage) });
}

const flowSummary = (f: SimFlow) => ({
  id: f.id,
  name: f.name,
  description: f.description,
  isActive: f.isActive,
  createdAt: f.createdAt,
});

function getFlow(a: Account, name: string): SimReply {
  const flow = a.flows.find((f) => f.name === name);
  if (!flow) return failure(404, `Flow with name '${name}' not found`);
  return ok({ success: true, flow: { ...flowSummary(flow), nodes: flow.nodes, edges: flow.edges } });
}

function deleteFlow(a: Account, flow: SimFlow): SimReply {
  a.flows.splice(a.flows.indexOf(flow), 1);
  return ok({ success: true, message: 'Flow deleted successfully' });
}

function toggleFlow(flow: SimFlow): SimReply {
  flow.isActive = !flow.isActive;
  return ok({ success: true, message: 'Flow status updated', isActive: flow.isActive });
}

function flowNodes(v: unknown): FlowNode[] | null {
  const valid = (n: unknown) =>
    isObj(n) &&
    typeof n.id === 'string' &&
    typeof n.type === 'string' &&
    (n.data === undefined || isObj(n.data));
  return Array.isArray(v) && v.every(valid) ? (v as FlowNode[]) : null;
}

function flowEdges(v: unknown): FlowEdge[] | null {
  const valid = (e: unknown) => isObj(e) && typeof e.source === 'string' && typeof e.target === 'string';
  return Array.isArray(v) && v.every(valid) ? (v as FlowEdge[]) : null;
}
