// Channel/provider, status, unread-only and sort controls above the inbox list.
import { PROVIDER_NAMES, PROVIDERS, type ConversationStatus } from '@contract/schemas';
import { setFilters, useUi } from '../../app/store';
import { CONVERSATION_STATUS_LABELS } from '../../app/ui/badges';
import { useChannels } from '../channels/useChannels';

const STATUSES = Object.keys(CONVERSATION_STATUS_LABELS) as ConversationStatus[];

export function InboxFilters() {
  const filters = useUi((s) => s.filters);
  const channels = useChannels().data?.items ?? [];
  const providersInUse = PROVIDERS.filter((p) => channels.some((c) => c.provider === p));

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
        onChange={(e) => setFilters({ status: e.target.value as ConversationStatus | '' })}
      >
        <option value="">Any status</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {CONVERSATION_STATUS_LABELS[s]}
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
