// The agent's main screen: search and filters over the unified list on the left, the open
// conversation on the right.
import { useUi } from '../../app/store';
import { ConversationView, NoConversation } from '../conversation/ConversationView';
import { FirstRun } from '../channels/FirstRun';
import { useChannels } from '../channels/useChannels';
import { SearchBox } from '../search/SearchBox';
import { SearchResults } from '../search/SearchResults';
import { AssigneeViewChips } from '../team/AssigneeViewChips';
import { SnapshotProgress } from '../team/SnapshotProgress';
import { TeamFeeds } from '../team/TeamFeeds';
import { useTeam } from '../team/useTeam';
import { BulkBar } from './BulkBar';
import { ConversationList } from './ConversationList';
import { InboxFilters } from './InboxFilters';
import { InboxViews } from './InboxViews';
import { OfflineBanner } from './OfflineBanner';

export function InboxView() {
  const openId = useUi((s) => s.openId);
  const searchText = useUi((s) => s.searchText);
  const channels = useChannels();
  const searching = searchText.trim() !== '';
  // In a team the hub brings the channels (the snapshot's progress shows meanwhile): no first run here.
  const inTeam = useTeam() !== null;

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
        {searching && <SearchResults text={searchText} />}
        {!searching && <BulkBar />}
        <div className="inbox-list" hidden={searching}>
          <ConversationList />
        </div>
      </div>
      <div className="inbox-reading-pane">
        {openId ? <ConversationView key={openId} id={openId} /> : <NoConversation />}
      </div>
    </div>
  );
}
