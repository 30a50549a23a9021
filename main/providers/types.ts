// What the core needs from a channel provider. Each provider folder implements ProviderConnector in
// connector.ts (mapping its own model — subscribers, rooms, Instagram threads — onto the domain's
// contacts → conversations → messages) and serves its documented API from simulator.ts.
import type { BackoffScale } from '../domain/backoff';
import type { Capabilities, Credentials, Diagnostic, ProviderId } from '../domain/entities';
import type {
  ConversationRef,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  RemoteMessageStatus,
  RemoteTemplate,
  SentMessage,
  SyncBatch,
} from '../domain/remote';
import type { ProviderHttp, RateLimiter, RateWindow } from './http';

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
  /** Tests: shortens the backoff of realtime reconnects and webhook registration (default 1). */
  backoffScale?: BackoffScale;
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
