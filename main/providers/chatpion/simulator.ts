// ChatPion simulator: the REST API of providers/chatpion.md over in-memory state. Subscribers are the
// customers; GET /api/messages lists both sides. By default customers' messages also carry direction
// 'inbound' and status 'received', which the document does not define; strict mode shows only the
// document's fields and statuses (DESIGN.md, "Strict mode"). Webhooks go to the URLs in `webhooks`: the
// doc registers them in the dashboard, which has no API, so tests and the demo set that list on the
// simulator object.
import {
  ok,
  match,
  paging,
  type InboundInput,
  type ProviderSim,
  type SimKit,
  type SimReply,
  type SimRequest,
} from '../simkit';
import { customer, history, int, pick, PLATFORMS, rng, type Rng } from '../simkit/world';

type Order = 'newest-first' | 'oldest-first';

export interface ChatPionSimOptions {
  seed: number;
  /** Seeded subscribers (default 20); benchmarks raise it. */
  conversations?: number;
  /** Longest seeded history per subscriber (default 12). */
  messagesPerConversation?: number;
  /** Order of every list endpoint (default newest first); tests flip it to prove clients do not depend on it. */
  order?: Order;
  /** Only the document's fields, statuses and answers (DESIGN.md, "Strict mode"). */
  strict?: boolean;
}

export interface ChatPionSim extends ProviderSim {
  /** Webhook receiver URLs, each getting every documented event. */
  webhooks: string[];
}

type Status = 'received' | 'sent' | 'delivered' | 'read' | 'failed';
/** List Messages' `status` filter values: the only statuses the document defines. */
const DOC_STATUSES: readonly string[] = ['sent', 'delivered', 'read', 'failed'];
/** Default mode adds its own status for customers' messages. */
const STATUSES: readonly string[] = ['received', ...DOC_STATUSES];
/**
 * Strict: the document gives a customer's message no status of its own, so it shows one an agent's message
 * has too (delivered: it reached the page), which tells a client nothing about who wrote it.
 */
const CUSTOMER_STATUS_STRICT: Status = 'delivered';

interface Subscriber {
  id: number;
  platform: string;
  platform_id: string;
  name: string;
  email: string | null;
  tags: string[];
  subscribed_at: string;
}

// Doc silent on direction: the state knows who wrote each message (analytics count by it); only the
// default mode shows it, as direction 'inbound' and status 'received' for customers' messages.
interface Message {
  id: number;
  subscriber_id: number;
  message: string;
  type: string;
  attachment?: string;
  sent_at: string;
  status: Status;
  direction: 'inbound' | 'outbound';
}

interface SocialAccount {
  id: number;
  platform: string;
  name: string;
  access_token: string;
  status: 'active' | 'inactive';
  connected_at: string;
}

interface Broadcast {
  id: number;
  name: string;
  message: string;
  type: string;
  attachment?: string;
  target: { tags: string[]; platforms: string[] } | null;
  schedule: { time: string; timezone: string } | null;
  status: 'scheduled' | 'sending' | 'completed';
  created_at: string;
}

interface Flow {
  id: number;
  name: string;
  description: string;
  status: 'active' | 'inactive';
  nodes: unknown[];
  created_at: string;
  updated_at: string;
}

interface World {
  r: Rng;
  subscribers: Subscriber[];
  messages: Message[];
  accounts: SocialAccount[];
  broadcasts: Broadcast[];
  flows: Flow[];
  /** Outbound messages each subscriber has not read yet (they read them by writing in). */
  unread: Map<number, Message[]>;
  nextId: { subscriber: number; message: number; account: number; broadcast: number };
}

type Body = Record<string, unknown>;
type Handler = (req: SimRequest, params: Record<string, string>) => SimReply;

const DELIVERY_MS = 300;
const MAX_TEXT = 2000;
const MAX_TIMER_MS = 2 ** 31 - 1;

// Doc silent on precision: ISO 8601 in UTC with whole seconds, as in the doc's examples.
const stamp = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const success = (data: unknown, status = 200) => ok({ status: 'success', data }, status);

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function jsonObject(req: SimRequest): Body | null {
  return !req.invalidBody && typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)
    ? (req.body as Body)
    : null;
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const WELCOME_NODES = [
  { id: 'start', type: 'start', next: 'message1' },
  { id: 'message1', type: 'message', content: 'Welcome to our chatbot!', next: 'question1' },
  {
    id: 'question1',
    type: 'question',
    content: 'How can I help you today?',
    options: [
      { label: 'Learn more', value: 'learn', next: 'message2' },
      { label: 'Contact support', value: 'support', next: 'message3' },
    ],
  },
  { id: 'message2', type: 'message', content: "Here's more information about our product...", next: null },
  {
    id: 'message3',
    type: 'message',
    content: 'Please contact our support team at support@example.com',
    next: null,
  },
];

function addUnread(unread: Map<number, Message[]>, m: Message): void {
  const list = unread.get(m.subscriber_id);
  if (list) list.push(m);
  else unread.set(m.subscriber_id, [m]);
}

function seedFlows(now: number): Flow[] {
  const day = 86_400_000;
  const flow = (
    id: number,
    name: string,
    description: string,
    status: Flow['status'],
    nodes: unknown[],
  ): Flow => ({
    id,
    name,
    description,
    status,
    nodes,
    created_at: stamp(now - (40 - id) * day),
    updated_at: stamp(now - (10 - id) * day),
  });
  return [
    flow(1, 'Welcome Flow', 'Welcome message for new subscribers', 'active', WELCOME_NODES),
    flow(2, 'Order status 📦', 'Answers “where is my order?” with a tracking link', 'active', [
      { id: 'start', type: 'start', next: 'ask' },
      { id: 'ask', type: 'question', content: 'What is your order number?', next: 'reply' },
      { id: 'reply', type: 'message', content: 'Thanks! Here is your tracking link.', next: null },
    ]),
    flow(3, 'Soldes d’hiver', 'Winter sale announcement (paused)', 'inactive', [
      { id: 'start', type: 'start', next: 'promo' },
      { id: 'promo', type: 'message', content: '❄️ -30% sur tout le site cette semaine !', next: null },
    ]),
  ];
}

function seedWorld(o: ChatPionSimOptions): World {
  const r = rng(o.seed);
  const now = Date.now();
  const people = Array.from({ length: o.conversations ?? 20 }, (_, i) => {
    const c = customer(r, i);
    return { c, h: history(r, c, now - int(r, 0, 72 * 3600_000), o.messagesPerConversation ?? 12) };
  });
  // Ids follow time, as an auto-increment column would: subscribers by first contact, messages by time.
  people.sort((a, b) => a.h[0].at.getTime() - b.h[0].at.getTime());
  const subscribers: Subscriber[] = people.map(({ c, h }, i) => ({
    id: i + 1,
    platform: c.platform,
    platform_id: c.handle,
    name: c.name,
    email: r() < 0.7 ? c.email : null,
    tags: c.tags,
    subscribed_at: stamp(h[0].at.getTime() - 60_000),
  }));
  const drafts = people.flatMap(({ h }, i) =>
    h.map((m, j) => {
      const answered = h.slice(j + 1).some((later) => later.fromCustomer);
      const status: Status = m.fromCustomer ? 'received' : answered ? 'read' : 'delivered';
      return { subscriber_id: i + 1, text: m.text, at: m.at.getTime(), status, fromCustomer: m.fromCustomer };
    }),
  );
  drafts.sort((a, b) => a.at - b.at);
  const messages: Message[] = drafts.map((d, i) => ({
    id: i + 1,
    subscriber_id: d.subscriber_id,
    message: d.text,
    type: 'text',
    sent_at: stamp(d.at),
    status: d.status,
    direction: d.fromCustomer ? 'inbound' : 'outbound',
  }));
  const unread = new Map<number, Message[]>();
  for (const m of messages) if (m.status === 'delivered') addUnread(unread, m);
  const account = (
    id: number,
    platform: string,
    name: string,
    status: SocialAccount['status'],
  ): SocialAccount => ({
    id,
    platform,
    name,
    access_token: `EAAG${o.seed}x${id}`,
    status,
    connected_at: stamp(now - (90 - id) * 86_400_000),
  });
  const accounts = [
    account(1, 'facebook', 'Acme Store', 'active'),
    account(2, 'instagram', 'acme.store', 'active'),
    account(3, 'whatsapp', 'Acme Support +351 21 000 0000', 'active'),
    account(4, 'telegram', 'AcmeBot', 'inactive'),
  ];
  return {
    r,
    subscribers,
    messages,
    accounts,
    broadcasts: [],
    flows: seedFlows(now),
    unread,
    nextId: {
      subscriber: subscribers.length + 1,
      message: messages.length + 1,
      account: accounts.length + 1,
      broadcast: 1,
    },
  };
}

class ChatPionSimulator implements ChatPionSim {
  readonly provider = 'chatpion' as const;
  // The doc's base URL is an origin (https://your-domain.com/api/endpoint): paths start with /api.
  readonly basePath = '';
  readonly rateRules = [
    { limit: 100, windowMs: 60_000 },
    { limit: 5000, windowMs: 86_400_000 },
  ];
  readonly rateHeaders = 'retry-after' as const;
  readonly strict: boolean;
  webhooks: string[] = [];
  private readonly apiKey: string;
  private kit: SimKit | null = null;
  private w: World;
  private timers = new Set<NodeJS.Timeout>();
  private readonly routes: [string, string, Handler][] = [
    ['GET', '/api/account', () => this.account()],
    ['GET', '/api/social_accounts', (req) => this.listAccounts(req)],
    ['POST', '/api/social_accounts', (req) => this.connectAccount(req)],
    ['GET', '/api/subscribers', (req) => this.listSubscribers(req)],
    ['POST', '/api/subscribers', (req) => this.addSubscriber(req)],
    ['GET', '/api/messages', (req) => this.listMessages(req)],
    ['POST', '/api/messages', (req) => this.sendMessage(req)],
    ['POST', '/api/broadcasts', (req) => this.createBroadcast(req)],
    ['GET', '/api/flows', (req) => this.listFlows(req)],
    ['GET', '/api/flows/:id', (_req, p) => this.getFlow(p.id)],
    ['GET', '/api/analytics/dashboard', (req) => this.dashboard(req)],
  ];

  constructor(private readonly o: ChatPionSimOptions) {
    const r = rng(o.seed ^ 0x5eed);
    this.apiKey = `cp_live_${Array.from({ length: 24 }, () => int(r, 0, 15).toString(16)).join('')}`;
    this.strict = o.strict ?? false;
    this.w = seedWorld(o);
  }

  credentials() {
    return { apiKey: this.apiKey };
  }

  init(kit: SimKit): void {
    this.kit = kit;
  }

  callerKey(req: SimRequest): string | null {
    return this.keyOf(req) === this.apiKey ? this.apiKey : null;
  }

  error(status: number, message: string): SimReply {
    return { status, body: { status: 'error', message, code: status } };
  }

  handle(req: SimRequest): SimReply {
    // Doc silent on order of checks: every /api route needs the key, so auth comes before routing.
    const key = this.keyOf(req);
    if (!key) return this.error(401, 'Missing API key');
    if (key !== this.apiKey) return this.error(401, 'Invalid API key');
    for (const [method, pattern, run] of this.routes) {
      const params = method === req.method ? match(pattern, req.path) : null;
      if (params) return run(req, params);
    }
    // Doc silent on wrong methods: answered like unknown routes, 404 (the doc lists no 405).
    return this.error(404, `Endpoint not found: ${req.method} ${req.path}`);
  }

  inbound(input: InboundInput): { conversationId: string; messageId: string } {
    const sub = this.findContact(input.contact) ?? this.newSubscriberFor(input.contact);
    // The customer answering means they saw what was sent before.
    for (const m of this.w.unread.get(sub.id) ?? []) {
      m.status = 'read';
      this.emit('message.read', this.view(m));
    }
    this.w.unread.delete(sub.id);
    const m = this.addMessage(sub, input.text, 'text', 'inbound');
    return { conversationId: String(sub.id), messageId: String(m.id) };
  }

  reset(): void {
    this.clearTimers();
    this.w = seedWorld(this.o);
  }

  close(): void {
    this.clearTimers();
  }

  private keyOf(req: SimRequest): string | null {
    const h = req.headers['x-api-key'];
    return (typeof h === 'string' && h) || req.query.get('api_key') || null;
  }

  // Doc silent on delivery: every event goes to every registered URL, unsigned (the doc defines no signature).
  private emit(event: string, data: object): void {
    const payload = { event, timestamp: stamp(), data: { ...data } };
    for (const url of this.webhooks) void this.kit?.deliverWebhook(url, payload);
  }

  /** A message as the API shows it. Strict: the fields of the document's message example, nothing else. */
  private view(m: Message): object {
    if (!this.strict) return { ...m };
    const { id, subscriber_id, message, type, sent_at } = m;
    return { id, subscriber_id, message, type, sent_at, status: this.shownStatus(m) };
  }

  private shownStatus(m: Message): Status {
    return this.strict && m.status === 'received' ? CUSTOMER_STATUS_STRICT : m.status;
  }

  /** Doc silent on success codes (it shows bodies only): 201 for a creation; strict, the plain 200. */
  private created(data: unknown): SimReply {
    return success(data, this.strict ? 200 : 201);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
    t.unref();
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Doc silent on order: lists are newest first unless the options flip it. State arrays are kept in id
   * order, and ids follow time. Doc silent on page sizes: default 10 (the doc's example), at most 100;
   * out-of-range values are clamped.
   */
  private paged<T>(req: SimRequest, key: string, items: T[], view: (x: T) => unknown = (x) => x): SimReply {
    const { page, size } = paging(req.query, 'limit', 10, 100);
    const skip = (page - 1) * size;
    const slice =
      this.o.order === 'oldest-first'
        ? items.slice(skip, skip + size)
        : items.slice(Math.max(0, items.length - skip - size), Math.max(0, items.length - skip)).reverse();
    return success({ total: items.length, page, limit: size, [key]: slice.map(view) });
  }

  private account(): SimReply {
    const created = stamp(Date.UTC(2023, 0, 1));
    return success({
      id: 123,
      name: 'Acme Support',
      email: 'support@acme.example',
      plan: 'premium',
      created_at: created,
      updated_at: created,
    });
  }

  private publicAccount(a: SocialAccount) {
    return { ...a, access_token: '********' };
  }

  private listAccounts(req: SimRequest): SimReply {
    const platform = req.query.get('platform');
    const status = req.query.get('status');
    const items = this.w.accounts.filter(
      (a) => (!platform || a.platform === platform) && (!status || a.status === status),
    );
    return success(items.map((a) => this.publicAccount(a)));
  }

  private connectAccount(req: SimRequest): SimReply {
    const b = jsonObject(req);
    if (!b) return this.error(400, 'Request body must be a JSON object');
    if (!nonEmpty(b.platform) || !nonEmpty(b.access_token))
      return this.error(400, 'platform and access_token are required');
    if (b.name !== undefined && typeof b.name !== 'string') return this.error(400, 'name must be a string');
    const a: SocialAccount = {
      id: this.w.nextId.account++,
      platform: b.platform,
      name: nonEmpty(b.name) ? b.name : `${b.platform} account`,
      access_token: b.access_token,
      status: 'active',
      connected_at: stamp(),
    };
    this.w.accounts.push(a);
    return this.created(this.publicAccount(a));
  }

  private listSubscribers(req: SimRequest): SimReply {
    const platform = req.query.get('platform');
    const tag = req.query.get('tag');
    const items =
      platform || tag
        ? this.w.subscribers.filter(
            (s) => (!platform || s.platform === platform) && (!tag || s.tags.includes(tag)),
          )
        : this.w.subscribers;
    return this.paged(req, 'subscribers', items);
  }

  private addSubscriber(req: SimRequest): SimReply {
    const b = jsonObject(req);
    if (!b) return this.error(400, 'Request body must be a JSON object');
    const platformId = typeof b.platform_id === 'number' ? String(b.platform_id) : b.platform_id;
    if (!nonEmpty(b.platform) || !nonEmpty(platformId))
      return this.error(400, 'platform and platform_id are required');
    if (
      (b.name !== undefined && typeof b.name !== 'string') ||
      (b.email !== undefined && typeof b.email !== 'string')
    )
      return this.error(400, 'name and email must be strings');
    if (b.tags !== undefined && !isStrings(b.tags))
      return this.error(400, 'tags must be an array of strings');
    const existing = this.w.subscribers.find(
      (s) => s.platform === b.platform && s.platform_id === platformId,
    );
    if (existing) {
      // Doc silent on a known platform_id: the subscriber is updated (tags merged), 200 and subscriber.updated.
      if (nonEmpty(b.name)) existing.name = b.name;
      if (nonEmpty(b.email)) existing.email = b.email;
      existing.tags = [...new Set([...existing.tags, ...(b.tags ?? [])])];
      this.emit('subscriber.updated', existing);
      return success(existing);
    }
    const s = this.createSubscriber({
      platform: b.platform,
      platform_id: platformId,
      name: nonEmpty(b.name) ? b.name : platformId,
      email: nonEmpty(b.email) ? b.email : null,
      tags: b.tags ?? [],
    });
    return this.created(s);
  }

  private listMessages(req: SimRequest): SimReply {
    const sid = req.query.get('subscriber_id');
    const status = req.query.get('status');
    // Doc silent: an unknown status filter is a bad request; an unknown subscriber_id simply matches nothing.
    const known = this.strict ? DOC_STATUSES : STATUSES;
    if (status && !known.includes(status))
      return this.error(400, `status must be one of ${known.join(', ')}`);
    const items =
      sid || status
        ? this.w.messages.filter(
            (m) => (!sid || String(m.subscriber_id) === sid) && (!status || this.shownStatus(m) === status),
          )
        : this.w.messages;
    return this.paged(req, 'messages', items, (m) => this.view(m));
  }

  private sendMessage(req: SimRequest): SimReply {
    const b = jsonObject(req);
    if (!b) return this.error(400, 'Request body must be a JSON object');
    if (b.subscriber_id === undefined || b.subscriber_id === null || b.subscriber_id === '')
      return this.error(400, 'subscriber_id is required');
    const check = this.checkMessage(b);
    if (check) return check;
    // Doc silent on id types: subscriber_id is taken as a number (the doc's example) or a string.
    const sub = this.w.subscribers.find((s) => String(s.id) === String(b.subscriber_id));
    if (!sub) return this.error(404, 'Subscriber not found');
    const m = this.addMessage(
      sub,
      b.message as string,
      (b.type as string | undefined) ?? 'text',
      'outbound',
      b.attachment as string | undefined,
    );
    return this.created(this.view(m));
  }

  /** Shared by messages and broadcasts: message required, type and attachment optional strings. */
  private checkMessage(b: Body): SimReply | null {
    if (!nonEmpty(b.message)) return this.error(400, 'message is required');
    // Doc silent on length: 2,000 characters, Messenger's limit for a text message.
    if (b.message.length > MAX_TEXT) return this.error(400, `message must be at most ${MAX_TEXT} characters`);
    if (b.type !== undefined && !nonEmpty(b.type))
      return this.error(400, 'type must be a string such as text, image, video');
    if (b.attachment !== undefined && typeof b.attachment !== 'string')
      return this.error(400, 'attachment must be a URL or base64 string');
    return null;
  }

  private createBroadcast(req: SimRequest): SimReply {
    const b = jsonObject(req);
    if (!b) return this.error(400, 'Request body must be a JSON object');
    if (!nonEmpty(b.name)) return this.error(400, 'name is required');
    const check = this.checkMessage(b);
    if (check) return check;
    const target = b.target as Body | undefined;
    if (target !== undefined && (typeof target !== 'object' || target === null || Array.isArray(target)))
      return this.error(400, 'target must be an object with tags and platforms');
    if (
      target &&
      ((target.tags !== undefined && !isStrings(target.tags)) ||
        (target.platforms !== undefined && !isStrings(target.platforms)))
    )
      return this.error(400, 'target.tags and target.platforms must be arrays of strings');
    const schedule = b.schedule as Body | undefined;
    let at = Date.now();
    if (schedule !== undefined) {
      if (typeof schedule !== 'object' || schedule === null || !nonEmpty(schedule.time))
        return this.error(400, 'schedule.time is required');
      // Doc silent on local times: schedule.time must carry its offset (as in the doc's example); timezone is kept for display.
      if (!/(Z|[+-]\d\d:?\d\d)$/i.test(schedule.time) || Number.isNaN(Date.parse(schedule.time)))
        return this.error(
          400,
          'schedule.time must be an ISO 8601 time with an offset, e.g. 2023-01-01T12:00:00Z',
        );
      if (
        schedule.timezone !== undefined &&
        !(nonEmpty(schedule.timezone) && validTimezone(schedule.timezone))
      )
        return this.error(400, 'schedule.timezone must be an IANA time zone such as UTC or Europe/Lisbon');
      at = Date.parse(schedule.time);
    }
    const bc: Broadcast = {
      id: this.w.nextId.broadcast++,
      name: b.name,
      message: b.message as string,
      type: (b.type as string | undefined) ?? 'text',
      attachment: b.attachment as string | undefined,
      target: target
        ? { tags: (target.tags as string[]) ?? [], platforms: (target.platforms as string[]) ?? [] }
        : null,
      schedule: schedule
        ? { time: schedule.time as string, timezone: (schedule.timezone as string | undefined) ?? 'UTC' }
        : null,
      status: 'scheduled',
      created_at: stamp(),
    };
    this.w.broadcasts.push(bc);
    // Doc silent: without a schedule (or with a past time) the broadcast goes out during the request.
    if (at <= Date.now()) this.runBroadcast(bc);
    else this.scheduleBroadcast(bc, at);
    return this.created(bc);
  }

  private scheduleBroadcast(bc: Broadcast, at: number): void {
    const world = this.w;
    this.later(at - Date.now(), () => {
      if (this.w !== world) return;
      if (Date.now() < at) this.scheduleBroadcast(bc, at);
      else this.runBroadcast(bc);
    });
  }

  /** Doc silent on targeting: a subscriber matches with any of the tags and one of the platforms; none given means everyone. */
  private runBroadcast(bc: Broadcast): void {
    bc.status = 'sending';
    this.emit('broadcast.started', bc);
    const tags = bc.target?.tags ?? [];
    const platforms = bc.target?.platforms ?? [];
    for (const s of this.w.subscribers)
      if (
        (!tags.length || s.tags.some((t) => tags.includes(t))) &&
        (!platforms.length || platforms.includes(s.platform))
      )
        this.addMessage(s, bc.message, bc.type, 'outbound', bc.attachment);
    bc.status = 'completed';
    this.emit('broadcast.completed', bc);
  }

  private listFlows(req: SimRequest): SimReply {
    const status = req.query.get('status');
    const items = this.w.flows.filter((f) => !status || f.status === status);
    return this.paged(req, 'flows', items, ({ nodes: _nodes, ...summary }) => summary);
  }

  private getFlow(flowId: string): SimReply {
    const flow = this.w.flows.find((f) => String(f.id) === flowId);
    return flow ? success(flow) : this.error(404, 'Flow not found');
  }

  /** Doc silent on the figures: counted from the state over [start_date, end_date] (default: the last 30 days). */
  private dashboard(req: SimRequest): SimReply {
    const start = req.query.get('start_date');
    const end = req.query.get('end_date');
    const from = start ? Date.parse(start) : Date.now() - 30 * 86_400_000;
    // A date-only end_date includes that whole day.
    const to = end ? Date.parse(end) + (/^\d{4}-\d\d-\d\d$/.test(end) ? 86_400_000 - 1 : 0) : Date.now();
    if (Number.isNaN(from) || Number.isNaN(to))
      return this.error(400, 'start_date and end_date must be dates such as 2023-01-31');
    const platform = req.query.get('platform');
    const within = (iso: string) => Date.parse(iso) >= from && Date.parse(iso) <= to;
    const subs = this.w.subscribers.filter((s) => !platform || s.platform === platform);
    const ids = new Set(subs.map((s) => s.id));
    const msgs = this.w.messages.filter((m) => ids.has(m.subscriber_id) && within(m.sent_at));
    const out = msgs.filter((m) => m.direction === 'outbound');
    const fresh = subs.filter((s) => within(s.subscribed_at)).length;
    return success({
      subscribers: {
        total: subs.length,
        new: fresh,
        growth: Math.round((fresh / Math.max(1, subs.length - fresh)) * 100),
      },
      messages: {
        total: msgs.length,
        sent: out.filter((m) => m.status !== 'failed').length,
        delivered: out.filter((m) => m.status === 'delivered' || m.status === 'read').length,
        read: out.filter((m) => m.status === 'read').length,
      },
      // Clicks and conversions are not simulated.
      engagement: { clicks: 0, replies: msgs.length - out.length, conversions: 0 },
    });
  }

  private findContact(c: InboundInput['contact']): Subscriber | undefined {
    if (!c) return undefined;
    const subs = this.w.subscribers;
    return (
      (c.id ? subs.find((s) => String(s.id) === c.id) : undefined) ??
      (c.handle ? subs.find((s) => s.platform_id === c.handle) : undefined) ??
      (c.name ? subs.find((s) => s.name === c.name) : undefined)
    );
  }

  private newSubscriberFor(c: InboundInput['contact']): Subscriber {
    const made = customer(this.w.r, this.w.nextId.subscriber + 1000);
    return this.createSubscriber({
      platform: pick(this.w.r, PLATFORMS),
      platform_id: c?.handle ?? made.handle,
      name: c?.name ?? made.name,
      email: null,
      tags: [],
    });
  }

  private createSubscriber(fields: Omit<Subscriber, 'id' | 'subscribed_at'>): Subscriber {
    const s: Subscriber = { id: this.w.nextId.subscriber++, ...fields, subscribed_at: stamp() };
    this.w.subscribers.push(s);
    this.emit('subscriber.created', s);
    return s;
  }

  /**
   * Every message the account sends is recorded with the kit. Doc silent on the status lifecycle: sent,
   * delivered 300 ms later, read when the subscriber next writes in (see inbound).
   */
  private addMessage(
    sub: Subscriber,
    text: string,
    type: string,
    direction: Message['direction'],
    attachment?: string,
  ): Message {
    const inbound = direction === 'inbound';
    const m: Message = {
      id: this.w.nextId.message++,
      subscriber_id: sub.id,
      message: text,
      type,
      ...(attachment ? { attachment } : {}),
      sent_at: stamp(),
      status: inbound ? 'received' : 'sent',
      direction,
    };
    this.w.messages.push(m);
    if (inbound) return m;
    this.kit?.recordSent(String(sub.id), text);
    addUnread(this.w.unread, m);
    this.emit('message.sent', this.view(m));
    this.later(DELIVERY_MS, () => {
      if (m.status !== 'sent') return;
      m.status = 'delivered';
      this.emit('message.delivered', this.view(m));
    });
    return m;
  }
}

export function createSimulator(o: ChatPionSimOptions): ChatPionSim {
  return new ChatPionSimulator(o);
}
