// What the core needs from a channel provider. Each provider folder implements ProviderConnector in
// connector.ts (mapping its own model — subscribers, rooms, Instagram threads — onto
// contacts → conversations → messages) and serves its documented API from simulator.ts.
import type { Capabilities, Credentials, Diagnostic, ProviderId } from '../contract/schemas';

/** One thing a connector could not confirm from its provider's document or answers (the contract's shape). */
export type { Diagnostic };
import type { ProviderHttp, RateLimiter, RateWindow } from './http';

export type MessageType = 'text' | 'image' | 'video' | 'audio' | 'file' | 'other';
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

export interface BroadcastRequest {
  name: string;
  text: string;
  tags?: string[];
  platforms?: string[];
  scheduleAt?: string;
  timezone?: string;
}

export type RealtimeEvent =
  | { kind: 'message'; message: RemoteMessage; conversation?: RemoteConversation }
  | { kind: 'message.status'; externalId: string; status: RemoteMessageStatus }
  | { kind: 'conversation'; conversation: RemoteConversation }
  | { kind: 'flow'; flow: RemoteFlow }
  /** Something changed that the event does not carry: reconcile now. */
  | { kind: 'resync' };

export interface RealtimeHandlers {
  onEvent(e: RealtimeEvent): void;
  /** The realtime link came up (`live`) or went away (`down`, with the reason). */
  onState(state: 'live' | 'down', reason?: string): void;
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  method: 'GET' | 'POST';
}

export type WebhookResult =
  /** For verification handshakes (Instagram's hub.challenge): answer this text. */
  | { reply: string; events?: undefined }
  | {
      events: RealtimeEvent[];
      reply?: undefined;
      /** Names this verified delivery (e.g. by its signature): the server takes each name once, so a replay is refused. */
      deliveryId?: string;
    };

export interface ConnectorContext {
  baseUrl: string;
  credentials: Credentials;
  /** Benchmarks only: no client-side rate limit (pass through to ProviderHttp's `unlimited`). */
  unlimited?: boolean;
  /**
   * The provider account's limiter for a set of documented windows, shared by every connector built for the
   * account (sync, sends, broadcasts, flow toggles, reconciliation, credential tests), for ProviderHttp's
   * `limiter`. `bucket` names the set: 'api', or another where a document limits some endpoints apart
   * (InstantChat's logins). Absent (provider tests): each ProviderHttp has a limiter of its own.
   */
  rateLimiter?: (bucket: string, windows: RateWindow[]) => RateLimiter;
  /**
   * Where this channel receives webhooks on the local server; null when the provider cannot reach it (a hosted
   * provider and a loopback-only app in solo mode): register nothing, poll at the fallback rate.
   */
  webhookUrl: string | null;
  /** A per-channel secret for webhook signatures / verify tokens. */
  webhookSecret: string;
}

export interface ProviderConnector {
  readonly provider: ProviderId;
  readonly capabilities: Capabilities;
  /** Reconciliation interval while realtime is live; polling-only providers use pollIntervalMs.fallback. */
  readonly pollIntervalMs: { live: number; fallback: number };
  /** The connector's ProviderHttp (built from ctx with the documented limits); the engine reads its limiter. */
  readonly http: ProviderHttp;

  /** Log in or check the key; throws ProviderError with kind 'auth' on bad credentials. */
  authenticate(): Promise<void>;
  /** One step of the initial sync, newest first. `cursor` is what the previous step returned. */
  backfill(cursor: string | null): Promise<SyncBatch>;
  /** What changed since `cursor` (null: start from now-ish, after backfill). */
  poll(cursor: string | null): Promise<SyncBatch>;
  /** Older messages of one conversation, for scrolling back past the cache. */
  olderMessages?(
    conv: ConversationRef,
    before: string | null,
  ): Promise<{ messages: RemoteMessage[]; next: string | null }>;

  send(conv: ConversationRef, text: string, idempotencyKey: string): Promise<SentMessage>;
  /**
   * After a crash or an ambiguous failure mid-send: every outgoing message with exactly this text the provider
   * holds in the conversation since `sinceIso`, oldest first. Several when the agent sent the same text more
   * than once; the outbox takes the oldest one that no other local reply already carries.
   */
  findSent(conv: ConversationRef, text: string, sinceIso: string): Promise<SentMessage[]>;

  subscribe?(handlers: RealtimeHandlers): Promise<() => void>;
  /** Verify and decode a webhook delivered to the local server; throws ProviderError('auth') on a bad signature. */
  handleWebhook?(req: WebhookRequest): WebhookResult;

  /** What this connector assumed where its provider's document is silent, and what it has confirmed since. */
  diagnostics?(): Diagnostic[];
  /** Tell the provider a conversation was resolved or reopened, where its document has a way to. */
  setConversationStatus?(conv: ConversationRef, status: 'open' | 'resolved'): Promise<void>;

  listFlows?(): Promise<RemoteFlow[]>;
  setFlowActive?(externalId: string, active: boolean): Promise<RemoteFlow>;
  testFlow?(externalId: string, input: string): Promise<{ output: string; steps?: number; raw?: unknown }>;
  broadcast?(req: BroadcastRequest): Promise<{ externalId: string; status: string }>;
  listTemplates?(): Promise<RemoteTemplate[]>;
  markRead?(conv: ConversationRef): Promise<void>;

  close(): Promise<void>;
}

export type ConnectorFactory = (ctx: ConnectorContext) => ProviderConnector;
