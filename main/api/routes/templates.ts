// Canned answers: the providers' templates, then the agent's own snippets from the settings.
import type { HandlerDeps, RouteHandlers } from './deps';

export const templateRoutes = ({ store }: HandlerDeps): RouteHandlers<'listTemplates'> => ({
  listTemplates: () => ({
    items: [
      ...store.templates.all().map((t) => ({
        id: `${t.channel_id}:${t.external_id}`,
        channelId: t.channel_id,
        name: t.name,
        text: t.text,
      })),
      ...store.settings
        .get()
        .snippets.map((sn, i) => ({ id: `snippet:${i}`, channelId: null, name: sn.name, text: sn.text })),
    ],
  }),
});
