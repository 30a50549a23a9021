// Keeps the rows the agent is looking at still when conversations are inserted above them. At the very
// top nothing is held, so new activity shows up in view.
import { useEffect, useEffectEvent, useLayoutEffect, useRef, type RefObject } from 'react';

const ANCHOR_CANDIDATES = 4;

interface Anchor {
  /** Index of the first visible row when it was taken. */
  first: number;
  /** Ids of the rows from `first` on. */
  ids: string[];
}

export function useScrollAnchor(
  scrollRef: RefObject<HTMLElement | null>,
  items: { id: string }[],
  rowHeight: number,
) {
  const anchor = useRef<Anchor | null>(null);
  const hasItems = items.length > 0;
  const visibleIds = useEffectEvent((first: number) =>
    items.slice(first, first + ANCHOR_CANDIDATES).map((x) => x.id),
  );

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const remember = () => {
      const first = Math.floor(el.scrollTop / rowHeight);
      anchor.current = el.scrollTop > 0 ? { first, ids: visibleIds(first) } : null;
    };
    el.addEventListener('scroll', remember, { passive: true });
    return () => el.removeEventListener('scroll', remember);
  }, [scrollRef, rowHeight, hasItems]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    const held = anchor.current;
    if (!el || !held) return;
    for (let k = 0; k < held.ids.length; k++) {
      const index = items.findIndex((x) => x.id === held.ids[k]);
      // A row now above its old place was itself moved to the top; anchor on the next one.
      if (index < held.first + k) continue;
      const shift = index - (held.first + k);
      if (shift) {
        el.scrollTop += shift * rowHeight;
        anchor.current = { first: held.first + shift, ids: held.ids };
      }
      return;
    }
  }, [items, scrollRef, rowHeight]);
}
