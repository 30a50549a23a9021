// Channel/provider, status, tag, unread-only and sort controls above the inbox list.
import { PROVIDER_NAMES, PROVIDERS, type StatusFilter } from '@contract/schemas';
import { setFilters, useUi } from '../../app/store';
import { ConversationStatusOptions } from '../../app/ui/badges';
import { useChannels } from '../channels/useChannels';
import { useTags } from './useTriage';

export function InboxFilters() {
  const filters = useUi((s) => s.filters);
  const channels = useChannels().data?.items ?? [];
  const providersInUse = PROVIDERS.filter((p) => channels.some((c) => c.provider === p));
  const tags = useTags();
  const tagNames = (tags.data?.items ?? []).map((t) => t.tag);
  // A saved view may name a tag no conversation carries any more.
  if (filters.tag && !tagNames.includes(filters.tag)) tagNames.unshift(filters.tag);

  return (
    <div className="inbox-filters" role="group" aria-label="Inbox filters">
      <select
        aria-label="Channel"
        value={filters.source}
        onChange={(e) => setFilters({ source: e.target.value })}
      >
        <option value="">All channels</option>
        {providersInUse.length > 1 && (
          <optgroup label="Provider">
            {providersInUse.map((p) => (
              <option key={p} value={`provider:${p}`}>
                {PROVIDER_NAMES[p]}
              </option>
            ))}
          </optgroup>
        )}
        <optgroup label="Channel">
          {channels.map((c) => (
            <option key={c.id} value={`channel:${c.id}`}>
              {c.name}
            </option>
          ))}
        </optgroup>
      </select>
      <select
        aria-label="Status"
        value={filters.status}
        onChange={(e) => setFilters({ status: e.target.value as StatusFilter | '' })}
      >
        <option value="active">Open work</option>
        <option value="">Any status</option>
        <ConversationStatusOptions />
      </select>
      <select
        aria-label="Tag"
        value={filters.tag}
        // Tags change as the agent edits conversations: asked again whenever the list is about to open.
        onFocus={() => void tags.refetch()}
        onChange={(e) => setFilters({ tag: e.target.value })}
      >
        <option value="">Any tag</option>
        {tagNames.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <select
        aria-label="Sort"
        value={filters.sort}
        onChange={(e) => setFilters({ sort: e.target.value as 'latest' | 'waiting' })}
      >
        <option value="latest">Latest activity</option>
        <option value="waiting">Longest waiting</option>
      </select>
      <label className="check">
        <input
          type="checkbox"
          checked={filters.unreadOnly}
          onChange={(e) => setFilters({ unreadOnly: e.target.checked })}
        />
        Unread
      </label>
    </div>
  );
}
