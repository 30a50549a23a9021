// Chatbots Platform simulator: the REST API of providers/chatbots-platform.md over an in-memory World —
// JWT login/refresh/logout and X-API-KEY auth, {status, data} envelopes, page/pageSize pagination,
// {status:'error', error:{code, message, details}} errors, 100 requests/min with X-RateLimit-* headers,
// health endpoints, and webhooks signed with 'sha256=' HMACs. Strict mode (DESIGN.md) answers only what the
// document shows and, where it is silent, the least helpful plausible reading (see README.md).
import { createHmac } from 'node:crypto';
import {
  bearer,
  match,
  ok,
  paging,
  type InboundInput,
  type ProviderSim,
  type SimKit,
  type SimReply,
  type SimRequest,
} from '../simkit';
import { obj, type Json } from '../parse';
import { TokenStore } from './sim-auth';
import {
  World,
  chatbotJson,
  conversationJson,
  messageJson,
  templateJson,
  type Chatbot,
  type Conversation,
  type Message,
  type Template,
  type WorldOptions,
} from './sim-world';

export const SIM_USERNAME = 'support-team';
export const SIM_PASSWORD = 'demo-password-1';
export const SIM_API_KEY = 'cbp_sk_demo_4f1c2a9e7b3d';

/** The two events the document names. */
const DOCUMENTED_EVENTS = ['conversation.created', 'message.received'];
/** Default mode also sends these, our choice. */
export const WEBHOOK_EVENTS = [
  ...DOCUMENTED_EVENTS,
  'conversation.updated',
  'message.sent',
  'message.delivered',
  'message.read',
  'chatbot.updated',
];

const DEFAULT_TTL_SEC = 3600;
const MAX_PAGE_SIZE = 100;
const MAX_MESSAGE_LENGTH = 4096; // Doc silent on limits
const DELIVERY_DELAY_MS = 300;
const WEBHOOK_RETRY_DELAYS_MS = [0, 1000, 3000];

export interface SimulatorOptions extends WorldOptions {
  strict?: boolean;
}

/** What an event is about; strict mode sends only the first one present, as the event's whole `data`. */
interface EventSubject {
  message?: Message;
  conversation?: Conversation;
  chatbot?: Chatbot;
}

interface Route {
  method: string;
  pattern: string;
  handler: (req: SimRequest, params: Record<string, string>) => SimReply;
  public?: boolean;
}

interface Webhook {
  id: string;
  url: string;
  events: string[];
  secret: string;
  createdAt: string;
  queue: Promise<void>;
}

interface Problem {
  field: string;
  message: string;
}

function checkString(b: Json, field: string, required: boolean, max = 10_000): Problem[] {
  const v = b[field];
  if (v === undefined) return required ? [{ field, message: 'is required' }] : [];
  if (typeof v !== 'string' || !v.trim()) return [{ field, message: 'must be a non-empty string' }];
  return v.length > max ? [{ field, message: `must be at most ${max} characters` }] : [];
}

function checkEnum(b: Json, field: string, values: readonly string[]): Problem[] {
  const v = b[field];
  return v === undefined || values.includes(v as string)
    ? []
    : [{ field, message: `must be one of ${values.join(', ')}` }];
}

const isHttpUrl = (v: unknown) => {
  try {
    return typeof v === 'string' && ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

const freshMetrics = () => ({
  startedAt: Date.now(),
  requests: { total: 0, '2xx': 0, '4xx': 0, '5xx': 0 },
  logins: 0,
  refreshes: 0,
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

class ChatbotsPlatformSim implements ProviderSim {
  readonly provider = 'chatbots-platform' as const;
  // The documented base URL is http://localhost:3000/api.
  readonly basePath = '/api';
  readonly rateRules = [{ limit: 100, windowMs: 60_000 }]; // standard tier
  readonly rateHeaders = 'x-ratelimit' as const;
  readonly strict: boolean;

  private kit: SimKit | null = null;
  private world: World;
  private readonly tokens = new TokenStore(() => this.kit?.faults.tokenTtlSec ?? DEFAULT_TTL_SEC);
  private webhooks = new Map<string, Webhook>();
  private timers = new Set<NodeJS.Timeout>();
  /** Bumped on reset/close so that queued webhook deliveries of the old state are dropped. */
  private generation = 0;
  private metrics = freshMetrics();
  private readonly routes: Route[];

  constructor(private readonly opts: SimulatorOptions) {
    this.strict = opts.strict ?? false;
    this.world = new World(opts);
    const r = (method: string, pattern: string, handler: Route['handler'], isPublic = false): Route => ({
      method,
      pattern,
      handler: handler.bind(this),
      public: isPublic,
    });
    this.routes = [
      r('POST', '/auth/login', this.login, true),
      r('POST', '/auth/refresh', this.refresh, true),
      r('POST', '/auth/logout', this.logout),
      // Doc silent: health endpoints are public, as probes and scrapers call them without credentials.
      r('GET', '/health/liveness', () => ok({ status: 'success', data: { status: 'alive' } }), true),
      r(
        'GET',
        '/health/readiness',
        () => ok({ status: 'success', data: { status: 'ready', checks: { database: 'ok' } } }),
        true,
      ),
      r('GET', '/health/metrics', this.metricsReply, true),
      r('GET', '/conversations', (req) =>
        this.page(req, this.world.conversationList(), (c) => this.conversationJson(c)),
      ),
      r('GET', '/conversations/:id', (_req, p) =>
        this.withConversation(p.id, (c) => this.data(this.conversationJson(c))),
      ),
      r('GET', '/conversations/:id/messages', (req, p) =>
        this.withConversation(p.id, (c) => this.page(req, c.messages, (m) => this.messageJson(m))),
      ),
      r('POST', '/conversations/:id/messages', this.sendMessage),
      r('GET', '/chatbots', (req) => this.page(req, [...this.world.chatbots.values()], chatbotJson)),
      r('POST', '/chatbots', this.createChatbot),
      r('GET', '/chatbots/:id', (_req, p) => this.withChatbot(p.id, (b) => this.data(chatbotJson(b)))),
      r('PUT', '/chatbots/:id', this.updateChatbot),
      r('DELETE', '/chatbots/:id', (_req, p) =>
        this.withChatbot(p.id, (b) => this.remove(this.world.chatbots, b.id)),
      ),
      r('POST', '/chatbots/:id/deploy', this.deployChatbot),
      r('GET', '/templates', (req) => this.page(req, [...this.world.templates.values()], templateJson)),
      r('POST', '/templates', this.createTemplate),
      r('GET', '/templates/:id', (_req, p) => this.withTemplate(p.id, (t) => this.data(templateJson(t)))),
      r('PUT', '/templates/:id', this.updateTemplate),
      r('DELETE', '/templates/:id', (_req, p) =>
        this.withTemplate(p.id, (t) => this.remove(this.world.templates, t.id)),
      ),
      r('POST', '/webhooks', this.registerWebhook),
      // Doc silent: default mode lists and deletes registrations too; strict mode has only the documented POST.
      ...(this.strict
        ? []
        : [
            r('GET', '/webhooks', (req) => this.page(req, [...this.webhooks.values()], webhookJson)),
            r('DELETE', '/webhooks/:id', this.deleteWebhook),
          ]),
    ];
  }

  credentials() {
    return { username: SIM_USERNAME, password: SIM_PASSWORD };
  }

  init(kit: SimKit): void {
    this.kit = kit;
  }

  callerKey(req: SimRequest): string | null {
    const key = req.headers['x-api-key'];
    if (typeof key === 'string') return `key:${key}`;
    // Doc silent: limits count per account, not per token (a refresh does not reset the quota).
    const owner = this.tokens.ownerOf(bearer(req) ?? '');
    return owner ? `user:${owner}` : null;
  }

  error(status: number, message: string, details: unknown[] = []): SimReply {
    const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
    return { status, headers, body: { status: 'error', error: { code: status, message, details } } };
  }

  handle(req: SimRequest): SimReply {
    // Doc: /api/v1 is the current version while the endpoint tables write /api/...: both are served.
    const path = req.path.replace(/^\/v1(?=\/|$)/, '') || '/';
    const reply = this.route(req, path);
    this.metrics.requests.total++;
    const cls = `${Math.floor(reply.status / 100)}xx` as '2xx' | '4xx' | '5xx';
    if (cls in this.metrics.requests) this.metrics.requests[cls]++;
    return reply;
  }

  inbound({ contact, text }: InboundInput): { conversationId: string; messageId: string } {
    const w = this.world;
    const person = (contact && w.findContact(contact)) || w.addContact(contact);
    const now = Date.now();
    const existing = w.conversationOf(person.id);
    // Doc silent: a contact's latest conversation is reused (and reopened when closed).
    const conv = existing ?? w.addConversation(person.id, now);
    const reopened = conv.status === 'closed';
    conv.status = 'active';
    const seen = conv.messages.filter(
      (m) => m.sender !== 'user' && (m.status === 'sent' || m.status === 'delivered'),
    );
    for (const m of seen) this.setStatus(m, 'read', now);
    const msg = w.addMessage(conv, 'user', text, now);
    if (!existing) this.emit('conversation.created', { conversation: conv });
    else if (reopened) this.emit('conversation.updated', { conversation: conv });
    for (const m of seen) this.emit('message.read', { message: m });
    this.emit('message.received', { message: msg, conversation: conv });
    return { conversationId: conv.id, messageId: msg.id };
  }

  expireTokens(): void {
    this.tokens.expireAll();
  }

  reset(): void {
    this.stopBackgroundWork();
    this.world = new World(this.opts);
    this.tokens.clear();
    this.webhooks.clear();
    this.metrics = freshMetrics();
  }

  close(): void {
    this.stopBackgroundWork();
  }

  // ---- routing and helpers ----

  private route(req: SimRequest, path: string): SimReply {
    for (const route of this.routes) {
      const params = route.method === req.method ? match(route.pattern, path) : null;
      if (!params) continue;
      if (!route.public) {
        const denied = this.authProblem(req);
        if (denied) return this.error(401, denied);
      }
      if (req.invalidBody) return this.error(400, 'Request body is not valid JSON');
      return route.handler(req, params);
    }
    // Doc silent: unknown routes answer 404 before any auth check, as an Express router would.
    return this.error(404, `Route ${req.method} ${req.fullPath} not found`);
  }

  private authProblem(req: SimRequest): string | null {
    const key = req.headers['x-api-key'];
    if (typeof key === 'string') return key === SIM_API_KEY ? null : 'Invalid API key';
    const token = bearer(req);
    if (!token) return 'Authentication required: send Authorization: Bearer <token> or X-API-KEY';
    return this.tokens.userOf(token) ? null : 'Access token is invalid or expired';
  }

  private messageJson(m: Message) {
    return messageJson(m, this.strict);
  }

  private conversationJson(c: Conversation) {
    return conversationJson(this.world, c, this.strict);
  }

  private data(data: unknown, status = 200): SimReply {
    return ok({ status: 'success', data }, status);
  }

  private invalid(problems: Problem[]): SimReply | null {
    // Doc silent on which of its 400/422 when: malformed JSON is 400, a well-formed body with bad fields 422.
    return problems.length ? this.error(422, 'Validation failed', problems) : null;
  }

  /** Doc: {items, pagination:{total, page, pageSize, pages, next, prev}}; next/prev are paths. */
  private page<T>(req: SimRequest, all: T[], toJson: (t: T) => unknown): SimReply {
    // Doc silent on limits: pageSize defaults to 10 (the doc's example) and is clamped to 1..100.
    const { page, size } = paging(req.query, 'pageSize', 10, MAX_PAGE_SIZE);
    const total = all.length;
    const pages = Math.ceil(total / size);
    const link = (p: number) => `${req.fullPath}?page=${p}&pageSize=${size}`;
    return this.data({
      items: all.slice((page - 1) * size, page * size).map(toJson),
      pagination: {
        total,
        page,
        pageSize: size,
        pages,
        next: page < pages ? link(page + 1) : null,
        prev: page > 1 && pages > 0 ? link(Math.min(page - 1, pages)) : null,
      },
    });
  }

  private withConversation(id: string, f: (c: Conversation) => SimReply): SimReply {
    const c = this.world.conversations.get(id);
    return c ? f(c) : this.error(404, 'Conversation not found');
  }

  private withChatbot(id: string, f: (b: Chatbot) => SimReply): SimReply {
    const b = this.world.chatbots.get(id);
    return b ? f(b) : this.error(404, 'Chatbot not found');
  }

  private withTemplate(id: string, f: (t: Template) => SimReply): SimReply {
    const t = this.world.templates.get(id);
    return t ? f(t) : this.error(404, 'Template not found');
  }

  private remove(map: Map<string, unknown>, id: string): SimReply {
    map.delete(id);
    return { status: 204 };
  }

  // ---- auth ----

  private login(req: SimRequest): SimReply {
    const b = obj(req.body);
    const bad = this.invalid([...checkString(b, 'username', true), ...checkString(b, 'password', true)]);
    if (bad) return bad;
    if (b.username !== SIM_USERNAME || b.password !== SIM_PASSWORD)
      return this.error(401, 'Invalid username or password');
    this.metrics.logins++;
    return this.data(this.tokens.issue(SIM_USERNAME));
  }

  private refresh(req: SimRequest): SimReply {
    const b = obj(req.body);
    const bad = this.invalid(checkString(b, 'refreshToken', true));
    if (bad) return bad;
    const pair = this.tokens.rotate(b.refreshToken as string);
    if (!pair) return this.error(401, 'Refresh token is invalid or expired');
    this.metrics.refreshes++;
    return this.data(pair);
  }

  /** Doc: "Invalidate a token". Doc silent on which: the bearer access token, and a refreshToken in the body. */
  private logout(req: SimRequest): SimReply {
    const refreshToken = obj(req.body).refreshToken;
    this.tokens.revoke(bearer(req), typeof refreshToken === 'string' ? refreshToken : null);
    return { status: 204 };
  }

  private metricsReply(): SimReply {
    const messages = [...this.world.conversations.values()].reduce((n, c) => n + c.messages.length, 0);
    return this.data({
      uptimeSec: Math.round((Date.now() - this.metrics.startedAt) / 1000),
      requests: { ...this.metrics.requests },
      auth: { logins: this.metrics.logins, refreshes: this.metrics.refreshes },
      conversations: this.world.conversations.size,
      messages,
      webhooks: this.webhooks.size,
    });
  }

  // ---- conversations ----

  private sendMessage(req: SimRequest, p: Record<string, string>): SimReply {
    return this.withConversation(p.id, (conv) => {
      const b = obj(req.body);
      const bad = this.invalid(checkString(b, 'text', true, MAX_MESSAGE_LENGTH));
      if (bad) return bad;
      // Doc silent on idempotency: there is no idempotency key; every POST is a new message.
      const m = this.world.addMessage(conv, 'agent', b.text as string);
      this.kit?.recordSent(conv.id, m.text);
      // Strict: the document's only message event, as the platform received the agent's message too.
      this.emit(this.strict ? 'message.received' : 'message.sent', { message: m, conversation: conv });
      // Doc silent on message statuses: sent, then delivered shortly after, then read when the customer writes.
      this.later(DELIVERY_DELAY_MS, () => {
        if (m.status !== 'sent') return;
        this.setStatus(m, 'delivered', Date.now());
        this.emit('message.delivered', { message: m });
      });
      return this.data(this.messageJson(m), 201);
    });
  }

  /** Doc silent: a message status change also bumps its conversation's updatedAt. */
  private setStatus(m: Message, status: Message['status'], at: number): void {
    m.status = status;
    m.updatedAt = at;
    const conv = this.world.conversations.get(m.conversationId);
    if (conv) conv.updatedAt = Math.max(conv.updatedAt, at);
  }

  // ---- chatbots ----

  private chatbotProblems(b: Json, creating: boolean): Problem[] {
    return [
      ...checkString(b, 'name', creating, 200),
      ...checkString(b, 'description', false),
      ...checkEnum(b, 'type', ['rule-based', 'ai', 'hybrid']),
      ...checkEnum(b, 'status', ['active', 'inactive']),
    ];
  }

  private createChatbot(req: SimRequest): SimReply {
    const b = obj(req.body);
    const bad = this.invalid(this.chatbotProblems(b, true));
    if (bad) return bad;
    const now = Date.now();
    const bot: Chatbot = {
      id: this.world.newId(),
      name: b.name as string,
      description: (b.description as string) ?? '',
      type: (b.type as string) ?? 'rule-based',
      // Doc silent: a new chatbot is inactive until deployed or switched on.
      status: (b.status as Chatbot['status']) ?? 'inactive',
      deployedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    this.world.chatbots.set(bot.id, bot);
    return this.data(chatbotJson(bot), 201);
  }

  /**
   * Doc: "Update a chatbot", body undocumented. Default mode: a partial update, where `status` switches a
   * chatbot on/off. Strict mode: a full replacement of the fields the SDK's create example shows (name,
   * description, type): without a name it is 422; anything else in the body (such as `status`) is ignored.
   */
  private updateChatbot(req: SimRequest, p: Record<string, string>): SimReply {
    return this.withChatbot(p.id, (bot) => {
      const b = obj(req.body);
      const bad = this.invalid(this.chatbotProblems(b, this.strict));
      if (bad) return bad;
      if (this.strict)
        Object.assign(bot, {
          name: b.name,
          description: (b.description as string | undefined) ?? '',
          type: (b.type as string | undefined) ?? 'rule-based',
        });
      else
        for (const k of ['name', 'description', 'type', 'status'] as const)
          if (b[k] !== undefined) Object.assign(bot, { [k]: b[k] });
      bot.updatedAt = Date.now();
      this.emit('chatbot.updated', { chatbot: bot });
      return this.data(chatbotJson(bot));
    });
  }

  /**
   * Doc silent: deploying makes a chatbot active and stamps deployedAt. Default mode answers the chatbot;
   * strict mode a deployment record, so what the chatbot now is must be read back.
   */
  private deployChatbot(_req: SimRequest, p: Record<string, string>): SimReply {
    return this.withChatbot(p.id, (bot) => {
      bot.status = 'active';
      bot.deployedAt = bot.updatedAt = Date.now();
      this.emit('chatbot.updated', { chatbot: bot });
      if (!this.strict) return this.data(chatbotJson(bot));
      const deployment = { id: this.world.newId(), chatbotId: bot.id, status: 'deployed' };
      return this.data({ ...deployment, createdAt: new Date(bot.deployedAt).toISOString() }, 201);
    });
  }

  // ---- templates ----

  private templateProblems(b: Json, creating: boolean): Problem[] {
    return [
      ...checkString(b, 'name', creating, 200),
      ...checkString(b, 'content', creating),
      ...checkString(b, 'category', false, 100),
    ];
  }

  private createTemplate(req: SimRequest): SimReply {
    const b = obj(req.body);
    const bad = this.invalid(this.templateProblems(b, true));
    if (bad) return bad;
    const now = Date.now();
    const t: Template = {
      id: this.world.newId(),
      name: b.name as string,
      content: b.content as string,
      category: (b.category as string) ?? 'general',
      createdAt: now,
      updatedAt: now,
    };
    this.world.templates.set(t.id, t);
    return this.data(templateJson(t), 201);
  }

  private updateTemplate(req: SimRequest, p: Record<string, string>): SimReply {
    return this.withTemplate(p.id, (t) => {
      const b = obj(req.body);
      const bad = this.invalid(this.templateProblems(b, false));
      if (bad) return bad;
      for (const k of ['name', 'content', 'category'] as const) if (b[k] !== undefined) t[k] = b[k] as string;
      t.updatedAt = Date.now();
      return this.data(templateJson(t));
    });
  }

  // ---- webhooks ----

  private registerWebhook(req: SimRequest): SimReply {
    const b = obj(req.body);
    const events = b.events;
    // Doc silent on validation: known event names (or '*'), an http(s) URL and a secret are required.
    // Strict: only the two event names the document shows.
    const known = this.strict ? DOCUMENTED_EVENTS : [...WEBHOOK_EVENTS, '*'];
    const eventsOk =
      Array.isArray(events) && events.length > 0 && events.every((e) => known.includes(e as string));
    const bad = this.invalid([
      ...(isHttpUrl(b.url) ? [] : [{ field: 'url', message: 'must be an http(s) URL' }]),
      ...(eventsOk
        ? []
        : [{ field: 'events', message: `must be a non-empty array of: ${known.join(', ')}` }]),
      ...checkString(b, 'secret', true, 500),
    ]);
    if (bad) return bad;
    // Doc silent: registering a URL again updates that registration instead of adding a second one.
    const existing = [...this.webhooks.values()].find((h) => h.url === b.url);
    const hook: Webhook = existing ?? {
      id: this.world.newId(),
      url: b.url as string,
      events: [],
      secret: '',
      createdAt: new Date().toISOString(),
      queue: Promise.resolve(),
    };
    hook.events = events as string[];
    hook.secret = b.secret as string;
    this.webhooks.set(hook.id, hook);
    return this.data(webhookJson(hook), existing ? 200 : 201);
  }

  private deleteWebhook(_req: SimRequest, p: Record<string, string>): SimReply {
    return this.webhooks.delete(p.id) ? { status: 204 } : this.error(404, 'Webhook not found');
  }

  /** Doc: {event, timestamp, data, signature}; signature = 'sha256=' + HMAC of JSON.stringify(payload without it). */
  private emit(event: string, subject: EventSubject): void {
    if (this.kit?.faults.down || this.webhooks.size === 0) return; // down, or nobody to tell
    const unsigned = { event, timestamp: new Date().toISOString(), data: this.eventData(subject) };
    const json = JSON.stringify(unsigned);
    const generation = this.generation;
    for (const hook of this.webhooks.values()) {
      if (!hook.events.includes(event) && !hook.events.includes('*')) continue;
      const signature = 'sha256=' + createHmac('sha256', hook.secret).update(json).digest('hex');
      // Doc silent: default mode also sends the signature in an X-Signature header; strict mode only in the body.
      const headers: Record<string, string> = this.strict ? {} : { 'x-signature': signature };
      const send = () => this.kit?.deliverWebhook(hook.url, { ...unsigned, signature }, headers) ?? 0;
      hook.queue = hook.queue.then(() => this.deliver(send, generation));
    }
  }

  /** Doc: "Event-specific data". Default mode: {message, conversation}, {message}, {conversation} or {chatbot}; strict: the subject itself. */
  private eventData({ message, conversation, chatbot }: EventSubject): Json {
    const m = message && this.messageJson(message);
    const c = conversation && this.conversationJson(conversation);
    const b = chatbot && chatbotJson(chatbot);
    if (this.strict) return m ?? c ?? b ?? {};
    return { ...(m ? { message: m } : {}), ...(c ? { conversation: c } : {}), ...(b ? { chatbot: b } : {}) };
  }

  /** Doc silent on retries: per registration in order, up to 3 attempts on network errors and 5xx. */
  private async deliver(send: () => Promise<number> | number, generation: number): Promise<void> {
    for (const wait of WEBHOOK_RETRY_DELAYS_MS) {
      if (wait) await sleep(wait);
      if (generation !== this.generation) return;
      const status = await send();
      if (status >= 200 && status < 500) return;
    }
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private stopBackgroundWork(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Registrations are listed without their secret. */
const webhookJson = (h: Webhook) => ({
  id: h.id,
  url: h.url,
  events: h.events,
  active: true,
  createdAt: h.createdAt,
});

/** `conversations`/`messagesPerConversation` seed a larger world (benchmarks); the default is ~20 conversations. */
export function createSimulator(o: SimulatorOptions): ProviderSim {
  return new ChatbotsPlatformSim(o);
}
