import type { Sqlite } from './database';
import type { Channel, ChannelStatus, ProviderId } from '../domain/entities';
import { now } from './json';

export interface ChannelRow {
  id: string;
  provider: ProviderId;
  name: string;
  base_url: string;
  credentials: Buffer;
  /** Before migration 007 the webhook secret was kept here in plain text; '' once sealed. */
  webhook_secret: string;
  /** The webhook secret sealed by the SecretBox; null until the channel service seals a plain one. */
  webhook_secret_sealed: Buffer | null;
  /** 1 for the channels the demo workspace made (the only ones it re-points). */
  demo: number;
  paused: number;
  status: ChannelStatus;
  error: string | null;
  last_sync_at: string | null;
  created_at: string;
}

export type ChannelView = Omit<Channel, 'capabilities'>;

export function toChannelView(r: ChannelRow): ChannelView {
  return {
    id: r.id,
    provider: r.provider,
    name: r.name,
    baseUrl: r.base_url,
    status: r.status,
    lastSyncAt: r.last_sync_at,
    ...(r.error ? { error: r.error } : {}),
  };
}

export class ChannelsRepo {
  private readonly s;
  constructor(private readonly db: Sqlite) {
    this.s = {
      // The desktop's own channels; a team hub's (migration 014, hub_view) are the hub's to sync.
      all: db.prepare<[], ChannelRow>(
        'SELECT * FROM channels WHERE hub_view IS NULL ORDER BY created_at, id',
      ),
      get: db.prepare<[string], ChannelRow>('SELECT * FROM channels WHERE id = ?'),
      insert: db.prepare(
        `INSERT INTO channels (id, provider, name, base_url, credentials, webhook_secret, webhook_secret_sealed,
           demo, paused, status, created_at)
         VALUES (@id, @provider, @name, @baseUrl, @credentials, '', @webhookSecret, @demo, 0, 'connecting', @createdAt)`,
      ),
      sealWebhookSecret: db.prepare(
        "UPDATE channels SET webhook_secret_sealed = ?, webhook_secret = '' WHERE id = ?",
      ),
      demo: db.prepare<[], ChannelRow>('SELECT * FROM channels WHERE demo = 1 ORDER BY created_at, id'),
      update: db.prepare(
        `UPDATE channels SET name = coalesce(@name, name), base_url = coalesce(@baseUrl, base_url),
           credentials = coalesce(@credentials, credentials), paused = coalesce(@paused, paused) WHERE id = @id`,
      ),
      status: db.prepare('UPDATE channels SET status = ?, error = ? WHERE id = ?'),
      synced: db.prepare('UPDATE channels SET last_sync_at = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM channels WHERE id = ?'),
    };
  }

  all(): ChannelRow[] {
    return this.s.all.all();
  }

  get(id: string): ChannelRow | undefined {
    return this.s.get.get(id);
  }

  insert(c: {
    id: string;
    provider: ProviderId;
    name: string;
    baseUrl: string;
    credentials: Buffer;
    /** Sealed by the SecretBox. */
    webhookSecret: Buffer;
    demo?: boolean;
  }): ChannelRow {
    this.s.insert.run({ ...c, demo: Number(c.demo ?? false), createdAt: now() });
    return this.get(c.id)!;
  }

  /** The channels the demo workspace made. */
  demo(): ChannelRow[] {
    return this.s.demo.all();
  }

  /** Stores the sealed webhook secret and empties the plain-text column it may have been kept in before. */
  sealWebhookSecret(id: string, sealed: Buffer): void {
    this.s.sealWebhookSecret.run(sealed, id);
  }

  update(
    id: string,
    p: { name?: string; baseUrl?: string; credentials?: Buffer; paused?: boolean },
  ): ChannelRow | undefined {
    this.s.update.run({
      id,
      name: p.name ?? null,
      baseUrl: p.baseUrl ?? null,
      credentials: p.credentials ?? null,
      paused: p.paused === undefined ? null : Number(p.paused),
    });
    return this.get(id);
  }

  setStatus(id: string, status: ChannelStatus, error: string | null): void {
    this.s.status.run(status, error, id);
  }

  markSynced(id: string): void {
    this.s.synced.run(now(), id);
  }

  /** Removes the channel; its contacts, conversations, messages, outbox and secrets go with it (ON DELETE CASCADE). */
  delete(id: string): boolean {
    const deleted = this.s.delete.run(id).changes > 0;
    // Secure delete zeroes the freed rows in the database file; the WAL still holds earlier copies of their
    // pages until a checkpoint, so one runs now and empties it.
    if (deleted) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return deleted;
  }
}
