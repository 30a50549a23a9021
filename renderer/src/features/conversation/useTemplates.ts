// Canned replies for a channel: the provider's templates plus the agent's own snippets.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Template } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';

export function useTemplates(channelId: string): Template[] {
  const api = useApi();
  const { data } = useQuery({
    queryKey: keys.templates,
    queryFn: () => api.call('listTemplates', {}),
    staleTime: 60_000,
  });
  return useMemo(
    () => (data?.items ?? []).filter((t) => t.channelId === null || t.channelId === channelId),
    [data, channelId],
  );
}

export function matchTemplates(templates: Template[], query: string): Template[] {
  const q = query.trim().toLowerCase();
  const hits = q
    ? templates.filter((t) => t.name.toLowerCase().includes(q) || t.text.toLowerCase().includes(q))
    : templates;
  return hits.slice(0, 8);
}
