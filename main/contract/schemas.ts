// The local API contract, written once. Runtime schemas (zod) validate requests on the server,
// the TypeScript types are inferred from them, and the OpenAPI document is generated from them.
// The entities it serves live in the domain module and are re-exported here with the requests, queries,
// patches and envelopes of the API. Both the core (main/) and the renderer import this module; it imports
// nothing but zod and the domain's entities.
import { z } from 'zod';
import {
  Audience,
  Broadcast,
  Channel,
  ChannelStatus,
  Conversation,
  ConversationStatus,
  Credentials,
  Flow,
  Id,
  IsoDateTime,
  Message,
  OutboxItem,
  OutboxStatus,
  ProviderId,
  Settings,
} from '../domain/entities';

export * from '../domain/entities';

const ShortText = z.string().trim().min(1).max(200);

const HttpUrl = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const ChannelCreate = z.strictObject({
  provider: ProviderId,
  name: ShortText,
  baseUrl: HttpUrl,
  credentials: Credentials,
});
export type ChannelCreate = z.infer<typeof ChannelCreate>;

export const ChannelPatch = z.strictObject({
  name: ShortText.optional(),
  baseUrl: HttpUrl.optional(),
  credentials: Credentials.optional(),
  paused: z.boolean().optional(),
});
export type ChannelPatch = z.infer<typeof ChannelPatch>;

export const ChannelTestResult = z.object({ ok: z.boolean(), error: z.string().optional() });

const Limit = z.coerce.number().int().min(1).max(500).default(50);
const Cursor = z.string().max(400).optional();
const BoolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ConversationQuery = z.strictObject({
  channel: Id.optional(),
  provider: ProviderId.optional(),
  status: ConversationStatus.optional(),
  unread: BoolParam.optional(),
  q: z.string().max(200).optional(),
  sort: z.enum(['latest', 'waiting']).default('latest'),
  limit: Limit,
  cursor: Cursor,
});
export type ConversationQuery = z.infer<typeof ConversationQuery>;

export const ConversationPatch = z.strictObject({
  status: ConversationStatus.optional(),
  read: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1).max(60)).max(50).optional(),
  snoozedUntil: IsoDateTime.nullable().optional(),
});
export type ConversationPatch = z.infer<typeof ConversationPatch>;

export const MessageQuery = z.strictObject({ before: Cursor, limit: Limit });

export const ReplyCreate = z.strictObject({
  text: z
    .string()
    .max(10_000)
    .refine((s) => s.trim().length > 0, 'text must not be empty'),
  clientId: z.string().min(1).max(100).optional(),
});
export type ReplyCreate = z.infer<typeof ReplyCreate>;

export const OutboxQuery = z.strictObject({ status: OutboxStatus.optional() });
export const OutboxPatch = z.strictObject({
  text: z
    .string()
    .max(10_000)
    .refine((s) => s.trim().length > 0, 'text must not be empty'),
});

export const SearchQuery = z.strictObject({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const BroadcastCreate = z.strictObject({
  name: ShortText,
  text: z.string().trim().min(1).max(4000),
  audience: Audience,
  scheduleAt: z.iso.datetime({ offset: true }).optional(),
  timezone: z.string().max(60).optional(),
});
export type BroadcastCreate = z.infer<typeof BroadcastCreate>;

export const BroadcastPreviewRequest = z.strictObject({ audience: Audience });
export const BroadcastPreview = z.object({
  total: z.number().int(),
  perChannel: z.array(
    z.object({
      channelId: Id,
      provider: ProviderId,
      recipients: z.number().int(),
      mode: z.enum(['native', 'fanout']),
    }),
  ),
  etaSeconds: z.number(),
});
export type BroadcastPreview = z.infer<typeof BroadcastPreview>;

export const FlowQuery = z.strictObject({ channel: Id.optional() });
export const FlowPatch = z.strictObject({ active: z.boolean() });
export const FlowTestRequest = z.strictObject({ input: z.string().trim().min(1).max(2000) });
export const FlowTestResult = z.object({
  output: z.string(),
  steps: z.number().int().optional(),
  raw: z.unknown().optional(),
});

export const SettingsPatch = Settings.partial().strict();

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  channels: z.array(z.object({ id: Id, status: ChannelStatus })),
  /** Start-up problems for the agent to read, e.g. a damaged database that was kept aside. */
  notices: z.array(z.string()).optional(),
});

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.array(z.unknown()).optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const List = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const IdParams = z.strictObject({ id: Id });

/** Events pushed over socket.io to the renderer (and the shell). */
export interface ServerEvents {
  'message.created': (m: Message) => void;
  'message.updated': (m: Message) => void;
  'conversation.updated': (c: Conversation) => void;
  'channel.updated': (c: Channel) => void;
  'outbox.updated': (o: OutboxItem) => void;
  'broadcast.progress': (b: Broadcast) => void;
  'flow.updated': (f: Flow) => void;
}
export type ServerEventName = keyof ServerEvents;
