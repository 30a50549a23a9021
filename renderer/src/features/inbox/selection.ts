// The conversations picked for a bulk action: toggled one at a time (checkbox, x) or as a range from the last
// one toggled (shift), and let go of once the action is done or the filters change.
import { create } from 'zustand';

interface SelectionState {
  ids: ReadonlySet<string>;
  /** Where a shift-click range starts: the last conversation toggled. */
  anchor: string | null;
}

export const useSelection = create<SelectionState>(() => ({ ids: new Set(), anchor: null }));

export function toggleSelected(id: string): void {
  useSelection.setState((s) => {
    const ids = new Set(s.ids);
    if (!ids.delete(id)) ids.add(id);
    return { ids, anchor: id };
  });
}

/** Everything from the anchor to `id` in the list's order takes the state `id` is toggled to (as in Gmail). */
export function toggleRange(id: string, order: readonly string[]): void {
  const { ids: current, anchor } = useSelection.getState();
  const from = anchor === null ? -1 : order.indexOf(anchor);
  const to = order.indexOf(id);
  if (from < 0 || to < 0) return toggleSelected(id);
  const select = !current.has(id);
  const ids = new Set(current);
  for (const x of order.slice(Math.min(from, to), Math.max(from, to) + 1)) {
    if (select) ids.add(x);
    else ids.delete(x);
  }
  useSelection.setState({ ids, anchor: id });
}

/** Lets go of `ids` (all when omitted). */
export function clearSelection(ids?: readonly string[]): void {
  useSelection.setState((s) => {
    if (!ids) return { ids: new Set(), anchor: null };
    const rest = new Set(s.ids);
    for (const id of ids) rest.delete(id);
    return { ids: rest };
  });
}
