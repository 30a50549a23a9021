// Channel capabilities in the words an agent uses.
import type { Capabilities } from '@contract/schemas';

const CAPABILITY_NAMES: Record<string, string> = {
  realtime: 'Live updates',
  broadcast: 'Broadcasts',
  flows: 'Switching flows',
  flowTest: 'Testing flows',
  templates: 'Canned replies from the provider',
  markRead: 'Marking conversations read at the provider',
};

export const capabilityName = (key: string): string => CAPABILITY_NAMES[key] ?? key;

const REALTIME_LABELS: Record<Capabilities['realtime'], string> = {
  'socket.io': 'Live (socket.io)',
  websocket: 'Live (WebSocket)',
  webhook: 'Live (webhooks)',
  none: 'Polling only',
};

export const realtimeLabel = (c: Capabilities): string => REALTIME_LABELS[c.realtime];
