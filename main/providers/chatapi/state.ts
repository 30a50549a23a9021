// ChatAPI's in-memory world for the simulator: client applications (tenants) with a master key, users
// with scoped keys (the support agent and the customers), rooms (one per customer conversation: the
// customer and the agent), messages, notifications and webhook endpoints.
// Doc silent: the document shows no models. Views use snake_case fields (id, room_id, sender_id, content,
// message_type, created_at…), UUID ids and ISO-8601 UTC times; a room lists its participants (user
// objects) and keeps the customer's tags and platform in `meta`. Strict mode (DESIGN.md) keeps only what the
// document names or implies: ids, the fields of its request examples, and the timestamps its `sort` names.
import { rng, int, customer, history, type Rng, type Customer } from '../simkit/world';

export interface Client {
  id: string;
  name: string;
  description: string;
  masterKey: string;
  createdAt: string;
  updatedAt: string;
  emailProvider: Record<string, unknown> | null;
}

export interface User {
  id: string;
  clientId: string;
  email: string;
  username: string;
  fullName: string;
  isActive: boolean;
  /** Doc: `GET /rooms/all` is "admin". Silent on who that is: the master key, and users marked admin. */
  isAdmin: boolean;
  key: string;
  createdAt: string;
  updatedAt: string;
}

export interface Room {
  id: string;
  clientId: string;
  name: string;
  description: string;
  isActive: boolean;
  meta: { tags?: string[]; platform?: string } & Record<string, unknown>;
  participants: string[];
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string | null;
}

export interface Message {
  id: string;
  clientId: string;
  roomId: string;
  senderId: string;
  content: string;
  messageType: string;
  createdAt: string;
  updatedAt: string;
  editedAt: string | null;
  deleted: boolean;
}

export interface Notification {
  id: string;
  clientId: string;
  type: string;
  status: string;
  fields: Record<string, unknown>;
  createdAt: string;
}

export interface Webhook {
  id: string;
  clientId: string;
  url: string;
  events: string[];
  secret: string | null;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface WorldOptions {
  seed: number;
  /** Customer conversations to seed (default 20). */
  conversations?: number;
  /** Longest seeded history per conversation (default 12). */
  messagesPerConversation?: number;
  /** Views carry only what the document shows (DESIGN.md, "Strict mode"). */
  strict?: boolean;
}

const DAY = 86_400_000;

export class World {
  readonly clients = new Map<string, Client>();
  readonly users = new Map<string, User>();
  readonly rooms = new Map<string, Room>();
  readonly messages = new Map<string, Message>();
  /** Messages of each room in creation order. */
  readonly roomMessages = new Map<string, Message[]>();
  readonly notifications: Notification[] = [];
  readonly webhooks = new Map<string, Webhook>();
  /** API key → the client (master key) or user (scoped key) it belongs to. */
  private readonly keys = new Map<string, { clientId: string; userId: string | null }>();
  readonly client: Client;
  readonly agent: User;
  readonly strict: boolean;
  private readonly r: Rng;

  constructor(o: WorldOptions) {
    this.r = rng(o.seed);
    this.strict = o.strict ?? false;
    const now = Date.now();
    this.client = this.addClient(
      'Acme Support',
      'Customer support inbox',
      new Date(now - 90 * DAY).toISOString(),
    );
    this.agent = this.addUser(this.client.id, {
      email: 'agent@acme.example',
      username: 'support.agent',
      fullName: 'Support Agent',
      at: new Date(now - 90 * DAY).toISOString(),
    });
    const n = o.conversations ?? 20;
    for (let i = 0; i < n; i++) {
      const end = now - Math.floor((i / n) * 20 * DAY) - int(this.r, 0, 3_600_000);
      this.seedConversation(customer(this.r, i), end, o.messagesPerConversation ?? 12);
    }
  }

  id(): string {
    const hex = (n: number) =>
      Array.from({ length: n }, () => Math.floor(this.r() * 16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(this.r() * 4)]}${hex(3)}-${hex(12)}`;
  }

  newKey(prefix: 'ck_live_' | 'sk_user_'): string {
    return prefix + this.id().replace(/-/g, '');
  }

  addClient(name: string, description: string, at = new Date().toISOString()): Client {
    const c: Client = {
      id: this.id(),
      name,
      description,
      masterKey: this.newKey('ck_live_'),
      createdAt: at,
      updatedAt: at,
      emailProvider: null,
    };
    this.clients.set(c.id, c);
    this.keys.set(c.masterKey, { clientId: c.id, userId: null });
    return c;
  }

  addUser(clientId: string, u: { email: string; username: string; fullName: string; at?: string }): User {
    const at = u.at ?? new Date().toISOString();
    const user: User = {
      id: this.id(),
      clientId,
      email: u.email,
      username: u.username,
      fullName: u.fullName,
      isActive: true,
      isAdmin: false,
      key: this.newKey('sk_user_'),
      createdAt: at,
      updatedAt: at,
    };
    this.users.set(user.id, user);
    this.keys.set(user.key, { clientId, userId: user.id });
    return user;
  }

  /** Issues the user a new scoped key; the previous one stops working at once. */
  rotateKey(user: User): string {
    this.keys.delete(user.key);
    user.key = this.newKey('sk_user_');
    this.keys.set(user.key, { clientId: user.clientId, userId: user.id });
    return user.key;
  }

  removeUser(user: User): void {
    this.keys.delete(user.key);
    this.users.delete(user.id);
    for (const room of this.rooms.values())
      room.participants = room.participants.filter((id) => id !== user.id);
  }

  addRoom(
    clientId: string,
    name: string,
    participants: string[],
    meta: Room['meta'] = {},
    at?: string,
  ): Room {
    const t = at ?? new Date().toISOString();
    const room: Room = {
      id: this.id(),
      clientId,
      name,
      description: '',
      isActive: true,
      meta,
      participants: [...new Set(participants)],
      createdAt: t,
      updatedAt: t,
      lastMessageAt: null,
    };
    this.rooms.set(room.id, room);
    this.roomMessages.set(room.id, []);
    return room;
  }

  addMessage(room: Room, senderId: string, content: string, messageType = 'text', at?: string): Message {
    const t = at ?? new Date().toISOString();
    const m: Message = {
      id: this.id(),
      clientId: room.clientId,
      roomId: room.id,
      senderId,
      content,
      messageType,
      createdAt: t,
      updatedAt: t,
      editedAt: null,
      deleted: false,
    };
    this.messages.set(m.id, m);
    this.roomMessages.get(room.id)?.push(m);
    room.lastMessageAt = t;
    // Doc silent: a room's updated_at moves with every new message, so clients can spot active rooms.
    room.updatedAt = t;
    return m;
  }

  /** A customer (a user of the agent's client) and their support room with the agent. */
  addCustomer(c: Customer, at?: string): { user: User; room: Room } {
    const user = this.addUser(this.client.id, { email: c.email, username: c.handle, fullName: c.name, at });
    const room = this.addRoom(
      this.client.id,
      c.name,
      [user.id, this.agent.id],
      { tags: c.tags, platform: c.platform },
      at,
    );
    return { user, room };
  }

  keyOwner(key: string | null): { client: Client; user: User | null } | null {
    const owner = key ? this.keys.get(key) : undefined;
    const client = owner && this.clients.get(owner.clientId);
    if (!owner || !client) return null;
    if (owner.userId === null) return { client, user: null };
    const user = this.users.get(owner.userId);
    return user?.isActive ? { client, user } : null;
  }

  liveMessages(roomId: string): Message[] {
    return (this.roomMessages.get(roomId) ?? []).filter((m) => !m.deleted);
  }

  // The views add default mode's fields with Object.assign: V8 builds `{ ...documented, more }` about ten
  // times slower, and a list page builds thousands of views.

  userView(u: User): Record<string, unknown> {
    // Strict: the fields of the document's "Create a User" example, and the id its paths use.
    const documented = { id: u.id, email: u.email, username: u.username, full_name: u.fullName };
    if (this.strict) return Object.assign(documented, { created_at: u.createdAt });
    return Object.assign(documented, {
      is_active: u.isActive,
      created_at: u.createdAt,
      updated_at: u.updatedAt,
    });
  }

  roomView(room: Room): Record<string, unknown> {
    const documented = {
      id: room.id,
      name: room.name,
      created_at: room.createdAt,
      updated_at: room.updatedAt,
    };
    // Strict: rooms carry no participants, tags or activity counters; the document shows none.
    if (this.strict) return documented;
    const participants = room.participants.flatMap((id) => {
      const u = this.users.get(id);
      return u ? [this.userView(u)] : [];
    });
    return Object.assign(documented, {
      description: room.description,
      client_id: room.clientId,
      is_active: room.isActive,
      meta: room.meta,
      participants,
      participant_count: participants.length,
      message_count: this.liveMessages(room.id).length,
      last_message_at: room.lastMessageAt,
    });
  }

  messageView(m: Message): Record<string, unknown> {
    // Strict: the fields of the document's "Send a Message" example, the id its paths use, created_at (its
    // sort field) and the sender, without which no chat message could be told apart (DESIGN.md keeps it).
    const documented = {
      id: m.id,
      room_id: m.roomId,
      sender_id: m.senderId,
      content: m.content,
      message_type: m.messageType,
      created_at: m.createdAt,
    };
    if (this.strict) return documented;
    return Object.assign(documented, {
      client_id: m.clientId,
      sender_name: this.users.get(m.senderId)?.fullName ?? null,
      meta: {},
      updated_at: m.updatedAt,
      edited_at: m.editedAt,
      is_deleted: m.deleted,
    });
  }

  clientView(c: Client, user: User | null): Record<string, unknown> {
    const documented = { id: c.id, name: c.name, created_at: c.createdAt, updated_at: c.updatedAt };
    // Strict: "current client information" names the client, no user.
    if (this.strict) return documented;
    return Object.assign(
      documented,
      { description: c.description, is_active: true },
      // Doc silent: called with a user's scoped key, /clients/me also names that user.
      user ? { user: this.userView(user) } : {},
    );
  }

  private seedConversation(c: Customer, end: number, maxLen: number): void {
    const lines = history(this.r, c, end, maxLen);
    // Histories may run past `end`; shift them so that every seeded message lies in the past.
    const shift = Math.max(0, lines[lines.length - 1].at.getTime() - (Date.now() - 60_000));
    const at = (d: Date) => new Date(d.getTime() - shift).toISOString();
    const { user, room } = this.addCustomer(c, at(new Date(lines[0].at.getTime() - 1000)));
    for (const line of lines)
      this.addMessage(room, line.fromCustomer ? user.id : this.agent.id, line.text, 'text', at(line.at));
  }
}
