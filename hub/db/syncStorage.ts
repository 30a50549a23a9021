// The sync engine's storage (main/domain/storage.ts) over the hub's PostgreSQL: each batch with its cursors in one
// transaction that also appends its changes to the team's feed. Batches of one channel are written one at a time
// whichever instance writes them (ingest.ts lockChannel): the one that runs the channel, or one a webhook reached.
import type { SyncCursor, SyncStorage, SyncWrite } from '../../main/domain/storage';
import type { ConversationRef } from '../../main/domain/remote';
import type { Capabilities, ProviderId } from '../../main/domain/entities';
import { STATUS_RANK } from '../../main/domain/messageMatching';
import type { HubDatabase, Queryable, Tx } from './database';
import { appendBatchChanges, ingestBatch, lockChannel } from './ingest';
import { channelById, markChannelSynced, setChannelStatus, toChannelView } from './channels';
import { toMessage, type MessageRow } from './views';

async function saveCursors(t: Queryable, channelId: string, cursors: SyncWrite['cursors']): Promise<void> {
  if (!cursors.length) return;
  await t.query(
    `INSERT INTO sync_state (channel_id, stream, cursor, done, updated_at)
     SELECT $1, r.stream, r.cursor, r.done, now()
     FROM jsonb_to_recordset($2::jsonb) AS r(stream TEXT, cursor TEXT, done BOOLEAN)
     WHERE EXISTS (SELECT 1 FROM channels WHERE id = $1)
     ON CONFLICT (channel_id, stream) DO UPDATE SET cursor = excluded.cursor, done = excluded.done,
       updated_at = excluded.updated_at`,
    [channelId, JSON.stringify(lastOfEach(cursors).map((c) => ({ stream: c.stream, ...c.at })))],
  );
}

const lastOfEach = (cursors: SyncWrite['cursors']) => [
  ...new Map(cursors.map((c) => [c.stream, c])).values(),
];

/** What a connector needs to act on a stored conversation, or null when it is gone. */
export async function conversationRef(q: Queryable, conversationId: number): Promise<ConversationRef | null> {
  const { rows } = await q.query<{
    external_id: string;
    contact_external_id: string;
    meta: Record<string, unknown>;
  }>(
    `SELECT v.external_id, c.external_id AS contact_external_id, v.meta
     FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE v.id = $1`,
    [conversationId],
  );
  const r = rows[0];
  return r ? { externalId: r.external_id, contactExternalId: r.contact_external_id, meta: r.meta } : null;
}

/** Appends the channel as the team now sees it to the feed (never its credentials). */
export async function appendChannelChange(
  t: Tx,
  channelId: string,
  capabilitiesOf: (provider: ProviderId) => Capabilities,
): Promise<void> {
  const row = await channelById(t, channelId);
  if (row)
    t.change({
      teamId: row.team_id,
      kind: 'channel',
      data: toChannelView(row, capabilitiesOf(row.provider)),
    });
}

/** A channel's flows or templates as the provider lists them now, in place of those stored. */
async function replaceCatalog(
  db: HubDatabase,
  channelId: string,
  table: 'flows' | 'templates',
  insert: string,
  records: unknown[],
) {
  await db.tx(async (t) => {
    if (!(await lockChannel(t, channelId))) return;
    await t.query(`DELETE FROM ${table} WHERE channel_id = $1`, [channelId]);
    await t.query(insert, [channelId, JSON.stringify(records)]);
  });
}

export function pgSyncStorage(
  db: HubDatabase,
  capabilitiesOf: (provider: ProviderId) => Capabilities,
): SyncStorage {
  const store = async (w: SyncWrite) =>
    db.tx(async (t) => {
      const ch = await lockChannel(t, w.channelId);
      if (!ch) return { created: [], updated: [], conversations: [] };
      const stored = await ingestBatch(t, ch, w.conversations, w.messages, w.live);
      await saveCursors(t, w.channelId, w.cursors);
      return stored;
    });
  return {
    prepare: async () => undefined,
    async cursor(channelId, stream): Promise<SyncCursor> {
      const { rows } = await db.query<SyncCursor>(
        'SELECT cursor, done FROM sync_state WHERE channel_id = $1 AND stream = $2',
        [channelId, stream],
      );
      return rows[0] ?? { cursor: null, done: false };
    },
    saveCursor: (channelId, stream, at) => saveCursors(db, channelId, [{ stream, at }]),
    storeBatch: store,
    storeLive: store,
    conversationRef: (id) => conversationRef(db, id),
    async hasConversation(channelId, externalId) {
      const { rowCount } = await db.query(
        'SELECT 1 FROM conversations WHERE channel_id = $1 AND external_id = $2',
        [channelId, externalId],
      );
      return (rowCount ?? 0) > 0;
    },
    applyReceipt: (channelId, externalId, status) =>
      db.tx(async (t) => {
        const ch = await lockChannel(t, channelId);
        if (!ch) return null;
        // Only these can still change by a receipt; by the id its send answered, for a reply listed under another.
        const { rows } = await t.query<MessageRow>(
          `SELECT * FROM messages WHERE channel_id = $1 AND (external_id = $2 OR sent_id = $2)
             AND direction = 'out' AND status IN ('sent', 'delivered')
           ORDER BY (external_id = $2) DESC LIMIT 1`,
          [channelId, externalId],
        );
        const existing = rows[0];
        if (!existing || STATUS_RANK[status] <= STATUS_RANK[existing.status]) return null;
        const { rows: updated } = await t.query<MessageRow>(
          'UPDATE messages SET status = $2, error = NULL WHERE id = $1 RETURNING *',
          [existing.id, status],
        );
        const m = toMessage(updated[0]!);
        await appendBatchChanges(t, ch.teamId, [m], []);
        return m;
      }),
    async storeFlow(channelId, flow) {
      await db.query(
        `INSERT INTO flows (channel_id, external_id, name, description, active)
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM channels WHERE id = $1)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET name = excluded.name,
           description = excluded.description, active = excluded.active`,
        [channelId, flow.externalId, flow.name, flow.description ?? null, flow.active],
      );
    },
    replaceFlows: (channelId, flows) =>
      replaceCatalog(
        db,
        channelId,
        'flows',
        `INSERT INTO flows (channel_id, external_id, name, description, active)
         SELECT $1, r.external_id, r.name, r.description, r.active
         FROM jsonb_to_recordset($2::jsonb) AS r(external_id TEXT, name TEXT, description TEXT, active BOOLEAN)
         ON CONFLICT DO NOTHING`,
        flows.map((f) => ({
          external_id: f.externalId,
          name: f.name,
          description: f.description ?? null,
          active: f.active,
        })),
      ),
    replaceTemplates: (channelId, templates) =>
      replaceCatalog(
        db,
        channelId,
        'templates',
        `INSERT INTO templates (channel_id, external_id, name, text)
         SELECT $1, r.external_id, r.name, r.text
         FROM jsonb_to_recordset($2::jsonb) AS r(external_id TEXT, name TEXT, text TEXT)
         ON CONFLICT DO NOTHING`,
        templates.map((x) => ({ external_id: x.externalId, name: x.name, text: x.text })),
      ),
    async channelStatus(channelId) {
      const row = await channelById(db, channelId);
      return row ? { status: row.status, error: row.error } : null;
    },
    setChannelStatus: (channelId, status, error) =>
      db.tx(async (t) => {
        if (await setChannelStatus(t, channelId, status, error))
          await appendChannelChange(t, channelId, capabilitiesOf);
      }),
    // lastSyncAt moves on every poll: readable in the channel list, not worth a change in the feed each time.
    markSynced: (channelId) => markChannelSynced(db, channelId),
  };
}
