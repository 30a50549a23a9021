// The team hub's API (v1), once: the hub validates against these schemas, a desktop in team mode reads its
// answers with them, and the hub's OpenAPI document (GET /hub/v1/openapi.json) is generated from the table.
import { z } from 'zod';
import { Channel, Conversation, ConversationStatus, Id, IsoDateTime, Message } from '../domain/entities';
import { ChannelCreate, ChannelPatch, MAX_TAGS } from './schemas';
import { openApiOf } from './openapi';
import type { RouteDef } from './routes';

const route = <const R extends RouteDef>(r: R) => r;

const ShortText = z.string().trim().min(1).max(200);
const Email = z.email().max(320);
export const MIN_PASSWORD_LENGTH = 10;
const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200);
const Seq = z.number().int().min(0);

export const AgentRole = z.enum(['admin', 'agent']);
export type AgentRole = z.infer<typeof AgentRole>;

/** An agent, everywhere the hub names one. */
export const Agent = z.object({ id: Id, email: z.string(), name: z.string(), role: AgentRole });
export type Agent = z.infer<typeof Agent>;
/** An agent as the team list and the feed show it: deactivated agents stay, to name who did what. */
export const TeamAgent = Agent.extend({ active: z.boolean() });
export type TeamAgent = z.infer<typeof TeamAgent>;

export const Session = z.object({ token: z.string(), agent: Agent });
export type Session = z.infer<typeof Session>;

export const SetupRequest = z.strictObject({
  setupToken: z.string().min(1).max(200),
  team: ShortText,
  admin: z.strictObject({ email: Email, name: ShortText, password: Password }),
});
export type SetupRequest = z.infer<typeof SetupRequest>;

export const SignIn = z.strictObject({ email: z.string().max(320), password: z.string().max(200) });
export const AgentCreate = z.strictObject({
  email: Email,
  name: ShortText,
  role: AgentRole,
  password: Password,
});
export type AgentCreate = z.infer<typeof AgentCreate>;
export const AgentPatch = z.strictObject({
  name: ShortText.optional(),
  role: AgentRole.optional(),
  password: Password.optional(),
  active: z.boolean().optional(),
});
export type AgentPatch = z.infer<typeof AgentPatch>;
export const AgentParams = z.strictObject({ id: z.uuid() });
export const ChannelParams = z.strictObject({ id: z.uuid() });

/** A conversation as the hub shares it: the desktop's view plus who it is assigned to. */
export const HubConversation = Conversation.extend({ assigneeId: Id.nullable() });
export type HubConversation = z.infer<typeof HubConversation>;
/** A message as the hub shares it: who wrote an outgoing reply (null: the provider's or an earlier app's). */
export const HubMessage = Message.extend({ authorId: Id.nullable() });
export type HubMessage = z.infer<typeof HubMessage>;
export const Note = z.object({
  id: Id,
  conversationId: Id,
  authorId: Id.nullable(),
  text: z.string(),
  createdAt: z.string(),
});
export type Note = z.infer<typeof Note>;

export const ChangeKind = z.enum(['conversation', 'message', 'note', 'channel', 'agent']);
export const Change = z
  .object({ seq: Seq, kind: ChangeKind, conversationId: Id.optional(), data: z.unknown() })
  .describe(
    'data is the changed thing whole: conversation → HubConversation, message → HubMessage, note → Note, ' +
      'channel → the channel (never credentials), agent → TeamAgent. Apply changes in seq order, idempotently.',
  );
export type Change = z.infer<typeof Change>;

export const MAX_CHANGES_PAGE = 1000;
export const ChangesQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_CHANGES_PAGE).default(500),
});
export const Changes = z.object({ items: z.array(Change), head: Seq });
export type Changes = z.infer<typeof Changes>;

export const SnapshotQuery = z.strictObject({ cursor: z.string().max(200).optional() });
export const SnapshotPage = z.union([
  z.object({
    conversations: z.array(HubConversation),
    /** The most recent messages of each conversation on this page. */
    messages: z.array(HubMessage),
    nextCursor: z.string(),
  }),
  z
    .object({ head: Seq })
    .describe('The end of the snapshot: follow GET /hub/v1/changes?after=head from here.'),
]);
export type SnapshotPage = z.infer<typeof SnapshotPage>;

const ConversationRef = z.union([Id, z.number().int().positive()]).transform(String);
const OpBase = { id: z.string().min(1).max(200), conversationId: ConversationRef };
export const Op = z.discriminatedUnion('kind', [
  z.strictObject({
    ...OpBase,
    kind: z.literal('reply'),
    text: z.string().trim().min(1).max(20_000),
    /** The feed position its author last saw (the desktop asks before sending over a newer agent reply). */
    basedOnSeq: Seq.optional(),
  }),
  z.strictObject({ ...OpBase, kind: z.literal('status'), status: ConversationStatus }),
  z.strictObject({
    ...OpBase,
    kind: z.literal('assign'),
    assigneeId: z.uuid().nullable(),
    /** Compare-and-set: applied only while the conversation is assigned to this agent (null: to nobody). */
    expectedAssigneeId: z.uuid().nullable(),
  }),
  z.strictObject({
    ...OpBase,
    kind: z.literal('tags'),
    tags: z.array(z.string().trim().min(1).max(60)).max(MAX_TAGS),
  }),
  z.strictObject({ ...OpBase, kind: z.literal('snooze'), until: IsoDateTime.nullable() }),
  z.strictObject({ ...OpBase, kind: z.literal('note'), text: z.string().trim().min(1).max(20_000) }),
  z.strictObject({ ...OpBase, kind: z.literal('read') }),
]);
export type Op = z.infer<typeof Op>;

export const MAX_OPS = 500;
/** Each op is checked on its own (a malformed one is answered 'rejected'); only the envelope must hold. */
export const OpsRequest = z.strictObject({
  ops: z
    .array(z.object({ id: z.string().min(1).max(200) }).loose())
    .min(1)
    .max(MAX_OPS),
});
export const OpResult = z.object({
  id: z.string(),
  status: z.enum(['applied', 'duplicate', 'conflict', 'rejected']),
  /** conflict: the value that won. */
  current: z.object({ assigneeId: Id.nullable(), assigneeName: z.string().nullable() }).optional(),
  /** rejected: why, in words. */
  reason: z.string().optional(),
});
export type OpResult = z.infer<typeof OpResult>;
export const OpsResponse = z.object({ results: z.array(OpResult) });

export const PresenceState = z.enum(['viewing', 'typing', 'idle']);
/** socket.io, client → hub: what this agent is doing in a conversation (re-sent while it lasts). */
export const PresenceReport = z.strictObject({ conversationId: ConversationRef, state: PresenceState });
/** socket.io, hub → team: who is in a conversation now. */
export interface PresenceEvent {
  conversationId: string;
  agents: { id: string; state: 'viewing' | 'typing' }[];
}
/** socket.io, hub → team: the team's feed reached `head`. */
export interface ChangesEvent {
  head: number;
}

const unauthorized = { status: 401, code: 'unauthorized', description: 'no valid session token' };
const forbidden = { status: 403, code: 'forbidden', description: 'an agent, not an admin' };

export const hubRoutes = {
  setup: route({
    method: 'POST',
    path: '/hub/v1/setup',
    summary: 'Create the team and its first admin, once, with the setup token the first instance printed',
    body: SetupRequest,
    status: 201,
    response: Session,
    errors: [
      { status: 403, code: 'bad_setup_token', description: 'not the setup token' },
      { status: 409, code: 'already_set_up', description: 'the team exists' },
    ],
  }),
  signIn: route({
    method: 'POST',
    path: '/hub/v1/sessions',
    summary: 'Sign in',
    body: SignIn,
    status: 201,
    response: Session,
    errors: [
      { status: 401, code: 'bad_credentials', description: 'wrong email or password' },
      { status: 429, code: 'too_many_attempts', description: 'too many failed sign-ins; see Retry-After' },
    ],
  }),
  signOut: route({
    method: 'DELETE',
    path: '/hub/v1/sessions/current',
    summary: 'Sign this session out',
    status: 204,
    response: z.null(),
    errors: [unauthorized],
  }),
  listAgents: route({
    method: 'GET',
    path: '/hub/v1/agents',
    summary: 'The team',
    status: 200,
    response: z.object({ items: z.array(TeamAgent) }),
    errors: [unauthorized],
  }),
  createAgent: route({
    method: 'POST',
    path: '/hub/v1/agents',
    summary: 'Add an agent (admin)',
    body: AgentCreate,
    status: 201,
    response: TeamAgent,
    errors: [
      unauthorized,
      forbidden,
      { status: 409, code: 'email_taken', description: 'that email has an agent' },
    ],
  }),
  patchAgent: route({
    method: 'PATCH',
    path: '/hub/v1/agents/:id',
    summary: 'Rename, change role or password, (de)activate an agent (admin); deactivating signs it out',
    params: AgentParams,
    body: AgentPatch,
    status: 200,
    response: TeamAgent,
    errors: [
      unauthorized,
      forbidden,
      { status: 409, code: 'last_admin', description: 'the team would have no active admin' },
    ],
  }),
  deleteAgent: route({
    method: 'DELETE',
    path: '/hub/v1/agents/:id',
    summary: 'Deactivate an agent (admin); its name stays on what it did',
    params: AgentParams,
    status: 200,
    response: TeamAgent,
    errors: [
      unauthorized,
      forbidden,
      { status: 409, code: 'last_admin', description: 'the team would have no active admin' },
    ],
  }),
  changes: route({
    method: 'GET',
    path: '/hub/v1/changes',
    summary: "The team's change feed after a position, in order",
    query: ChangesQuery,
    status: 200,
    response: Changes,
    errors: [unauthorized],
  }),
  snapshot: route({
    method: 'GET',
    path: '/hub/v1/snapshot',
    summary:
      'Pages of conversations and their recent messages for a joining desktop, then the head to follow',
    query: SnapshotQuery,
    status: 200,
    response: SnapshotPage,
    errors: [unauthorized],
  }),
  ops: route({
    method: 'POST',
    path: '/hub/v1/ops',
    summary: 'Apply a batch of client-id ops, each at most once; one result per op, in order',
    body: OpsRequest,
    status: 200,
    response: OpsResponse,
    errors: [unauthorized],
  }),
  listChannels: route({
    method: 'GET',
    path: '/hub/v1/channels',
    summary: "The team's channels: status, last sync, capabilities; never a credential",
    status: 200,
    response: z.object({ items: z.array(Channel) }),
    errors: [unauthorized],
  }),
  createChannel: route({
    method: 'POST',
    path: '/hub/v1/channels',
    summary:
      'Add a provider account (admin): credentials checked by shape and by a connect, sealed at rest; saved even when refused, saying why',
    body: ChannelCreate,
    status: 201,
    response: Channel,
    errors: [unauthorized, forbidden],
  }),
  patchChannel: route({
    method: 'PATCH',
    path: '/hub/v1/channels/:id',
    summary: 'Rename, re-point, give new credentials, pause or resume a channel (admin)',
    params: ChannelParams,
    body: ChannelPatch,
    status: 200,
    response: Channel,
    errors: [
      unauthorized,
      forbidden,
      {
        status: 422,
        code: 'credentials_required',
        description: 'a base URL on another server needs its credentials',
      },
    ],
  }),
  deleteChannel: route({
    method: 'DELETE',
    path: '/hub/v1/channels/:id',
    summary: 'Remove a channel and everything synced from it (admin)',
    params: ChannelParams,
    status: 204,
    response: z.null(),
    errors: [unauthorized, forbidden],
  }),
} as const;

/** The OpenAPI 3.1 document of the hub's routes in this table (other hub routes add theirs to it). */
export const hubOpenApiDocument = (version: string, more: Record<string, RouteDef> = {}) =>
  openApiOf({ ...hubRoutes, ...more }, 'Agent Inbox team hub', version);
