// The provider work of one hub instance: the team channels whose advisory lock it holds, each synced by a
// ChannelSync (main/sync) and delivered by this instance's one Dispatcher (main/outbox). Locks are session
// locks on one dedicated connection, so a killed instance's locks go with its connection and another instance
// takes its channels on its next round (every ROUND_MS). Each channel is run by exactly one instance, so provider
// traffic does not grow with the number of instances or agents.
import pg from 'pg';
import type { Logger } from '../../main/log';
import type { BackoffScale } from '../../main/domain/backoff';
import type { Capabilities, Credentials, ProviderId } from '../../main/domain/entities';
import { reachesLoopback } from '../../main/domain/channelRules';
import type { SecretBox } from '../../main/secrets/keyfile';
import { connectorFactories } from '../../main/providers/registry';
import { AccountLimiters } from '../../main/providers/limiters';
import type { ProviderConnector } from '../../main/providers/types';
import { ChannelSync } from '../../main/sync/channelSync';
import { Dispatcher } from '../../main/outbox/dispatcher';
import { CoreEvents } from '../../main/events';
import type { SyncStorage } from '../../main/domain/storage';
import type { HubDatabase } from '../db/database';
import { runnableChannels, setChannelStatus, type ChannelRow } from '../db/channels';
import { appendChannelChange, pgSyncStorage } from '../db/syncStorage';
import { pgOutboxStorage } from '../db/outboxStorage';
import { OUTBOX_CHANNEL } from '../db/outbox';
import type { WebhookAnswer, WebhookRequest } from '../../main/api/webhooks';
import { WebhookReceiver } from './webhooks';

/** How often an instance looks for channels no instance runs (and for changes to those it runs). */
const ROUND_MS = 1_500;
/** Said by an instance that changed a channel, or received a webhook needing a poll, to the one running it. */
export const CHANNEL_NOTICE = 'hub_channel';
export const POLL_NOTICE = 'hub_poll';

export interface ChannelWorkOptions {
  db: HubDatabase;
  secrets: SecretBox;
  /** Where providers reach this hub (--public-url); null: only a provider on this machine gets a webhook URL. */
  publicUrl: string | null;
  log?: Logger;
  backoffScale?: BackoffScale;
  inFlightGraceMs?: number;
}

interface Running {
  row: ChannelRow;
  /** Null when the stored credentials cannot be read with this hub's key (the channel shows why). */
  sync: ChannelSync | null;
}

/** The channel's decrypted secrets, or null when this hub's key cannot read them. */
function unseal(
  secrets: SecretBox,
  row: ChannelRow,
): { credentials: Credentials; webhookSecret: string } | null {
  try {
    return {
      credentials: JSON.parse(secrets.decrypt(row.credentials)) as Credentials,
      webhookSecret: secrets.decrypt(row.webhook_secret),
    };
  } catch {
    return null;
  }
}

const sameAccount = (a: ChannelRow, b: ChannelRow) =>
  a.base_url === b.base_url && a.credentials.equals(b.credentials) && a.provider === b.provider;

export class ChannelWork {
  readonly storage: SyncStorage;
  readonly events = new CoreEvents();
  private readonly running = new Map<string, Running>();
  private readonly limiters = new AccountLimiters();
  private readonly declared = new Map<ProviderId, Capabilities>();
  private readonly dispatcher: Dispatcher;
  private readonly webhooks: WebhookReceiver;
  private client: pg.Client | null = null;
  private localUrl: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private again = false;
  private started = false;
  private stopped = false;

  constructor(private readonly o: ChannelWorkOptions) {
    this.storage = pgSyncStorage(o.db, (p) => this.capabilitiesOf(p));
    this.dispatcher = new Dispatcher({
      storage: pgOutboxStorage(o.db, () => [...this.running.keys()]),
      events: this.events,
      connectorFor: (id) => this.running.get(id)?.sync?.connector ?? null,
      syncPaused: () => false,
      log: (line) => this.log(`[outbox] ${line}`),
      inFlightGraceMs: o.inFlightGraceMs,
      backoffScale: o.backoffScale,
    });
    this.webhooks = new WebhookReceiver(
      o.db,
      this,
      async (id) => void (await o.db.query('SELECT pg_notify($1, $2)', [POLL_NOTICE, id])),
      (line) => this.log(line),
    );
  }

  /** `localUrl`: this instance's own address, the webhook URL of a provider on this machine without --public-url. */
  start(localUrl?: string): void {
    this.localUrl = localUrl ?? null;
    this.started = true;
    this.dispatcher.start();
    this.nextRound(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    await this.dispatcher.stop();
    // One after the other: their unlocks share the one lock connection.
    for (const id of [...this.running.keys()]) await this.release(id);
    await this.webhooks.close();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Seals and opens the team's credentials. */
  get secrets(): SecretBox {
    return this.o.secrets;
  }

  /** A reply was queued: deliver now if this instance runs its channel (others hear it through NOTIFY). */
  kick(): void {
    this.dispatcher.kick();
  }

  /** A provider's webhook for a channel of any instance: verified, then stored. */
  receiveWebhook(channelId: string, req: WebhookRequest): Promise<WebhookAnswer> {
    return this.webhooks.receive(channelId, req);
  }

  /** Look at the channels now (one was added, changed or removed) rather than at the next round. */
  refresh(): void {
    if (this.stopped || !this.started) return;
    if (this.round) this.again = true;
    else this.nextRound(0);
  }

  /** The channels this instance runs now. */
  get held(): string[] {
    return [...this.running.keys()];
  }

  /** The sync of a channel this instance runs. */
  syncOf(channelId: string): ChannelSync | null {
    return this.running.get(channelId)?.sync ?? null;
  }

  /** Capabilities are declared per provider: read once from a connector built for nothing. */
  capabilitiesOf(provider: ProviderId): Capabilities {
    let caps = this.declared.get(provider);
    if (!caps) {
      const c = connectorFactories[provider]({
        baseUrl: 'http://127.0.0.1:9',
        credentials: { apiKey: 'unused' },
        webhookUrl: null,
        webhookSecret: 'unused',
      });
      caps = c.capabilities;
      void c.close().catch(() => undefined);
      this.declared.set(provider, caps);
    }
    return caps;
  }

  /** A connector for this channel as stored, limited with the account's other requests; null: unreadable secrets. */
  connectorOf(row: ChannelRow): ProviderConnector | null {
    const open = unseal(this.o.secrets, row);
    return open && this.connector(row.provider, row.base_url, open.credentials, row.id, open.webhookSecret);
  }

  /**
   * A connector for an account, its requests counted with the account's others on this instance (the
   * credential test's included); `channelId` and `webhookSecret` name where its webhooks land.
   */
  connector(
    provider: ProviderId,
    baseUrl: string,
    credentials: Credentials,
    channelId: string,
    webhookSecret: string,
  ): ProviderConnector {
    return connectorFactories[provider]({
      baseUrl,
      credentials,
      webhookUrl: this.webhookUrl(channelId, baseUrl),
      webhookSecret,
      backoffScale: this.o.backoffScale,
      rateLimiter: this.limiters.for(provider, baseUrl, credentials),
    });
  }

  /**
   * Where the provider delivers this channel's webhooks: the public URL when there is one, else this instance's
   * own address for a provider on this machine (main/domain/channelRules.ts reachesLoopback), else none (polled).
   */
  private webhookUrl(channelId: string, baseUrl: string): string | null {
    const base = this.o.publicUrl ?? (reachesLoopback(baseUrl) ? this.localUrl : null);
    return base ? `${base.replace(/\/+$/, '')}/hub/v1/webhooks/${channelId}` : null;
  }

  private log(line: string): void {
    this.o.log?.warn(line);
  }

  private nextRound(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.round = this.claim()
        .catch((e: Error) => this.log(`[channels] round failed: ${e.message}`))
        .finally(() => {
          this.round = null;
          const soon = this.again;
          this.again = false;
          this.nextRound(soon ? 0 : ROUND_MS);
        });
    }, ms);
    this.timer.unref();
  }

  /** The dedicated connection that holds this instance's channel locks and hears NOTIFY. */
  private async lockClient(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.o.db.pool.options.connectionString,
      // Who holds a channel's lock, as pg_stat_activity shows it.
      application_name: `agent-inbox-hub ${process.pid}`,
    });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      // Its locks went with it: another instance may take these channels now, so this one lets them go at once.
      this.log('[channels] lock connection lost; every channel let go');
      for (const id of [...this.running.keys()]) void this.release(id, false);
      this.refresh();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => this.heard(n.channel, n.payload ?? ''));
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    await client.query(`LISTEN ${CHANNEL_NOTICE}`);
    await client.query(`LISTEN ${POLL_NOTICE}`);
    this.client = client;
    return client;
  }

  private heard(channel: string, channelId: string): void {
    if (channel === OUTBOX_CHANNEL && this.running.has(channelId)) this.dispatcher.kick();
    else if (channel === POLL_NOTICE) this.syncOf(channelId)?.pollNow();
    else if (channel === CHANNEL_NOTICE) this.refresh();
  }

  /** One round: let go of channels paused or removed, restart changed ones, take those no instance runs. */
  private async claim(): Promise<void> {
    const client = await this.lockClient();
    const rows = await runnableChannels(this.o.db);
    const wanted = new Map(rows.map((r) => [r.id, r]));
    let changed = false;
    for (const [id, r] of [...this.running]) {
      const now = wanted.get(id);
      if (!now) {
        await this.release(id);
        changed = true;
      } else if (!sameAccount(r.row, now)) {
        await this.halt(id);
        this.run(now);
        changed = true;
      }
    }
    for (const row of rows) {
      if (this.stopped) return;
      if (this.running.has(row.id)) continue;
      const { rows: got } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [row.lock_key],
      );
      if (!got[0]!.locked) continue;
      // Taken: it may have been deleted or paused between the read and the lock.
      if (!(await this.stillRunnable(row.id))) {
        await client.query('SELECT pg_advisory_unlock($1)', [row.lock_key]);
        continue;
      }
      this.run(row);
      changed = true;
    }
    if (changed) this.dispatcher.kick();
  }

  private async stillRunnable(id: string): Promise<boolean> {
    const { rowCount } = await this.o.db.query('SELECT 1 FROM channels WHERE id = $1 AND NOT paused', [id]);
    return (rowCount ?? 0) > 0;
  }

  private run(row: ChannelRow): void {
    const connector = this.connectorOf(row);
    if (!connector) {
      this.running.set(row.id, { row, sync: null });
      void this.o.db
        .tx(async (t) => {
          const error = 'Stored credentials cannot be decrypted with this hub’s key; enter them again.';
          if (await setChannelStatus(t, row.id, 'auth_error', error))
            await appendChannelChange(t, row.id, (p) => this.capabilitiesOf(p));
        })
        .catch((e: Error) => this.log(`[channels] status not stored: ${e.message}`));
      return;
    }
    const sync = new ChannelSync({
      storage: this.storage,
      events: this.events,
      channelId: row.id,
      connector,
      log: (line) => this.log(`[${row.provider}:${row.id}] ${line}`),
      backoffScale: this.o.backoffScale,
    });
    this.running.set(row.id, { row, sync });
    sync.start();
  }

  /** Stops the channel's sync, keeping its lock. */
  private async halt(id: string): Promise<void> {
    const r = this.running.get(id);
    this.running.delete(id);
    await r?.sync?.stop();
  }

  /** Stops the channel and lets another instance take it (`unlock` false: the lock went with its connection). */
  private async release(id: string, unlock = true): Promise<void> {
    const r = this.running.get(id);
    await this.halt(id);
    if (r && unlock && this.client)
      await this.client.query('SELECT pg_advisory_unlock($1)', [r.row.lock_key]).catch(() => undefined);
  }
}
