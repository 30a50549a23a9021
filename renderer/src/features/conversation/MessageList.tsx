// The conversation's history, oldest at the top, virtualized: only the messages in view (and a few around)
// are in the DOM, so a thread of 10,000 opens and scrolls as fast as one of ten. Scrolling up loads older
// pages without a jump; while the agent is at the bottom it stays there, whatever grows (a new message, a
// failed reply's "Not delivered" line, the banner above the composer); a search hit is scrolled to.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from 'react';
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import type { Message } from '@contract/schemas';
import type { TeamNote } from '@contract/team';
import { dayLabel } from '../../app/format';
import { markAfterPaint } from '../../app/perfMarks';
import { useUi } from '../../app/store';
import { EmptyState, ErrorState, SkeletonRows } from '../../app/ui/states';
import { NoteBubble } from '../team/NoteBubble';
import { useNotes } from '../team/notes';
import { MessageBubble } from './MessageBubble';
import { useMessagePages } from './useMessages';
import { useRetryMessage } from './useRetryMessage';

const LOAD_OLDER_PX = 600;
const PINNED_PX = 80;
const ESTIMATED_MESSAGE_PX = 64;
const ESTIMATED_DAY_PX = 34;
/** How far back to page when looking for a message opened from search. */
const MAX_PAGES_FOR_FOCUS = 40;

type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'note'; key: string; note: TeamNote };

type Entry = { kind: 'message'; at: string; message: Message } | { kind: 'note'; at: string; note: TeamNote };

/**
 * Messages and the team's internal notes in time order, with a day separator before each day's first. Notes
 * older than the oldest loaded message wait until that page is loaded.
 */
function rowsOf(messages: Message[], notes: TeamNote[], allLoaded: boolean): Row[] {
  const oldest = messages[0]?.createdAt ?? '';
  const entries: Entry[] = messages.map((m) => ({ kind: 'message', at: m.createdAt, message: m }));
  if (notes.length) {
    for (const n of notes)
      if (allLoaded || n.createdAt >= oldest) entries.push({ kind: 'note', at: n.createdAt, note: n });
    // Stable: messages keep their order, each note goes after what came before it.
    entries.sort((a, b) => a.at.localeCompare(b.at));
  }
  const rows: Row[] = [];
  let day = '';
  for (const e of entries) {
    const id = e.kind === 'message' ? e.message.id : `note:${e.note.id}`;
    const label = dayLabel(e.at);
    if (label !== day) {
      rows.push({ kind: 'day', key: `day:${id}`, label });
      day = label;
    }
    rows.push(
      e.kind === 'message'
        ? { kind: 'message', key: id, message: e.message }
        : { kind: 'note', key: id, note: e.note },
    );
  }
  return rows;
}

type MessageVirtualizer = Virtualizer<HTMLDivElement, Element>;

export function MessageList({ conversationId }: { conversationId: string }) {
  const query = useMessagePages(conversationId);
  const { messages, hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const focusMessageId = useUi((s) => s.focusMessageId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const retry = useRetryMessage(conversationId);
  const notes = useNotes(conversationId);
  const rows = useMemo(() => rowsOf(messages, notes, !hasNextPage), [messages, notes, hasNextPage]);

  // The virtualizer is mutable by design; this component is simply left out of compiler memoization.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'day' ? ESTIMATED_DAY_PX : ESTIMATED_MESSAGE_PX),
    getItemKey: (i) => rows[i].key,
    overscan: 8,
    // It opens at the newest messages: the first render lays out the rows at the bottom (for a window-high
    // pane until it is measured), not the oldest ones only to scroll away from them at once.
    initialOffset: () => rows.length * ESTIMATED_MESSAGE_PX,
    initialRect: { width: 0, height: window.innerHeight },
  });

  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const followScroll = useStickToBottom(scrollRef, virtualizer, rows, conversationId);
  // A first page too short to scroll would never reach the "load older" edge.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && el.scrollHeight <= el.clientHeight) loadOlder();
  }, [rows, loadOlder]);
  useShownMark(conversationId, messages.length > 0 || query.isSuccess);
  useFocusMessage(
    virtualizer,
    rows,
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
        followScroll(e.currentTarget);
        if (e.currentTarget.scrollTop < LOAD_OLDER_PX) loadOlder();
      }}
    >
      {hasNextPage ? (
        <div className="msg-older">{isFetchingNextPage ? 'Loading earlier messages…' : ''}</div>
      ) : (
        messages.length > 0 && <div className="msg-older">Beginning of the conversation</div>
      )}
      {!messages.length && <EmptyState title="No messages in this conversation yet." />}
      <div className="msg-rows" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          return (
            <div
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              className="msg-row"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {row.kind === 'day' ? (
                <div className="msg-day" role="separator">
                  {row.label}
                </div>
              ) : row.kind === 'note' ? (
                <NoteBubble note={row.note} />
              ) : (
                <MessageBubble
                  message={row.message}
                  highlighted={row.message.id === focusMessageId}
                  onRetry={retry.run}
                  onEdit={retry.edit}
                  retrying={retry.pendingId === row.message.id}
                />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

const isPinned = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < PINNED_PX;

/**
 * At the bottom on open; at the bottom again when anything below grows or the pane shrinks while the agent
 * was there (a new message, a reply turning "Not delivered", the failed-reply banner); the agent's own reply
 * always brings the view down. Older pages coming in above keep the view where it was (the virtualizer
 * shifts the scroll position by what was added above).
 */
function useStickToBottom(
  ref: RefObject<HTMLDivElement | null>,
  virtualizer: MessageVirtualizer,
  rows: Row[],
  conversationId: string,
): (el: HTMLElement) => void {
  const pinned = useRef(true);
  const lastTop = useRef(0);
  const last = useRef<{ conversationId: string; first?: string; newest?: string; total: number }>({
    conversationId: '',
    total: 0,
  });
  const toBottom = useCallback(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [ref]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const prev = last.current;
    const first = rows[0]?.key;
    const newestRow = rows[rows.length - 1];
    const newest = newestRow?.key;
    const total = virtualizer.getTotalSize();
    if (prev.conversationId !== conversationId || prev.newest === undefined) {
      pinned.current = true;
      if (!useUi.getState().focusMessageId) toBottom();
    } else if (first !== prev.first && newest === prev.newest) {
      // Older messages were added above: keep the same messages in view.
      el.scrollTop += total - prev.total;
    } else if (
      newest !== prev.newest &&
      (pinned.current ||
        (newestRow?.kind === 'message' && newestRow.message.direction === 'out') ||
        (newestRow?.kind === 'note' && newestRow.note.status === 'queued'))
    ) {
      toBottom();
      pinned.current = true;
    }
    last.current = { conversationId, first, newest, total };
  }, [ref, virtualizer, rows, conversationId, toBottom]);

  const hasRows = rows.length > 0;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const keep = () => {
      if (pinned.current) toBottom();
    };
    const observer = new ResizeObserver(keep);
    observer.observe(el);
    const content = el.querySelector('.msg-rows');
    if (content) observer.observe(content);
    return () => observer.disconnect();
  }, [ref, hasRows, toBottom]);

  // Only the agent scrolling up lets go of the bottom. Measuring rows moves the scroll position down (rows
  // above grew) or leaves it (rows below grew), so it can never unpin the view by itself.
  return useCallback((el: HTMLElement) => {
    if (el.scrollTop < lastTop.current - 1) pinned.current = isPinned(el);
    else if (isPinned(el)) pinned.current = true;
    lastTop.current = el.scrollTop;
  }, []);
}

function useShownMark(conversationId: string, shown: boolean) {
  useEffect(
    () => (shown ? markAfterPaint(`conversation:shown:${conversationId}`) : undefined),
    [conversationId, shown],
  );
}

/** Pages back until the message from a search hit is loaded, then centres and highlights it. */
function useFocusMessage(
  virtualizer: MessageVirtualizer,
  rows: Row[],
  focusMessageId: string | null,
  canLoadMore: boolean,
  loadOlder: () => void,
) {
  const index = focusMessageId ? rows.findIndex((r) => r.key === focusMessageId) : -1;
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (!focusMessageId || !hasRows) return;
    if (index >= 0) {
      virtualizer.scrollToIndex(index, { align: 'center' });
      const t = setTimeout(() => useUi.setState({ focusMessageId: null }), 2500);
      return () => clearTimeout(t);
    }
    if (canLoadMore) loadOlder();
    else useUi.setState({ focusMessageId: null });
  }, [virtualizer, focusMessageId, index, hasRows, canLoadMore, loadOlder]);
}
