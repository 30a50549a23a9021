// A channel's diagnostics, for a support engineer telling a misread provider from a broken one: how news
// reaches the channel (and why not by push, where it does not), and what its connector assumed where the
// provider's document is silent. Built from in-memory state only; never carries a credential.
import type { Channel, ChannelDiagnostics, Diagnostic, RealtimePath } from '../contract/schemas';
import type { ProviderConnector } from '../providers/types';

type Realtime = ChannelDiagnostics['realtime'];
type PushPath = Exclude<RealtimePath, 'polling'>;

/** Over what news arrives while the push path is up. */
const LIVE_OVER: Record<PushPath, string> = {
  'socket.io': 'socket.io',
  websocket: 'a WebSocket',
  webhook: 'webhooks',
};

/** Why a provider that pushes is polled right now. */
const PUSH_DOWN: Record<PushPath, string> = {
  'socket.io': 'The socket.io link is not up (yet); the inbox polls until it is.',
  websocket: 'The WebSocket link is not up (yet); the inbox polls until it is.',
  webhook: 'The webhook is not registered with the provider (yet); the inbox polls until it is.',
};

export interface ChannelFacts {
  channel: Channel;
  /** The channel's running connector; null while it is paused or could not start. */
  connector: ProviderConnector | null;
  /** The provider can deliver webhooks to this app, which listens on this machine only. */
  webhooksReachApp: boolean;
  /** How often the channel's sync asks the provider for changes now; null when it is not running. */
  pollIntervalMs: number | null;
}

export function channelDiagnostics(f: ChannelFacts): ChannelDiagnostics {
  return {
    channelId: f.channel.id,
    provider: f.channel.provider,
    status: f.channel.status,
    realtime: realtimeOf(f),
    items: connectorReadings(f.connector),
  };
}

/** The push path the channel can use: none where the provider has none, or where its webhooks cannot reach us. */
function pathOf(f: ChannelFacts): RealtimePath {
  const declared = f.channel.capabilities.realtime;
  if (declared === 'none' || (declared === 'webhook' && !f.webhooksReachApp)) return 'polling';
  return declared;
}

function realtimeOf(f: ChannelFacts): Realtime {
  const { status } = f.channel;
  const path = pathOf(f);
  const live = status === 'live' && path !== 'polling';
  return { path, live, pollIntervalMs: f.pollIntervalMs, detail: detailOf(f, path, live, f.pollIntervalMs) };
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function detailOf(f: ChannelFacts, path: RealtimePath, live: boolean, pollMs: number | null): string {
  const { status, error } = f.channel;
  const every = pollMs === null ? '' : ` every ${seconds(pollMs)}`;
  switch (status) {
    case 'paused':
      return 'Paused: nothing is synced or sent until the channel is resumed.';
    case 'auth_error':
      return `Not connected: the provider refuses the credentials${error ? ` (${error})` : ''}. Enter them again.`;
    case 'connecting':
      return 'Connecting to the provider.';
    case 'offline':
      return [
        `Offline: ${error ?? 'the provider does not answer'}. Replies wait in the outbox and go when it answers again.`,
        noPushReason(f, path),
      ]
        .filter(Boolean)
        .join(' ');
    default:
      if (live)
        return `Live: news arrives over ${LIVE_OVER[path as PushPath]}; the inbox also checks for anything missed${every}.`;
      return `Polling${every}. ${noPushReason(f, path) || PUSH_DOWN[path as PushPath]}`;
  }
}

/** Why this channel never gets news by push, in a sentence; empty when it can, and only the link is down. */
function noPushReason(f: ChannelFacts, path: RealtimePath): string {
  const { capabilities, baseUrl } = f.channel;
  if (capabilities.realtime === 'none')
    return asSentence(capabilities.unavailable.realtime ?? 'The provider has no push an app can receive');
  if (path === 'polling')
    return (
      'The provider’s webhooks cannot reach this app: it listens on this computer only, and ' +
      `${hostOf(baseUrl)} is not on it.`
    );
  return '';
}

const asSentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Only the documented fields, whatever else a connector's objects carry; a failing report is a reading too. */
function connectorReadings(connector: ProviderConnector | null): Diagnostic[] {
  try {
    return (connector?.diagnostics?.() ?? []).map(({ topic, reading, confirmed }) => ({
      topic,
      reading,
      confirmed,
    }));
  } catch (e) {
    return [
      {
        topic: 'diagnostics',
        reading: `the connector could not report its readings: ${(e as Error).message}`,
        confirmed: false,
      },
    ];
  }
}
