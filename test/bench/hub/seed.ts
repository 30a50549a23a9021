// A large team's history for the join measurement, written straight into the hub's PostgreSQL in a few set-based
// statements (the benchmark's own fixture: the hub has no bulk import). Its channel is paused, so no instance
// syncs it; its conversations and messages are the team's like any other.
import crypto from 'node:crypto';
import pg from 'pg';

export async function seedArchive(
  databaseUrl: string,
  /** An agent of the team the history is for. */
  agentId: string,
  o: { conversations: number; messagesPerConversation: number },
): Promise<{ channelId: string; messages: number; conversationIds: string[] }> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const channelId = crypto.randomUUID();
  try {
    await c.query('BEGIN');
    const { rows } = await c.query<{ team_id: string }>('SELECT team_id FROM agents WHERE id = $1', [
      agentId,
    ]);
    const teamId = rows[0]!.team_id;
    await c.query(
      `INSERT INTO channels (id, team_id, provider, name, base_url, credentials, webhook_secret, paused, status)
       VALUES ($1, $2, 'chatpion', 'Archive (bench)', 'http://127.0.0.1:9', '\\x00', '\\x00', true, 'paused')`,
      [channelId, teamId],
    );
    await c.query(
      `INSERT INTO contacts (channel_id, external_id, name, handle, tags)
       SELECT $1, 'c' || i, 'Customer ' || i, '@customer' || i, '[]' FROM generate_series(1, $2) i`,
      [channelId, o.conversations],
    );
    await c.query(
      `INSERT INTO conversations (team_id, channel_id, external_id, contact_id, last_activity_at)
       SELECT $1, $2, k.external_id, k.id, now() - (k.id % 100000) * interval '1 minute'
       FROM contacts k WHERE k.channel_id = $2`,
      [teamId, channelId],
    );
    await c.query(
      `INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status)
       SELECT v.id, $1, 'm' || v.id || '-' || n, CASE WHEN n % 2 = 0 THEN 'out' ELSE 'in' END,
              'Message ' || n || ' about order #' || (v.id * 7 + n) % 100000 || ', where is my parcel?', 'text',
              v.last_activity_at - ($2 - n) * interval '1 minute', CASE WHEN n % 2 = 0 THEN 'sent' ELSE 'received' END
       FROM conversations v, generate_series(1, $2) n WHERE v.channel_id = $1`,
      [channelId, o.messagesPerConversation],
    );
    await c.query(
      `UPDATE conversations v SET last_message_id = m.id
       FROM (SELECT DISTINCT ON (conversation_id) conversation_id, id FROM messages WHERE channel_id = $1
             ORDER BY conversation_id, created_at DESC, id DESC) m
       WHERE m.conversation_id = v.id`,
      [channelId],
    );
    await c.query('COMMIT');
    await c.query('ANALYZE');
    const ids = await c.query<{ id: string }>(
      'SELECT id::text AS id FROM conversations WHERE channel_id = $1 ORDER BY id',
      [channelId],
    );
    return {
      channelId,
      messages: o.conversations * o.messagesPerConversation,
      conversationIds: ids.rows.map((r) => r.id),
    };
  } finally {
    await c.end();
  }
}
