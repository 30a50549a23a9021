// ChatPion's lists (subscribers, messages, flows) are page/limit pages with a total, in an order the
// document leaves open. These helpers read them from their newest end whichever order the server uses,
// detecting it from the items' times (then numeric ids).
import { isoTime, num, type Json } from '../parse';

export type Order = 'newest-first' | 'oldest-first';

export interface Page {
  total: number;
  /** The page size the server used (echoed `limit`, else inferred). */
  limit: number;
  items: Json[];
}

export type FetchPage = (page: number, limit: number) => Promise<Page>;

/** Where a list stood when last read. */
export interface ListMark {
  total: number;
  limit: number;
  order: Order;
}

/** Backfill position in one list: the next page to read, going from the newest end to the oldest. */
export interface Walk {
  order: Order;
  limit: number;
  next: number;
  read: number;
}

export const PAGE_SIZE = 100;

const EPOCH = new Date(0).toISOString();

/** The order of one page, from its first and last items; null when it cannot tell (fewer than 2, all equal). */
export function detectOrder(items: Json[], timeKey: string): Order | null {
  if (items.length < 2) return null;
  const rank = (it: Json) => [Date.parse(isoTime(it[timeKey], EPOCH)), num(it.id, NaN)];
  const [t1, id1] = rank(items[0]);
  const [t2, id2] = rank(items[items.length - 1]);
  if (t1 !== t2) return t1 > t2 ? 'newest-first' : 'oldest-first';
  if (Number.isFinite(id1) && Number.isFinite(id2) && id1 !== id2)
    return id1 > id2 ? 'newest-first' : 'oldest-first';
  return null;
}

/** The page that holds the newest item. */
export const newestPage = (m: ListMark): number =>
  m.order === 'newest-first' ? 1 : Math.max(1, Math.ceil(m.total / m.limit));

/** First look at a list: where it stands and its newest page. */
export async function openList(
  fetchPage: FetchPage,
  timeKey: string,
): Promise<{ mark: ListMark; newest: Json[] }> {
  const first = await fetchPage(1, PAGE_SIZE);
  // Doc silent on order: a page that does not show it (one item, equal times) is taken as newest first.
  const order = detectOrder(first.items, timeKey) ?? 'newest-first';
  const mark: ListMark = { total: first.total, limit: first.limit, order };
  const page = newestPage(mark);
  return { mark, newest: page === 1 ? first.items : (await fetchPage(page, mark.limit)).items };
}

/**
 * Everything from the page that held the newest item at `mark` to the current newest end: one request
 * when the list did not grow. `newest` is the newest page now (for status tracking).
 */
export async function readSince(
  fetchPage: FetchPage,
  mark: ListMark,
  timeKey: string,
): Promise<{ mark: ListMark; items: Json[]; newest: Json[] }> {
  const start = newestPage(mark);
  const head = await fetchPage(start, mark.limit);
  const added = Math.max(0, head.total - mark.total);
  const end =
    mark.order === 'newest-first' ? Math.ceil(added / mark.limit) : Math.ceil(head.total / mark.limit);
  const pages = [head.items];
  for (let p = start + 1; p <= end; p++) pages.push((await fetchPage(p, mark.limit)).items);
  const order = detectOrder(head.items, timeKey) ?? mark.order;
  return {
    mark: { total: head.total, limit: mark.limit, order },
    items: pages.flat(),
    newest: mark.order === 'newest-first' ? head.items : pages[pages.length - 1],
  };
}

/** One backfill step: the next page from the newest end, and where to continue (null: reached the end or `maxPages`). */
export async function walkStep(
  fetchPage: FetchPage,
  timeKey: string,
  walk: Walk | null,
  maxPages: number,
): Promise<{ items: Json[]; next: Walk | null }> {
  let items: Json[];
  let total: number;
  let w: Walk;
  if (walk) {
    const page = await fetchPage(walk.next, walk.limit);
    [items, total, w] = [page.items, page.total, walk];
  } else {
    const { mark, newest } = await openList(fetchPage, timeKey);
    [items, total, w] = [
      newest,
      mark.total,
      { order: mark.order, limit: mark.limit, next: newestPage(mark), read: 0 },
    ];
  }
  const next = w.order === 'newest-first' ? w.next + 1 : w.next - 1;
  const more = w.order === 'newest-first' ? w.next * w.limit < total : next >= 1;
  const read = w.read + 1;
  return { items, next: items.length > 0 && more && read < maxPages ? { ...w, next, read } : null };
}
