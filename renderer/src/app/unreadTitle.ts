// "(N) Agent Inbox" in the window or tab title, N = conversations with unread customer messages (in team mode
// "Mine unread": those assigned to this agent). Read once (GET /conversations?unread=true), then kept by
// `conversation.updated` events (see useLiveUpdates).
import { useEffect } from 'react';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import type { Conversation } from '@contract/schemas';
import { keys } from '../api/keys';
import { useApi } from '../api/session';
import { useMyAgentId } from '../features/team/useTeam';
import { useAfterFirstPaint } from './afterFirstPaint';

const APP_TITLE = 'Agent Inbox';
/** One page of unread conversations is read; beyond it the title says "500+". */
const COUNTED = 500;

type Unread = Pick<Conversation, 'unreadCount' | 'assigneeId'>;

/** Each conversation that has unread messages, and whether there were more than one page. */
export interface UnreadConversations {
  byId: Record<string, Unread>;
  more: boolean;
}

const unreadOf = (c: Conversation): Unread => ({ unreadCount: c.unreadCount, assigneeId: c.assigneeId });

export function applyUnread(qc: QueryClient, c: Conversation): void {
  qc.setQueryData<UnreadConversations>(keys.unreadConversations, (data) => {
    const was = data?.byId[c.id];
    const same = was
      ? was.unreadCount === c.unreadCount && was.assigneeId === c.assigneeId
      : c.unreadCount === 0;
    if (!data || same) return data;
    const byId = { ...data.byId };
    if (c.unreadCount > 0) byId[c.id] = unreadOf(c);
    else delete byId[c.id];
    return { ...data, byId };
  });
}

/** `me`: in team mode only the conversations assigned to this agent count; null (solo mode): all of them. */
export function titleFor(data: UnreadConversations | undefined, me: string | null): string {
  const count = Object.values(data?.byId ?? {}).filter((u) => me === null || u.assigneeId === me).length;
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
        byId: Object.fromEntries(page.items.map((c) => [c.id, unreadOf(c)])),
        more: page.nextCursor !== null,
      };
    },
    staleTime: Infinity,
    enabled: useAfterFirstPaint(),
  });
  const title = titleFor(unread.data, useMyAgentId());
  useEffect(() => {
    document.title = title;
  }, [title]);
}
