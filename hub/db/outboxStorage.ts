// The outbox dispatcher's storage (main/domain/storage.ts) over the hub's PostgreSQL, with the SQLite outbox's
// semantics (main/db/outbox.ts): the head of each conversation's queue goes first, a failed reply holds the later
// ones, `sending` is committed before the request leaves, and each settlement is one transaction with its
// message. One dispatcher per instance sees only the items of the channels that instance runs (`held`), so a
// channel's replies are delivered by one instance at a time; every message change is appended to the feed.
import type { MessageStatus, ProviderId } from '../../main/domain/entities';
import type { OutboxRow, OutboxStorage } from '../../main/domain/storage';
import { STATUS_RANK } from '../../main/domain/messageMatching';
import type { HubDatabase, Queryable, Tx } from './database';
import { conversationRef } from './syncStorage';
import { toMessage, type HubMessage, type MessageRow } from './views';

/** The oldest failed reply before queued row `o` of its conversation, which holds it (main/db/outbox.ts HELD_BY). */
const HELD_BY = `CASE WHEN o.status = 'queued' AND o.conversation_id IS NOT NULL THEN (
  SELECT min(f.id) FROM outbox f
  WHERE f.conversation_id = o.conversation_id AND f.id < o.id AND f.status = 'failed' AND f.kind = 'reply'
) END`;
const ROW = `o.*, ${HELD_BY} AS held_by`;

async function rowsOf(q: Queryable, sql: string, params: unknown[]): Promise<OutboxRow[]> {
  return (await q.query<OutboxRow>(sql, params)).rows;
}

async function messageById(q: Queryable, id: number): Promise<MessageRow | null> {
  return (await q.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id])).rows[0] ?? null;
}

/** The message as it is now, appended to its team's feed. */
async function messageChanged(t: Tx, row: MessageRow): Promise<HubMessage> {
  const { rows } = await t.query<{ team_id: string }>('SELECT team_id FROM conversations WHERE id = $1', [
    row.conversation_id,
  ]);
  const m = toMessage(row);
  if (rows[0])
    t.change({ teamId: rows[0].team_id, kind: 'message', conversationId: row.conversation_id, data: m });
  return m;
}

async function setStatus(t: Tx, id: number, status: MessageStatus, error: string | null) {
  const { rows } = await t.query<MessageRow>(
    'UPDATE messages SET status = $2, error = $3 WHERE id = $1 RETURNING *',
    [id, status, error],
  );
  return rows[0] ? messageChanged(t, rows[0]) : null;
}

const isOutboxMessage = async (q: Queryable, messageId: number) =>
  ((await q.query('SELECT 1 FROM outbox WHERE message_id = $1', [messageId])).rowCount ?? 0) > 0;

const laterOf = (a: MessageStatus, b: MessageStatus) => (STATUS_RANK[a] > STATUS_RANK[b] ? a : b);

/**
 * The provider accepted the reply as `externalId` (main/db/messages.ts markSent): a poll's separate copy of it is
 * dropped, unless that copy is another reply the outbox delivered (both kept: nothing proves they are one).
 */
async function markSent(
  t: Tx,
  id: number,
  externalId: string,
  status: MessageStatus,
): Promise<{ message: HubMessage; collidedWith: number | null } | null> {
  const row = await messageById(t, id);
  if (!row) return null;
  const { rows: dups } = await t.query<MessageRow>(
    'SELECT * FROM messages WHERE conversation_id = $1 AND external_id = $2',
    [row.conversation_id, externalId],
  );
  const dup = dups[0];
  if (dup && dup.id !== id && (await isOutboxMessage(t, dup.id)))
    return { message: (await setStatus(t, id, status, null))!, collidedWith: dup.id };
  if (dup && dup.id !== id) await t.query('DELETE FROM messages WHERE id = $1', [dup.id]);
  const relisted = !dup && row.external_id !== null && row.external_id !== externalId;
  const { rows } = await t.query<MessageRow>(
    relisted
      ? // Listed (adopted) under another id than its send answers: keep both.
        'UPDATE messages SET status = $2, sent_id = $3, error = NULL WHERE id = $1 RETURNING *'
      : 'UPDATE messages SET status = $2, external_id = $3, error = NULL WHERE id = $1 RETURNING *',
    [id, relisted ? laterOf(row.status, status) : laterOf(dup?.status ?? 'sent', status), externalId],
  );
  return { message: await messageChanged(t, rows[0]!), collidedWith: null };
}

/** `held`: the channels this instance runs now; only their items are its to deliver. */
export function pgOutboxStorage(db: HubDatabase, held: () => string[]): OutboxStorage {
  const mine = () => [...held()];
  return {
    due: (limit) =>
      rowsOf(
        db,
        `SELECT ${ROW} FROM outbox o JOIN channels c ON c.id = o.channel_id
         WHERE o.channel_id = ANY($1::uuid[]) AND NOT c.paused AND c.status <> 'offline'
           AND o.status IN ('queued', 'sending') AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= now())
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation_id = o.conversation_id AND p.id < o.id
                           AND p.status IN ('queued', 'sending'))
           AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.conversation_id = o.conversation_id AND f.id < o.id
                           AND f.status = 'failed' AND f.kind = 'reply')
         ORDER BY o.id LIMIT $2`,
        [mine(), limit],
      ),
    async nextWake() {
      const { rows } = await db.query<{ at: string | null; sending: boolean }>(
        `SELECT (SELECT min(o.next_attempt_at) FROM outbox o JOIN channels c ON c.id = o.channel_id
                 WHERE o.channel_id = ANY($1::uuid[]) AND o.status = 'queued' AND o.next_attempt_at IS NOT NULL
                   AND NOT c.paused AND c.status <> 'offline') AS at,
                EXISTS (SELECT 1 FROM outbox WHERE channel_id = ANY($1::uuid[]) AND status = 'sending') AS sending`,
        [mine()],
      );
      return { at: rows[0]!.at ? new Date(rows[0]!.at) : null, sending: rows[0]!.sending };
    },
    item: async (id) => (await rowsOf(db, `SELECT ${ROW} FROM outbox o WHERE o.id = $1`, [id]))[0] ?? null,
    laterInConversation: (conversationId, id) =>
      rowsOf(
        db,
        `SELECT ${ROW} FROM outbox o WHERE o.conversation_id = $1 AND o.id > $2 AND o.status IN ('queued', 'sending')
         ORDER BY o.id`,
        [conversationId, id],
      ),
    async offlineChannels() {
      const { rows } = await db.query<{ id: string; provider: ProviderId; error: string | null }>(
        `SELECT id, provider, error FROM channels WHERE id = ANY($1::uuid[]) AND status = 'offline' AND NOT paused`,
        [mine()],
      );
      return rows;
    },
    noteOutage: (channelId, reason) =>
      rowsOf(
        db,
        `UPDATE outbox o SET error = $2
         WHERE o.channel_id = $1 AND o.status = 'queued' AND o.unconfirmed_since IS NULL
           AND o.error IS DISTINCT FROM $2
         RETURNING ${ROW}`,
        [channelId, reason],
      ),
    releaseOutage: (channelId) =>
      rowsOf(
        db,
        `UPDATE outbox o SET error = NULL, next_attempt_at = NULL
         WHERE o.channel_id = $1 AND o.status = 'queued' AND o.unconfirmed_since IS NULL
         RETURNING ${ROW}`,
        [channelId],
      ),
    conversationRef: (id) => conversationRef(db, id),
    async replyCarrying(conversationId, externalId) {
      const { rows } = await db.query<{ id: number }>(
        `SELECT m.id FROM messages m
         WHERE m.conversation_id = $1 AND (m.external_id = $2 OR m.sent_id = $2)
           AND EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
         ORDER BY (m.external_id = $2) DESC LIMIT 1`,
        [conversationId, externalId],
      );
      return rows[0]?.id ?? null;
    },
    setMessageStatus: (id, status, error) => db.tx((t) => setStatus(t, id, status, error)),
    async markSending(id) {
      await db.query(
        `UPDATE outbox SET status = 'sending', attempts = attempts + 1, sending_since = now(), error = NULL
         WHERE id = $1`,
        [id],
      );
    },
    async retryLater(id, why, at) {
      await db.query(`UPDATE outbox SET status = 'queued', error = $2, next_attempt_at = $3 WHERE id = $1`, [
        id,
        why,
        at.toISOString(),
      ]);
    },
    async markUnconfirmed(id, why, firstCheckAt) {
      await db.query(
        `UPDATE outbox SET status = 'queued', error = $2, next_attempt_at = $3, unconfirmed_since = now(),
           unconfirmed_checks = 0
         WHERE id = $1`,
        [id, why, firstCheckAt.toISOString()],
      );
    },
    async checkedUnconfirmed(id, why, nextAt) {
      await db.query(
        `UPDATE outbox SET error = $2, next_attempt_at = $3, unconfirmed_checks = unconfirmed_checks + 1
         WHERE id = $1`,
        [id, why, nextAt.toISOString()],
      );
    },
    settleSent: (item, _result, sent) =>
      db.tx(async (t) => {
        await t.query(
          `UPDATE outbox SET status = 'sent', error = NULL, next_attempt_at = NULL WHERE id = $1`,
          [item.id],
        );
        return item.message_id !== null && sent
          ? markSent(t, item.message_id, sent.externalId, sent.status)
          : null;
      }),
    settleFailed: (item, reason) =>
      db.tx(async (t) => {
        await t.query(
          `UPDATE outbox SET status = 'failed', error = $2, next_attempt_at = NULL WHERE id = $1`,
          [item.id, reason],
        );
        return item.message_id === null ? null : setStatus(t, item.message_id, 'failed', reason);
      }),
  };
}
