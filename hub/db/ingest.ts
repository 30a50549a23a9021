// A provider's batch, stored in PostgreSQL as the desktop stores it (main/db/ingest.ts): contacts, conversations
// and messages upserted idempotently, a message for an undescribed conversation kept under a placeholder contact,
// the hub's own replies recognised when the provider lists them (so none is stored twice), each conversation's
// summary folded from its new messages and written once, and the batch's changes appended to the team's feed, in
// the caller's transaction. A few set-based statements per batch (jsonb_to_recordset), never one per message,
// except for the outgoing messages that may be the hub's own replies.
import type { StoredBatch } from '../../main/domain/storage';
import type { MessageStatus } from '../../main/domain/entities';
import type { RemoteConversation, RemoteMessage } from '../../main/domain/remote';
import { foldMessage, type Touch, type TouchRow } from '../../main/domain/conversationTouch';
import { ownReplyWindow, STATUS_RANK } from '../../main/domain/messageMatching';
import type { Queryable, Tx } from './database';
import { conversationViews, toMessage, type HubMessage, type MessageRow } from './views';

/** The channel a batch is stored for, locked for the batch (see lockChannel). */
export interface ChannelScope {
  id: string;
  teamId: string;
}

/** Another namespace than the instances' session locks on lock_key (the two-int form never meets the bigint one). */
const CHANNEL_WRITE_LOCK = 7_311_003;

/**
 * Serializes the writes of one channel's batches, receipts and replies across instances (a webhook may land on
 * any instance), so folding a conversation's summary never races another batch. Null when the channel is gone.
 */
export async function lockChannel(t: Tx, channelId: string): Promise<ChannelScope | null> {
  const { rows } = await t.query<{ team_id: string }>(
    `SELECT team_id, pg_advisory_xact_lock(${CHANNEL_WRITE_LOCK}, lock_key::int) FROM channels WHERE id = $1`,
    [channelId],
  );
  return rows[0] ? { id: channelId, teamId: rows[0].team_id } : null;
}

/** PostgreSQL text holds no NUL; a provider's text may. */
const clean = (s: string) => s.replaceAll('\u0000', '');
/** One spelling for every time (the fold compares them as strings); an unreadable one is the provider's problem. */
const iso = (t: string) => {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? new Date(0).toISOString() : new Date(ms).toISOString();
};

function placeholderConversation(m: RemoteMessage): RemoteConversation {
  const handle = `conversation ${m.conversationExternalId}`;
  return {
    externalId: m.conversationExternalId,
    contact: { externalId: `?${m.conversationExternalId}`, name: 'Unknown customer', handle, tags: [] },
    lastActivityAt: m.createdAt,
  };
}

/** The last of each key: an upsert may not touch one row twice in a statement. */
function lastBy<T>(items: T[], key: (t: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i])).values()];
}

/**
 * Stores the provider's view of these conversations and their contacts; answers external id → local id, and
 * the ids of those it inserted or changed.
 */
async function upsertConversations(
  t: Tx,
  ch: ChannelScope,
  rcs: RemoteConversation[],
  live: boolean,
): Promise<{ ids: Map<string, number>; changed: number[] }> {
  if (!rcs.length) return { ids: new Map(), changed: [] };
  const convs = lastBy(rcs, (c) => c.externalId);
  const contacts = lastBy(
    convs.map((c) => c.contact),
    (c) => c.externalId,
  );
  await t.query(
    `INSERT INTO contacts (channel_id, external_id, name, handle, platform, email, tags)
     SELECT $1, r.external_id, r.name, r.handle, r.platform, r.email, r.tags
     FROM jsonb_to_recordset($2::jsonb) AS r(external_id TEXT, name TEXT, handle TEXT, platform TEXT, email TEXT, tags JSONB)
     ON CONFLICT (channel_id, external_id) DO UPDATE SET
       name = excluded.name, handle = excluded.handle, platform = coalesce(excluded.platform, contacts.platform),
       email = coalesce(excluded.email, contacts.email), tags = excluded.tags
     WHERE (contacts.name, contacts.handle, contacts.platform, contacts.email, contacts.tags) IS DISTINCT FROM
           (excluded.name, excluded.handle, coalesce(excluded.platform, contacts.platform),
            coalesce(excluded.email, contacts.email), excluded.tags)`,
    [
      ch.id,
      JSON.stringify(
        contacts.map((c) => ({
          external_id: clean(c.externalId),
          name: clean(c.name),
          handle: clean(c.handle),
          platform: c.platform === undefined ? null : clean(c.platform),
          email: c.email === undefined ? null : clean(c.email),
          tags: c.tags.map(clean),
        })),
      ),
    ],
  );
  // A status the provider reports is applied when it changes there; otherwise the status is the team's.
  const { rows: changed } = await t.query<{ id: number }>(
    `INSERT INTO conversations (team_id, channel_id, external_id, contact_id, status, remote_status, unread_count,
                                last_activity_at, meta)
     SELECT $1, $2, r.external_id, k.id, coalesce(r.remote_status, 'open'), r.remote_status, r.unread,
            r.last_activity_at, r.meta
     FROM jsonb_to_recordset($3::jsonb)
       AS r(external_id TEXT, contact_external_id TEXT, remote_status TEXT, unread INTEGER,
            last_activity_at TIMESTAMPTZ, meta JSONB)
     JOIN contacts k ON k.channel_id = $2 AND k.external_id = r.contact_external_id
     ON CONFLICT (channel_id, external_id) DO UPDATE SET
       contact_id = excluded.contact_id,
       last_activity_at = greatest(conversations.last_activity_at, excluded.last_activity_at),
       meta = conversations.meta || excluded.meta,
       status = CASE WHEN excluded.remote_status IS DISTINCT FROM conversations.remote_status
                THEN coalesce(excluded.remote_status, conversations.status) ELSE conversations.status END,
       snoozed_until = CASE WHEN excluded.remote_status IS DISTINCT FROM conversations.remote_status
                       THEN NULL ELSE conversations.snoozed_until END,
       remote_status = coalesce(excluded.remote_status, conversations.remote_status)
     WHERE conversations.contact_id IS DISTINCT FROM excluded.contact_id
       OR excluded.last_activity_at > conversations.last_activity_at
       OR conversations.meta || excluded.meta IS DISTINCT FROM conversations.meta
       OR (excluded.remote_status IS NOT NULL AND excluded.remote_status IS DISTINCT FROM conversations.remote_status)
     RETURNING id`,
    [
      ch.teamId,
      ch.id,
      JSON.stringify(
        convs.map((c) => ({
          external_id: clean(c.externalId),
          contact_external_id: clean(c.contact.externalId),
          remote_status: c.status ?? null,
          unread: live ? 0 : (c.unreadCount ?? 0),
          last_activity_at: iso(c.lastActivityAt),
          meta: c.meta ?? {},
        })),
      ),
    ],
  );
  const ids = await conversationIds(
    t,
    ch.id,
    convs.map((c) => clean(c.externalId)),
  );
  return { ids, changed: changed.map((r) => r.id) };
}

async function conversationIds(t: Queryable, channelId: string, externalIds: string[]) {
  const { rows } = await t.query<{ id: number; external_id: string }>(
    'SELECT id, external_id FROM conversations WHERE channel_id = $1 AND external_id = ANY($2::text[])',
    [channelId, externalIds],
  );
  return new Map(rows.map((r) => [r.external_id, r.id]));
}

/** A message as the store keeps it, before it has an id. */
interface Draft {
  conversation_id: number;
  external_id: string;
  direction: 'in' | 'out';
  text: string;
  type: string;
  created_at: string;
  status: MessageStatus;
  meta: Record<string, unknown> | null;
}

function draftOf(rm: RemoteMessage, conversationId: number, live: boolean): Draft {
  return {
    conversation_id: conversationId,
    external_id: clean(rm.externalId),
    direction: rm.direction,
    text: clean(rm.text),
    type: rm.type,
    created_at: iso(rm.createdAt),
    // A customer's message is 'received', whatever delivery status a provider without a direction field gave.
    status: rm.direction === 'in' ? 'received' : rm.status,
    meta: rm.meta ? (live ? rm.meta : { ...rm.meta, backfill: true }) : live ? null : { backfill: true },
  };
}

/** What is true of the whole batch: whether an outgoing message may be a reply the hub is sending or has sent. */
async function replyMatching(t: Tx, channelId: string): Promise<{ adopting: boolean; ownReplies: boolean }> {
  const { rows } = await t.query<{ adopting: boolean; own_replies: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM outbox o JOIN messages m ON m.id = o.message_id
                    WHERE o.channel_id = $1 AND o.status = 'sending' AND m.external_id IS NULL) AS adopting,
            EXISTS (SELECT 1 FROM outbox WHERE channel_id = $1 AND message_id IS NOT NULL
                    AND status IN ('sending', 'sent')) AS own_replies`,
    [channelId],
  );
  return { adopting: rows[0]!.adopting, ownReplies: rows[0]!.own_replies };
}

const one = async (t: Queryable, sql: string, params: unknown[]) =>
  (await t.query<MessageRow>(sql, params)).rows[0] ?? null;

/** A message the store has, listed again: a later status or an edited text. Null when nothing changed. */
async function updateKnown(
  t: Tx,
  existing: MessageRow,
  d: Draft,
  markListed: boolean,
): Promise<MessageRow | null> {
  const status = existing.direction === 'in' ? 'received' : d.status;
  const edited = existing.text !== d.text && d.text !== '';
  const later = STATUS_RANK[status] > STATUS_RANK[existing.status];
  // Listed under the id its send answered: no later message can be this reply.
  const listed = markListed && existing.direction === 'out' && existing.sent_id === null;
  if (!edited && !later && !listed) return null;
  const row = await one(
    t,
    `UPDATE messages SET text = $2, status = $3, error = CASE WHEN $4 THEN NULL ELSE error END,
       sent_id = CASE WHEN $5 THEN external_id ELSE sent_id END
     WHERE id = $1 RETURNING *`,
    [existing.id, edited ? d.text : existing.text, later ? status : existing.status, later, listed],
  );
  return edited || later ? row : null;
}

/**
 * An outgoing message that may be the hub's own reply (main/db/messages.ts storeRemote): known by its id, the
 * reply being sent right now (its echo came before the send answered), or a reply sent earlier that the provider
 * lists under an id of its own. Answers what it did, or 'new' for a message to insert.
 */
async function matchOwn(
  t: Tx,
  d: Draft,
  m: { adopting: boolean; ownReplies: boolean },
): Promise<{ updated: MessageRow | null } | 'new'> {
  const known = await one(t, 'SELECT * FROM messages WHERE conversation_id = $1 AND external_id = $2', [
    d.conversation_id,
    d.external_id,
  ]);
  if (known) return { updated: await updateKnown(t, known, d, m.ownReplies) };
  if (m.adopting) {
    const adopted = await one(
      t,
      `UPDATE messages SET status = $3, external_id = $4, error = NULL
       WHERE id = (SELECT id FROM messages WHERE conversation_id = $1 AND text = $2 AND direction = 'out'
                   AND external_id IS NULL AND status = 'sending' ORDER BY id LIMIT 1)
       RETURNING *`,
      [
        d.conversation_id,
        d.text,
        STATUS_RANK[d.status] > STATUS_RANK.sent ? d.status : 'sent',
        d.external_id,
      ],
    );
    if (adopted) return { updated: adopted };
  }
  if (!m.ownReplies) return 'new';
  const bySentId = await one(t, 'SELECT * FROM messages WHERE conversation_id = $1 AND sent_id = $2', [
    d.conversation_id,
    d.external_id,
  ]);
  if (bySentId) return { updated: await updateKnown(t, bySentId, d, false) };
  const window = ownReplyWindow(d.created_at);
  if (!window) return 'new';
  const reply = await one(
    t,
    `SELECT m.* FROM messages m
     WHERE m.conversation_id = $1 AND m.created_at >= $2 AND m.created_at <= $3
       AND m.direction = 'out' AND m.text = $4 AND m.sent_id IS NULL AND m.external_id IS NOT NULL
       AND m.status IN ('sent', 'delivered', 'read')
       AND EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
     ORDER BY m.created_at, m.id LIMIT 1`,
    [d.conversation_id, window.from, window.to, d.text],
  );
  if (!reply) return 'new';
  const status = STATUS_RANK[d.status] > STATUS_RANK[reply.status] ? d.status : reply.status;
  const relisted = await one(
    t,
    `UPDATE messages SET sent_id = external_id, external_id = $2, status = $3, error = NULL WHERE id = $1
     RETURNING *`,
    [reply.id, d.external_id, status],
  );
  return { updated: relisted };
}

/** Inserts the new ones at once; those already stored come back as `known`, to update. */
async function insertMessages(
  t: Tx,
  channelId: string,
  drafts: Draft[],
): Promise<{ created: MessageRow[]; known: MessageRow[] }> {
  if (!drafts.length) return { created: [], known: [] };
  const records = JSON.stringify(drafts.map((d, n) => ({ ...d, n })));
  // In the batch's order (oldest first), so ids grow with time as the provider listed them.
  const { rows: created } = await t.query<MessageRow>(
    `INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status, meta)
     SELECT r.conversation_id, $1, r.external_id, r.direction, r.text, r.type, r.created_at, r.status, r.meta
     FROM jsonb_to_recordset($2::jsonb)
       AS r(conversation_id BIGINT, external_id TEXT, direction TEXT, text TEXT, type TEXT, created_at TIMESTAMPTZ,
            status TEXT, meta JSONB, n INTEGER)
     ORDER BY r.n
     ON CONFLICT (conversation_id, external_id) DO NOTHING
     RETURNING *`,
    [channelId, records],
  );
  if (created.length === drafts.length) return { created, known: [] };
  const { rows: known } = await t.query<MessageRow>(
    `SELECT m.* FROM messages m
     JOIN jsonb_to_recordset($1::jsonb) AS r(conversation_id BIGINT, external_id TEXT)
       ON m.conversation_id = r.conversation_id AND m.external_id = r.external_id
     WHERE m.id <> ALL($2::bigint[])`,
    [records, created.map((c) => c.id)],
  );
  return { created, known };
}

/** Folds the new messages into their conversations' summaries and writes each changed one once. */
async function foldSummaries(t: Tx, created: MessageRow[], live: boolean): Promise<void> {
  const ids = [...new Set(created.map((m) => m.conversation_id))];
  if (!ids.length) return;
  // FOR UPDATE: an agent's reply or op on the same conversation commits first or waits, never lost.
  const { rows } = await t.query<TouchRow & { id: number }>(
    `SELECT id, last_message_id, last_activity_at, waiting_since, status, snoozed_until
     FROM conversations WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  const touches = new Map<number, Touch>(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        lastMessageId: r.last_message_id,
        lastActivityAt: r.last_activity_at,
        waitingSince: r.waiting_since,
        status: r.status,
        snoozedUntil: r.snoozed_until,
        unreadDelta: 0,
        before: r,
      },
    ]),
  );
  // Oldest first, so last_message and waiting time end up right whatever order the provider used.
  const sorted = [...created].sort((a, b) =>
    a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id,
  );
  for (const m of sorted) {
    const touch = touches.get(m.conversation_id);
    if (touch) foldMessage(touch, m.id, m.created_at, m.direction, live);
  }
  await t.query(
    `UPDATE conversations v SET last_message_id = r.last_message_id, last_activity_at = r.last_activity_at,
       unread_count = v.unread_count + r.unread_delta, waiting_since = r.waiting_since, status = r.status,
       snoozed_until = r.snoozed_until
     FROM jsonb_to_recordset($1::jsonb) AS r(id BIGINT, last_message_id BIGINT, last_activity_at TIMESTAMPTZ,
       unread_delta INTEGER, waiting_since TIMESTAMPTZ, status TEXT, snoozed_until TIMESTAMPTZ)
     WHERE v.id = r.id`,
    [
      JSON.stringify(
        [...touches.values()].map((x) => ({
          id: x.id,
          last_message_id: x.lastMessageId,
          last_activity_at: x.lastActivityAt,
          unread_delta: x.unreadDelta,
          waiting_since: x.waitingSince,
          status: x.status,
          snoozed_until: x.snoozedUntil,
        })),
      ),
    ],
  );
}

/** Appends the batch's messages and the conversations it changed to the team's feed. */
export async function appendBatchChanges(
  t: Tx,
  teamId: string,
  messages: HubMessage[],
  conversationIds: Iterable<number>,
): Promise<StoredBatch['conversations']> {
  for (const m of messages)
    t.change({ teamId, kind: 'message', conversationId: Number(m.conversationId), data: m });
  const views = await conversationViews(t, [...new Set(conversationIds)]);
  for (const c of views) t.change({ teamId, kind: 'conversation', conversationId: Number(c.id), data: c });
  return views;
}

/** Stores one provider batch in the caller's transaction, the channel locked (lockChannel). */
export async function ingestBatch(
  t: Tx,
  ch: ChannelScope,
  convs: RemoteConversation[],
  msgs: RemoteMessage[],
  live: boolean,
): Promise<StoredBatch> {
  const described = await upsertConversations(t, ch, convs, live);
  const ids = described.ids;
  const touched = new Set(described.changed);
  const unknown = [...new Set(msgs.map((m) => clean(m.conversationExternalId)))].filter((e) => !ids.has(e));
  if (unknown.length) {
    for (const [e, id] of await conversationIds(t, ch.id, unknown)) ids.set(e, id);
    // A message for a conversation the batch did not describe is kept under a placeholder contact, which the
    // provider's next description of that conversation replaces.
    const placeholders = lastBy(
      msgs.filter((m) => !ids.has(clean(m.conversationExternalId))),
      (m) => clean(m.conversationExternalId),
    ).map(placeholderConversation);
    const made = await upsertConversations(t, ch, placeholders, live);
    for (const [e, id] of made.ids) ids.set(e, id);
  }
  const drafts = msgs
    .map((rm) => ({ rm, d: draftOf(rm, ids.get(clean(rm.conversationExternalId))!, live) }))
    .sort((x, y) => (x.d.created_at < y.d.created_at ? -1 : x.d.created_at > y.d.created_at ? 1 : 0));
  const matching = await replyMatching(t, ch.id);
  const updated: MessageRow[] = [];
  const fresh: Draft[] = [];
  for (const { rm, d } of drafts) {
    const mayBeOwn =
      (rm.direction === 'out' || rm.directionInferred) && (matching.adopting || matching.ownReplies);
    const matched = mayBeOwn ? await matchOwn(t, d, matching) : 'new';
    if (matched === 'new') fresh.push(d);
    else if (matched.updated) updated.push(matched.updated);
  }
  const { created, known } = await insertMessages(t, ch.id, fresh);
  const byKey = new Map(fresh.map((d) => [`${d.conversation_id} ${d.external_id}`, d]));
  for (const k of known) {
    const row = await updateKnown(
      t,
      k,
      byKey.get(`${k.conversation_id} ${k.external_id}`)!,
      matching.ownReplies,
    );
    if (row) updated.push(row);
  }
  await foldSummaries(t, created, live);
  for (const m of [...created, ...updated]) touched.add(m.conversation_id);
  const createdViews = created.map(toMessage);
  const updatedViews = updated.map(toMessage);
  const conversations = await appendBatchChanges(t, ch.teamId, [...createdViews, ...updatedViews], touched);
  return { created: createdViews, updated: updatedViews, conversations };
}
