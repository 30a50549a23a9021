// Search hits with highlighted snippets; choosing one opens its conversation at that message.
import type { KeyboardEvent } from 'react';
import { fullTime, shortTime } from '../../app/format';
import { openConversation } from '../../app/store';
import { EmptyState, ErrorState, SkeletonRows } from '../../app/ui/states';
import { Snippet } from './Snippet';
import { useSearch } from './useSearch';

export function SearchResults({ text }: { text: string }) {
  const search = useSearch(text);
  const hits = search.data?.items ?? [];

  if (search.isError)
    return <ErrorState what="Search failed." error={search.error} onRetry={() => void search.refetch()} />;
  if (!search.data) return <SkeletonRows count={6} height={64} />;
  if (!hits.length) {
    return (
      <EmptyState title={`Nothing found for “${search.q}”.`}>
        Search looks through every message and contact cached on this computer. Try fewer or different words.
      </EmptyState>
    );
  }
  return (
    <div className="search-results" aria-busy={search.isFetching}>
      <p className="search-count" role="status">
        {hits.length === 1 ? '1 result' : `${hits.length} results`}
      </p>
      <ul aria-label="Search results">
        {hits.map((hit) => (
          <li key={`${hit.conversationId}:${hit.messageId ?? 'contact'}`}>
            <button
              type="button"
              className="search-hit"
              onClick={() => openConversation(hit.conversationId, hit.messageId)}
              onKeyDown={(e) => moveFocus(e)}
            >
              <span className="search-hit-head">
                <span className="search-hit-name">{hit.contactName}</span>
                <time dateTime={hit.createdAt} title={fullTime(hit.createdAt)}>
                  {shortTime(hit.createdAt)}
                </time>
              </span>
              <Snippet text={hit.snippet} />
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function moveFocus(e: KeyboardEvent<HTMLButtonElement>) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  e.preventDefault();
  const item = e.currentTarget.closest('li');
  const next = e.key === 'ArrowDown' ? item?.nextElementSibling : item?.previousElementSibling;
  next?.querySelector<HTMLElement>('.search-hit')?.focus();
}
