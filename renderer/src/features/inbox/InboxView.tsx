// The agent's main screen: search and filters over the unified list on the left, the open
// conversation on the right.
import { lazy, Suspense, useEffect } from 'react';
import { useAfterFirstPaint } from '../../app/afterFirstPaint';
import { useUi } from '../../app/store';
import { SkeletonRows } from '../../app/ui/states';
import { LazyConversationView, loadConversationView } from '../conversation/lazyConversationView';
import { NoConversation } from '../conversation/NoConversation';
import { FirstRun } from '../channels/FirstRun';
import { useChannels } from '../channels/useChannels';
import { SearchBox } from '../search/SearchBox';
import { AssigneeViewChips } from '../team/AssigneeViewChips';
import { SnapshotProgress } from '../team/SnapshotProgress';
import { TeamFeeds } from '../team/TeamFeeds';
import { useTeam } from '../team/useTeam';
import { BulkBar } from './BulkBar';
import { ConversationList } from './ConversationList';
import { InboxFilters } from './InboxFilters';
import { InboxViews } from './InboxViews';
import { OfflineBanner } from './OfflineBanner';

const SearchResults = lazy(() =>
  import('../search/SearchResults').then((m) => ({ default: m.SearchResults })),
);

export function InboxView() {
  const openId = useUi((s) => s.openId);
  const searchText = useUi((s) => s.searchText);
  const channels = useChannels();
  const searching = searchText.trim() !== '';
  // In a team the hub brings the channels (the snapshot's progress shows meanwhile): no first run here.
  const inTeam = useTeam() !== null;
  const painted = useAfterFirstPaint();
  useEffect(() => {
    if (painted) void loadConversationView();
  }, [painted]);

  if (channels.data && channels.data.items.length === 0 && !inTeam) return <FirstRun />;

  return (
    <div className="inbox">
      <TeamFeeds />
      <h1 className="visually-hidden">Inbox</h1>
      <div className="inbox-list-pane">
        <SearchBox />
        {!searching && <AssigneeViewChips />}
        {!searching && <InboxViews />}
        {!searching && <InboxFilters />}
        <SnapshotProgress />
        <OfflineBanner />
        {searching && (
          <Suspense fallback={<SkeletonRows count={4} height={64} />}>
            <SearchResults text={searchText} />
          </Suspense>
        )}
        {!searching && <BulkBar />}
        <div className="inbox-list" hidden={searching}>
          <ConversationList />
        </div>
      </div>
      <div className="inbox-reading-pane">
        {openId ? (
          <Suspense fallback={<SkeletonRows count={6} height={64} />}>
            <LazyConversationView key={openId} id={openId} />
          </Suspense>
        ) : (
          <NoConversation />
        )}
      </div>
    </div>
  );
}
