// Contacts, conversations, messages and full-text search: what the inbox reads and what sync writes.
import type { Sqlite } from './database';
import type {
  Conversation,
  ConversationPatch,
  ConversationQuery,
  ConversationStatus,
  Message,
  MessageStatus,
  PageOf,
  ProviderId,
  SearchHit,
} from '../contract/schemas';
import type { RemoteConversation, RemoteMessage } from '../providers/types';
import { now, parseJson } from './json';

interface ConversationRow {
  id: number;
  channel_id: string;
  provider: ProviderId;
  external_id: string;
  status: ConversationStatus;
  unread_count: number;
  last_activity_at: string;
  waiting_since: string | null;
  snoozed_until: string | null;
  tags: string;
  meta: string;
  contact_id: number;
  contact_external_id: string;
  contact_name: string;
  contact_handle: string;
  contact_platform: string | null;
  contact_email: string | null;
  contact_tags: string;
  lm_id: number | null;
  lm_text: string | null;
  lm_direction: 'in' | 'out' | null;
  lm_created_at: string | null;
}

interface MessageRow {
  id: number;
  conversation_id: number;
  channel_id: string;
  external_id: string | null;
  direction: 'in' | 'out';
  text: string;
  type: Message['type'];
  created_at: string;
  status: MessageStatus;
  error: string | null;
  meta: string | null;
}

const CONVERSATION_SELECT = `
  SELECT v.id, v.channel_id, ch.provider, v.external_id, v.status, v.unread_count, v.last_activity_at,
         v.waiting_since, v.snoozed_until, v.tags, v.meta,
         c.id AS contact_id, c.external_id AS contact_external_id, c.name AS contact_name, c.handle AS contact_handle,
         c.platform AS contact_platform, c.email AS contact_email, c.tags AS contact_tags,
         m.id AS lm_id, m.text AS lm_text, m.direction AS lm_direction, m.created_at AS lm_created_at
  FROM conversations v
  JOIN channels ch ON ch.id = v.channel_id
  JOIN contacts c ON c.id = v.contact_id
  LEFT JOIN messages m ON m.id = v.last_message_id`;

export function toConversation(r: ConversationRow): Conversation {
  return {
    id: String(r.id),
    channelId: r.channel_id,
    provider: r.provider,
    contact: {
      id: String(r.contact_id),
      name: r.contact_name,
      handle: r.contact_handle,
      tags: parseJson<string[]>(r.contact_tags, []),
      ...(r.contact_platform ? { platform: r.contact_platform } : {}),
      ...(r.contact_email ? { email: r.contact_email } : {}),
    },
    status: r.status,
    unreadCount: r.unread_count,
    lastMessage:
      r.lm_id !== null
        ? {
            id: String(r.lm_id),
            text: r.lm_text ?? '',
            direction: r.lm_direction ?? 'in',
            createdAt: r.lm_created_at ?? r.last_activity_at,
          }
        : null,
    lastActivityAt: r.last_activity_at,
    waitingSince: r.waiting_since,
    snoozedUntil: r.snoozed_until,
    tags: parseJson<string[]>(r.tags, []),
  };
}

export function toMessage(r: MessageRow): Message {
  const meta = parseJson<Record<string, unknown> | null>(r.meta, null);
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    direction: r.direction,
    text: r.text,
    type: r.type,
    createdAt: r.created_at,
    status: r.status,
    ...(r.error ? { error: r.error } : {}),
    ...(meta ? { meta } : {}),
  };
}

/** Keyset cursors are opaque to clients: base64url of the sort key of the last row. */
export const encodeCursor = (key: string, id: number) => Buffer.from(`${key}|${id}`).toString('base64url');
export function decodeCursor(c: string | undefined): { key: string; id: number } | null {
  if (!c) return null;
  const [key, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  const n = Number(id);
  return key && Number.isSafeInteger(n) ? { key, id: n } : null;
}

function placeholderConversation(m: RemoteMessage): RemoteConversation {
  const handle = `conversation ${m.conversationExternalId}`;
  return {
    externalId: m.conversationExternalId,
    contact: { externalId: `?${m.conversationExternalId}`, name: 'Unknown customer', handle, tags: [] },
    lastActivityAt: m.createdAt,
  };
}

/** Rank of a status, so a late 'delivered' never overwrites 'read'. */
const STATUS_RANK: Record<MessageStatus, number> = {
  failed: 0,
  queued: 1,
  sending: 2,
  received: 3,
  sent: 3,
  delivered: 4,
  read: 5,
};

/** Turn free text into a safe FTS5 query: each word quoted, the last one as a prefix. */
export function ftsQuery(q: string): string | null {
  const words = q
    .normalize('NFKC')
    .split(/[\s"'()*:^+-]+/u)
    .filter(Boolean)
    .slice(0, 8);
  if (!words.length) return null;
  return words.map((w, i) => `"${w.replace(/"/g, '')}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

export interface AppliedBatch {
  created: Message[];
  updated: Message[];
  conversations: Set<number>;
}

export class InboxRepo {
  private readonly s;

  constructor(private readonly db: Sqlite) {
    this.s = {
      upsertContact: db.prepare(
        `INSERT INTO contacts (channel_id, external_id, name, handle, platform, email, tags)
         VALUES (@channelId, @externalId, @name, @handle, @platform, @email, @tags)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET
           name = excluded.name, handle = excluded.handle, platform = coalesce(excluded.platform, platform),
           email = coalesce(excluded.email, email), tags = excluded.tags
         RETURNING id`,
      ),
      insertConversation: db.prepare(
        `INSERT INTO conversations (channel_id, external_id, contact_id, status, unread_count, last_activity_at, meta)
         VALUES (@channelId, @externalId, @contactId, @status, @unread, @lastActivityAt, @meta)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET
           contact_id = excluded.contact_id,
           last_activity_at = max(last_activity_at, excluded.last_activity_at),
           meta = json_patch(meta, excluded.meta)
         RETURNING id`,
      ),
      conversationIdByExternal: db.prepare<[string, string], { id: number }>(
        'SELECT id FROM conversations WHERE channel_id = ? AND external_id = ?',
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status, error, meta)
         VALUES (@conversationId, @channelId, @externalId, @direction, @text, @type, @createdAt, @status, @error, @meta)
         ON CONFLICT (channel_id, external_id) DO NOTHING`,
      ),
      messageByExternal: db.prepare<[string, string], MessageRow>(
        'SELECT * FROM messages WHERE channel_id = ? AND external_id = ?',
      ),
      message: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?'),
      setMessageStatus: db.prepare('UPDATE messages SET status = ?, error = ? WHERE id = ?'),
      setMessageText: db.prepare('UPDATE messages SET text = ? WHERE id = ?'),
      setMessageSent: db.prepare(
        'UPDATE messages SET status = ?, external_id = ?, error = NULL WHERE id = ?',
      ),
      deleteMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      touchConversation: db.prepare(
        `UPDATE conversations SET
           last_message_id = CASE WHEN @createdAt >= last_activity_at OR last_message_id IS NULL THEN @messageId ELSE last_message_id END,
           last_activity_at = max(last_activity_at, @createdAt),
           unread_count = unread_count + @unreadDelta,
           waiting_since = CASE
             WHEN @createdAt < last_activity_at THEN waiting_since
             WHEN @direction = 'in' THEN coalesce(waiting_since, @createdAt)
             ELSE NULL END,
           status = CASE WHEN @direction = 'in' AND @live = 1 AND status IN ('resolved', 'snoozed') THEN 'open' ELSE status END,
           snoozed_until = CASE WHEN @direction = 'in' AND @live = 1 THEN NULL ELSE snoozed_until END
         WHERE id = @conversationId`,
      ),
      setUnread: db.prepare('UPDATE conversations SET unread_count = ? WHERE id = ?'),
      conversation: db.prepare<[number], ConversationRow>(`${CONVERSATION_SELECT} WHERE v.id = ?`),
      patchConversation: db.prepare(
        `UPDATE conversations SET status = coalesce(@status, status), unread_count = coalesce(@unread, unread_count),
           tags = coalesce(@tags, tags),
           snoozed_until = CASE WHEN @setSnooze = 1 THEN @snoozedUntil ELSE snoozed_until END
         WHERE id = @id`,
      ),
      messagesPage: db.prepare<[number, string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?',
      ),
      search: db.prepare<
        [string, number],
        { id: number; conversation_id: number; created_at: string; contact_name: string; snippet: string }
      >(
        `SELECT m.id, m.conversation_id, m.created_at, c.name AS contact_name,
                snippet(messages_fts, -1, char(2), char(3), '…', 12) AS snippet
         FROM messages_fts
         JOIN messages m ON m.id = messages_fts.rowid
         JOIN conversations v ON v.id = m.conversation_id
         JOIN contacts c ON c.id = v.contact_id
         WHERE messages_fts MATCH ?
         ORDER BY messages_fts.rowid DESC LIMIT ?`,
      ),
      unreadTotal: db.prepare<[], { n: number }>(
        'SELECT coalesce(sum(unread_count), 0) AS n FROM conversations WHERE unread_count > 0',
      ),
      conversationRef: db.prepare<
        [number],
        { channel_id: string; external_id: string; contact_external_id: string; meta: string }
      >(
        `SELECT v.channel_id, v.external_id, c.external_id AS contact_external_id, v.meta
         FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE v.id = ?`,
      ),
      counts: db.prepare<[], { conversations: number; messages: number }>(
        'SELECT (SELECT count(*) FROM conversations) AS conversations, (SELECT count(*) FROM messages) AS messages',
      ),
    };
  }

  /** Store one batch from a provider, idempotently. Returns the messages that are new or changed. */
  applyBatch(
    channelId: string,
    convs: RemoteConversation[],
    msgs: RemoteMessage[],
    o: { live: boolean },
  ): AppliedBatch {
    const out: AppliedBatch = { created: [], updated: [], conversations: new Set() };
    this.db.transaction(() => {
      for (const rc of convs) out.conversations.add(this.upsertConversation(channelId, rc, o.live));
      // Oldest first, so last_message and waiting time end up right whatever order the provider used.
      const sorted = [...msgs].sort((a, b) =>
        a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
      );
      for (const rm of sorted) {
        // A message for a conversation the batch did not describe is kept under a placeholder contact,
        // which the provider's next description of that conversation replaces.
        const convId =
          this.s.conversationIdByExternal.get(channelId, rm.conversationExternalId)?.id ??
          this.upsertConversation(channelId, placeholderConversation(rm), o.live);
        const r = this.upsertMessage(channelId, convId, rm, o.live);
        if (r?.created) out.created.push(r.message);
        else if (r) out.updated.push(r.message);
        if (r) out.conversations.add(convId);
      }
    })();
    return out;
  }

  hasConversation(channelId: string, externalId: string): boolean {
    return this.s.conversationIdByExternal.get(channelId, externalId) !== undefined;
  }

  private upsertConversation(channelId: string, rc: RemoteConversation, live: boolean): number {
    const c = rc.contact;
    const contact = this.s.upsertContact.get({
      channelId,
      externalId: c.externalId,
      name: c.name,
      handle: c.handle,
      platform: c.platform ?? null,
      email: c.email ?? null,
      tags: JSON.stringify(c.tags),
    }) as { id: number };
    const row = this.s.insertConversation.get({
      channelId,
      externalId: rc.externalId,
      contactId: contact.id,
      status: rc.status === 'resolved' ? 'resolved' : 'open',
      unread: live ? 0 : (rc.unreadCount ?? 0),
      lastActivityAt: rc.lastActivityAt,
      meta: JSON.stringify(rc.meta ?? {}),
    }) as { id: number };
    return row.id;
  }

  private upsertMessage(
    channelId: string,
    conversationId: number,
    rm: RemoteMessage,
    live: boolean,
  ): { created: boolean; message: Message } | null {
    const ins = this.s.insertMessage.run({
      conversationId,
      channelId,
      externalId: rm.externalId,
      direction: rm.direction,
      text: rm.text,
      type: rm.type,
      createdAt: rm.createdAt,
      status: rm.status,
      error: null,
      meta: rm.meta
        ? JSON.stringify(live ? rm.meta : { ...rm.meta, backfill: true })
        : live
          ? null
          : '{"backfill":true}',
    });
    if (ins.changes > 0) {
      const id = Number(ins.lastInsertRowid);
      this.s.touchConversation.run({
        conversationId,
        messageId: id,
        createdAt: rm.createdAt,
        direction: rm.direction,
        unreadDelta: live && rm.direction === 'in' ? 1 : 0,
        live: live ? 1 : 0,
      });
      return { created: true, message: toMessage(this.s.message.get(id)!) };
    }
    const existing = this.s.messageByExternal.get(channelId, rm.externalId)!;
    if (STATUS_RANK[rm.status] > STATUS_RANK[existing.status] || (existing.text !== rm.text && rm.text)) {
      if (existing.text !== rm.text && rm.text) this.s.setMessageText.run(rm.text, existing.id);
      if (STATUS_RANK[rm.status] > STATUS_RANK[existing.status])
        this.s.setMessageStatus.run(rm.status, null, existing.id);
      return { created: false, message: toMessage(this.s.message.get(existing.id)!) };
    }
    return null;
  }

  /** A status update for a message known by its provider id (delivery receipts). */
  updateStatusByExternal(channelId: string, externalId: string, status: MessageStatus): Message | null {
    const existing = this.s.messageByExternal.get(channelId, externalId);
    if (!existing || STATUS_RANK[status] <= STATUS_RANK[existing.status]) return null;
    this.s.setMessageStatus.run(status, null, existing.id);
    return toMessage(this.s.message.get(existing.id)!);
  }

  /** The agent's own reply, before it goes out (the outbox owns its delivery). */
  insertLocalReply(
    conversationId: number,
    channelId: string,
    text: string,
    meta: Record<string, unknown>,
  ): Message {
    const createdAt = now();
    const ins = this.s.insertMessage.run({
      conversationId,
      channelId,
      externalId: null,
      direction: 'out',
      text,
      type: 'text',
      createdAt,
      status: 'queued',
      error: null,
      meta: JSON.stringify(meta),
    });
    const id = Number(ins.lastInsertRowid);
    this.s.touchConversation.run({
      conversationId,
      messageId: id,
      createdAt,
      direction: 'out',
      unreadDelta: 0,
      live: 1,
    });
    return toMessage(this.s.message.get(id)!);
  }

  setMessageStatus(id: number, status: MessageStatus, error: string | null): Message | null {
    this.s.setMessageStatus.run(status, error, id);
    const row = this.s.message.get(id);
    return row ? toMessage(row) : null;
  }

  setMessageText(id: number, text: string): void {
    this.s.setMessageText.run(text, id);
  }

  /**
   * The provider accepted our message as `externalId`. If a poll already stored that provider message as a
   * separate row, the poll's copy is dropped so the conversation shows it once.
   */
  markMessageSent(id: number, externalId: string, status: MessageStatus): Message | null {
    const row = this.s.message.get(id);
    if (!row) return null;
    const dup = this.s.messageByExternal.get(row.channel_id, externalId);
    if (dup && dup.id !== id) this.s.deleteMessage.run(dup.id);
    this.s.setMessageSent.run(
      STATUS_RANK[dup?.status ?? 'sent'] > STATUS_RANK[status] ? dup!.status : status,
      externalId,
      id,
    );
    return toMessage(this.s.message.get(id)!);
  }

  message(id: number): Message | null {
    const row = this.s.message.get(id);
    return row ? toMessage(row) : null;
  }

  conversation(id: number): Conversation | null {
    const row = this.s.conversation.get(id);
    return row ? toConversation(row) : null;
  }

  conversationRef(
    id: number,
  ): {
    channelId: string;
    externalId: string;
    contactExternalId: string;
    meta: Record<string, unknown>;
  } | null {
    const r = this.s.conversationRef.get(id);
    return r
      ? {
          channelId: r.channel_id,
          externalId: r.external_id,
          contactExternalId: r.contact_external_id,
          meta: parseJson(r.meta, {}),
        }
      : null;
  }

  patchConversation(id: number, p: ConversationPatch): Conversation | null {
    this.s.patchConversation.run({
      id,
      status: p.status ?? null,
      unread: p.read === undefined ? null : p.read ? 0 : 1,
      tags: p.tags ? JSON.stringify([...new Set(p.tags)]) : null,
      setSnooze: p.snoozedUntil !== undefined || p.status === 'snoozed' ? 1 : 0,
      snoozedUntil: p.snoozedUntil ?? null,
    });
    return this.conversation(id);
  }

  listConversations(q: ConversationQuery): PageOf<Conversation> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    const filter = (sql: string, name: string, value: unknown) => {
      where.push(sql);
      params[name] = value;
    };
    if (q.channel) filter('v.channel_id = @channel', 'channel', q.channel);
    if (q.provider) filter('ch.provider = @provider', 'provider', q.provider);
    if (q.status) filter('v.status = @status', 'status', q.status);
    if (q.unread) where.push('v.unread_count > 0');
    if (q.q) {
      where.push(
        `v.contact_id IN (SELECT id FROM contacts WHERE name LIKE @like ESCAPE '\\' OR handle LIKE @like ESCAPE '\\')`,
      );
      params.like = `%${q.q.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
    }
    const waiting = q.sort === 'waiting';
    const key = waiting ? 'v.waiting_since' : 'v.last_activity_at';
    if (waiting) where.push('v.waiting_since IS NOT NULL');
    const cursor = decodeCursor(q.cursor);
    if (cursor) {
      where.push(waiting ? `(${key}, v.id) > (@ckey, @cid)` : `(${key}, v.id) < (@ckey, @cid)`);
      params.ckey = cursor.key;
      params.cid = cursor.id;
    }
    const order = waiting ? `${key} ASC, v.id ASC` : `${key} DESC, v.id DESC`;
    const sql = `${CONVERSATION_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT @limit`;
    const rows = this.db.prepare<[Record<string, unknown>], ConversationRow>(sql).all(params);
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toConversation),
      nextCursor:
        more && last
          ? encodeCursor((waiting ? last.waiting_since : last.last_activity_at) ?? '', last.id)
          : null,
    };
  }

  listMessages(conversationId: number, before: string | undefined, limit: number): PageOf<Message> {
    const c = decodeCursor(before) ?? { key: '9999', id: Number.MAX_SAFE_INTEGER };
    const rows = this.s.messagesPage.all(conversationId, c.key, c.id, limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toMessage),
      nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  search(q: string, limit: number): SearchHit[] {
    const fts = ftsQuery(q);
    if (!fts) return [];
    return this.s.search.all(fts, limit).map((r) => ({
      conversationId: String(r.conversation_id),
      messageId: String(r.id),
      contactName: r.contact_name,
      snippet: r.snippet,
      createdAt: r.created_at,
    }));
  }

  unreadTotal(): number {
    return this.s.unreadTotal.get()!.n;
  }

  counts(): { conversations: number; messages: number } {
    return this.s.counts.get()!;
  }
}
