// Channel capabilities and realtime state in the words an agent uses.
import type { Capabilities, Channel, ChannelDiagnostics, RealtimePath } from '@contract/schemas';

const CAPABILITY_NAMES: Record<string, string> = {
  realtime: 'Live updates',
  broadcast: 'Broadcasts',
  flows: 'Switching flows',
  flowTest: 'Testing flows',
  templates: 'Canned replies from the provider',
  markRead: 'Marking conversations read at the provider',
};

export const capabilityName = (key: string): string => CAPABILITY_NAMES[key] ?? key;

/** A realtime path (or a provider's declared lack of one) by name. */
export const PATH_NAMES: Record<RealtimePath | Capabilities['realtime'], string> = {
  'socket.io': 'socket.io',
  websocket: 'WebSocket',
  webhook: 'webhooks',
  polling: 'polling',
  none: 'polling',
};

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Why a polled channel is not on push, in a few words; empty when it is on push. */
function pollingBecause(channel: Channel, realtime: ChannelDiagnostics['realtime'] | undefined): string {
  if (channel.capabilities.realtime === 'none') return 'the provider has no push';
  if (realtime?.path === 'polling') return 'webhooks cannot reach this app';
  return `${PATH_NAMES[channel.capabilities.realtime]} not connected`;
}

/**
 * How news reaches the channel right now, honestly: "Live (socket.io)" only while the push link is up,
 * "Polling every 4 s (…why)" otherwise. `realtime` (from the diagnostics endpoint) adds the interval and
 * whether a provider's webhooks can reach this app at all.
 */
export function realtimeState(channel: Channel, realtime?: ChannelDiagnostics['realtime']): string {
  switch (channel.status) {
    case 'paused':
      return 'Paused';
    case 'connecting':
      return 'Connecting…';
    case 'auth_error':
      return 'Not connected: sign-in failed';
    case 'offline':
      return 'Offline';
    default: {
      const live = realtime ? realtime.live : channel.status === 'live';
      if (live) return `Live (${PATH_NAMES[realtime?.path ?? channel.capabilities.realtime]})`;
      const every = realtime?.pollIntervalMs ? ` every ${seconds(realtime.pollIntervalMs)}` : '';
      return `Polling${every} (${pollingBecause(channel, realtime)})`;
    }
  }
}
