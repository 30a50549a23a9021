// What the sync engine (main/sync) and the outbox dispatcher (main/outbox) need from storage, in their own
// words, so that they run on any database: main/db implements it over SQLite for the desktop app, the team hub
// over PostgreSQL. Every method answers a promise; each one that changes several things does so in one
// transaction. Sync stores a provider batch with one call (never one per message), so the await stays per batch.
import type { ChannelStatus, Conversation, Message, MessageStatus, ProviderId } from './entities';
import type {
  ConversationRef,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  RemoteTemplate,
} from './remote';

/** Where one sync stream (backfill, poll, a conversation's history, the rate limiter's memory) has got to. */
export interface SyncCursor {
  cursor: string | null;
  done: boolean;
}

/** One provider batch and the sync cursors that move with it, stored in one transaction. */
export interface SyncWrite {
  channelId: string;
  conversations: RemoteConversation[];
  messages: RemoteMessage[];
  live: boolean;
  cursors: { stream: string; at: SyncCursor }[];
}

/** What a stored batch changed, for the open windows: new and changed messages, touched conversations. */
export interface StoredBatch {
  created: Message[];
  updated: Message[];
  conversations: Conversation[];
}

export interface SyncStorage {
  /** A channel's sync is about to store batches: get ready for them (SQLite starts its writer thread). */
  prepare(): Promise<void>;
  /** Where the stream has got to (nothing stored: at the start, not done). */
  cursor(channelId: string, stream: string): Promise<SyncCursor>;
  /** Keeps a cursor; nothing once the channel is gone or the storage has closed (a sync stopping late). */
  saveCursor(channelId: string, stream: string, at: SyncCursor): Promise<void>;
  /** Stores a batch from backfill, a poll or older history with its cursors; may queue behind other batches. */
  storeBatch(w: SyncWrite): Promise<StoredBatch>;
  /** Stores realtime events at once, ahead of queued batches: the open windows wait for them. */
  storeLive(w: SyncWrite): Promise<StoredBatch>;
  /** What a connector needs to act on a stored conversation, or null when it is gone. */
  conversationRef(conversationId: number): Promise<ConversationRef | null>;
  hasConversation(channelId: string, externalId: string): Promise<boolean>;
  /** A delivery receipt: the message, when it moved its status forward. */
  applyReceipt(channelId: string, externalId: string, status: MessageStatus): Promise<Message | null>;
  storeFlow(channelId: string, flow: RemoteFlow): Promise<void>;
  replaceFlows(channelId: string, flows: RemoteFlow[]): Promise<void>;
  replaceTemplates(channelId: string, templates: RemoteTemplate[]): Promise<void>;
  /** The status the channel shows, or null when it is gone or the storage has closed. */
  channelStatus(channelId: string): Promise<{ status: ChannelStatus; error: string | null } | null>;
  setChannelStatus(channelId: string, status: ChannelStatus, error: string | null): Promise<void>;
  /** The channel has everything the provider had a moment ago. */
  markSynced(channelId: string): Promise<void>;
}

export type OutboxKind = 'reply' | 'broadcast' | 'flow_toggle' | 'status';
export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';

/** An outbox item as stored (the outbox table's columns, snake_case as in both schemas). */
export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  channel_id: string;
  conversation_id: number | null;
  message_id: number | null;
  payload: string;
  idempotency_key: string;
  status: OutboxState;
  attempts: number;
  next_attempt_at: string | null;
  sending_since: string | null;
  error: string | null;
  created_at: string;
  /** When a send left whose outcome the provider left unknown (ProviderError 'unconfirmed'), or null. */
  unconfirmed_since: string | null;
  /** How many times the provider was asked since (findSent) without showing it. */
  unconfirmed_checks: number;
  /** The failed reply this queued item waits behind, or null. */
  held_by: number | null;
}

/** How an item ended, for what depends on it (a broadcast's recipient, a flow's state). */
export type Settlement = { ok: true; result?: unknown } | { ok: false; error: string };

/** The provider took a reply as this message of its own. */
export interface SentReply {
  externalId: string;
  status: MessageStatus;
}

export interface OutboxStorage {
  /**
   * Items due now, oldest first: the head of each conversation's queue, not held by a failed reply, of
   * channels neither paused nor offline.
   */
  due(limit: number): Promise<OutboxRow[]>;
  /** When the next waiting item falls due (null: none), and whether a send was in flight when last seen. */
  nextWake(): Promise<{ at: Date | null; sending: boolean }>;
  item(id: number): Promise<OutboxRow | null>;
  /** The items still to go out after `id` in its conversation: those a failed reply `id` holds. */
  laterInConversation(conversationId: number, id: number): Promise<OutboxRow[]>;
  /** Channels their sync shows offline (paused ones aside), with the last error. */
  offlineChannels(): Promise<{ id: string; provider: ProviderId; error: string | null }[]>;
  /** Says on the queued items of an offline channel why they wait; answers those it changed. */
  noteOutage(channelId: string, reason: string): Promise<OutboxRow[]>;
  /** The channel is back: its queued items are due now. Answers them. */
  releaseOutage(channelId: string): Promise<OutboxRow[]>;
  conversationRef(conversationId: number): Promise<ConversationRef | null>;
  /** The local message the outbox delivered that carries this provider message, if one does. */
  replyCarrying(conversationId: number, externalId: string): Promise<number | null>;
  setMessageStatus(messageId: number, status: MessageStatus, error: string | null): Promise<Message | null>;
  /** Committed before the request leaves, so a crash mid-send is known at restart. */
  markSending(id: number): Promise<void>;
  retryLater(id: number, why: string, at: Date): Promise<void>;
  /** The send left and its outcome is unknown: from now on the provider is asked (findSent), never sent to again. */
  markUnconfirmed(id: number, why: string, firstCheckAt: Date): Promise<void>;
  /** The provider was asked about an unconfirmed send and did not show it; ask again at `nextAt`. */
  checkedUnconfirmed(id: number, why: string, nextAt: Date): Promise<void>;
  /**
   * Delivered: the item sent, what depends on it told (`result`, the provider's answer), its message marked
   * sent as `sent`, all in one transaction. Answers the message, and another reply already carrying that id.
   */
  settleSent(
    item: OutboxRow,
    result: unknown,
    sent: SentReply | null,
  ): Promise<{ message: Message; collidedWith: number | null } | null>;
  /** Failed for good: the item, what depends on it and its message, in one transaction. Answers the message. */
  settleFailed(item: OutboxRow, reason: string): Promise<Message | null>;
}
