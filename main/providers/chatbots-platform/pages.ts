// Walking a page/pageSize collection newest first. The document does not say in which order lists
// come, so the order is detected from the first page's timestamps: newest-first lists are walked
// forward, oldest-first lists from their last page back, and lists of unknown order forward.
// A walk may stop early at old items only when the first page showed that the list is sorted by that
// time (and not by another one, such as creation, that runs the same way there).
import { isObj, num, type Json } from '../parse';
import type { Page } from './read';

export type FetchPage = (page: number) => Promise<Page>;
export type TimeOf = (item: Json) => number | null;
export type Order = 'newest-first' | 'oldest-first' | 'unknown';

/** Where a walk stands: the next page to fetch. JSON-serialisable, so it can live in a cursor. */
export interface Walk {
  order: Order;
  /** The first page proved the list sorted by the walk's time. */
  trusted: boolean;
  next: number;
  last: number | null;
}

export interface Step {
  /** This page's items, newest first. */
  items: Json[];
  /** The list is sorted by `time` as the walk assumes, so later pages hold only older items. */
  ordered: boolean;
  /** null: nothing more to fetch. */
  walk: Walk | null;
}

/** How a page's items run by one time: 'unknown' when mixed, 'flat' when there is too little to tell. */
function runOf(items: Json[], time: TimeOf): Order | 'flat' {
  const times = items.map(time).filter((t): t is number => t !== null);
  let ascending = true;
  let descending = true;
  for (let i = 1; i < times.length; i++) {
    if (times[i] < times[i - 1]) ascending = false;
    if (times[i] > times[i - 1]) descending = false;
  }
  if (ascending && descending) return 'flat';
  if (ascending) return 'oldest-first';
  return descending ? 'newest-first' : 'unknown';
}

/**
 * True when the first page (in server order) runs by `time` in `order`, and `other` (another time the
 * server might sort by instead, e.g. creation) does not also run monotonically, which would leave it open.
 */
function proves(items: Json[], order: Order, time: TimeOf, other?: TimeOf): boolean {
  const alt = other ? runOf(items, other) : 'unknown';
  return order !== 'unknown' && runOf(items, time) === order && (alt === 'unknown' || alt === 'flat');
}

export const hasMore = (page: number, p: Page): boolean =>
  p.last !== null ? page < p.last : p.items.length > 0;

const newestFirst = (items: Json[], time: TimeOf) =>
  [...items].sort((a, b) => (time(b) ?? 0) - (time(a) ?? 0));

async function fetchStep(fetch: FetchPage, walk: Walk, time: TimeOf): Promise<Step> {
  const got = await fetch(walk.next);
  const next = walk.order === 'oldest-first' ? walk.next - 1 : hasMore(walk.next, got) ? walk.next + 1 : 0;
  return {
    items: newestFirst(got.items, time),
    ordered: walk.trusted && [walk.order, 'flat'].includes(runOf(got.items, time)),
    walk: next >= 1 ? { ...walk, next, last: walk.last ?? got.last } : null,
  };
}

/** One page of the walk (`walk` null starts it), items sorted by `time`; `other`: see `proves`. */
export async function walkStep(
  fetch: FetchPage,
  time: TimeOf,
  walk: Walk | null,
  other?: TimeOf,
): Promise<Step> {
  if (walk) return fetchStep(fetch, walk, time);
  const first = await fetch(1);
  const run = runOf(first.items, time);
  if (run === 'oldest-first' && first.last !== null && first.last > 1) {
    const trusted = proves(first.items, run, time, other);
    return fetchStep(fetch, { order: run, trusted, next: first.last, last: first.last }, time);
  }
  // Oldest-first without a known last page cannot be walked backwards: read it forward, order unknown.
  const order = run === 'newest-first' ? run : 'unknown';
  const trusted = proves(first.items, order, time, other);
  return {
    items: newestFirst(first.items, time),
    ordered: trusted,
    walk: hasMore(1, first) ? { order, trusted, next: 2, last: first.last } : null,
  };
}

/** The whole walk, page by page, at most `maxPages`. */
export async function* walkNewestFirst(
  fetch: FetchPage,
  time: TimeOf,
  maxPages: number,
  other?: TimeOf,
): AsyncGenerator<Step> {
  let walk: Walk | null = null;
  for (let i = 0; i < maxPages; i++) {
    const step: Step = await walkStep(fetch, time, walk, other);
    yield step;
    if (!step.walk) return;
    walk = step.walk;
  }
}

/** True when the walk has reached items older than `ms` in an ordered list: later pages are older still. */
export const reachedBefore = (step: Step, time: TimeOf, ms: number): boolean =>
  step.ordered && step.items.some((i) => (time(i) ?? Infinity) < ms);

/** A walk stored in a cursor, checked. */
export function readWalk(v: unknown): Walk | null {
  if (!isObj(v)) return null;
  const order = (['newest-first', 'oldest-first', 'unknown'] as const).find((o) => o === v.order);
  const next = Math.floor(num(v.next));
  const last = v.last === null ? null : Math.floor(num(v.last, NaN));
  if (!order || next < 1 || Number.isNaN(last)) return null;
  return { order, trusted: v.trusted === true, next, last };
}
