// What the inbox's first paint does not need (the unread count for the title, settings, health, saved views,
// tags, the outbox) is asked for once that paint is on screen, so those requests and their JSON do not
// compete with the first page for the page's one thread. Queries of that kind pass `enabled:
// useAfterFirstPaint()`.
import { create } from 'zustand';

/** The longest that work waits: the inbox may not be the first view, or may never paint rows (first run). */
const LONGEST_WAIT_MS = 1000;

const useFirstPaint = create<{ done: boolean }>(() => ({ done: false }));

export function firstPaintDone(): void {
  if (!useFirstPaint.getState().done) useFirstPaint.setState({ done: true });
}

setTimeout(firstPaintDone, LONGEST_WAIT_MS);

export const useAfterFirstPaint = (): boolean => useFirstPaint((s) => s.done);
