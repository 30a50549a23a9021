// channelDiagnostics(): the realtime sentence for each channel state, and a connector's readings passed on
// with their documented fields only (a throwing connector is a reading too, not a 500).
import { describe, expect, it } from 'vitest';
import { channelDiagnostics, type ChannelFacts } from '../../main/api/diagnostics';
import type { Capabilities, Channel } from '../../main/domain/entities';
import type { ProviderConnector } from '../../main/providers/types';

const capabilities = (realtime: Capabilities['realtime'], unavailable = {}): Capabilities => ({
  realtime,
  broadcast: 'fanout',
  flows: 'none',
  flowTest: false,
  templates: false,
  markRead: false,
  unavailable,
});

const channel = (o: Partial<Channel> = {}): Channel => ({
  id: 'ch1',
  provider: 'instantchat',
  name: 'Test',
  baseUrl: 'http://127.0.0.1:4000/instantchat',
  status: 'live',
  lastSyncAt: null,
  capabilities: capabilities('socket.io'),
  ...o,
});

const connector = (diagnostics?: () => unknown[]) => ({ diagnostics }) as unknown as ProviderConnector;

const facts = (o: Partial<ChannelFacts> = {}): ChannelFacts => ({
  channel: channel(),
  connector: connector(),
  webhooksReachApp: true,
  pollIntervalMs: 10_000,
  ...o,
});

describe('channelDiagnostics', () => {
  it('names the push path while it is up, with the reconciliation interval', () => {
    const d = channelDiagnostics(facts({ pollIntervalMs: 60_000 }));
    expect(d.realtime).toEqual({
      path: 'socket.io',
      live: true,
      pollIntervalMs: 60_000,
      detail: 'Live: news arrives over socket.io; the inbox also checks for anything missed every 60 s.',
    });
  });

  it('says a push provider is polled while its link is down', () => {
    const d = channelDiagnostics(facts({ channel: channel({ status: 'polling' }) }));
    expect(d.realtime).toMatchObject({ path: 'socket.io', live: false, pollIntervalMs: 10_000 });
    expect(d.realtime.detail).toBe(
      'Polling every 10 s. The socket.io link is not up (yet); the inbox polls until it is.',
    );
  });

  it('gives the provider’s own reason where it has no push', () => {
    const d = channelDiagnostics(
      facts({
        channel: channel({
          provider: 'chatpion',
          status: 'polling',
          capabilities: capabilities('none', { realtime: 'ChatPion has no realtime API' }),
        }),
      }),
    );
    expect(d.realtime).toMatchObject({ path: 'polling', live: false });
    expect(d.realtime.detail).toBe('Polling every 10 s. ChatPion has no realtime API.');
  });

  it('reads webhooks that cannot reach this app as polling, even if the channel claims live', () => {
    const d = channelDiagnostics(
      facts({
        channel: channel({
          provider: 'chatbots-platform',
          baseUrl: 'https://api.chatbots.example/v1',
          capabilities: capabilities('webhook'),
        }),
        webhooksReachApp: false,
      }),
    );
    expect(d.realtime).toMatchObject({ path: 'polling', live: false, pollIntervalMs: 10_000 });
    expect(d.realtime.detail).toBe(
      'Polling every 10 s. The provider’s webhooks cannot reach this app: it listens on this computer only, ' +
        'and api.chatbots.example is not on it.',
    );
  });

  it('says why a channel is offline and that replies wait', () => {
    const d = channelDiagnostics(
      facts({ channel: channel({ status: 'offline', error: 'InstantChat unreachable: ECONNREFUSED' }) }),
    );
    expect(d.realtime.live).toBe(false);
    expect(d.realtime.detail).toBe(
      'Offline: InstantChat unreachable: ECONNREFUSED. Replies wait in the outbox and go when it answers again.',
    );
  });

  it('has no interval and no readings when no connector runs', () => {
    const d = channelDiagnostics(
      facts({ channel: channel({ status: 'paused' }), connector: null, pollIntervalMs: null }),
    );
    expect(d).toMatchObject({ status: 'paused', items: [] });
    expect(d.realtime).toMatchObject({ pollIntervalMs: null, live: false });
    expect(d.realtime.detail).toMatch(/^Paused/);
  });

  it('passes on only topic, reading and confirmed', () => {
    const reading = { topic: 'direction', reading: 'inferred', confirmed: false, credentials: 'key-123' };
    const d = channelDiagnostics(facts({ connector: connector(() => [reading]) }));
    expect(d.items).toEqual([{ topic: 'direction', reading: 'inferred', confirmed: false }]);
  });

  it('turns a connector that cannot report into a reading', () => {
    const d = channelDiagnostics(
      facts({
        connector: connector(() => {
          throw new Error('not ready');
        }),
      }),
    );
    expect(d.items).toEqual([
      {
        topic: 'diagnostics',
        reading: 'the connector could not report its readings: not ready',
        confirmed: false,
      },
    ]);
  });
});
