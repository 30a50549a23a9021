// Each channel's chatbot flows. Channels and flows that can be switched come first; the rest are shown
// disabled with the reason, and providers without flows say why.
import type { Channel, Flow } from '@contract/schemas';
import { ProviderBadge } from '../../app/ui/badges';
import { EmptyState, ErrorState, SkeletonRows } from '../../app/ui/states';
import { useChannels } from '../channels/useChannels';
import { FlowRow } from './FlowRow';
import { useFlows } from './useFlows';

interface ChannelFlows {
  channel: Channel;
  flows: Flow[];
}

function groupByChannel(channels: Channel[], flows: Flow[]): ChannelFlows[] {
  const groups = channels.map((channel) => ({
    channel,
    flows: flows
      .filter((f) => f.channelId === channel.id)
      .sort((a, b) => Number(b.toggleable) - Number(a.toggleable) || a.name.localeCompare(b.name)),
  }));
  const rank = (g: ChannelFlows) => (g.flows.some((f) => f.toggleable) ? 0 : g.flows.length ? 1 : 2);
  return groups.sort((a, b) => rank(a) - rank(b) || a.channel.name.localeCompare(b.channel.name));
}

export function FlowsView() {
  const channels = useChannels();
  const flows = useFlows();

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Flows</h1>
          <p className="page-lede">
            Chatbot flows on each channel. Switching one changes it at the provider; while a channel is
            offline the change waits and is applied when it is back.
          </p>
        </div>
      </header>
      {(channels.isPending || flows.isPending) && <SkeletonRows count={5} height={64} />}
      {flows.isError && (
        <ErrorState
          what="Flows could not be loaded."
          error={flows.error}
          onRetry={() => void flows.refetch()}
        />
      )}
      {channels.data && flows.data && !channels.data.items.length && (
        <EmptyState title="No channels yet.">Add a channel in Channels to see its flows here.</EmptyState>
      )}
      {channels.data &&
        flows.data &&
        groupByChannel(channels.data.items, flows.data.items).map((g) => (
          <ChannelFlowsCard key={g.channel.id} {...g} />
        ))}
    </div>
  );
}

function ChannelFlowsCard({ channel, flows }: ChannelFlows) {
  const why = channel.capabilities.unavailable.flows;
  return (
    <section className="card flow-card" aria-label={`${channel.name} flows`}>
      <h2 className="card-title">
        {channel.name} <ProviderBadge provider={channel.provider} />
      </h2>
      {flows.length ? (
        <ul className="flow-list">
          {flows.map((f) => (
            <FlowRow key={f.id} flow={f} channel={channel} />
          ))}
        </ul>
      ) : (
        <p className="muted">
          {channel.capabilities.flows === 'none'
            ? `Flows are not available on this provider${why ? `: ${why}` : '.'}`
            : 'No flows on this account yet.'}
        </p>
      )}
    </section>
  );
}
