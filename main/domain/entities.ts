// The entities every side shares: what the db stores and returns, what sync, the outbox and the services
// pass around, and what the API serves. Runtime schemas (zod) with their inferred types; the local API
// contract (../contract/schemas) re-exports them and adds its requests and envelopes. Imports only zod and
// ./providers, so the renderer, the core and the team hub can all load it.
import { z } from 'zod';
import { PROVIDERS } from './providers';

export { PROVIDER_NAMES, PROVIDERS } from './providers';
export const ProviderId = z.enum(PROVIDERS);
export type ProviderId = z.infer<typeof ProviderId>;

export const ChannelStatus = z.enum(['connecting', 'live', 'polling', 'offline', 'auth_error', 'paused']);
export type ChannelStatus = z.infer<typeof ChannelStatus>;

export const ConversationStatus = z.enum(['open', 'pending', 'snoozed', 'resolved']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const MessageStatus = z.enum(['received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const Id = z.string().min(1).max(200);
const IsoTime = z.string().max(40);
/** A time the API is told, as `Date.toISOString()` writes it (an offset instead of Z is fine, none is not). */
export const IsoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date and time with Z or an offset, e.g. 2026-01-31T17:00:00Z',
});
const TimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:MM (00:00 to 23:59)');
const MAX_MUTED_CHANNELS = 500;

/** What a provider can do, declared by its connector; anything missing carries a reason in words. */
export const Capabilities = z.object({
  realtime: z.enum(['socket.io', 'websocket', 'webhook', 'none']),
  broadcast: z.enum(['native', 'fanout']),
  /** 'on-only': a flow can be switched on through the API but not off (Chatbots Platform's deploy). */
  flows: z.enum(['toggle', 'on-only', 'read-only', 'none']),
  flowTest: z.boolean(),
  templates: z.boolean(),
  markRead: z.boolean(),
  unavailable: z.record(z.string(), z.string()),
});
export type Capabilities = z.infer<typeof Capabilities>;

export const Channel = z.object({
  id: Id,
  provider: ProviderId,
  name: z.string(),
  baseUrl: z.string(),
  status: ChannelStatus,
  lastSyncAt: IsoTime.nullable(),
  error: z.string().optional(),
  capabilities: Capabilities,
});
export type Channel = z.infer<typeof Channel>;

export const Credentials = z.union([
  z.strictObject({ apiKey: z.string().min(1).max(4000) }),
  /** ChatAPI: the user the key belongs to, for when the service does not say (its document names no field). */
  z.strictObject({ apiKey: z.string().min(1).max(4000), userId: z.string().min(1).max(200) }),
  z.strictObject({ username: z.string().min(1).max(400), password: z.string().min(1).max(4000) }),
  z.strictObject({ token: z.string().min(1).max(4000) }),
]);
export type Credentials = z.infer<typeof Credentials>;

/** How news reaches a channel: the provider's push, or polling where it has none or cannot reach this app. */
export const RealtimePath = z.enum(['socket.io', 'websocket', 'webhook', 'polling']);
export type RealtimePath = z.infer<typeof RealtimePath>;

/** One reading a connector took where its provider's document is silent, and whether answers confirmed it. */
export const Diagnostic = z.object({ topic: z.string(), reading: z.string(), confirmed: z.boolean() });
export type Diagnostic = z.infer<typeof Diagnostic>;

/** What a support engineer needs to tell a misread provider from a broken one. Never any credential. */
export const ChannelDiagnostics = z.object({
  channelId: Id,
  provider: ProviderId,
  status: ChannelStatus,
  realtime: z.object({
    path: RealtimePath,
    /** The push path is up right now (never for 'polling'). */
    live: z.boolean(),
    /** In a sentence: the path in use, why, and what the channel does meanwhile. */
    detail: z.string(),
    /** How often the inbox asks the provider for changes in the current state; null when the channel is not running. */
    pollIntervalMs: z.number().int().nullable(),
  }),
  items: z.array(Diagnostic),
});
export type ChannelDiagnostics = z.infer<typeof ChannelDiagnostics>;

export const Contact = z.object({
  id: Id,
  name: z.string(),
  handle: z.string(),
  tags: z.array(z.string()),
  platform: z.string().optional(),
  email: z.string().optional(),
});
export type Contact = z.infer<typeof Contact>;

export const MessageType = z.enum(['text', 'image', 'video', 'audio', 'file', 'other']);
export type MessageType = z.infer<typeof MessageType>;

export const Message = z.object({
  id: Id,
  conversationId: Id,
  direction: z.enum(['in', 'out']),
  text: z.string(),
  type: MessageType,
  createdAt: IsoTime,
  status: MessageStatus,
  error: z.string().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  /** The broadcast this message is a copy of (fan-out), for a marker in the thread. */
  broadcast: z.object({ id: Id, name: z.string() }).optional(),
});
export type Message = z.infer<typeof Message>;

export const Conversation = z.object({
  id: Id,
  channelId: Id,
  provider: ProviderId,
  contact: Contact,
  /** The customer the contact belongs to: its conversations on every channel (GET /api/v1/customers/:id). */
  customerId: Id,
  status: ConversationStatus,
  unreadCount: z.number().int(),
  lastMessage: z
    .object({ id: Id, text: z.string(), direction: z.enum(['in', 'out']), createdAt: IsoTime })
    .nullable(),
  lastActivityAt: IsoTime,
  waitingSince: IsoTime.nullable(),
  snoozedUntil: IsoTime.nullable(),
  tags: z.array(z.string()),
  /** The most characters a reply may have here: the platform's limit where it is known (textLimits.ts), else null. */
  maxTextLength: z.number().int().nullable(),
  /** Team mode: the agent it is assigned to (null: unassigned, and always in solo mode). */
  assigneeId: Id.nullable(),
});
export type Conversation = z.infer<typeof Conversation>;

/** `cancelled`: discarded by the agent before it went out. */
export const OutboxStatus = z.enum(['queued', 'sending', 'sent', 'failed', 'cancelled']);
export const OutboxItem = z.object({
  id: Id,
  /** `status`: a conversation the agent resolved or reopened, told to the provider. */
  kind: z.enum(['reply', 'broadcast', 'flow_toggle', 'status']),
  channelId: Id,
  conversationId: Id.nullable(),
  messageId: Id.nullable(),
  text: z.string(),
  status: OutboxStatus,
  attempts: z.number().int(),
  nextAttemptAt: IsoTime.nullable(),
  error: z.string().optional(),
  /**
   * A queued item waits behind this failed reply of its conversation (so the customer never reads a later reply
   * without the failed one) until the agent retries, edits and retries, or discards it.
   */
  heldBy: Id.optional(),
  createdAt: IsoTime,
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export const SearchHit = z
  .object({
    conversationId: Id,
    messageId: Id.nullable(),
    channelId: Id,
    provider: ProviderId,
    contactName: z.string(),
    snippet: z.string(),
    createdAt: IsoTime,
    status: ConversationStatus,
  })
  .describe(
    [
      'A message whose text matches: messageId is set and snippet is its text around the words, each match between U+0002 and U+0003.',
      'Or a conversation whose contact name or handle holds the query (three characters or more): messageId is null, snippet is its last message as is, createdAt its last activity.',
      'Conversations found by contact come first, latest activity first; then messages, newest stored first. status is the conversation status.',
    ].join(' '),
  );
export type SearchHit = z.infer<typeof SearchHit>;

export const Audience = z.strictObject({
  channelIds: z.array(Id).max(100).optional(),
  tags: z.array(z.string().trim().min(1).max(60)).max(50).optional(),
  platforms: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
});
export type Audience = z.infer<typeof Audience>;

export const BroadcastStatus = z.enum(['scheduled', 'queued', 'sending', 'completed', 'cancelled', 'failed']);
export const Broadcast = z.object({
  id: Id,
  name: z.string(),
  text: z.string(),
  audience: Audience,
  status: BroadcastStatus,
  scheduleAt: IsoTime.nullable(),
  total: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  createdAt: IsoTime,
  error: z.string().optional(),
});
export type Broadcast = z.infer<typeof Broadcast>;

/** One recipient of a broadcast, frozen when it was made: `queued` until its message went out or failed. */
export const BroadcastRecipient = z.object({
  contactId: Id,
  contactName: z.string(),
  conversationId: Id,
  status: z.enum(['queued', 'sent', 'failed', 'cancelled']),
  error: z.string().optional(),
});
export type BroadcastRecipient = z.infer<typeof BroadcastRecipient>;

export const Flow = z.object({
  id: Id,
  channelId: Id,
  provider: ProviderId,
  name: z.string(),
  description: z.string().optional(),
  active: z.boolean(),
  toggleable: z.boolean(),
  testable: z.boolean(),
  reason: z.string().optional(),
  pending: z.boolean(),
});
export type Flow = z.infer<typeof Flow>;

export const Template = z.object({ id: Id, channelId: Id.nullable(), name: z.string(), text: z.string() });
export type Template = z.infer<typeof Template>;

export const Settings = z.object({
  theme: z.enum(['light', 'dark', 'system']),
  sound: z.boolean(),
  dndUntil: IsoDateTime.nullable(),
  quietHours: z.strictObject({ from: TimeOfDay, to: TimeOfDay }).nullable(),
  mutedChannels: z.array(Id).max(MAX_MUTED_CHANNELS),
  snippets: z
    .array(z.object({ name: z.string().min(1).max(60), text: z.string().min(1).max(4000) }))
    .max(200),
});
export type Settings = z.infer<typeof Settings>;

/** One page of a listing; `nextCursor` asks for the next one (null: none left). */
export type PageOf<T> = { items: T[]; nextCursor: string | null };
