// The Assistify simulator's in-memory database: customers, conversations and classified messages,
// seeded deterministically from simkit/world.ts.
import { customer, history, int, pick, rng, type Customer as WorldCustomer, type Rng } from '../simkit/world';
import { classify, type Intent, type Sentiment } from './classifier';

/** The channels the document names (its channel_stats example). */
export const CHANNELS = ['whatsapp', 'instagram', 'facebook', 'shopify'] as const;

export interface Customer {
  id: number;
  name: string;
  handle: string;
  tags: string[];
}

export interface Conversation {
  id: number;
  customerId: number;
  channel: string;
  status: 'active' | 'closed';
  createdAt: number;
}

export interface Message {
  id: number;
  conversationId: number;
  sender: 'customer' | 'agent';
  content: string;
  intent: Intent | null;
  sentiment: Sentiment | null;
  confidence: number | null;
  createdAt: number;
}

export interface WorldOptions {
  seed: number;
  /** How many conversations to seed (default 20; benchmarks ask for thousands). */
  conversations?: number;
  /** At most this many messages per seeded conversation (default 12). */
  messagesPerConversation?: number;
}

const DAY_MS = 24 * 3600_000;

export class World {
  readonly customers = new Map<number, Customer>();
  readonly conversations = new Map<number, Conversation>();
  readonly messages: Message[] = [];
  /** Called for every new message (the simulator pushes it to the conversation's WebSockets). */
  onMessage: (m: Message) => void = () => {};
  private readonly byConversation = new Map<number, Message[]>();
  private nextCustomerId = 1;
  private nextConversationId = 1;
  private nextMessageId = 1;

  addCustomer(name: string, handle: string, tags: string[] = []): Customer {
    const c = { id: this.nextCustomerId++, name, handle, tags };
    this.customers.set(c.id, c);
    return c;
  }

  findCustomer(q: { id?: string; handle?: string; name?: string } = {}): Customer | undefined {
    if (q.id && this.customers.has(Number(q.id))) return this.customers.get(Number(q.id));
    const all = [...this.customers.values()];
    return (
      (q.handle ? all.find((c) => c.handle === q.handle) : undefined) ??
      (q.name ? all.find((c) => c.name === q.name) : undefined)
    );
  }

  openConversation(customerId: number, channel: string, at = Date.now()): Conversation {
    const c: Conversation = {
      id: this.nextConversationId++,
      customerId,
      channel,
      status: 'active',
      createdAt: at,
    };
    this.conversations.set(c.id, c);
    this.byConversation.set(c.id, []);
    return c;
  }

  conversationsOf(customerId: number): Conversation[] {
    return [...this.conversations.values()].filter((c) => c.customerId === customerId);
  }

  addMessage(conversationId: number, sender: Message['sender'], content: string, at = Date.now()): Message {
    const label = sender === 'customer' ? classify(content) : null;
    const m: Message = {
      id: this.nextMessageId++,
      conversationId,
      sender,
      content,
      intent: label?.intent ?? null,
      sentiment: label?.sentiment ?? null,
      confidence: label?.confidence ?? null,
      createdAt: at,
    };
    this.messages.push(m);
    this.byConversation.get(conversationId)?.push(m);
    this.onMessage(m);
    return m;
  }

  messagesOf(conversationId: number): Message[] {
    return this.byConversation.get(conversationId) ?? [];
  }

  /** A customer writes in on a channel: into their open conversation there, or a new one. */
  customerWrites(customerId: number, channel: string, text: string): Message {
    // Doc silent: a message from a customer whose conversations are all closed starts a new conversation.
    const open = this.conversationsOf(customerId)
      .filter((c) => c.status === 'active' && c.channel === channel)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    const conv = open ?? this.openConversation(customerId, channel);
    return this.addMessage(conv.id, 'customer', text);
  }
}

interface Draft {
  customer: WorldCustomer;
  channel: string;
  closed: boolean;
  messages: { fromCustomer: boolean; text: string; at: Date }[];
}

/** A history that ends in the past (world.history may run past its end time). */
function pastHistory(r: Rng, c: WorldCustomer, now: number, maxLen: number): Draft['messages'] {
  const h = history(r, c, now - int(r, 60_000, 20 * DAY_MS), maxLen);
  const overshoot = h[h.length - 1].at.getTime() - (now - 60_000);
  return overshoot > 0 ? h.map((m) => ({ ...m, at: new Date(m.at.getTime() - overshoot) })) : h;
}

/** The seeded world. Rows are created in time order, so ids grow with created_at as in a real database. */
export function seedWorld(o: WorldOptions): World {
  const r = rng(o.seed);
  const now = Date.now();
  const drafts: Draft[] = [];
  for (let i = 0; i < (o.conversations ?? 20); i++) {
    const returning = drafts.length > 2 && r() < 0.15;
    const who = returning ? drafts[int(r, 0, drafts.length - 1)].customer : customer(r, i);
    const messages = pastHistory(r, who, now, o.messagesPerConversation ?? 12);
    drafts.push({ customer: who, channel: pick(r, CHANNELS), closed: r() < 0.25, messages });
  }
  const world = new World();
  const customerIds = new Map<WorldCustomer, number>();
  for (const d of drafts)
    if (!customerIds.has(d.customer))
      customerIds.set(d.customer, world.addCustomer(d.customer.name, d.customer.handle, d.customer.tags).id);

  drafts.sort((a, b) => a.messages[0].at.getTime() - b.messages[0].at.getTime());
  const timeline: { conversationId: number; fromCustomer: boolean; text: string; at: number }[] = [];
  for (const d of drafts) {
    const conv = world.openConversation(customerIds.get(d.customer)!, d.channel, d.messages[0].at.getTime());
    if (d.closed) conv.status = 'closed';
    for (const m of d.messages)
      timeline.push({
        conversationId: conv.id,
        fromCustomer: m.fromCustomer,
        text: m.text,
        at: m.at.getTime(),
      });
  }
  timeline.sort((a, b) => a.at - b.at);
  for (const m of timeline)
    world.addMessage(m.conversationId, m.fromCustomer ? 'customer' : 'agent', m.text, m.at);
  return world;
}
