// Channel, status and date range above the search results.
import type { ConversationStatus } from '@contract/schemas';
import { ConversationStatusOptions } from '../../app/ui/badges';
import { useChannels } from '../channels/useChannels';
import type { SearchFilters as Filters } from './useSearch';

export function SearchFilters({ value, onChange }: { value: Filters; onChange: (f: Filters) => void }) {
  const channels = useChannels().data?.items ?? [];
  const set = (patch: Partial<Filters>) => onChange({ ...value, ...patch });
  return (
    <div className="inbox-filters search-filters" role="group" aria-label="Search filters">
      <select
        aria-label="Channel"
        value={value.channelId}
        onChange={(e) => set({ channelId: e.target.value })}
      >
        <option value="">All channels</option>
        {channels.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      <select
        aria-label="Status"
        value={value.status}
        onChange={(e) => set({ status: e.target.value as ConversationStatus | '' })}
      >
        <option value="">Any status</option>
        <ConversationStatusOptions />
      </select>
      <label className="search-date">
        From
        <input
          type="date"
          value={value.fromDay}
          max={value.toDay || undefined}
          onChange={(e) => set({ fromDay: e.target.value })}
        />
      </label>
      <label className="search-date">
        To
        <input
          type="date"
          value={value.toDay}
          min={value.fromDay || undefined}
          onChange={(e) => set({ toDay: e.target.value })}
        />
      </label>
    </div>
  );
}
