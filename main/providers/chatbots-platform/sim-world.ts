// The simulated Chatbots Platform account: contacts, their conversations and messages, chatbots and
// templates. Seeded deterministically; `toJson` functions give the shapes the simulator serves.
import {
  agentLine,
  customer,
  customerLine,
  history,
  int,
  pick,
  rng,
  type Rng,
  type SeedMessage,
} from '../simkit/world';

export type Sender = 'user' | 'agent' | 'bot';
export type MessageStatus = 'received' | 'sent' | 'delivered' | 'read';

export interface Contact {
  id: string;
  name: string;
  handle: string;
  email: string;
  platform: string;
  tags: string[];
}

export interface Message {
  id: string;
  conversationId: string;
  sender: Sender;
  text: string;
  status: MessageStatus;
  createdAt: number;
  updatedAt: number;
}

export interface Conversation {
  id: string;
  contactId: string;
  chatbotId: string;
  status: 'active' | 'closed';
  createdAt: number;
  updatedAt: number;
  /** Oldest first. */
  messages: Message[];
}

export interface Chatbot {
  id: string;
  name: string;
  description: string;
  type: string;
  status: 'active' | 'inactive';
  deployedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Template {
  id: string;
  name: string;
  content: string;
  category: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorldOptions {
  seed: number;
  /** Number of seeded conversations (default 20). */
  conversations?: number;
  /** Exact history length per conversation (default: 1–12, varied). For benchmarks. */
  messagesPerConversation?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const CHATBOTS = [
  ['Support Bot', 'Answers order and delivery questions', 'hybrid', 'active'],
  ['Sales Assistant', 'Qualifies leads and books demos', 'ai', 'inactive'],
  ['FAQ Bot', 'Rule-based answers to common questions', 'rule-based', 'active'],
] as const;

const TEMPLATES = [
  ['Greeting', 'Hi {{name}}, thanks for contacting us! How can I help? 🙂', 'greeting'],
  ['Refund issued', 'Your refund has been issued, it can take 3-5 business days.', 'billing'],
  ['Shipping delay', 'Sorry for the delay, your parcel is on its way 📦', 'shipping'],
  ['Closing', 'Is there anything else I can help you with?', 'general'],
] as const;

/** Mongo-style 24-hex ids, as a Node platform would issue them; unique across all kinds. */
const objectId = (n: number) => '6650c0de' + n.toString(16).padStart(16, '0');

export class World {
  readonly contacts = new Map<string, Contact>();
  readonly conversations = new Map<string, Conversation>();
  readonly chatbots = new Map<string, Chatbot>();
  readonly templates = new Map<string, Template>();
  private counter = 0;
  private readonly r: Rng;

  constructor(o: WorldOptions) {
    this.r = rng(o.seed);
    const now = Date.now();
    for (const [name, description, type, status] of CHATBOTS) {
      const id = this.newId();
      this.chatbots.set(id, {
        id,
        name,
        description,
        type,
        status,
        deployedAt: null,
        createdAt: now - 60 * DAY,
        updatedAt: now - 60 * DAY,
      });
    }
    for (const [name, content, category] of TEMPLATES) {
      const id = this.newId();
      this.templates.set(id, {
        id,
        name,
        content,
        category,
        createdAt: now - 30 * DAY,
        updatedAt: now - 30 * DAY,
      });
    }
    const n = o.conversations ?? 20;
    let end = now - int(this.r, 1, 5) * MINUTE;
    for (let i = 0; i < n; i++) {
      this.seedConversation(i, end, o.messagesPerConversation);
      // Spread activity over the last days, never beyond 30 days however large the world.
      end -= Math.min(int(this.r, 5 * MINUTE, 6 * HOUR), (29 * DAY) / n);
    }
  }

  newId(): string {
    return objectId(++this.counter);
  }

  /** Doc silent on order: most recent activity first (a conversation's messages are kept oldest first). */
  conversationList(): Conversation[] {
    return [...this.conversations.values()].sort(
      (a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1),
    );
  }

  findContact(c: { id?: string; handle?: string; name?: string }): Contact | undefined {
    const all = [...this.contacts.values()];
    return (
      (c.id && this.contacts.get(c.id)) ||
      (c.handle && all.find((x) => x.handle === c.handle)) ||
      (c.name && all.find((x) => x.name === c.name)) ||
      undefined
    );
  }

  /** A new contact: the given name/handle, the rest made up. */
  addContact(given: { name?: string; handle?: string } = {}): Contact {
    const c = customer(this.r, this.contacts.size);
    const contact: Contact = {
      id: this.newId(),
      name: given.name || c.name,
      handle: given.handle || c.handle,
      email: c.email,
      platform: c.platform,
      tags: c.tags,
    };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  /** The contact's latest conversation. */
  conversationOf(contactId: string): Conversation | undefined {
    let latest: Conversation | undefined;
    for (const c of this.conversations.values())
      if (c.contactId === contactId && (!latest || c.updatedAt > latest.updatedAt)) latest = c;
    return latest;
  }

  addConversation(contactId: string, at: number): Conversation {
    const conv: Conversation = {
      id: this.newId(),
      contactId,
      chatbotId: pick(this.r, [...this.chatbots.keys()]),
      status: 'active',
      createdAt: at,
      updatedAt: at,
      messages: [],
    };
    this.conversations.set(conv.id, conv);
    return conv;
  }

  addMessage(conv: Conversation, sender: Sender, text: string, at = Date.now()): Message {
    const status: MessageStatus = sender === 'user' ? 'received' : 'sent';
    const m: Message = {
      id: this.newId(),
      conversationId: conv.id,
      sender,
      text,
      status,
      createdAt: at,
      updatedAt: at,
    };
    conv.messages.push(m);
    conv.updatedAt = Math.max(conv.updatedAt, at);
    return m;
  }

  private seedConversation(i: number, end: number, fixedLength?: number): void {
    const c = customer(this.r, i);
    const contact: Contact = { id: this.newId(), ...c };
    this.contacts.set(contact.id, contact);
    const lines = fixedLength ? this.fixedHistory(c, end, fixedLength) : history(this.r, c, end);
    const conv = this.addConversation(contact.id, lines[0].at.getTime());
    for (const line of lines) {
      const sender: Sender = line.fromCustomer ? 'user' : this.r() < 0.35 ? 'bot' : 'agent';
      this.addMessage(conv, sender, line.text, line.at.getTime());
    }
    conv.messages.forEach((m, k) => {
      if (m.sender !== 'user')
        m.status = conv.messages.slice(k).some((x) => x.sender === 'user') ? 'read' : 'delivered';
    });
    if (this.r() < 0.2) conv.status = 'closed';
  }

  private fixedHistory(c: ReturnType<typeof customer>, end: number, n: number): SeedMessage[] {
    const gap = int(this.r, 30_000, 10 * MINUTE);
    return Array.from({ length: n }, (_, k) => {
      const fromCustomer = k === 0 || this.r() < 0.55;
      const text = fromCustomer ? customerLine(this.r, k === 0) : agentLine(this.r, c);
      return { fromCustomer, text, at: new Date(end - (n - 1 - k) * gap) };
    });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Customer messages since the last agent/bot message. */
const unread = (conv: Conversation) => {
  let n = 0;
  for (let i = conv.messages.length - 1; i >= 0 && conv.messages[i].sender === 'user'; i--) n++;
  return n;
};

// Doc silent on resource fields: these shapes are our choice (see README.md); templates keep their text in `content`.
// `strict` (DESIGN.md, "Strict mode"): no author field at all, and a customer's message carries a delivery
// status like any other, so neither tells which way a message went.
export function messageJson(m: Message, strict = false) {
  const shape = {
    id: m.id,
    conversationId: m.conversationId,
    text: m.text,
    type: 'text',
    status: strict && m.status === 'received' ? 'delivered' : m.status,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
  // Object.assign: V8 builds `{ ...shape, sender }` about twice as slowly, once per listed message.
  return strict ? shape : Object.assign(shape, { sender: m.sender });
}

export function conversationJson(w: World, conv: Conversation, strict = false) {
  const contact = w.contacts.get(conv.contactId);
  const last = conv.messages[conv.messages.length - 1];
  return {
    id: conv.id,
    status: conv.status,
    chatbotId: conv.chatbotId,
    platform: contact?.platform ?? null,
    contact: contact ? { ...contact, tags: [...contact.tags] } : null,
    messageCount: conv.messages.length,
    unreadCount: unread(conv),
    lastMessage: last
      ? {
          id: last.id,
          ...(strict ? {} : { sender: last.sender }),
          text: last.text,
          createdAt: iso(last.createdAt),
        }
      : null,
    lastMessageAt: last ? iso(last.createdAt) : null,
    createdAt: iso(conv.createdAt),
    updatedAt: iso(conv.updatedAt),
  };
}

export const chatbotJson = (b: Chatbot) => ({
  ...b,
  deployedAt: b.deployedAt === null ? null : iso(b.deployedAt),
  createdAt: iso(b.createdAt),
  updatedAt: iso(b.updatedAt),
});

export const templateJson = (t: Template) => ({
  ...t,
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
});
