// "Merge with…": find another customer by a contact's name or handle (the inbox's own contact search) and merge it
// into this one. Customers already this one are left out of the results.
import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Customer } from '@contract/schemas';
import { useApi } from '../../api/session';
import { ProviderBadge } from '../../app/ui/badges';
import { useDebounced } from '../search/useSearch';
import { useChannelMap } from '../channels/useChannels';
import { useCustomerChanges } from './useCustomer';

const SHOWN = 8;

export function MergePicker({ customer, onDone }: { customer: Customer; onDone: () => void }) {
  const api = useApi();
  const channels = useChannelMap();
  const { merge } = useCustomerChanges();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 200);
  const listId = useId();
  const found = useQuery({
    queryKey: ['merge-candidates', q],
    queryFn: () => api.call('listConversations', { query: { q, limit: 30 } }),
    enabled: q.length > 0,
  });
  // One row per other customer: the first of its conversations the search found.
  const seen = new Set([customer.id]);
  const candidates = (found.data?.items ?? [])
    .filter((c) => !seen.has(c.customerId) && Boolean(seen.add(c.customerId)))
    .slice(0, SHOWN);

  return (
    <div className="merge-picker">
      <input
        type="search"
        aria-label="Find a customer to merge with"
        aria-controls={listId}
        placeholder="Name or handle…"
        autoFocus
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
        }}
      />
      <ul id={listId} className="merge-candidates" aria-label="Customers to merge with">
        {candidates.map((c) => (
          <li key={c.customerId}>
            <button
              type="button"
              disabled={merge.isPending}
              onClick={() => merge.mutate({ into: customer, otherId: c.customerId }, { onSuccess: onDone })}
            >
              <span className="merge-name">{c.contact.name || c.contact.handle}</span>
              <span className="merge-where">
                <ProviderBadge provider={c.provider} /> {channels.get(c.channelId)?.name}
                {c.contact.handle && <span className="muted"> · {c.contact.handle}</span>}
              </span>
            </button>
          </li>
        ))}
        {q && found.isSuccess && !candidates.length && (
          <li className="muted">No other customer goes by “{q}”.</li>
        )}
      </ul>
      <button type="button" className="btn btn-ghost btn-small" onClick={onDone}>
        Cancel
      </button>
    </div>
  );
}
