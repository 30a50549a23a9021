// A team's provider accounts: sealed credentials and webhook secret, the advisory lock key of the instance that
// runs the channel, and the status its sync shows. Changes append a 'channel' change (never credentials) and an
// audit row in the caller's transaction.
import type { Capabilities, Channel, ChannelStatus, ProviderId } from '../../main/domain/entities';
import type { Queryable, Tx } from './database';

export interface ChannelRow {
  id: string;
  team_id: string;
  lock_key: number;
  provider: ProviderId;
  name: string;
  base_url: string;
  credentials: Buffer;
  webhook_secret: Buffer;
  paused: boolean;
  status: ChannelStatus;
  error: string | null;
  last_sync_at: string | null;
  created_at: string;
}

/** What the API shows of a channel: never its credentials or secret. */
export function toChannelView(r: ChannelRow, capabilities: Capabilities): Channel {
  return {
    id: r.id,
    provider: r.provider,
    name: r.name,
    baseUrl: r.base_url,
    status: r.paused ? 'paused' : r.status,
    lastSyncAt: r.last_sync_at,
    ...(r.error && !r.paused ? { error: r.error } : {}),
    capabilities,
  };
}

export async function teamChannels(q: Queryable, teamId: string): Promise<ChannelRow[]> {
  const { rows } = await q.query<ChannelRow>(
    'SELECT * FROM channels WHERE team_id = $1 ORDER BY created_at, id',
    [teamId],
  );
  return rows;
}

export async function channelById(q: Queryable, id: string): Promise<ChannelRow | null> {
  const { rows } = await q.query<ChannelRow>('SELECT * FROM channels WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Every channel some instance should be running: not paused, of any team. */
export async function runnableChannels(q: Queryable): Promise<ChannelRow[]> {
  const { rows } = await q.query<ChannelRow>('SELECT * FROM channels WHERE NOT paused ORDER BY lock_key');
  return rows;
}

export async function insertChannel(
  t: Tx,
  c: {
    id: string;
    teamId: string;
    provider: ProviderId;
    name: string;
    baseUrl: string;
    credentials: Buffer;
    webhookSecret: Buffer;
  },
): Promise<ChannelRow> {
  const { rows } = await t.query<ChannelRow>(
    `INSERT INTO channels (id, team_id, provider, name, base_url, credentials, webhook_secret)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [c.id, c.teamId, c.provider, c.name, c.baseUrl, c.credentials, c.webhookSecret],
  );
  return rows[0]!;
}

/** A changed account starts over as 'connecting': the instance that runs it connects again. */
export async function updateChannel(
  t: Tx,
  id: string,
  p: { name?: string; baseUrl?: string; credentials?: Buffer; paused?: boolean },
): Promise<ChannelRow | null> {
  const reconnect = p.baseUrl !== undefined || p.credentials !== undefined || p.paused !== undefined;
  const { rows } = await t.query<ChannelRow>(
    `UPDATE channels SET name = coalesce($2, name), base_url = coalesce($3, base_url),
       credentials = coalesce($4, credentials), paused = coalesce($5, paused),
       status = CASE WHEN $6 THEN 'connecting' ELSE status END, error = CASE WHEN $6 THEN NULL ELSE error END
     WHERE id = $1 RETURNING *`,
    [id, p.name ?? null, p.baseUrl ?? null, p.credentials ?? null, p.paused ?? null, reconnect],
  );
  return rows[0] ?? null;
}

export async function deleteChannel(t: Tx, id: string): Promise<boolean> {
  return ((await t.query('DELETE FROM channels WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

/** The status the channel's sync shows; the row as it is now, or null when it is gone. */
export async function setChannelStatus(
  q: Queryable,
  id: string,
  status: ChannelStatus,
  error: string | null,
): Promise<ChannelRow | null> {
  const { rows } = await q.query<ChannelRow>(
    'UPDATE channels SET status = $2, error = $3 WHERE id = $1 RETURNING *',
    [id, status, error],
  );
  return rows[0] ?? null;
}

export async function markChannelSynced(q: Queryable, id: string): Promise<void> {
  await q.query('UPDATE channels SET last_sync_at = now() WHERE id = $1', [id]);
}

/**
 * Takes a verified webhook delivery by its name, once across instances: false when it was taken after `since`
 * (a replay). Older names are forgotten as they pass.
 */
export async function takeDelivery(
  q: Queryable,
  channelId: string,
  deliveryId: string,
  since: string,
): Promise<boolean> {
  await q.query('DELETE FROM webhook_deliveries WHERE received_at <= $1', [since]);
  const { rowCount } = await q.query(
    `INSERT INTO webhook_deliveries (channel_id, delivery_id) VALUES ($1, $2)
     ON CONFLICT (channel_id, delivery_id) DO UPDATE SET received_at = now()
     WHERE webhook_deliveries.received_at <= $3`,
    [channelId, deliveryId, since],
  );
  return (rowCount ?? 0) > 0;
}

/** A delivery that could not be stored may come again. */
export async function forgetDelivery(q: Queryable, channelId: string, deliveryId: string): Promise<void> {
  await q.query('DELETE FROM webhook_deliveries WHERE channel_id = $1 AND delivery_id = $2', [
    channelId,
    deliveryId,
  ]);
}
