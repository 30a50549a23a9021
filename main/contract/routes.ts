// Every endpoint of the local API, once: the server validates against these schemas, the renderer's
// client is typed by them, and the OpenAPI document is generated from them.
import { z } from 'zod';
import * as s from './schemas';
import * as team from './team';
import { openApiOf } from './openapi';

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  status: number;
  response: z.ZodType;
  /** Refusals particular to this route (bad input, 401 and 404 go without saying), for the OpenAPI document. */
  errors?: readonly RouteError[];
}

export interface RouteError {
  status: number;
  code: string;
  description: string;
}

const route = <const R extends RouteDef>(r: R) => r;

/** A team admin's request, passed to the hub with this desktop's session. */
const TEAM_ADMIN_ERRORS = [
  { status: 403, code: 'forbidden', description: "the signed-in agent is not an admin (the hub's words)" },
  { status: 409, code: 'solo_mode', description: 'this desktop is in no team' },
  { status: 409, code: 'team_signed_out', description: 'the hub refused the session: sign in again' },
  { status: 503, code: 'hub_unreachable', description: 'the hub did not answer' },
] as const;

export const routes = {
  health: route({
    method: 'GET',
    path: '/api/v1/health',
    summary: 'Liveness and channel states',
    status: 200,
    response: s.Health,
  }),

  listChannels: route({
    method: 'GET',
    path: '/api/v1/channels',
    summary: 'Provider accounts',
    status: 200,
    response: s.List(s.Channel),
  }),
  createChannel: route({
    method: 'POST',
    path: '/api/v1/channels',
    summary:
      'Add a provider account (kept even if the provider refuses it: the channel then shows why); in team mode ' +
      'an admin adds it to the hub, the credentials going straight through (never stored here)',
    body: s.ChannelCreate,
    status: 201,
    response: s.Channel,
    errors: TEAM_ADMIN_ERRORS.filter((e) => e.code !== 'solo_mode'),
  }),
  testChannel: route({
    method: 'POST',
    path: '/api/v1/channels/test',
    summary: 'Check credentials without saving',
    body: s.ChannelCreate,
    status: 200,
    response: s.ChannelTestResult,
  }),
  patchChannel: route({
    method: 'PATCH',
    path: '/api/v1/channels/:id',
    summary: "Rename, re-point, new credentials, pause/resume (team mode: an admin, on the team's hub)",
    params: s.IdParams,
    body: s.ChannelPatch,
    status: 200,
    response: s.Channel,
    errors: [
      {
        status: 422,
        code: 'credentials_required',
        description:
          'baseUrl moves the channel to another origin (scheme, host or port) and no credentials came with it: ' +
          'stored credentials are only ever sent to the origin they were given for',
      },
      ...TEAM_ADMIN_ERRORS.filter((e) => e.code !== 'solo_mode'),
    ],
  }),
  channelDiagnostics: route({
    method: 'GET',
    path: '/api/v1/channels/:id/diagnostics',
    summary:
      'How news reaches the channel (push or polling, and why) and what its connector assumed where the ' +
      'provider’s document is silent, each reading marked confirmed or assumed',
    params: s.IdParams,
    status: 200,
    response: s.ChannelDiagnostics,
  }),
  deleteChannel: route({
    method: 'DELETE',
    path: '/api/v1/channels/:id',
    summary: "Remove an account and its cached data (team mode: an admin, from the team's hub)",
    params: s.IdParams,
    status: 204,
    response: z.null(),
    errors: TEAM_ADMIN_ERRORS.filter((e) => e.code !== 'solo_mode'),
  }),

  listConversations: route({
    method: 'GET',
    path: '/api/v1/conversations',
    summary: 'Unified inbox, newest activity first',
    query: s.ConversationQuery,
    status: 200,
    response: s.Page(s.Conversation),
  }),
  getConversation: route({
    method: 'GET',
    path: '/api/v1/conversations/:id',
    summary: 'One conversation, with its internal notes (team mode; none in solo mode)',
    params: s.IdParams,
    status: 200,
    response: s.Conversation.extend({ notes: z.array(team.TeamNote) }),
  }),
  patchConversation: route({
    method: 'PATCH',
    path: '/api/v1/conversations/:id',
    summary: 'Status, read state, tags, snooze; in team mode also the assignee (compare-and-set)',
    params: s.IdParams,
    body: s.ConversationPatch,
    status: 200,
    response: s.Conversation,
    errors: [
      {
        status: 409,
        code: 'assignee_changed',
        description:
          'team mode, hub reachable: the conversation is no longer assigned as expectedAssigneeId says; the ' +
          'message names who has it, details hold [{assigneeId, assigneeName}]',
      },
      { status: 409, code: 'solo_mode', description: 'assigneeId without a team' },
    ],
  }),
  createNote: route({
    method: 'POST',
    path: '/api/v1/conversations/:id/notes',
    summary:
      'Add an internal note (team mode): stored here at once, uploaded to the hub, never sent to a provider',
    params: s.IdParams,
    body: team.NoteCreate,
    status: 201,
    response: team.TeamNote,
    errors: [
      { status: 409, code: 'solo_mode', description: 'notes belong to a team; this desktop has none' },
    ],
  }),

  getTeam: route({
    method: 'GET',
    path: '/api/v1/team',
    summary: 'The hub this desktop is signed in to, and its state; null in solo mode',
    status: 200,
    response: team.TeamState.nullable(),
  }),
  connectTeam: route({
    method: 'PUT',
    path: '/api/v1/team',
    summary:
      'Sign in to a team hub: only the session token is kept (sealed like credentials, never the password); ' +
      "the cache then follows the hub and the desktop's own channels stop syncing",
    body: team.TeamConnect,
    status: 200,
    response: team.TeamState,
    errors: [
      { status: 422, code: 'bad_credentials', description: 'the hub refused the email or password' },
      {
        status: 409,
        code: 'team_connected',
        description:
          'already signed in to a hub: sign out first (signed out by the hub, the same agent may sign in to the ' +
          'same hub again: the cache and the queued writes carry on)',
      },
      { status: 429, code: 'too_many_attempts', description: 'the hub throttles sign-ins; try later' },
      { status: 503, code: 'hub_unreachable', description: 'no hub answered at hubUrl' },
    ],
  }),
  disconnectTeam: route({
    method: 'DELETE',
    path: '/api/v1/team',
    summary:
      'Sign out of the hub (told to it when reachable) and return to solo mode; keepCache decides whether the ' +
      "team's cached data stays (read-only) or goes (default). Writes still queued are dropped.",
    query: team.TeamDisconnectQuery,
    status: 204,
    response: z.null(),
  }),
  listAgents: route({
    method: 'GET',
    path: '/api/v1/agents',
    summary: "The team's agents (active ones; none in solo mode)",
    status: 200,
    response: s.List(team.Agent),
  }),
  listTeamAgents: route({
    method: 'GET',
    path: '/api/v1/team/agents',
    summary: "The team's agents as the hub lists them, deactivated ones too (the admin screens)",
    status: 200,
    response: s.List(team.TeamAgent),
    errors: TEAM_ADMIN_ERRORS,
  }),
  inviteAgent: route({
    method: 'POST',
    path: '/api/v1/team/agents',
    summary: 'Admins: add an agent to the team with a one-time password, answered once',
    body: team.AgentInvite,
    status: 201,
    response: team.AgentInvited,
    errors: [
      ...TEAM_ADMIN_ERRORS,
      { status: 409, code: 'email_taken', description: 'that email has an agent' },
    ],
  }),
  patchTeamAgent: route({
    method: 'PATCH',
    path: '/api/v1/team/agents/:id',
    summary: 'Admins: rename, change role, deactivate or reactivate an agent (deactivating signs it out)',
    params: team.AgentParams,
    body: team.TeamAgentPatch,
    status: 200,
    response: team.TeamAgent,
    errors: [
      ...TEAM_ADMIN_ERRORS,
      { status: 409, code: 'last_admin', description: 'the team would have no active admin' },
    ],
  }),
  bulkConversations: route({
    method: 'POST',
    path: '/api/v1/conversations/bulk',
    summary:
      'Resolve, reopen, snooze or tag many conversations at once; each id answers for itself (an unknown id ' +
      'fails alone), status changes reach providers through the outbox as single changes do',
    body: s.BulkRequest,
    status: 200,
    response: s.BulkResult,
  }),
  listTags: route({
    method: 'GET',
    path: '/api/v1/tags',
    summary: 'Conversation tags in use, with how many conversations carry each',
    status: 200,
    response: s.List(s.TagCount),
  }),
  listViews: route({
    method: 'GET',
    path: '/api/v1/views',
    summary: 'The agent’s saved inbox views, in the order they were made',
    status: 200,
    response: s.List(s.SavedView),
  }),
  createView: route({
    method: 'POST',
    path: '/api/v1/views',
    summary: 'Save a set of inbox filters under a name',
    body: s.SavedViewCreate,
    status: 201,
    response: s.SavedView,
    errors: [{ status: 409, code: 'view_name_taken', description: 'another view has this name' }],
  }),
  patchView: route({
    method: 'PATCH',
    path: '/api/v1/views/:id',
    summary: 'Rename a saved view or change its filters',
    params: s.IdParams,
    body: s.SavedViewPatch,
    status: 200,
    response: s.SavedView,
    errors: [{ status: 409, code: 'view_name_taken', description: 'another view has this name' }],
  }),
  deleteView: route({
    method: 'DELETE',
    path: '/api/v1/views/:id',
    summary: 'Delete a saved view',
    params: s.IdParams,
    status: 204,
    response: z.null(),
  }),
  listMessages: route({
    method: 'GET',
    path: '/api/v1/conversations/:id/messages',
    summary: 'Messages, newest first, keyset paged',
    params: s.IdParams,
    query: s.MessageQuery,
    status: 200,
    response: s.Page(s.Message),
  }),
  sendReply: route({
    method: 'POST',
    path: '/api/v1/conversations/:id/messages',
    summary: 'Queue a reply (durable before the answer)',
    params: s.IdParams,
    body: s.ReplyCreate,
    status: 202,
    response: s.Message,
    errors: [
      {
        status: 400,
        code: 'too_long',
        description: "longer than the conversation's maxTextLength; nothing sent",
      },
      {
        status: 409,
        code: 'team_signed_out',
        description: "a team's conversation kept after signing out of its hub (only the hub sends there)",
      },
    ],
  }),

  listOutbox: route({
    method: 'GET',
    path: '/api/v1/outbox',
    summary: 'Queued, held and failed work',
    query: s.OutboxQuery,
    status: 200,
    response: s.List(s.OutboxItem),
  }),
  retryOutbox: route({
    method: 'POST',
    path: '/api/v1/outbox/:id/retry',
    summary: 'Retry a failed item now (the later items it held follow it)',
    params: s.IdParams,
    status: 200,
    response: s.OutboxItem,
  }),
  editOutbox: route({
    method: 'PATCH',
    path: '/api/v1/outbox/:id',
    summary: 'Edit a reply that has not gone out',
    params: s.IdParams,
    body: s.OutboxPatch,
    status: 200,
    response: s.OutboxItem,
    errors: [
      {
        status: 400,
        code: 'too_long',
        description: "longer than the conversation's maxTextLength; not changed",
      },
    ],
  }),
  cancelOutbox: route({
    method: 'DELETE',
    path: '/api/v1/outbox/:id',
    summary: 'Discard an item that has not gone out (the later items a failed reply held then go)',
    params: s.IdParams,
    status: 204,
    response: z.null(),
  }),

  search: route({
    method: 'GET',
    path: '/api/v1/search',
    summary: 'Messages and conversations matching words, newest first, with where each one is',
    query: s.SearchQuery,
    status: 200,
    response: s.Page(s.SearchHit),
  }),

  getCustomer: route({
    method: 'GET',
    path: '/api/v1/customers/:id',
    summary: 'A customer: its contacts on every channel, their conversations (latest first) and the note',
    params: s.IdParams,
    status: 200,
    response: s.Customer,
  }),
  patchCustomer: route({
    method: 'PATCH',
    path: '/api/v1/customers/:id',
    summary: 'Change the note (kept locally, never sent to a provider)',
    params: s.IdParams,
    body: s.CustomerPatch,
    status: 200,
    response: s.Customer,
  }),
  mergeCustomer: route({
    method: 'POST',
    path: '/api/v1/customers/:id/merge',
    summary:
      'Merge another customer into this one: its contacts and conversations join, its note is added to this ' +
      'one’s. Undone by unmerging those contacts',
    params: s.IdParams,
    body: s.CustomerMerge,
    status: 200,
    response: s.Customer,
    errors: [
      { status: 422, code: 'same_customer', description: 'customerId is this customer' },
      { status: 422, code: 'unknown_customer', description: 'no customer has the id customerId' },
    ],
  }),
  unmergeCustomer: route({
    method: 'POST',
    path: '/api/v1/customers/:id/unmerge',
    summary:
      'Take some of the customer’s contacts out into a new customer (answered), with their conversations. ' +
      'Automatic linking never puts them back; merging does',
    params: s.IdParams,
    body: s.CustomerUnmerge,
    status: 200,
    response: s.Customer,
    errors: [
      { status: 422, code: 'not_its_contact', description: 'a contact in contactIds is not this customer’s' },
      {
        status: 422,
        code: 'every_contact',
        description: 'contactIds names all of the customer’s contacts: nothing would be left to unmerge from',
      },
    ],
  }),

  listBroadcasts: route({
    method: 'GET',
    path: '/api/v1/broadcasts',
    summary: 'Broadcast history',
    status: 200,
    response: s.List(s.Broadcast),
  }),
  createBroadcast: route({
    method: 'POST',
    path: '/api/v1/broadcasts',
    summary: 'Create (and queue or schedule) a broadcast',
    body: s.BroadcastCreate,
    status: 201,
    response: s.Broadcast,
    errors: [
      {
        status: 400,
        code: 'template_unknown_variable',
        description: 'the text uses a variable other than {{name}} and {{first_name}}; nothing sent',
      },
      {
        status: 400,
        code: 'template_unclosed',
        description: 'a {{ without its }} (or template_unopened, template_empty); nothing sent',
      },
      {
        status: 409,
        code: 'audience_changed',
        description: 'the audience no longer has expectedRecipients recipients; nothing sent',
      },
    ],
  }),
  previewBroadcast: route({
    method: 'POST',
    path: '/api/v1/broadcasts/preview',
    summary: 'Recipient count, ETA and the text per recipient for an audience',
    body: s.BroadcastPreviewRequest,
    status: 200,
    response: s.BroadcastPreview,
  }),
  getBroadcast: route({
    method: 'GET',
    path: '/api/v1/broadcasts/:id',
    summary: 'One broadcast with progress',
    params: s.IdParams,
    status: 200,
    response: s.Broadcast,
  }),
  listBroadcastRecipients: route({
    method: 'GET',
    path: '/api/v1/broadcasts/:id/recipients',
    summary: 'Who a broadcast went to (frozen when it was made), each with its status',
    params: s.IdParams,
    query: s.BroadcastRecipientQuery,
    status: 200,
    response: s.Page(s.BroadcastRecipient),
  }),
  cancelBroadcast: route({
    method: 'POST',
    path: '/api/v1/broadcasts/:id/cancel',
    summary: 'Stop what has not gone out',
    params: s.IdParams,
    status: 200,
    response: s.Broadcast,
  }),

  listFlows: route({
    method: 'GET',
    path: '/api/v1/flows',
    summary: 'Chatbot flows per channel',
    query: s.FlowQuery,
    status: 200,
    response: s.List(s.Flow),
  }),
  patchFlow: route({
    method: 'PATCH',
    path: '/api/v1/flows/:id',
    summary: 'Switch a flow on or off',
    params: s.IdParams,
    body: s.FlowPatch,
    status: 200,
    response: s.Flow,
  }),
  testFlow: route({
    method: 'POST',
    path: '/api/v1/flows/:id/test',
    summary: 'Run a flow against a sample input',
    params: s.IdParams,
    body: s.FlowTestRequest,
    status: 200,
    response: s.FlowTestResult,
  }),

  listTemplates: route({
    method: 'GET',
    path: '/api/v1/templates',
    summary: 'Canned replies: provider templates and own snippets',
    status: 200,
    response: s.List(s.Template),
  }),

  startDemo: route({
    method: 'POST',
    path: '/api/v1/demo',
    summary: 'Start the demo workspace: built-in simulators and one channel each',
    status: 201,
    response: s.List(s.Channel),
  }),

  getSettings: route({
    method: 'GET',
    path: '/api/v1/settings',
    summary: 'Preferences',
    status: 200,
    response: s.Settings,
  }),
  patchSettings: route({
    method: 'PATCH',
    path: '/api/v1/settings',
    summary: 'Change preferences',
    body: s.SettingsPatch,
    status: 200,
    response: s.Settings,
  }),
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
type Out<T> = T extends z.ZodType ? z.output<T> : never;
type In<T> = T extends z.ZodType ? z.input<T> : undefined;
export type ResponseOf<N extends RouteName> = Out<Routes[N]['response']>;
export type BodyOf<N extends RouteName> = Routes[N] extends { body: infer B } ? In<B> : undefined;
export type QueryOf<N extends RouteName> = Routes[N] extends { query: infer Q } ? In<Q> : undefined;
export type ParamsOf<N extends RouteName> = Routes[N] extends { params: infer P } ? In<P> : undefined;

/** The OpenAPI 3.1 document of the local API, generated from the route table. */
export const openApiDocument = (version: string) => openApiOf(routes, 'Agent Inbox local API', version);
