// The inbox's assignee views in team mode: Mine, Unassigned, All. The local API's list has no assignee filter
// yet, so the loaded pages are filtered here; the list keeps fetching pages while the view shows few rows.
import { useMemo } from 'react';
import { create } from 'zustand';
import type { Conversation } from '@contract/schemas';
import { useTeam } from './useTeam';

export const ASSIGNEE_VIEWS = [
  { id: 'all', name: 'All' },
  { id: 'mine', name: 'Mine' },
  { id: 'unassigned', name: 'Unassigned' },
] as const;
export type AssigneeView = (typeof ASSIGNEE_VIEWS)[number]['id'];

export const useAssigneeView = create<{ view: AssigneeView }>(() => ({ view: 'all' }));

export const showAssigneeView = (view: AssigneeView) => useAssigneeView.setState({ view });

/** The conversations the current assignee view shows; all of them in solo mode. */
export function useAssigneeFiltered(items: Conversation[]): Conversation[] {
  const me = useTeam()?.agent.id ?? null;
  const view = useAssigneeView((s) => s.view);
  return useMemo(() => {
    if (me === null || view === 'all') return items;
    return items.filter((c) => (view === 'mine' ? c.assigneeId === me : c.assigneeId === null));
  }, [items, me, view]);
}
