// The demo workspace: simulated providers with sample conversations, started on request.
import type { HandlerDeps, RouteHandlers } from './deps';

export const demoRoutes = (d: HandlerDeps): RouteHandlers<'startDemo'> => ({
  startDemo: async () => ({ items: await d.startDemo() }),
});
