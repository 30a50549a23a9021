// Tags and platforms the agent has seen, offered as suggestions while building an audience.
import { useMemo } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { keys } from '../../api/keys';
import type { InboxPages } from '../inbox/inboxCache';

const COMMON_PLATFORMS = ['facebook', 'instagram', 'whatsapp', 'telegram', 'messenger', 'web'];

export function useAudienceSuggestions(): { tags: string[]; platforms: string[] } {
  const qc = useQueryClient();
  return useMemo(() => {
    const tags = new Set<string>();
    const platforms = new Set<string>(COMMON_PLATFORMS);
    for (const [, data] of qc.getQueriesData<InboxPages>({ queryKey: keys.conversationLists })) {
      for (const page of data?.pages ?? []) {
        for (const c of page.items) {
          c.tags.forEach((t) => tags.add(t));
          c.contact.tags.forEach((t) => tags.add(t));
          if (c.contact.platform) platforms.add(c.contact.platform);
        }
      }
    }
    return { tags: [...tags].sort(), platforms: [...platforms].sort() };
  }, [qc]);
}
