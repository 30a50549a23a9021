// Opening a conversation from the inbox asks for its newest messages first and switches the reading pane once
// they are here (at most OPEN_WAIT_MS later; they come over loopback in milliseconds), so the pane paints the
// conversation with its messages in one frame instead of a skeleton first and the messages frames later.
import { useCallback } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../../api/client';
import { useApi } from '../../api/session';
import { openConversation, useUi } from '../../app/store';
import { customerDetail } from '../customers/useCustomer';
import { findCachedConversation } from '../inbox/inboxCache';
import { loadConversationView } from './lazyConversationView';
import { conversationDetail } from './useConversation';
import { messagePages } from './useMessages';

const OPEN_WAIT_MS = 100;

/** The latest open asked for: an earlier one still waiting for its messages gives way to it. */
let latestOpen = 0;

function openWhenReady(qc: QueryClient, api: ApiClient, id: string): void {
  const { openId } = useUi.getState();
  if (openId === id) return openConversation(id);
  const open = ++latestOpen;
  const messages = qc.prefetchInfiniteQuery(messagePages(api, id));
  // The pane's other requests go out now as well, while the messages are on their way, rather than from the
  // render that shows them: each fetch() costs the page's thread a few milliseconds.
  void qc.prefetchQuery(conversationDetail(api, id));
  const customerId = findCachedConversation(qc, id)?.customerId;
  if (customerId) void qc.prefetchQuery(customerDetail(api, customerId));
  const waited = new Promise<void>((resolve) => setTimeout(resolve, OPEN_WAIT_MS));
  // The pane's code too, the first time; a failed load does not hold the open back (the pane's own import
  // then fails the same way).
  const code = loadConversationView().catch(() => undefined);
  void Promise.race([Promise.all([messages, code]), waited]).then(() => {
    // Not when another conversation was opened meanwhile (from search, a notification, another click).
    if (open === latestOpen && useUi.getState().openId === openId) openConversation(id);
  });
}

export function useOpenWhenReady(): (id: string) => void {
  const api = useApi();
  const qc = useQueryClient();
  return useCallback((id: string) => openWhenReady(qc, api, id), [qc, api]);
}
