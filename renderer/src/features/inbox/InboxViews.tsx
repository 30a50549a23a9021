// The inbox's views: open work (the default), everything, and the agent's saved filter sets. The view that
// matches the current filters is the pressed one; filters that match none can be saved under a name, and a
// saved view can be renamed or deleted (with an undo).
import { useState } from 'react';
import type { SavedView } from '@contract/schemas';
import { DEFAULT_FILTERS, useUi, type InboxFilters } from '../../app/store';
import { fromViewFilters, sameFilters, toViewFilters, useSavedViewActions, useSavedViews } from './useTriage';

export const BUILT_IN_VIEWS: { name: string; filters: InboxFilters }[] = [
  { name: 'Open work', filters: DEFAULT_FILTERS },
  { name: 'All', filters: { ...DEFAULT_FILTERS, status: '' } },
];

/** Shows a view: its filters replace the current ones. */
export function showView(filters: InboxFilters): void {
  useUi.setState({ filters });
}

export function InboxViews() {
  const filters = useUi((s) => s.filters);
  const saved = useSavedViews().data?.items ?? [];
  const [naming, setNaming] = useState<{ view: SavedView | null } | null>(null);
  const current = saved.find((v) => sameFilters(fromViewFilters(v.filters), filters));
  const matchesAny = current !== undefined || BUILT_IN_VIEWS.some((v) => sameFilters(v.filters, filters));

  return (
    <div className="inbox-views">
      <div className="inbox-view-list" role="group" aria-label="Views">
        {BUILT_IN_VIEWS.map((v) => (
          <ViewButton key={v.name} name={v.name} filters={v.filters} current={filters} />
        ))}
        {saved.map((v) => (
          <ViewButton key={v.id} name={v.name} filters={fromViewFilters(v.filters)} current={filters} />
        ))}
      </div>
      {naming ? (
        <ViewNameForm view={naming.view} onDone={() => setNaming(null)} />
      ) : (
        <div className="inbox-view-tools">
          {!matchesAny && (
            <button type="button" className="btn btn-small" onClick={() => setNaming({ view: null })}>
              Save view…
            </button>
          )}
          {current && <SavedViewTools view={current} onRename={() => setNaming({ view: current })} />}
        </div>
      )}
    </div>
  );
}

function ViewButton({
  name,
  filters,
  current,
}: {
  name: string;
  filters: InboxFilters;
  current: InboxFilters;
}) {
  const pressed = sameFilters(filters, current);
  return (
    <button
      type="button"
      className={`view-chip${pressed ? ' is-current' : ''}`}
      aria-pressed={pressed}
      onClick={() => showView(filters)}
    >
      {name}
    </button>
  );
}

function SavedViewTools({ view, onRename }: { view: SavedView; onRename: () => void }) {
  const { remove } = useSavedViewActions();
  return (
    <>
      <button type="button" className="btn btn-small btn-ghost" onClick={onRename}>
        Rename view…
      </button>
      <button
        type="button"
        className="btn btn-small btn-ghost btn-danger-ghost"
        onClick={() => remove.mutate(view)}
      >
        Delete view
      </button>
    </>
  );
}

/** Names a new view (the current filters) or renames `view`. */
function ViewNameForm({ view, onDone }: { view: SavedView | null; onDone: () => void }) {
  const filters = useUi((s) => s.filters);
  const { create, rename } = useSavedViewActions();
  const [name, setName] = useState(view?.name ?? '');
  const trimmed = name.trim();
  const label = view ? `Rename view ${view.name}` : 'Save these filters as a view';
  return (
    <form
      className="inbox-view-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        if (!trimmed) return;
        const after = { onSuccess: onDone };
        if (view) rename.mutate({ view, name: trimmed }, after);
        else create.mutate({ name: trimmed, filters: toViewFilters(filters) }, after);
      }}
    >
      <input
        aria-label="View name"
        placeholder="View name"
        maxLength={60}
        value={name}
        autoFocus
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
        }}
      />
      <button type="submit" className="btn btn-small btn-primary" disabled={!trimmed}>
        {view ? 'Rename' : 'Save'}
      </button>
      <button type="button" className="btn btn-small btn-ghost" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
