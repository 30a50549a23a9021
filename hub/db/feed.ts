// What a desktop reads to follow its team: the change feed after a position, and the snapshot a joining desktop
// loads first.
import type { Change, Changes } from '../../main/contract/hub';
import type { Queryable } from './database';
import {
  conversationViews,
  toMessage,
  type HubConversation,
  type HubMessage,
  type MessageRow,
} from './views';

interface ChangeRow {
  head: number;
  seq: number | null;
  kind: Change['kind'];
  conversation_id: number | null;
  data: unknown;
}

/**
 * The team's changes after `after`, in seq order, and its head, read in one statement (one snapshot), so the
 * head is never behind the items. Seqs become visible in order (database.ts), so paging by the last seq read
 * never skips a change that committed late.
 */
export async function readChanges(
  q: Queryable,
  teamId: string,
  after: number,
  limit: number,
): Promise<Changes> {
  const { rows } = await q.query<ChangeRow>(
    `SELECT h.head, x.seq, x.kind, x.conversation_id, x.data
     FROM (SELECT COALESCE(max(seq), 0) AS head FROM changes WHERE team_id = $1) h
     LEFT JOIN LATERAL (
       SELECT seq, kind, conversation_id, data FROM changes
       WHERE team_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
     ) x ON true
     ORDER BY x.seq`,
    [teamId, after, limit],
  );
  const items: Change[] = [];
  for (const r of rows)
    if (r.seq !== null)
      items.push({
        seq: r.seq,
        kind: r.kind,
        ...(r.conversation_id !== null ? { conversationId: String(r.conversation_id) } : {}),
        data: r.data,
      });
  return { items, head: rows[0]!.head };
}

/** The team's head: the seq of its latest change (0: none yet). */
export async function feedHead(q: Queryable, teamId: string): Promise<number> {
  const { rows } = await q.query<{ head: number }>(
    'SELECT COALESCE(max(seq), 0) AS head FROM changes WHERE team_id = $1',
    [teamId],
  );
  return rows[0]!.head;
}

/** Recent messages a snapshot page carries per conversation; older ones the desktop asks for as it scrolls. */
const SNAPSHOT_MESSAGES = 20;

/**
 * One snapshot page: up to `limit` of the team's conversations below id `beforeId` (newest first, so a joining
 * desktop's inbox fills from the top) with each one's most recent messages.
 */
export async function snapshotPage(
  q: Queryable,
  teamId: string,
  beforeId: number | null,
  limit: number,
): Promise<{ conversations: HubConversation[]; messages: HubMessage[] }> {
  const { rows } = await q.query<{ id: number }>(
    `SELECT id FROM conversations WHERE team_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [teamId, beforeId, limit],
  );
  if (!rows.length) return { conversations: [], messages: [] };
  const ids = rows.map((r) => r.id);
  const [conversations, { rows: messages }] = await Promise.all([
    conversationViews(q, ids),
    q.query<MessageRow>(
      `SELECT m.* FROM unnest($1::bigint[]) AS v(id)
       CROSS JOIN LATERAL (
         SELECT * FROM messages WHERE conversation_id = v.id ORDER BY created_at DESC, id DESC LIMIT $2
       ) m`,
      [ids, SNAPSHOT_MESSAGES],
    ),
  ]);
  conversations.sort((a, b) => Number(b.id) - Number(a.id));
  return { conversations, messages: messages.map(toMessage) };
}
