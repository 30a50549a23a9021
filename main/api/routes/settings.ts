// The agent's preferences.
import type { HandlerDeps, RouteHandlers } from './deps';

export const settingsRoutes = ({ store }: HandlerDeps): RouteHandlers<'getSettings' | 'patchSettings'> => ({
  getSettings: () => store.settings.get(),
  patchSettings: ({ body }) => store.settings.patch(body),
});
