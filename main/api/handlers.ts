// One handler per route of the contract, grouped by resource in ./routes. Inputs arrive validated
// (plugins/contract.ts); handlers map ids, call the services and throw a DomainError (or an ApiError) for
// anything the agent must hear about.
import type { Handlers } from './plugins/contract';
import { broadcastRoutes } from './routes/broadcasts';
import { channelRoutes } from './routes/channels';
import { conversationRoutes } from './routes/conversations';
import { customerRoutes } from './routes/customers';
import { demoRoutes } from './routes/demo';
import type { HandlerDeps } from './routes/deps';
import { flowRoutes } from './routes/flows';
import { healthRoutes } from './routes/health';
import { messageRoutes } from './routes/messages';
import { outboxRoutes } from './routes/outbox';
import { searchRoutes } from './routes/search';
import { settingsRoutes } from './routes/settings';
import { teamRoutes } from './routes/team';
import { templateRoutes } from './routes/templates';
import { triageRoutes } from './routes/triage';

export function createHandlers(d: HandlerDeps): Handlers {
  return {
    ...healthRoutes(d),
    ...channelRoutes(d),
    ...conversationRoutes(d),
    ...triageRoutes(d),
    ...customerRoutes(d),
    ...messageRoutes(d),
    ...outboxRoutes(d),
    ...searchRoutes(d),
    ...broadcastRoutes(d),
    ...flowRoutes(d),
    ...templateRoutes(d),
    ...demoRoutes(d),
    ...settingsRoutes(d),
    ...teamRoutes(d),
  };
}
