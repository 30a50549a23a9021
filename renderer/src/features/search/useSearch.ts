// Full-text search over every cached message and contact, debounced as the agent types.
import { useEffect, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';

const DEBOUNCE_MS = 200;

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

export function useSearch(text: string) {
  const api = useApi();
  const q = useDebounced(text.trim(), DEBOUNCE_MS);
  const query = useQuery({
    queryKey: keys.search(q),
    queryFn: () => api.call('search', { query: { q, limit: 50 } }),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  return { ...query, q };
}
