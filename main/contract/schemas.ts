// The local API contract, written once. Runtime schemas (zod) validate requests on the server,
// the TypeScript types are inferred from them, and the OpenAPI document is generated from them.
// The entities it serves live in the domain module and are re-exported here with the requests, queries,
// patches and envelopes of the API. Both the core (main/) and the renderer import this module; it imports
// nothing but zod and the domain's entities.
import { z } from 'zod';
import {
  Audience,
  Broadcast,
  BroadcastRecipient,
  Channel,
  ChannelStatus,
  Contact,
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
export * from '../domain/textLimits';

const ShortText = z.string().trim().min(1).max(200);

/** Tags a conversation can carry. */
export const MAX_TAGS = 50;

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

/** A conversation tag as the agent types it. */
const TagName = z.string().trim().min(1).max(60);

/**
 * The inbox by status: one status, or `active` — the work still to do: open and pending conversations, and
 * snoozed ones whose snooze has ended.
 */
export const StatusFilter = z.enum([...ConversationStatus.options, 'active']);
export type StatusFilter = z.infer<typeof StatusFilter>;

/** `tag`: one conversation tag (exact); only the conversations carrying it. No status: every status. */
export const ConversationQuery = z.strictObject({
  channel: Id.optional(),
  provider: ProviderId.optional(),
  status: StatusFilter.optional(),
  tag: TagName.optional(),
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
  tags: z.array(TagName).max(MAX_TAGS).optional(),
  snoozedUntil: IsoDateTime.nullable().optional(),
  /** Team mode: assign (null: unassign). */
  assigneeId: Id.nullable().optional(),
  /**
   * Team mode, with assigneeId: applied only while the conversation is assigned to this agent (null: to nobody);
   * absent: to whom this desktop last saw it assigned. Stale while the hub is reachable: 409.
   */
  expectedAssigneeId: Id.nullable().optional(),
});
export type ConversationPatch = z.infer<typeof ConversationPatch>;

/** One change for many conversations (assigning comes with team mode). */
export const BulkAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('resolve') }),
  z.strictObject({ type: z.literal('reopen') }),
  z.strictObject({ type: z.literal('snooze'), until: IsoDateTime }),
  z.strictObject({ type: z.literal('addTag'), tag: TagName }),
  z.strictObject({ type: z.literal('removeTag'), tag: TagName }),
]);
export type BulkAction = z.infer<typeof BulkAction>;

export const BulkRequest = z.strictObject({
  ids: z.array(z.string().max(40)).min(1).max(500),
  action: BulkAction,
});

/** Each id's outcome, in the order asked: one that cannot be changed says why and keeps nothing from the others. */
export const BulkResult = z.object({
  items: z.array(
    z.union([
      z.object({ id: z.string(), ok: z.literal(true), conversation: Conversation }),
      z.object({ id: z.string(), ok: z.literal(false), error: z.string() }),
    ]),
  ),
  succeeded: z.number().int(),
  failed: z.number().int(),
});
export type BulkResult = z.infer<typeof BulkResult>;

/** A tag in use, with how many conversations carry it. */
export const TagCount = z.object({ tag: z.string(), conversations: z.number().int() });

/** What a saved view filters the inbox by: the inbox query's own filters (an absent one is not applied). */
export const ViewFilters = ConversationQuery.pick({
  channel: true,
  provider: true,
  status: true,
  tag: true,
}).extend({ unread: z.boolean().optional(), sort: z.enum(['latest', 'waiting']).optional() });
export type ViewFilters = z.infer<typeof ViewFilters>;

export const SavedView = z.object({ id: Id, name: z.string(), filters: ViewFilters });
export type SavedView = z.infer<typeof SavedView>;

const ViewName = z.string().trim().min(1).max(60);
export const SavedViewCreate = z.strictObject({ name: ViewName, filters: ViewFilters });
export const SavedViewPatch = z.strictObject({ name: ViewName.optional(), filters: ViewFilters.optional() });
export type SavedViewPatch = z.infer<typeof SavedViewPatch>;

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

/** A bound of search's date range, compared with stored times in their one form (UTC, as toISOString writes). */
const SearchTime = IsoDateTime.transform((t) => new Date(t).toISOString());

/** `from` and `to` bound each hit's `createdAt`, both included. */
export const SearchQuery = z
  .strictObject({
    q: z.string().trim().min(1).max(200),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: Cursor,
    channelId: Id.optional(),
    status: ConversationStatus.optional(),
    from: SearchTime.optional(),
    to: SearchTime.optional(),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, {
    message: 'must not be later than to',
    path: ['from'],
  });
export type SearchQuery = z.infer<typeof SearchQuery>;

const BroadcastText = z.string().trim().min(1).max(4000);

export const BroadcastCreate = z.strictObject({
  name: ShortText,
  /** May hold {{name}} and {{first_name}}, with a fallback: {{first_name|there}}. */
  text: BroadcastText,
  audience: Audience,
  scheduleAt: z.iso.datetime({ offset: true }).optional(),
  timezone: z.string().max(60).optional(),
  /** The recipient count the agent confirmed: when the audience frozen now differs, 409 and nothing is sent. */
  expectedRecipients: z.number().int().min(0).optional(),
});
export type BroadcastCreate = z.infer<typeof BroadcastCreate>;

/** With `text`, the preview also renders it for the audience's first recipients (or says what is wrong with it). */
export const BroadcastPreviewRequest = z.strictObject({ audience: Audience, text: BroadcastText.optional() });
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
  /** The text as the first recipients would receive it, in the order the audience freezes. */
  samples: z.array(z.object({ contactName: z.string(), conversationId: Id, text: z.string() })),
  /** Why the text would be refused, in a sentence (no samples then). */
  textError: z.string().optional(),
});
export type BroadcastPreview = z.infer<typeof BroadcastPreview>;

export const BroadcastRecipientQuery = z.strictObject({
  status: BroadcastRecipient.shape.status.optional(),
  limit: Limit,
  cursor: Cursor,
});
export type BroadcastRecipientQuery = z.infer<typeof BroadcastRecipientQuery>;

export const FlowQuery = z.strictObject({ channel: Id.optional() });
export const FlowPatch = z.strictObject({ active: z.boolean() });
export const FlowTestRequest = z.strictObject({ input: z.string().trim().min(1).max(2000) });
export const FlowTestResult = z.object({
  output: z.string(),
  steps: z.number().int().optional(),
  raw: z.unknown().optional(),
});

/** One of a customer's contacts, with its channel. */
export const CustomerContact = Contact.extend({
  channelId: Id,
  provider: ProviderId,
  /** The agent merged or unmerged it: automatic linking never moves it again. */
  placedByAgent: z.boolean(),
});
export type CustomerContact = z.infer<typeof CustomerContact>;

/** A person behind contacts on several channels, linked by email, phone or handle, or merged by the agent. */
export const Customer = z.object({
  id: Id,
  /** The agent's own note: kept locally, never sent to a provider. */
  note: z.string(),
  contacts: z.array(CustomerContact),
  /** Its contacts' conversations on every channel, latest activity first (the first 100). */
  conversations: z.array(Conversation),
  conversationCount: z.number().int(),
});
export type Customer = z.infer<typeof Customer>;

export const CustomerPatch = z.strictObject({
  note: z.string({ error: 'must be text' }).max(10_000, 'must be at most 10,000 characters'),
});
/** Customers and contacts are the app's own rows: their ids are integers, sent as strings like every id. */
const LocalId = z
  .string({ error: 'must be an id (a string of digits)' })
  .regex(/^\d{1,15}$/, 'must be an id (a string of digits)');
export const CustomerMerge = z.strictObject({ customerId: LocalId });
export const CustomerUnmerge = z.strictObject({
  contactIds: z
    .array(LocalId, { error: 'must be a list of contact ids' })
    .min(1, 'must name at least one contact')
    .max(500),
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
