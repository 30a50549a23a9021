// Every endpoint of the local API, once: the server validates against these schemas, the renderer's
// client is typed by them, and the OpenAPI document is generated from them.
import { z } from 'zod';
import * as s from './schemas';

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
    summary: 'Add a provider account (kept even if the provider refuses it: the channel then shows why)',
    body: s.ChannelCreate,
    status: 201,
    response: s.Channel,
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
    summary: 'Rename, re-point, new credentials, pause/resume',
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
    summary: 'Remove an account and its cached data',
    params: s.IdParams,
    status: 204,
    response: z.null(),
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
    summary: 'One conversation',
    params: s.IdParams,
    status: 200,
    response: s.Conversation,
  }),
  patchConversation: route({
    method: 'PATCH',
    path: '/api/v1/conversations/:id',
    summary: 'Status, read state, tags, snooze',
    params: s.IdParams,
    body: s.ConversationPatch,
    status: 200,
    response: s.Conversation,
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
    summary: 'Full-text search over messages and contacts',
    query: s.SearchQuery,
    status: 200,
    response: s.List(s.SearchHit),
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
  }),
  previewBroadcast: route({
    method: 'POST',
    path: '/api/v1/broadcasts/preview',
    summary: 'Recipient count and ETA for an audience',
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
