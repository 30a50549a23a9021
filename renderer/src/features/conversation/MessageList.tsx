// The conversation's history, oldest at the top: scrolling up loads older pages without a jump, new
// messages keep the view pinned to the bottom when the agent is there, and a search hit is scrolled to.
import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import type { Message } from '@contract/schemas';
import { dayLabel } from '../../app/format';
import { useUi } from '../../app/store';
import { EmptyState, ErrorState, SkeletonRows } from '../../app/ui/states';
import { MessageBubble } from './MessageBubble';
import { useMessagePages } from './useMessages';
import { useRetryMessage } from './useRetryMessage';

const LOAD_OLDER_PX = 240;
const PINNED_PX = 80;
/** How far back to page when looking for a message opened from search. */
const MAX_PAGES_FOR_FOCUS = 40;

export function MessageList({ conversationId }: { conversationId: string }) {
  const query = useMessagePages(conversationId);
  const { messages, hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const focusMessageId = useUi((s) => s.focusMessageId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const retry = useRetryMessage(conversationId);

  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  useScrollBehaviour(scrollRef, messages, conversationId);
  // A first page too short to scroll would never reach the "load older" edge.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && el.scrollHeight <= el.clientHeight) loadOlder();
  }, [messages, loadOlder]);
  useShownMark(conversationId, messages.length > 0 || query.isSuccess);
  useFocusMessage(
    scrollRef,
    messages,
    focusMessageId,
    hasNextPage && (query.data?.pages.length ?? 0) < MAX_PAGES_FOR_FOCUS,
    loadOlder,
  );

  if (query.isPending) return <SkeletonRows count={6} height={64} />;
  if (query.isError) {
    return (
      <ErrorState
        what="Messages could not be loaded."
        error={query.error}
        onRetry={() => void query.refetch()}
      />
    );
  }

  return (
    <div
      ref={scrollRef}
      className="msg-scroll"
      role="log"
      aria-label="Messages"
      tabIndex={0}
      onScroll={(e) => {
        if (e.currentTarget.scrollTop < LOAD_OLDER_PX) loadOlder();
      }}
    >
      {hasNextPage ? (
        <div className="msg-older">{isFetchingNextPage ? 'Loading earlier messages…' : ''}</div>
      ) : (
        messages.length > 0 && <div className="msg-older">Beginning of the conversation</div>
      )}
      {!messages.length && <EmptyState title="No messages in this conversation yet." />}
      {messages.map((m, i) => (
        <Fragment key={m.id}>
          {(i === 0 || dayLabel(messages[i - 1].createdAt) !== dayLabel(m.createdAt)) && (
            <div className="msg-day" role="separator">
              {dayLabel(m.createdAt)}
            </div>
          )}
          <MessageBubble
            message={m}
            highlighted={m.id === focusMessageId}
            onRetry={retry.run}
            retrying={retry.pendingId === m.id}
          />
        </Fragment>
      ))}
    </div>
  );
}

/** Bottom on open; bottom again on new messages if the agent was there; no jump when older ones load. */
function useScrollBehaviour(
  ref: RefObject<HTMLDivElement | null>,
  messages: Message[],
  conversationId: string,
) {
  const last = useRef<{
    conversationId: string;
    first?: string;
    last?: string;
    height: number;
    pinned: boolean;
  }>({
    conversationId: '',
    height: 0,
    pinned: true,
  });

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const prev = last.current;
    const first = messages[0]?.id;
    const newest = messages[messages.length - 1];
    if (prev.conversationId !== conversationId || prev.last === undefined) {
      if (!useUi.getState().focusMessageId) el.scrollTop = el.scrollHeight;
    } else if (first !== prev.first && newest?.id === prev.last) {
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (newest?.id !== prev.last && (prev.pinned || newest?.direction === 'out')) {
      el.scrollTop = el.scrollHeight;
    }
    last.current = { conversationId, first, last: newest?.id, height: el.scrollHeight, pinned: isPinned(el) };
  }, [ref, messages, conversationId]);

  const hasMessages = messages.length > 0;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      last.current.pinned = isPinned(el);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, [ref, hasMessages]);
}

const isPinned = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < PINNED_PX;

function useShownMark(conversationId: string, shown: boolean) {
  useEffect(() => {
    if (!shown) return;
    const frame = requestAnimationFrame(() => performance.mark(`conversation:shown:${conversationId}`));
    return () => cancelAnimationFrame(frame);
  }, [conversationId, shown]);
}

/** Pages back until the message from a search hit is loaded, then centres and highlights it. */
function useFocusMessage(
  ref: RefObject<HTMLDivElement | null>,
  messages: Message[],
  focusMessageId: string | null,
  canLoadMore: boolean,
  loadOlder: () => void,
) {
  const found = focusMessageId ? messages.some((m) => m.id === focusMessageId) : false;
  useEffect(() => {
    if (!focusMessageId || !messages.length) return;
    if (found) {
      ref.current
        ?.querySelector(`#message-${CSS.escape(focusMessageId)}`)
        ?.scrollIntoView({ block: 'center' });
      const t = setTimeout(() => useUi.setState({ focusMessageId: null }), 2500);
      return () => clearTimeout(t);
    }
    if (canLoadMore) loadOlder();
    else useUi.setState({ focusMessageId: null });
  }, [ref, focusMessageId, found, canLoadMore, loadOlder, messages.length]);
}
