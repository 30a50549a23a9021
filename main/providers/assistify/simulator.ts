// Assistify simulator (providers/assistify.md): a Django REST Framework style API under /api with Bearer
// tokens, DRF pagination and errors, plus the chat WebSocket at the origin root (ws://host/ws/chat/{id}/).
// By default it is richer than the document (a message feed at GET /messages/, a conversation detail route,
// nested customers, socket frames that carry the whole message); strict mode (DESIGN.md, "Strict mode") shows
// only what the document shows and, where it is silent, the least helpful reading.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  match,
  ok,
  paging,
  type InboundInput,
  type ProviderSim,
  type RateRule,
  type SimKit,
  type SimReply,
  type SimRequest,
} from '../simkit';
import { rng, customer, pick, type Rng } from '../simkit/world';
import { INTENTS, SENTIMENTS, classify } from './classifier';
import { CHANNELS, World, seedWorld, type Conversation, type Message, type WorldOptions } from './world';

export interface AssistifySimOptions extends WorldOptions {
  /** Only what the document shows (DESIGN.md, "Strict mode"). */
  strict?: boolean;
}

type Json = Record<string, unknown>;
type Handler = (req: SimRequest, params: Record<string, string>) => SimReply;

/** [method, path pattern below /api, handler] */
type Route = ['GET' | 'POST', string, Handler];

// Doc silent: page_size defaults to 10 (the doc's example) and is capped at 100, as DRF's max_page_size.
const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;
// Doc silent: message text is limited to 4096 characters (WhatsApp's limit).
const MAX_CONTENT = 4096;

const iso = (ms: number) => new Date(ms).toISOString();
const bodyOf = (req: SimRequest): Json =>
  typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Json) : {};
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/** DRF's OrderingFilter: comma-separated fields, '-' for descending; unknown fields are ignored. */
function ordered<T>(
  items: T[],
  ordering: string | null,
  fields: Record<string, (x: T) => number | string>,
  fallback: string,
): T[] {
  const valid = (ordering ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => fields[k.replace(/^-/, '')]);
  const keys = valid.length ? valid : fallback.split(',');
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const field = fields[k.replace(/^-/, '')];
      const [x, y] = [field(a), field(b)];
      if (x !== y) return (x < y ? -1 : 1) * (k.startsWith('-') ? -1 : 1);
    }
    return 0;
  });
}

const CONVERSATION_FIELDS: Record<string, (c: Conversation) => number | string> = {
  id: (c) => c.id,
  created_at: (c) => c.createdAt,
  status: (c) => c.status,
  channel: (c) => c.channel,
};
const MESSAGE_FIELDS: Record<string, (m: Message) => number | string> = {
  id: (m) => m.id,
  created_at: (m) => m.createdAt,
};

function refuseUpgrade(socket: Duplex, status: number, reason: string, body: Json): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

export class AssistifySimulator implements ProviderSim {
  readonly provider = 'assistify' as const;
  readonly basePath = '/api';
  readonly rateRules: RateRule[] = [
    { limit: 100, windowMs: 60_000 },
    { limit: 1000, windowMs: 3_600_000 },
  ];
  // Doc silent: like DRF's throttling, a 429 carries Retry-After and no X-RateLimit-* headers.
  readonly rateHeaders = 'none' as const;
  readonly token: string;
  readonly strict: boolean;
  world: World;
  private kit: SimKit | null = null;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sockets = new Map<number, Set<WebSocket>>();
  private readonly twilioSids = new Map<string, Message>();
  /** The socket whose frame is being stored (strict mode pushes it to the others only). */
  private writer: WebSocket | null = null;
  /** Drives new customers' names and channels. */
  private rnd: Rng;
  private newCustomers = 0;
  private readonly routes: Route[];
  /** The documented routes. */
  private readonly documented: Route[] = [
    ['GET', '/conversations', (req) => this.listConversations(req)],
    ['POST', '/conversations/create_conversation', (req) => this.createConversation(req)],
    ['POST', '/conversations/:id/close_conversation', (_, p) => this.closeConversation(p.id)],
    ['GET', '/messages/get_conversation_messages', (req) => this.conversationMessages(req)],
    ['POST', '/messages/process_message', (req) => this.processMessage(req)],
    ['GET', '/analytics/intent_stats', () => ok(this.stats(INTENTS, (m) => m.intent))],
    ['GET', '/analytics/sentiment_stats', () => ok(this.stats(SENTIMENTS, (m) => m.sentiment))],
    ['GET', '/analytics/channel_stats', () => ok(this.channelStats())],
    ['POST', '/webhooks/whatsapp', (req) => this.whatsapp(req)],
    ['POST', '/webhooks/instagram', (req) => this.instagram(req)],
  ];
  /** Default mode only: routes the document does not list. */
  private readonly undocumented: Route[] = [
    // The ViewSet's detail route, implied by /conversations/{id}/close_conversation/.
    ['GET', '/conversations/:id', (_, p) => this.withConversation(p.id, (c) => ok(this.conversationJson(c)))],
    // A message list, of which the document shows only a filter example (?created_at__gte=…).
    ['GET', '/messages', (req) => this.listMessages(req)],
  ];

  constructor(private readonly options: AssistifySimOptions) {
    this.strict = options.strict ?? false;
    this.routes = this.strict ? this.documented : [...this.documented, ...this.undocumented];
    this.token = `asf_${options.seed.toString(36)}_7f3a9c2e5b`;
    this.rnd = rng(options.seed + 1);
    this.world = this.seed();
  }

  credentials() {
    return { token: this.token };
  }

  callerKey(req: SimRequest): string | null {
    return bearerToken(req.headers.authorization);
  }

  error(status: number, message: string): SimReply {
    // The doc shows {error} for 400 and 500 and DRF's {detail} for 401 and 404; other statuses follow DRF.
    const body = status === 400 || status >= 500 ? { error: message } : { detail: message };
    return {
      status,
      body,
      headers: status === 401 ? { 'www-authenticate': 'Bearer realm="api"' } : undefined,
    };
  }

  init(kit: SimKit): void {
    this.kit = kit;
    kit.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
  }

  handle(req: SimRequest): SimReply {
    // As in Django, the URL is resolved before authentication: unknown routes are 404 even without a token.
    const route = this.resolve(req);
    if ('status' in route) return route;
    const token = bearerToken(req.headers.authorization);
    if (!token) return this.error(401, 'Authentication credentials were not provided.');
    if (token !== this.token) return this.error(401, 'Invalid token.');
    if (req.invalidBody) return this.error(400, 'JSON parse error: the request body is not valid JSON');
    return route.run(req, route.params);
  }

  /** The route of a request; literal segments beat :params (create_conversation is not an :id). */
  private resolve(req: SimRequest): { run: Handler; params: Record<string, string> } | SimReply {
    const literals = (pattern: string) => pattern.split('/').filter((s) => s && !s.startsWith(':')).length;
    const matches = this.routes.flatMap(([method, pattern, run]) => {
      const params = match(pattern, req.path);
      return params ? [{ method, run, params, rank: literals(pattern) }] : [];
    });
    const best = matches.filter((m) => m.rank === Math.max(...matches.map((x) => x.rank)));
    if (!best.length) return this.error(404, 'Not found.');
    return (
      best.find((m) => m.method === req.method) ?? this.error(405, `Method "${req.method}" not allowed.`)
    );
  }

  inbound(input: InboundInput): { conversationId: string; messageId: string } {
    const known = this.world.findCustomer(input.contact);
    const who = known ?? this.newCustomer(input.contact);
    const latest = this.world.conversationsOf(who.id).sort((a, b) => b.createdAt - a.createdAt)[0];
    // New customers write in through one of the two channels the doc has webhooks for.
    const channel = latest?.channel ?? pick(this.rnd, ['whatsapp', 'instagram']);
    const m = this.world.customerWrites(who.id, channel, input.text.slice(0, MAX_CONTENT));
    return { conversationId: String(m.conversationId), messageId: String(m.id) };
  }

  dropRealtime(): void {
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate();
    this.sockets.clear();
  }

  reset(): void {
    this.dropRealtime();
    this.twilioSids.clear();
    this.rnd = rng(this.options.seed + 1);
    this.newCustomers = 0;
    this.world = this.seed();
  }

  close(): void {
    this.dropRealtime();
    this.wss.close();
  }

  private seed(): World {
    const world = seedWorld(this.options);
    world.onMessage = (m) => this.push(m);
    return world;
  }

  private newCustomer(contact: InboundInput['contact']) {
    const made = customer(this.rnd, 1000 + this.newCustomers++);
    return this.world.addCustomer(
      contact?.name || contact?.handle || made.name,
      contact?.handle || made.handle,
      made.tags,
    );
  }

  // --- serializers -------------------------------------------------------------------------------

  private conversationJson(c: Conversation): Json {
    const who = this.world.customers.get(c.customerId);
    return {
      id: c.id,
      customer_id: c.customerId,
      channel: c.channel,
      status: c.status,
      created_at: iso(c.createdAt),
      // Doc silent: the doc has no customer endpoint, so by default conversations nest their customer
      // read-only; strict mode shows the document's `customer_id` only.
      ...(!this.strict && {
        customer: who ? { id: who.id, name: who.name, handle: who.handle, tags: who.tags } : null,
      }),
    };
  }

  private messageJson(m: Message): Json {
    // Doc silent: agent messages have sender 'agent' and null intent, sentiment and confidence.
    return {
      id: m.id,
      conversation_id: m.conversationId,
      sender: m.sender,
      content: m.content,
      intent: m.intent,
      sentiment: m.sentiment,
      confidence: m.confidence,
      created_at: iso(m.createdAt),
    };
  }

  /** DRF PageNumberPagination with page_size_query_param and no default PAGE_SIZE. */
  private listReply<T>(req: SimRequest, items: T[], toJson: (x: T) => Json): SimReply {
    // Doc silent: without page or page_size a list is a plain array (the doc's Get Conversations example);
    // with either it is the {count, next, previous, results} page of the doc's Pagination example.
    if (!req.query.has('page') && !req.query.has('page_size')) return ok(items.map(toJson));
    const { page, size } = paging(req.query, 'page_size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const last = Math.max(1, Math.ceil(items.length / size));
    if (page > last) return this.error(404, 'Invalid page.');
    const link = (p: number) => {
      const q = new URLSearchParams(req.query);
      q.set('page', String(p));
      return `http://${req.headers.host ?? 'localhost'}${req.fullPath}?${q}`;
    };
    return ok({
      count: items.length,
      next: page < last ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: items.slice((page - 1) * size, page * size).map(toJson),
    });
  }

  private withConversation(rawId: unknown, then: (c: Conversation) => SimReply): SimReply {
    const c = this.world.conversations.get(Number(text(rawId)));
    return c ? then(c) : this.error(404, 'Not found.');
  }

  // --- conversations ----------------------------------------------------------------------------

  private listConversations(req: SimRequest): SimReply {
    const status = req.query.get('status');
    const channel = req.query.get('channel');
    const items = [...this.world.conversations.values()].filter(
      (c) => (!status || c.status === status) && (!channel || c.channel === channel),
    );
    // Doc silent: conversations are listed newest first unless ?ordering= says otherwise.
    return this.listReply(
      req,
      ordered(items, req.query.get('ordering'), CONVERSATION_FIELDS, '-created_at,-id'),
      (c) => this.conversationJson(c),
    );
  }

  private createConversation(req: SimRequest): SimReply {
    const b = bodyOf(req);
    const channel = text(b.channel);
    if (b.customer_id == null || b.customer_id === '' || !channel)
      return this.error(400, 'customer_id and channel are required');
    if (!(CHANNELS as readonly string[]).includes(channel))
      return this.error(400, `channel must be one of ${CHANNELS.join(', ')}`);
    const who = this.world.customers.get(Number(text(b.customer_id)));
    if (!who) return this.error(400, `customer ${text(b.customer_id)} does not exist`);
    // Doc silent: 201 Created, as DRF answers a create.
    return ok(this.conversationJson(this.world.openConversation(who.id, channel)), 201);
  }

  private closeConversation(rawId: string): SimReply {
    return this.withConversation(rawId, (c) => {
      c.status = 'closed';
      return ok(this.conversationJson(c));
    });
  }

  // --- messages ---------------------------------------------------------------------------------

  private listMessages(req: SimRequest): SimReply {
    const bounds: number[] = [];
    for (const key of ['created_at__gte', 'created_at__lte']) {
      const v = req.query.get(key);
      const ms = v === null ? (key.endsWith('gte') ? -Infinity : Infinity) : Date.parse(v);
      if (Number.isNaN(ms)) return this.error(400, `${key}: Enter a valid date/time.`);
      bounds.push(ms);
    }
    const items = this.world.messages.filter((m) => m.createdAt >= bounds[0] && m.createdAt <= bounds[1]);
    // Doc silent: messages are listed oldest first unless ?ordering= says otherwise.
    return this.listReply(
      req,
      ordered(items, req.query.get('ordering'), MESSAGE_FIELDS, 'created_at,id'),
      (m) => this.messageJson(m),
    );
  }

  private conversationMessages(req: SimRequest): SimReply {
    const id = req.query.get('conversation_id');
    if (!id) return this.error(400, 'conversation_id is required');
    // Doc silent: the whole history, oldest first, as a plain array (the doc's example), never paginated.
    return this.withConversation(id, (c) => ok(this.world.messagesOf(c.id).map((m) => this.messageJson(m))));
  }

  private processMessage(req: SimRequest): SimReply {
    const b = bodyOf(req);
    const content = text(b.content);
    if (!content.trim() || b.conversation_id == null)
      return this.error(400, 'content and conversation_id are required');
    if (content.length > MAX_CONTENT)
      return this.error(400, `content is longer than ${MAX_CONTENT} characters`);
    return this.withConversation(b.conversation_id, (c) => {
      // Doc silent: the message is stored as the customer's; the suggested response is returned, not sent.
      const m = this.world.addMessage(c.id, 'customer', content);
      const { response } = classify(content);
      return ok({
        message_id: m.id,
        intent: m.intent,
        sentiment: m.sentiment,
        response,
        confidence: m.confidence,
      });
    });
  }

  // --- analytics --------------------------------------------------------------------------------

  private stats(keys: readonly string[], of: (m: Message) => string | null): Record<string, number> {
    const out = Object.fromEntries(keys.map((k) => [k, 0]));
    for (const m of this.world.messages) {
      const k = of(m);
      if (k !== null) out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }

  private channelStats(): Record<string, number> {
    // Doc silent: channel usage counts conversations per channel.
    const out: Record<string, number> = Object.fromEntries(CHANNELS.map((k) => [k, 0]));
    for (const c of this.world.conversations.values()) out[c.channel] = (out[c.channel] ?? 0) + 1;
    return out;
  }

  // --- webhooks (the doc's "All endpoints require Bearer token authentication" includes them) -----

  private customerMessage(handle: string, name: string, channel: string, content: string): Message {
    const who = this.world.findCustomer({ handle }) ?? this.world.addCustomer(name, handle);
    return this.world.customerWrites(who.id, channel, content.slice(0, MAX_CONTENT));
  }

  private whatsapp(req: SimRequest): SimReply {
    const b = bodyOf(req);
    const from = text(b.From).replace(/^whatsapp:/, '');
    const content = text(b.Body);
    if (!from || !content) return this.error(400, 'From and Body are required');
    const sid = text(b.MessageSid);
    // Doc silent: a MessageSid seen before (Twilio retries) is acknowledged again without a new message.
    const m =
      this.twilioSids.get(sid) ??
      this.customerMessage(from, text(b.ProfileName) || from, 'whatsapp', content);
    if (sid) this.twilioSids.set(sid, m);
    return ok({ status: 'received', conversation_id: m.conversationId, message_id: m.id });
  }

  private instagram(req: SimRequest): SimReply {
    const entries = bodyOf(req).entry;
    if (!Array.isArray(entries)) return this.error(400, 'entry is required');
    const ids: number[] = [];
    for (const entry of entries) {
      const events = (entry as Json | null)?.messaging;
      for (const ev of Array.isArray(events) ? (events as (Json | null)[]) : []) {
        const sender = text((ev?.sender as Json | undefined)?.id);
        const content = text((ev?.message as Json | undefined)?.text);
        // Doc silent: events without a sender or text (reads, reactions, attachments) are skipped.
        if (sender && content) ids.push(this.customerMessage(sender, sender, 'instagram', content).id);
      }
    }
    return ok({ status: 'received', message_ids: ids });
  }

  // --- WebSocket ----------------------------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const params = match('/ws/chat/:id', url.pathname);
    if (!params) return refuseUpgrade(socket, 404, 'Not Found', { detail: 'Not found.' });
    if (!this.kit?.allowUpgrade(socket)) return;
    // Doc silent: the socket takes the Bearer token from the Authorization header or from ?token=.
    const token = bearerToken(req.headers.authorization) ?? url.searchParams.get('token');
    if (!token)
      return refuseUpgrade(socket, 401, 'Unauthorized', {
        detail: 'Authentication credentials were not provided.',
      });
    if (token !== this.token) return refuseUpgrade(socket, 401, 'Unauthorized', { detail: 'Invalid token.' });
    const conv = this.world.conversations.get(Number(params.id));
    if (!conv) return refuseUpgrade(socket, 404, 'Not Found', { detail: 'Not found.' });
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, conv.id));
  }

  private attach(ws: WebSocket, conversationId: number): void {
    const set = this.sockets.get(conversationId) ?? new Set<WebSocket>();
    this.sockets.set(conversationId, set);
    set.add(ws);
    ws.on('close', () => set.delete(ws));
    ws.on('message', (data) => this.agentFrame(ws, conversationId, data.toString()));
  }

  /**
   * Someone writes {message} into the conversation's socket (doc silent on who: it is stored as the agent's
   * message), recorded as sent, and pushed to the conversation's sockets.
   */
  private agentFrame(ws: WebSocket, conversationId: number, raw: string): void {
    // Doc silent: a bad frame is answered on the socket in the doc's 400 envelope, {error}; strict, it is
    // dropped without a word.
    const refuse = (error: string) => (this.strict ? undefined : ws.send(JSON.stringify({ error })));
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return refuse('Invalid JSON.');
    }
    const message = text((frame as Json | null)?.message);
    if (!message.trim()) return refuse('message is required');
    if (message.length > MAX_CONTENT) return refuse(`message is longer than ${MAX_CONTENT} characters`);
    if (!this.world.conversations.has(conversationId)) return refuse('Not found.');
    // Doc silent: WebSocket frames do not count against the HTTP rate limits.
    this.kit?.recordSent(String(conversationId), message);
    this.writer = ws;
    try {
      this.world.addMessage(conversationId, 'agent', message);
    } finally {
      this.writer = null;
    }
  }

  /**
   * Doc silent on what a socket receives. By default every new message of the conversation, customer's or
   * agent's, goes to all its sockets as the object get_conversation_messages lists. Strict: the doc's own
   * frame shape, {message: text}, with no id and no sender, and nothing back to the socket that wrote it.
   */
  private push(m: Message): void {
    const frame = JSON.stringify(this.strict ? { message: m.content } : this.messageJson(m));
    for (const ws of this.sockets.get(m.conversationId) ?? [])
      if (ws.readyState === WebSocket.OPEN && !(this.strict && ws === this.writer)) ws.send(frame);
  }
}

export function createSimulator(o: AssistifySimOptions): AssistifySimulator {
  return new AssistifySimulator(o);
}
