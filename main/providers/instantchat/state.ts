// In-memory state behind the InstantChat simulator: user accounts, the Instagram inbox of the account
// that has Instagram connected, and each account's automation flows. No HTTP here.
import { createHash } from 'node:crypto';
import { customer, history, int, rng, type Customer, type Rng } from '../simkit/world';

export interface SimUser {
  id: string;
  username: string;
  email: string;
  password: string;
  fullName: string;
  bio: string;
  avatarUrl: string;
  createdAt: string;
}

export interface SimMessage {
  /** The id the messages list shows. */
  id: string;
  /** Instagram's message id: what send-message answers and webhook events carry (`mid_…`). */
  mid: string;
  sender: string;
  content: string;
  timestamp: string;
  /** True when the account's user (the agent) wrote it, as in the document's example. */
  isFromUser: boolean;
  isInstagram: boolean;
}

export interface SimConversation {
  id: string;
  instagramUserId: string;
  username: string;
  fullName: string;
  avatar: string;
  unreadCount: number;
  /** Oldest first. */
  messages: SimMessage[];
}

export interface FlowNode {
  id: string;
  type: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FlowEdge {
  source: string;
  target: string;
  [key: string]: unknown;
}

export interface SimFlow {
  id: string;
  name: string;
  description: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  isActive: boolean;
  createdAt: string;
}

export interface InstagramLink {
  username: string;
  pageId: string;
  connectedAt: string;
  lastSync: string;
}

export interface Account {
  user: SimUser;
  instagram: InstagramLink | null;
  conversations: SimConversation[];
  flows: SimFlow[];
}

export interface WorldOptions {
  seed: number;
  /** Seeded conversations (default 20). */
  conversations?: number;
  /** Upper bound of seeded messages per conversation (default 12). */
  messagesPerConversation?: number;
  /** The messages list has ids of its own (`msg_…`, as in the document), never Instagram's `mid_…`. */
  strict?: boolean;
}

const DAY = 86_400_000;

/** Ids shaped like the document's (MongoDB ObjectIds, conv_…, mid_…, msg_…), deterministic per seed. */
export class Ids {
  private n = 0;
  constructor(private readonly seed: number) {}
  objectId(): string {
    return createHash('sha1').update(`${this.seed}:${this.n++}`).digest('hex').slice(0, 24);
  }
  message(): string {
    return `mid_${100000 + this.n++}`;
  }
  listedMessage(): string {
    return `msg_${100 + this.n++}`;
  }
  conversation(): string {
    return `conv_${100 + this.n++}`;
  }
  instagramUser(): string {
    return `178414${String(this.n++).padStart(11, '0')}`;
  }
}

export class SimState {
  readonly accounts: Account[] = [];
  readonly ids: Ids;
  /** The seeded account: its Instagram is connected and it owns the simulated customers. */
  readonly main: Account;

  constructor(readonly o: WorldOptions) {
    this.ids = new Ids(o.seed);
    this.main = this.seed(rng(o.seed), Date.now());
    this.accounts.push(this.main);
  }

  /**
   * A message's two ids. Doc silent on whether the list shows Instagram's id: the default mode says it does;
   * strict mode gives the list ids of its own, as the document's examples do (`mid_…` sent, `msg_…` listed).
   * Messages are built as Object.assign(messageIds(), rest): V8 makes `{ ...messageIds(), rest }` objects
   * slow to build and to list, and the messages endpoint reads every one on every page.
   */
  messageIds(mid = this.ids.message()): Pick<SimMessage, 'id' | 'mid'> {
    return { id: this.o.strict ? this.ids.listedMessage() : mid, mid };
  }

  findLogin(login: string): Account | undefined {
    const lower = login.toLowerCase();
    return this.accounts.find((a) => a.user.username === login || a.user.email.toLowerCase() === lower);
  }

  byUserId(id: string): Account | undefined {
    return this.accounts.find((a) => a.user.id === id);
  }

  addAccount(username: string, email: string, password: string): Account {
    const user: SimUser = {
      id: this.ids.objectId(),
      username,
      email,
      password,
      fullName: '',
      bio: '',
      avatarUrl: '',
      createdAt: new Date().toISOString(),
    };
    const account: Account = { user, instagram: null, conversations: [], flows: [] };
    this.accounts.push(account);
    return account;
  }

  newConversation(
    account: Account,
    who: { username: string; fullName: string; instagramUserId?: string },
  ): SimConversation {
    const conv: SimConversation = {
      id: this.ids.conversation(),
      instagramUserId: who.instagramUserId ?? this.ids.instagramUser(),
      username: who.username,
      fullName: who.fullName,
      avatar: `https://cdn.instantchat.test/avatars/${encodeURIComponent(who.username)}.jpg`,
      unreadCount: 0,
      messages: [],
    };
    account.conversations.push(conv);
    return conv;
  }

  /** A customer's message; `mid` is Instagram's id when the message came through the webhook. */
  receive(conv: SimConversation, text: string, mid?: string): SimMessage {
    const msg: SimMessage = Object.assign(this.messageIds(mid), {
      sender: conv.username,
      content: text,
      timestamp: new Date().toISOString(),
      isFromUser: false,
      isInstagram: true,
    });
    conv.messages.push(msg);
    conv.unreadCount++;
    return msg;
  }

  /** The agent's reply; replying also counts as reading the conversation. */
  reply(conv: SimConversation, text: string): SimMessage {
    const msg: SimMessage = Object.assign(this.messageIds(), {
      sender: 'you',
      content: text,
      timestamp: new Date().toISOString(),
      isFromUser: true,
      isInstagram: false,
    });
    conv.messages.push(msg);
    // Doc silent: unreadCount counts customer messages since the agent's last reply.
    conv.unreadCount = 0;
    return msg;
  }

  private seed(r: Rng, now: number): Account {
    const user: SimUser = {
      id: this.ids.objectId(),
      username: 'support@instantchat.test',
      email: 'support@instantchat.test',
      password: `insta-${this.o.seed}-secret`,
      fullName: 'Support Team',
      bio: 'Instagram automation expert',
      avatarUrl: 'https://cdn.instantchat.test/avatars/support.jpg',
      createdAt: new Date(now - 400 * DAY).toISOString(),
    };
    const instagram: InstagramLink = {
      username: 'instantchat_store',
      pageId: '17841400000000000',
      connectedAt: new Date(now - 200 * DAY).toISOString(),
      lastSync: new Date(now).toISOString(),
    };
    const account: Account = { user, instagram, conversations: [], flows: seedFlows(this.ids, now) };
    const count = this.o.conversations ?? 20;
    // Newest conversation ends half an hour ago; the rest spread over at most 20 days.
    const maxGap = Math.max(60_000, Math.min(8 * 3600_000, (20 * DAY) / count));
    let end = now - 30 * 60_000;
    for (let i = 0; i < count; i++) {
      this.seedConversation(account, r, customer(r, i), end);
      end -= int(r, 60_000, maxGap);
    }
    return account;
  }

  private seedConversation(account: Account, r: Rng, c: Customer, end: number): void {
    const conv = this.newConversation(account, { username: c.handle, fullName: c.name });
    const lines = history(r, c, end, this.o.messagesPerConversation ?? 12);
    const shift = Math.max(0, lines[lines.length - 1].at.getTime() - end);
    conv.messages = lines.map((l) =>
      Object.assign(this.messageIds(), {
        sender: l.fromCustomer ? c.handle : 'you',
        content: l.text,
        timestamp: new Date(l.at.getTime() - shift).toISOString(),
        isFromUser: !l.fromCustomer,
        isInstagram: l.fromCustomer,
      }),
    );
    const lastReply = conv.messages.map((m) => m.isFromUser).lastIndexOf(true);
    conv.unreadCount = conv.messages.length - 1 - lastReply;
  }
}

export function lastActivity(conv: SimConversation): string {
  return conv.messages.length ? conv.messages[conv.messages.length - 1].timestamp : new Date(0).toISOString();
}

function seedFlows(ids: Ids, now: number): SimFlow[] {
  const flow = (name: string, description: string, isActive: boolean, replies: string[]): SimFlow => {
    const nodes: FlowNode[] = [
      { id: 'start_1', type: 'startNode', position: { x: 100, y: 100 }, data: { label: 'Start' } },
      ...replies.map((content, i) => ({
        id: `message_${i + 1}`,
        type: 'messageNode',
        position: { x: 300 + 200 * i, y: 100 },
        data: { label: `Message ${i + 1}`, content },
      })),
    ];
    const edges = nodes
      .slice(1)
      .map((n, i) => ({ id: `edge_${i + 1}`, source: nodes[i].id, target: n.id, type: 'default' }));
    return {
      id: ids.objectId(),
      name,
      description,
      nodes,
      edges,
      isActive,
      createdAt: new Date(now - 90 * DAY).toISOString(),
    };
  };
  return [
    flow('Customer Support Flow', 'Automated responses for common questions', true, [
      'Hello! How can I help you today?',
    ]),
    flow('Order Status', 'Asks for the order number', false, [
      'Thanks for your message! 📦',
      'Please send us your order number and we will check it right away.',
    ]),
    flow('Welcome New Followers', 'Greets people who follow the account', true, [
      'Welcome! 🎉 Glad to have you here.',
    ]),
  ];
}

export interface FlowRun {
  executed: boolean;
  output: string;
  stepsExecuted: number;
  executionTime: string;
}

/**
 * Doc silent on how a test run works: it walks from the start node along the first outgoing edge of each
 * node and concatenates the messageNodes' content; the input is not used (the document defines no
 * condition nodes); execution time is 15 ms per step plus 15 ms (the document's example gives 45ms for 2).
 */
export function runFlow(flow: SimFlow): FlowRun {
  let node: FlowNode | undefined = flow.nodes.find((n) => n.type === 'startNode');
  if (!node) return { executed: false, output: '', stepsExecuted: 0, executionTime: '0ms' };
  const outputs: string[] = [];
  const visited = new Set<string>();
  while (node && !visited.has(node.id)) {
    const current: FlowNode = node;
    visited.add(current.id);
    const content = current.data?.content;
    if (current.type === 'messageNode' && typeof content === 'string') outputs.push(content);
    const edge: FlowEdge | undefined = flow.edges.find((e) => e.source === current.id);
    node = edge && flow.nodes.find((n) => n.id === edge.target);
  }
  return {
    executed: true,
    output: outputs.join('\n'),
    stepsExecuted: visited.size,
    executionTime: `${15 * visited.size + 15}ms`,
  };
}
