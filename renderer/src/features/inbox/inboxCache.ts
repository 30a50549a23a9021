// The inbox's cached pages, kept current by socket events without refetching: a changed conversation
// leaves its old place and is inserted where its sort key now puts it, in every cached list it matches.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { QueryOf } from '@contract/routes';
import type { Conversation, PageOf } from '@contract/schemas';
import { keys } from '../../api/keys';
import type { InboxFilters } from '../../app/store';

export type InboxPages = InfiniteData<PageOf<Conversation>, string | null>;

/**
 * The first page is what the inbox waits for before it paints: enough rows for a tall window and those kept
 * ready below it, half of a later page, so the API answers it and the page parses it sooner.
 */
const FIRST_PAGE_SIZE = 50;
const PAGE_SIZE = 100;

export function filtersToQuery(f: InboxFilters, cursor: string | null): QueryOf<'listConversations'> {
  const [kind, id] = f.source.split(/:(.*)/s);
  return {
    channel: kind === 'channel' ? id : undefined,
    provider: kind === 'provider' ? (id as Conversation['provider']) : undefined,
    status: f.status || undefined,
    tag: f.tag || undefined,
    unread: f.unreadOnly ? 'true' : undefined,
    sort: f.sort,
    limit: cursor ? PAGE_SIZE : FIRST_PAGE_SIZE,
    cursor: cursor ?? undefined,
  };
}

/** The server's `status=active`: open, pending, or snoozed until a time that has passed. */
function isOpenWork(c: Conversation, now: number): boolean {
  if (c.status === 'snoozed') return c.snoozedUntil !== null && Date.parse(c.snoozedUntil) <= now;
  return c.status === 'open' || c.status === 'pending';
}

export function matchesFilters(c: Conversation, f: InboxFilters): boolean {
  const [kind, id] = f.source.split(/:(.*)/s);
  if (kind === 'channel' && c.channelId !== id) return false;
  if (kind === 'provider' && c.provider !== id) return false;
  if (f.status === 'active' ? !isOpenWork(c, Date.now()) : f.status && c.status !== f.status) return false;
  if (f.tag && !c.tags.includes(f.tag)) return false;
  if (f.unreadOnly && c.unreadCount === 0) return false;
  if (f.sort === 'waiting' && !c.waitingSince) return false;
  return true;
}

/** Negative when `a` comes before `b` in the list, mirroring the server's keyset order. */
function compareFor(sort: InboxFilters['sort']): (a: Conversation, b: Conversation) => number {
  if (sort === 'waiting') {
    return (a, b) =>
      (a.waitingSince ?? '').localeCompare(b.waitingSince ?? '') || Number(a.id) - Number(b.id);
  }
  return (a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || Number(b.id) - Number(a.id);
}

function withConversation(
  data: InboxPages,
  c: Conversation,
  f: InboxFilters,
  keepId: string | null,
): InboxPages {
  const compare = compareFor(f.sort);
  let old: Conversation | undefined;
  const pages = data.pages.map((page) => {
    const i = page.items.findIndex((x) => x.id === c.id);
    if (i < 0) return page;
    old = page.items[i];
    return { ...page, items: page.items.filter((_, j) => j !== i) };
  });
  const matches = matchesFilters(c, f) || (c.id === keepId && old !== undefined);
  if (!matches) return old ? { ...data, pages } : data;

  // An edit that does not move the conversation (read, tags, status) keeps it exactly where it was.
  if (old && compare(old, c) === 0) return { ...data, pages: replaceIn(data.pages, c) };

  for (let p = 0; p < pages.length; p++) {
    const items = pages[p].items;
    const at = items.findIndex((x) => compare(c, x) < 0);
    const isLastPage = p === pages.length - 1;
    if (at >= 0 || (isLastPage && pages[p].nextCursor === null)) {
      const next = [...items];
      next.splice(at >= 0 ? at : items.length, 0, c);
      pages[p] = { ...pages[p], items: next };
      return { ...data, pages };
    }
  }
  // It sorts after everything loaded so far; the next page fetch brings it.
  return { ...data, pages };
}

function replaceIn(pages: PageOf<Conversation>[], c: Conversation): PageOf<Conversation>[] {
  return pages.map((page) =>
    page.items.some((x) => x.id === c.id)
      ? { ...page, items: page.items.map((x) => (x.id === c.id ? c : x)) }
      : page,
  );
}

/** Applies one changed conversation to every cached inbox list and to its own detail entry. */
export function applyConversation(qc: QueryClient, c: Conversation, keepId: string | null): void {
  qc.setQueryData(keys.conversation(c.id), c);
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.conversationLists })) {
    const filters = query.queryKey[1] as InboxFilters | undefined;
    const data = query.state.data as InboxPages | undefined;
    if (!filters || !data) continue;
    const next = withConversation(data, c, filters, keepId);
    if (next !== data) qc.setQueryData(query.queryKey, next);
  }
}

/** The conversation as any cached list knows it, to show something before its own fetch answers. */
export function findCachedConversation(qc: QueryClient, id: string): Conversation | undefined {
  for (const [, data] of qc.getQueriesData<InboxPages>({ queryKey: keys.conversationLists })) {
    for (const page of data?.pages ?? []) {
      const hit = page.items.find((x) => x.id === id);
      if (hit) return hit;
    }
  }
  return undefined;
}
