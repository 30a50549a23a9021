// What the agent can do to the picked conversations at once: resolve, reopen, snooze, add or remove a tag.
// One request for the lot; the notice says how many changed and why any did not. Assigning comes with team
// mode. How many are picked is announced as it changes (the count is a live region, always in the page).
import { useState } from 'react';
import type { BulkAction } from '@contract/schemas';
import { SnoozeMenu } from '../conversation/SnoozeMenu';
import { clearSelection, useSelection } from './selection';
import { useBulkAction, useTags } from './useTriage';

export function BulkBar() {
  const ids = useSelection((s) => s.ids);
  const bulk = useBulkAction();
  const [menu, setMenu] = useState<'snooze' | 'tag' | null>(null);
  const count = ids.size;
  const run = (action: BulkAction) => {
    setMenu(null);
    bulk.mutate({ ids: [...ids], action });
  };

  return (
    <div className={`bulk-bar${count ? '' : ' is-empty'}`}>
      <span className="bulk-count" role="status">
        {count ? `${count} selected` : ''}
      </span>
      {count > 0 && (
        <div className="bulk-actions" role="toolbar" aria-label="Actions on the selected conversations">
          <button
            type="button"
            className="btn btn-small"
            disabled={bulk.isPending}
            onClick={() => run({ type: 'resolve' })}
          >
            Resolve
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={bulk.isPending}
            onClick={() => run({ type: 'reopen' })}
          >
            Reopen
          </button>
          <div className="menu-anchor">
            <button
              type="button"
              className="btn btn-small"
              aria-expanded={menu === 'snooze'}
              disabled={bulk.isPending}
              onClick={() => setMenu(menu === 'snooze' ? null : 'snooze')}
            >
              Snooze…
            </button>
            {menu === 'snooze' && (
              <SnoozeMenu onPick={(until) => run({ type: 'snooze', until })} onClose={() => setMenu(null)} />
            )}
          </div>
          <div className="menu-anchor">
            <button
              type="button"
              className="btn btn-small"
              aria-expanded={menu === 'tag'}
              disabled={bulk.isPending}
              onClick={() => setMenu(menu === 'tag' ? null : 'tag')}
            >
              Tag…
            </button>
            {menu === 'tag' && <TagMenu onPick={run} onClose={() => setMenu(null)} />}
          </div>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => clearSelection()}>
            Clear selection
          </button>
        </div>
      )}
    </div>
  );
}

/** A tag to add to (or remove from) every picked conversation; the tags in use are offered as one types. */
function TagMenu({ onPick, onClose }: { onPick: (a: BulkAction) => void; onClose: () => void }) {
  const tags = useTags().data?.items ?? [];
  const [tag, setTag] = useState('');
  const trimmed = tag.trim();
  return (
    <form
      className="popover bulk-tag"
      aria-label="Add or remove a tag"
      onSubmit={(e) => {
        e.preventDefault();
        if (trimmed) onPick({ type: 'addTag', tag: trimmed });
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <input
        aria-label="Tag to add or remove"
        list="bulk-tags"
        placeholder="Tag"
        maxLength={60}
        value={tag}
        autoFocus
        onChange={(e) => setTag(e.target.value)}
      />
      <datalist id="bulk-tags">
        {tags.map((t) => (
          <option key={t.tag} value={t.tag} />
        ))}
      </datalist>
      <div className="bulk-tag-actions">
        <button type="submit" className="btn btn-small btn-primary" disabled={!trimmed}>
          Add tag
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={!trimmed}
          onClick={() => onPick({ type: 'removeTag', tag: trimmed })}
        >
          Remove tag
        </button>
      </div>
    </form>
  );
}
