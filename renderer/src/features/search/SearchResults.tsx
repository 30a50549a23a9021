// Search hits grouped per conversation, each group saying where it is (provider, channel, status); more
// pages load as the end of the list comes into view. Choosing a hit opens its conversation at that message.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { fullTime, shortTime } from '../../app/format';
import { openConversation } from '../../app/store';
import { ConversationStatusBadge, ProviderBadge } from '../../app/ui/badges';
import { EmptyState, ErrorState, SkeletonRows } from '../../app/ui/states';
import { useChannelMap } from '../channels/useChannels';
import { SearchFilters } from './SearchFilters';
import { Snippet } from './Snippet';
import { NO_SEARCH_FILTERS, useSearch, type SearchGroup } from './useSearch';

export function SearchResults({ text }: { text: string }) {
  const [filters, setFilters] = useState(NO_SEARCH_FILTERS);
  const search = useSearch(text, filters);
  const filtered = Object.values(filters).some(Boolean);

  let body;
  if (search.isError)
    body = <ErrorState what="Search failed." error={search.error} onRetry={() => void search.refetch()} />;
  else if (!search.data) body = <SkeletonRows count={6} height={64} />;
  else if (!search.groups.length && !search.hasNextPage)
    body = (
      <EmptyState title={`Nothing found for “${search.q}”.`}>
        {filtered
          ? 'Nothing matches with these filters. Clear one above to see more.'
          : 'Search looks through every message and contact cached on this computer. Try fewer or different words.'}
      </EmptyState>
    );
  else body = <ResultList search={search} />;

  return (
    <>
      <SearchFilters value={filters} onChange={setFilters} />
      {body}
    </>
  );
}

function ResultList({ search }: { search: ReturnType<typeof useSearch> }) {
  const channels = useChannelMap();
  const { groups, hitCount, hasNextPage, isFetchingNextPage, fetchNextPage } = search;
  const more = useRef<HTMLDivElement>(null);
  const [atEnd, setAtEnd] = useState(false);

  useEffect(() => {
    const el = more.current;
    if (!el) return;
    const observer = new IntersectionObserver(([entry]) => setAtEnd(entry.isIntersecting), {
      rootMargin: '200px',
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // A page may hold few hits (filters leave out most matches): keep reading while the end is in view.
  useEffect(() => {
    if (atEnd && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [atEnd, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const results = hitCount === 1 ? '1 result' : `${hitCount}${hasNextPage ? '+' : ''} results`;
  const conversations = groups.length === 1 ? '1 conversation' : `${groups.length} conversations`;
  return (
    <div className="search-results" aria-busy={search.isFetching}>
      <p className="search-count" role="status">
        {hitCount ? `${results} in ${conversations}` : 'Searching…'}
      </p>
      <ul aria-label="Search results" onKeyDown={moveFocus}>
        {groups.map((g) => (
          <ResultGroup key={g.conversationId} group={g} channelName={channels.get(g.channelId)?.name ?? ''} />
        ))}
      </ul>
      <div ref={more} className="search-more">
        {hasNextPage && (isFetchingNextPage ? 'Loading more…' : '')}
      </div>
    </div>
  );
}

function ResultGroup({ group: g, channelName }: { group: SearchGroup; channelName: string }) {
  const newest = g.hits.reduce((a, h) => (h.createdAt > a ? h.createdAt : a), '');
  const labelId = `search-group-${g.conversationId}`;
  return (
    <li className="search-group" aria-labelledby={labelId}>
      <div className="search-group-head">
        <span id={labelId} className={`search-hit-name${g.byContact ? ' is-match' : ''}`}>
          {g.contactName}
        </span>
        <time dateTime={newest} title={fullTime(newest)}>
          {shortTime(newest)}
        </time>
      </div>
      <div className="conv-line conv-meta">
        <ProviderBadge provider={g.provider} />
        <span className="conv-channel">{channelName}</span>
        <ConversationStatusBadge status={g.status} />
      </div>
      <ul aria-label={`Hits in the conversation with ${g.contactName}`}>
        {g.hits.map((hit) => (
          <li key={hit.messageId ?? 'contact'}>
            <button
              type="button"
              className="search-hit"
              onClick={() => openConversation(hit.conversationId, hit.messageId)}
            >
              {hit.messageId === null ? (
                <span className="search-hit-line">
                  <span className="search-hit-kind">Name matches · last message</span>
                  <span className="snippet">{hit.snippet || 'No messages yet'}</span>
                </span>
              ) : (
                <span className="search-hit-line">
                  <Snippet text={hit.snippet} />
                  <time dateTime={hit.createdAt} title={fullTime(hit.createdAt)}>
                    {shortTime(hit.createdAt)}
                  </time>
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </li>
  );
}

/** Arrow keys move between hits, across conversations. */
function moveFocus(e: KeyboardEvent<HTMLUListElement>) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const buttons = [...e.currentTarget.querySelectorAll<HTMLElement>('.search-hit')];
  const at = buttons.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  e.preventDefault();
  buttons[e.key === 'ArrowDown' ? Math.min(at + 1, buttons.length - 1) : Math.max(at - 1, 0)]?.focus();
}
