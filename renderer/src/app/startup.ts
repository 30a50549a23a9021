// What the renderer starts before anything else is evaluated (main.tsx imports this module first): the link to
// the local API and the request for the inbox's first page, so that page is on its way while React and the
// views load and the inbox can paint its rows in its first render. Keep this module's imports light: nothing
// here may pull in React DOM or the views.
import type { ResponseOf } from '@contract/routes';
import { createApiClient } from '../api/client';
import { resolveConnection } from '../api/connection';
import { keys } from '../api/keys';
import { filtersToQuery } from '../features/inbox/inboxCache';
import { useUi } from './store';

export const connection = resolveConnection();
export const api = connection ? createApiClient(connection) : null;

export interface FirstInboxPage {
  key: ReturnType<typeof keys.conversationList>;
  page: Promise<ResponseOf<'listConversations'>>;
}

/** The inbox's first page for the filters it opens with, when the inbox is the view shown first. */
export const firstInboxPage = ((): FirstInboxPage | null => {
  const { view, filters } = useUi.getState();
  if (!api || view !== 'inbox') return null;
  return {
    key: keys.conversationList(filters),
    page: api.call('listConversations', { query: filtersToQuery(filters, null) }),
  };
})();
