// Chatbot flows: listed per channel, switched on or off through the outbox, tested where the provider can.
import type { HandlerDeps, RouteHandlers } from './deps';

export const flowRoutes = ({
  flows,
}: HandlerDeps): RouteHandlers<'listFlows' | 'patchFlow' | 'testFlow'> => ({
  listFlows: ({ query }) => ({ items: flows.list(query.channel) }),
  patchFlow: ({ params, body }) => flows.setActive(params.id, body.active),
  testFlow: ({ params, body }) => flows.test(params.id, body.input),
});
