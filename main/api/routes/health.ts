// Liveness: the version, each channel's state and what start-up has to say.
import type { HandlerDeps, RouteHandlers } from './deps';

export const healthRoutes = (d: HandlerDeps): RouteHandlers<'health'> => ({
  health: () => ({
    status: 'ok',
    version: d.version,
    channels: d.channels.list().map((c) => ({ id: c.id, status: c.status })),
    notices: d.notices,
  }),
});
