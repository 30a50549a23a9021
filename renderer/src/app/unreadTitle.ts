// "(N) Agent Inbox" in the window or tab title, N = conversations with unread customer messages. Read once
// (GET /conversations?unread=true), then kept by `conversation.updated` events (see useLiveUpdates).
import { useEffect } from 'react';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import type { Conversation } from '@contract/schemas';
import { keys } from '../api/keys';
import { useApi } from '../api/session';
import { useAfterFirstPaint } from './afterFirstPaint';

const APP_TITLE = 'Agent Inbox';
/** One page of unread conversations is read; beyond it the title says "500+". */
const COUNTED = 500;

/** Unread message count per conversation that has any, and whether there were more than one page. */
export interface UnreadConversations {
  byId: Record<string, number>;
  more: boolean;
}

export function applyUnread(qc: QueryClient, c: Conversation): void {
  qc.setQueryData<UnreadConversations>(keys.unreadConversations, (data) => {
    if (!data || (data.byId[c.id] ?? 0) === c.unreadCount) return data;
    const byId = { ...data.byId };
    if (c.unreadCount > 0) byId[c.id] = c.unreadCount;
    else delete byId[c.id];
    return { ...data, byId };
  });
}

export function titleFor(data: UnreadConversations | undefined): string {
  const count = data ? Object.keys(data.byId).length : 0;
  if (!count) return APP_TITLE;
  return `(${count}${data?.more ? '+' : ''}) ${APP_TITLE}`;
}

export function useUnreadTitle(): void {
  const api = useApi();
  const unread = useQuery({
    queryKey: keys.unreadConversations,
    queryFn: async (): Promise<UnreadConversations> => {
      const page = await api.call('listConversations', {
        query: { unread: 'true', sort: 'latest', limit: COUNTED },
      });
      return {
        byId: Object.fromEntries(page.items.map((c) => [c.id, c.unreadCount])),
        more: page.nextCursor !== null,
      };
    },
    staleTime: Infinity,
    enabled: useAfterFirstPaint(),
  });
  const title = titleFor(unread.data);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
