// The hub's outbox: an agent's reply, queued with its message in the agent's transaction, then delivered by the
// instance that runs its channel (hub/work), exactly once and in order per conversation (outboxStorage.ts).
import { replyTooLong } from '../../main/domain/textLimits';
import type { Tx } from './database';
import { lockChannel } from './ingest';
import { conversationViews, toMessage, type MessageRow } from './views';

/** The channel the instance that runs it listens on: a reply is waiting to go. */
export const OUTBOX_CHANNEL = 'hub_outbox';

/**
 * Queues an agent's reply: its message (queued, by `authorId`) and its outbox row, in `t`, with the message and
 * conversation changes; the instance running the channel is told when `t` commits. A key already queued answers
 * the message it queued. Rejected: the conversation is not the team's, or the reply is too long for where it goes.
 */
export async function queueReply(
  t: Tx,
  r: { teamId: string; conversationId: number; text: string; authorId: string; idempotencyKey: string },
): Promise<{ messageId: number } | { rejected: string }> {
  const { rows: convs } = await t.query<{ channel_id: string }>(
    'SELECT channel_id FROM conversations WHERE id = $1 AND team_id = $2',
    [r.conversationId, r.teamId],
  );
  if (!convs[0]) return { rejected: 'no such conversation in this team' };
  const channelId = convs[0].channel_id;
  const [view] = await conversationViews(t, [r.conversationId]);
  const tooLong = replyTooLong(view!, r.text.length);
  if (tooLong) return { rejected: `${tooLong}. Nothing was sent; shorten it and send again.` };
  // One writer of the channel's messages at a time (a sync batch folds this conversation's summary too).
  await lockChannel(t, channelId);
  const { rows: existing } = await t.query<{ message_id: number }>(
    'SELECT message_id FROM outbox WHERE idempotency_key = $1',
    [r.idempotencyKey],
  );
  if (existing[0]) return { messageId: existing[0].message_id };
  const { rows } = await t.query<MessageRow>(
    `INSERT INTO messages (conversation_id, channel_id, direction, text, type, created_at, status, meta, author_id)
     VALUES ($1, $2, 'out', $3, 'text', now(), 'queued', NULL, $4) RETURNING *`,
    [r.conversationId, channelId, r.text, r.authorId],
  );
  const message = rows[0]!;
  // The agent's reply is the conversation's latest activity (main/db/conversations.ts touchByReply).
  await t.query(
    `UPDATE conversations SET
       last_message_id = CASE WHEN $2 >= last_activity_at OR last_message_id IS NULL THEN $3 ELSE last_message_id END,
       last_activity_at = greatest(last_activity_at, $2),
       waiting_since = CASE WHEN $2 < last_activity_at THEN waiting_since ELSE NULL END
     WHERE id = $1`,
    [r.conversationId, message.created_at, message.id],
  );
  await t.query(
    `INSERT INTO outbox (kind, channel_id, conversation_id, message_id, payload, idempotency_key, status)
     VALUES ('reply', $1, $2, $3, $4, $5, 'queued')`,
    [channelId, r.conversationId, message.id, JSON.stringify({ text: r.text }), r.idempotencyKey],
  );
  t.change({ teamId: r.teamId, kind: 'message', conversationId: r.conversationId, data: toMessage(message) });
  const [after] = await conversationViews(t, [r.conversationId]);
  t.change({ teamId: r.teamId, kind: 'conversation', conversationId: r.conversationId, data: after });
  await t.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, channelId]);
  return { messageId: message.id };
}
