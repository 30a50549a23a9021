// One connected account: state, how news reaches it right now, last sync, last error, what the provider
// cannot do, its diagnostics, and its actions.
import { useState } from 'react';
import type { Channel } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { fullTime, shortTime } from '../../app/format';
import { notify } from '../../app/store';
import { ChannelStatusBadge, ProviderBadge } from '../../app/ui/badges';
import { ConfirmDialog } from '../../app/ui/Dialog';
import { capabilityName, realtimeState } from './capabilities';
import { Diagnostics, useChannelDiagnostics } from './Diagnostics';
import { EditChannelForm } from './EditChannelForm';
import { useCanManageChannels } from '../team/useTeam';
import { useDeleteChannel, usePatchChannel } from './useChannels';

export function ChannelCard({ channel }: { channel: Channel }) {
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState(false);
  const patch = usePatchChannel();
  const remove = useDeleteChannel();
  const canManage = useCanManageChannels();
  const realtime = useChannelDiagnostics(channel).data?.realtime;
  const paused = channel.status === 'paused';
  const unavailable = Object.entries(channel.capabilities.unavailable);

  const togglePause = () =>
    patch.mutate(
      { id: channel.id, patch: { paused: !paused } },
      {
        onSuccess: (c) =>
          notify(
            paused ? `${c.name} resumed.` : `${c.name} paused. Nothing syncs or sends until you resume.`,
          ),
        onError: (e) =>
          notify(`Could not ${paused ? 'resume' : 'pause'} ${channel.name}: ${errorMessage(e)}`, 'error'),
      },
    );

  return (
    <li className="card channel-card" aria-label={channel.name}>
      <div className="channel-head">
        <div className="channel-title">
          <h2>{channel.name}</h2>
          <ProviderBadge provider={channel.provider} />
          <ChannelStatusBadge status={channel.status} />
        </div>
        {canManage && (
          <div className="channel-actions">
            <button type="button" className="btn" onClick={togglePause} disabled={patch.isPending}>
              {paused ? 'Resume' : 'Pause'}
            </button>
            <button
              type="button"
              className="btn"
              aria-expanded={editing}
              onClick={() => setEditing((v) => !v)}
            >
              Edit
            </button>
            <button type="button" className="btn btn-danger-ghost" onClick={() => setRemoving(true)}>
              Remove
            </button>
          </div>
        )}
      </div>
      <dl className="facts facts-inline">
        <dt>Base URL</dt>
        <dd className="mono">{channel.baseUrl}</dd>
        <dt>Last sync</dt>
        <dd title={channel.lastSyncAt ? fullTime(channel.lastSyncAt) : undefined}>
          {channel.lastSyncAt ? shortTime(channel.lastSyncAt) : 'Not yet'}
        </dd>
        <dt>Updates</dt>
        <dd title={realtime?.detail}>{realtimeState(channel, realtime)}</dd>
        <dt>Broadcasts</dt>
        <dd>{channel.capabilities.broadcast === 'native' ? 'Sent by the provider' : 'Sent one by one'}</dd>
      </dl>
      {channel.status === 'offline' ? (
        <p className="channel-error" role="alert">
          Offline: {channel.error ?? 'the provider does not answer'}. Replies wait and go out when it answers
          again.
        </p>
      ) : (
        channel.error && (
          <p className="channel-error" role="alert">
            Last error: {channel.error}
          </p>
        )
      )}
      {unavailable.length > 0 && (
        <details className="unavailable">
          <summary>
            {unavailable.length === 1 ? '1 thing' : `${unavailable.length} things`} this provider cannot do
          </summary>
          <ul>
            {unavailable.map(([what, why]) => (
              <li key={what}>
                <strong>{capabilityName(what)}:</strong> {why}
              </li>
            ))}
          </ul>
        </details>
      )}
      <Diagnostics channel={channel} />
      {editing && <EditChannelForm channel={channel} onDone={() => setEditing(false)} />}
      {removing && (
        <ConfirmDialog
          title={`Remove ${channel.name}?`}
          confirmLabel="Remove channel"
          danger
          busy={remove.isPending}
          onCancel={() => setRemoving(false)}
          onConfirm={() =>
            remove.mutate(channel.id, {
              onSuccess: () => notify(`${channel.name} removed.`),
              onError: (e) => notify(`Could not remove ${channel.name}: ${errorMessage(e)}`, 'error'),
              onSettled: () => setRemoving(false),
            })
          }
        >
          <p>
            This disconnects the account and deletes everything cached from it on this computer: its
            conversations, messages, contacts and queued replies. Nothing is deleted at the provider.
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}
