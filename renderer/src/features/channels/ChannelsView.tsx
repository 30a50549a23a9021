// Connected provider accounts: state and errors at a glance, add, edit, pause/resume and remove.
import { useState } from 'react';
import { ErrorState, SkeletonRows } from '../../app/ui/states';
import { AddChannelForm } from './AddChannelForm';
import { ChannelCard } from './ChannelCard';
import { FirstRun } from './FirstRun';
import { useCanManageChannels, useTeam } from '../team/useTeam';
import { useChannels } from './useChannels';

export function ChannelsView() {
  const channels = useChannels();
  const [adding, setAdding] = useState(false);
  const inTeam = useTeam() !== null;
  const canManage = useCanManageChannels();
  const items = channels.data?.items ?? [];
  const firstRun = channels.data !== undefined && items.length === 0;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Channels</h1>
          <p className="page-lede">
            {inTeam
              ? `The team's chat platform accounts: its hub syncs them${canManage ? '' : ', and its admins manage them'}.`
              : 'The chat platform accounts this inbox syncs with.'}
          </p>
        </div>
        {canManage && !adding && !firstRun && (
          <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
            Add channel
          </button>
        )}
      </header>
      {firstRun && canManage && <FirstRun />}
      {canManage && (adding || firstRun) && <AddChannelForm onDone={() => setAdding(false)} />}
      {channels.isPending && <SkeletonRows count={4} height={96} />}
      {channels.isError && (
        <ErrorState
          what="Channels could not be loaded."
          error={channels.error}
          onRetry={() => void channels.refetch()}
        />
      )}
      {items.length > 0 && (
        <ul className="channel-list" aria-label="Channels">
          {items.map((c) => (
            <ChannelCard key={c.id} channel={c} />
          ))}
        </ul>
      )}
    </div>
  );
}
