// The core of Agent Inbox, in plain Node: database, local API server, sync, outbox, broadcasts, flows.
// The Electron shell and web mode both start it with createCore(); tests do too.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openStoreKeepingDamaged, type Store } from './db';
import { toOutboxItem } from './db/outbox';
import { sqliteSyncStorage } from './db/syncStorage';
import { sqliteOutboxStorage } from './db/outboxStorage';
import type { Settings } from './domain/entities';
import { startApiServer, type ApiServer } from './api/server';
import { createHandlers } from './api/handlers';
import { webhookReceiver } from './api/webhooks';
import { CoreEvents } from './events';
import { keyFileSecretBox, type SecretBox } from './secrets/keyfile';
import { ChannelService } from './channels/service';
import { Dispatcher } from './outbox/dispatcher';
import { BroadcastService } from './broadcasts/service';
import { FlowService } from './flows/service';
import { TeamService } from './team/service';
import type { Demo } from './demo';
import { toLogger, type LineSink, type Logger } from './log';

export type { SecretBox };

export const VERSION = '0.1.0';

export interface CoreOptions {
  dataDir: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Per-launch random token when absent. */
  token?: string;
  /** Credentials at rest: Electron safeStorage in the app, a 0600 key file otherwise. */
  secrets?: SecretBox;
  /** Start the demo workspace: built-in simulators and one channel per provider. */
  demo?: boolean;
  /** Serve the built renderer (web mode). */
  rendererDir?: string;
  /** better_sqlite3.node built for the running runtime (Electron). */
  sqliteBinding?: string;
  /** How long a send in flight at a crash may still land before the outbox asks the provider (default 12 s). */
  outboxInFlightGraceMs?: number;
  /** Benchmarks: connectors skip client-side rate limits. */
  unlimitedProviders?: boolean;
  /**
   * Tests: multiplies the backoff of sync, the outbox and realtime reconnects (default 1), so that tests do not
   * sit out real backoffs against simulators that recover at once. Never a provider's Retry-After.
   */
  backoffScale?: number;
  /** A Logger (main/log.ts), or a function given each entry as a line of text; default: JSON lines on stdout. */
  log?: Logger | LineSink;
  /** Tests: how often team mode polls the hub's feed when no push comes (default 3 s). */
  teamPollMs?: number;
}

export interface Core {
  url: string;
  token: string;
  port: number;
  dataDir: string;
  events: CoreEvents;
  store: Store;
  settings(): Settings;
  /** For the tray and badge; unread is "Mine unread" (assigned to this agent) in team mode. */
  counts(): { unread: number; queued: number };
  setSyncPaused(paused: boolean): Promise<void>;
  syncPaused(): boolean;
  /** The OS says the network went away or came back (Electron's net.isOnline). */
  setNetworkOnline(online: boolean): void;
  close(): Promise<void>;
}

export async function createCore(o: CoreOptions): Promise<Core> {
  fs.mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const logger = toLogger(o.log);
  /** What the subsystems report (a provider down, a webhook refused, a send failed) is a warning. */
  const log = (line: string) => logger.warn(line);
  const { store, notices } = openStoreKeepingDamaged(path.join(o.dataDir, 'inbox.db'), {
    nativeBinding: o.sqliteBinding,
  });
  for (const notice of notices) log(`[database] ${notice}`);
  const events = new CoreEvents();
  events.setMaxListeners(50);
  const token = o.token ?? crypto.randomBytes(32).toString('base64url');
  let server: ApiServer | null = null;
  let demo: Demo | null = null;

  const secrets = o.secrets ?? keyFileSecretBox(o.dataDir);
  const channels = new ChannelService({
    store,
    syncStorage: sqliteSyncStorage(store),
    events,
    secrets,
    apiUrl: () => server?.url ?? 'http://127.0.0.1',
    log,
    unlimited: o.unlimitedProviders,
    backoffScale: o.backoffScale,
  });
  const team = new TeamService({ store, events, channels, secrets, log, pollMs: o.teamPollMs });
  const kick = () => dispatcher.kick();
  const broadcasts = new BroadcastService(store, events, channels, kick);
  const flows = new FlowService(store, events, channels, kick, (line) => log(`[flows] ${line}`));
  const outboxStorage = sqliteOutboxStorage(store, (row, outcome) => {
    if (row.kind === 'broadcast') broadcasts.settled(row, outcome.ok, outcome.ok ? null : outcome.error);
    if (row.kind === 'flow_toggle') flows.settled(row, outcome);
  });
  const dispatcher = new Dispatcher({
    storage: outboxStorage,
    events,
    connectorFor: (id) => channels.connectorFor(id),
    syncPaused: () => channels.syncPaused,
    log: (line) => log(`[outbox] ${line}`),
    inFlightGraceMs: o.outboxInFlightGraceMs,
    backoffScale: o.backoffScale,
  });

  // Internal events → contract payloads for the renderer and the shell.
  events.on('channel.changed', (id) => {
    const row = store.channels.get(id);
    if (row) events.emit('channel.updated', channels.view(row));
    dispatcher.kick();
  });
  events.on('flows.changed', (id) => flows.emitChannel(id));
  events.on('outbox.item', (row) => events.emit('outbox.updated', toOutboxItem(row)));

  // The simulators behind the demo are loaded only when it starts (their own chunk in the build).
  const startDemoWorkspace = async () => {
    demo ??= await (await import('./demo')).startDemo(channels, (line) => logger.info(line));
    return demo.channels;
  };

  server = await startApiServer({
    port: o.port ?? 0,
    token,
    version: VERSION,
    events,
    rendererDir: o.rendererDir,
    log: logger,
    handlers: createHandlers({
      store,
      events,
      channels,
      broadcasts,
      flows,
      team,
      kickOutbox: kick,
      outboxStorage,
      version: VERSION,
      notices,
      startDemo: startDemoWorkspace,
    }),
    onWebhook: webhookReceiver(channels, store.webhookDeliveries, log),
  });

  // Solo mode (the default): the desktop syncs its own channels. In team mode the hub does, and the cache
  // follows the hub's feed instead.
  if (!team.resume()) channels.startAll();
  dispatcher.start();
  broadcasts.start();
  if (o.demo) await startDemoWorkspace();

  return {
    url: server.url,
    token,
    port: server.port,
    dataDir: o.dataDir,
    events,
    store,
    settings: () => store.settings.get(),
    counts: () => ({
      unread: team.mineUnread() ?? store.conversations.unreadTotal(),
      queued: [...store.outbox.queuedByChannel().values()].reduce((a, b) => a + b, 0),
    }),
    syncPaused: () => channels.syncPaused,
    setNetworkOnline: (online) => {
      logger.info(`network ${online ? 'back online' : 'offline'}`);
      if (!online) return;
      channels.pollAllNow();
      dispatcher.kick();
    },
    setSyncPaused: async (paused) => {
      // In team mode the desktop's own channels stay stopped: the hub syncs the team's.
      if (team.inTeam()) return;
      await channels.setSyncPaused(paused);
      if (!paused) dispatcher.kick();
    },
    async close() {
      broadcasts.stop();
      await team.close();
      await dispatcher.stop();
      await channels.stopAll();
      await server?.close();
      await demo?.close();
      store.close();
    },
  };
}
