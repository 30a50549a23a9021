// The virtualized unified inbox: fixed-height rows, more pages fetched as the agent scrolls, and the
// agent's place kept when live updates insert conversations above what they are reading.
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Conversation } from '@contract/schemas';
import { firstPaintDone } from '../../app/afterFirstPaint';
import { afterPaint, markAfterPaint } from '../../app/perfMarks';
import { DEFAULT_FILTERS, useUi } from '../../app/store';
import { useNow } from '../../app/useNow';
import { EmptyState, ErrorState, SkeletonRows } from '../../app/ui/states';
import { useChannelMap } from '../channels/useChannels';
import { useOpenWhenReady } from '../conversation/openWhenReady';
import { useOutbox } from '../outbox/useOutbox';
import { useAssigneeFiltered } from '../team/assigneeViews';
import { ConversationRow } from './ConversationRow';
import { useConversationPages } from './useConversationPages';
import { useInboxKeys } from './useInboxKeys';
import { sameFilters } from './useTriage';
import { useScrollAnchor } from './useScrollAnchor';
import { clearSelection, toggleRange, toggleSelected, useSelection } from './selection';

export const ROW_HEIGHT = 78;
const PREFETCH_ROWS = 30;

let firstPaintMarked = false;

export function ConversationList() {
  const filters = useUi((s) => s.filters);
  const openId = useUi((s) => s.openId);
  const cursorId = useUi((s) => s.cursorId);
  const searching = useUi((s) => s.searchText.trim() !== '');
  const channels = useChannelMap();
  const now = useNow();
  const query = useConversationPages(filters);
  const notDelivered = useNotDelivered();
  const selected = useSelection((s) => s.ids);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const items = useAssigneeFiltered(query.items);
  const scrollRef = useRef<HTMLDivElement>(null);

  // The virtualizer is mutable by design; this component is simply left out of compiler memoization.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => items[i].id,
    // Five rows (390 px) kept ready above and below: a fast scroll still finds rows, and the first paint
    // lays out 15 rows at 1440×900, not 20 (rows are most of the page's elements).
    overscan: 5,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastVisible = virtualRows.length ? virtualRows[virtualRows.length - 1].index : -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastVisible >= items.length - PREFETCH_ROWS)
      void fetchNextPage();
  }, [lastVisible, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  useEffect(() => {
    if (firstPaintMarked || !items.length) return;
    firstPaintMarked = true;
    markAfterPaint('inbox:first-paint');
  }, [items.length]);
  // The inbox is on screen (its rows, or the empty or error state): what it did not need may be asked for.
  const settled = !query.isPending;
  useEffect(() => (settled ? afterPaint(firstPaintDone) : undefined), [settled]);

  const open = useOpenWhenReady();
  useScrollAnchor(scrollRef, items, ROW_HEIGHT);
  useInboxKeys(
    items,
    {
      scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: 'auto' }),
      focus: () => scrollRef.current?.focus({ preventScroll: true }),
      open,
    },
    !searching,
  );

  const itemsRef = useRef(items);
  useEffect(() => {
    itemsRef.current = items;
  }, [items]);
  const select = useCallback((id: string, range: boolean) => {
    if (range)
      toggleRange(
        id,
        itemsRef.current.map((c) => c.id),
      );
    else toggleSelected(id);
  }, []);
  // What was picked in one list is not carried into another.
  useEffect(() => clearSelection(), [filters]);

  if (query.isPending) return <SkeletonRows count={10} height={ROW_HEIGHT} />;
  if (query.isError) {
    return (
      <ErrorState
        what="The inbox could not be loaded."
        error={query.error}
        onRetry={() => void query.refetch()}
      />
    );
  }
  if (!items.length) return <EmptyInbox />;

  return (
    <div
      ref={scrollRef}
      className="conv-scroll"
      role="listbox"
      aria-label="Conversations"
      tabIndex={0}
      aria-activedescendant={cursorId ? `conversation-${cursorId}` : undefined}
    >
      <div className="conv-spacer" style={{ height: virtualizer.getTotalSize() }}>
        {virtualRows.map((row) => {
          const c: Conversation = items[row.index];
          return (
            <ConversationRow
              key={row.key}
              conversation={c}
              channelName={channels.get(c.channelId)?.name ?? ''}
              isOpen={c.id === openId}
              hasCursor={c.id === cursorId}
              selected={selected.has(c.id)}
              selecting={selected.size > 0}
              notDelivered={notDelivered.has(c.id)}
              now={c.waitingSince ? now : 0}
              top={row.start}
              height={ROW_HEIGHT}
              onOpen={open}
              onSelect={select}
            />
          );
        })}
      </div>
      {isFetchingNextPage && <div className="conv-loading-more">Loading more…</div>}
    </div>
  );
}

/** Conversations with a reply that failed for good (the agent must retry, edit or discard it). */
function useNotDelivered(): Set<string> {
  const outbox = useOutbox().data?.items;
  return useMemo(
    () =>
      new Set(
        (outbox ?? [])
          .filter((o) => o.kind === 'reply' && o.status === 'failed' && o.conversationId !== null)
          .map((o) => o.conversationId!),
      ),
    [outbox],
  );
}

function EmptyInbox() {
  const filters = useUi((s) => s.filters);
  if (sameFilters(filters, DEFAULT_FILTERS)) {
    return (
      <EmptyState title="No open conversations.">
        New messages from your channels appear here as they arrive; resolved conversations are under All.
      </EmptyState>
    );
  }
  const filtered =
    filters.source || filters.status || filters.tag || filters.unreadOnly || filters.sort === 'waiting';
  return filtered ? (
    <EmptyState title="No conversations match these filters.">Clear a filter above to see more.</EmptyState>
  ) : (
    <EmptyState title="No conversations yet.">
      New messages from your channels appear here as they arrive. Check the Channels view if you expected
      some.
    </EmptyState>
  );
}
