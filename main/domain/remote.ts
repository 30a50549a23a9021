// What a provider holds, in shapes no provider owns: the connectors map their own models (subscribers, rooms,
// Instagram threads) onto these, and sync, the outbox and the db layer store and act on them.
import type { MessageType } from './entities';

export type RemoteMessageStatus = 'received' | 'sent' | 'delivered' | 'read' | 'failed';

export interface RemoteContact {
  externalId: string;
  name: string;
  handle: string;
  platform?: string;
  email?: string;
  tags: string[];
}

export interface RemoteConversation {
  externalId: string;
  contact: RemoteContact;
  /** ISO time of the latest activity the provider reports. */
  lastActivityAt: string;
  status?: 'open' | 'resolved';
  unreadCount?: number;
  /** Whatever the connector needs later to send into this conversation (e.g. a recipient id). Stored as JSON. */
  meta?: Record<string, unknown>;
}

export interface RemoteMessage {
  externalId: string;
  conversationExternalId: string;
  /**
   * One rule for every provider: a message that matches what this app sent (an id its send returned, or the
   * same recipient and text within minutes; the store matches those) is outbound; else a field the provider's
   * document defines decides; else it is inbound and `directionInferred` says so.
   */
  direction: 'in' | 'out';
  /** No documented field said which way this message went: 'in' is a guess the store may correct. */
  directionInferred?: boolean;
  text: string;
  type: MessageType;
  /** ISO time. */
  createdAt: string;
  status: RemoteMessageStatus;
  /** Provider extras kept for the UI, e.g. Assistify's {intent, sentiment, confidence}. */
  meta?: Record<string, unknown>;
}

/** One step of backfill or reconciliation. The engine stores everything in one transaction, then `cursor`. */
export interface SyncBatch {
  conversations: RemoteConversation[];
  messages: RemoteMessage[];
  /** Opaque state the connector wants back on the next call (JSON-serialisable string). */
  cursor: string | null;
  /** Backfill: nothing more to fetch. Poll: this round is complete. */
  done: boolean;
  /** Conversations (external ids) whose whole history this batch holds: none older is left to ask for. */
  historyComplete?: string[];
}

/** What the engine knows of a stored conversation when it asks the connector to act on it. */
export interface ConversationRef {
  externalId: string;
  contactExternalId: string;
  meta: Record<string, unknown>;
}

export interface SentMessage {
  externalId: string;
  createdAt: string;
  status: RemoteMessageStatus;
}

export interface RemoteFlow {
  externalId: string;
  name: string;
  description?: string;
  active: boolean;
}

export interface RemoteTemplate {
  externalId: string;
  name: string;
  text: string;
}
