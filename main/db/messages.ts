// Messages: what providers list (matched to the app's own replies where they are those), the agent's replies
// and their delivery, and a conversation's history page by page.
import type { Sqlite } from './database';
import type { ConversationsRepo } from './conversations';
import type { SearchIndex } from './searchIndex';
import type { Message, MessageStatus, PageOf } from '../domain/entities';
import type { RemoteMessage } from '../domain/remote';
import { decodeCursor, encodeCursor } from './cursors';
import { now, parseJson } from './json';
import { ownReplyWindow, STATUS_RANK } from '../domain/messageMatching';

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
  /** The id the provider's send answered, when its reads list the message under another (migration 010). */
  sent_id?: string | null;
}

function toMessage(r: MessageRow): Message {
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
    ...broadcastOf(meta),
  };
}

/** The broadcast a fan-out copy belongs to, as the BroadcastService wrote it into the message's meta. */
function broadcastOf(meta: Record<string, unknown> | null): Pick<Message, 'broadcast'> {
  const id = meta?.broadcastId;
  const name = meta?.broadcastName;
  return typeof id === 'string' && typeof name === 'string' ? { broadcast: { id, name } } : {};
}

/** What storing one provider batch's messages keeps from message to message (see startBatch). */
export interface MessageBatch {
  live: boolean;
  /** Some reply is being sent, so an outgoing message may be its echo (adoptPendingReply). */
  adopting: boolean;
  /** The channel has replies this app sent, which the provider may list under ids of its own (ownReply). */
  ownReplies: boolean;
  /** Conversation → its contact's name, for the full-text rows. */
  names: Map<number, string>;
}

/** A provider's message as stored: new (`id` to fold into its conversation), or a change to one stored. */
export type StoredMessage =
  { created: true; id: number; message: Message } | { created: false; message: Message };

export class MessagesRepo {
  private readonly s;

  constructor(
    private readonly db: Sqlite,
    private readonly conversations: ConversationsRepo,
    private readonly searchIndex: SearchIndex,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status, error, meta)
         VALUES (@conversationId, @channelId, @externalId, @direction, @text, @type, @createdAt, @status, @error, @meta)
         ON CONFLICT (conversation_id, external_id) DO NOTHING`,
      ),
      get: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?'),
      page: db.prepare<[number, string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?',
      ),
      byExternal: db.prepare<[number, string], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? AND external_id = ?',
      ),
      bySentId: db.prepare<[{ conversationId: number; sentId: string }], MessageRow>(
        `SELECT * FROM messages WHERE channel_id = (SELECT channel_id FROM conversations WHERE id = @conversationId)
           AND sent_id = @sentId AND conversation_id = @conversationId`,
      ),
      setStatus: db.prepare('UPDATE messages SET status = ?, error = ? WHERE id = ?'),
      setText: db.prepare('UPDATE messages SET text = ? WHERE id = ?'),
      setSent: db.prepare('UPDATE messages SET status = ?, external_id = ?, error = NULL WHERE id = ?'),
      // The provider listed the reply (adopted) before its send answered with another id: keep both.
      setSentId: db.prepare('UPDATE messages SET status = ?, sent_id = ?, error = NULL WHERE id = ?'),
      delete: db.prepare('DELETE FROM messages WHERE id = ?'),
      // A message the outbox delivers (a reply, a fan-out broadcast's copy), not one a sync brought.
      isOutboxMessage: db
        .prepare<[number], number>('SELECT EXISTS (SELECT 1 FROM outbox WHERE message_id = ?)')
        .pluck(),
      anyReplySending: db
        .prepare<[], number>(
          "SELECT EXISTS (SELECT 1 FROM messages WHERE direction = 'out' AND external_id IS NULL AND status = 'sending')",
        )
        .pluck(),
      pendingReply: db.prepare<[number, string], { id: number }>(
        `SELECT id FROM messages WHERE conversation_id = ? AND text = ? AND direction = 'out' AND external_id IS NULL AND status = 'sending' ORDER BY id LIMIT 1`,
      ),
      anyOwnReply: db
        .prepare<[string], number>(
          "SELECT EXISTS (SELECT 1 FROM outbox WHERE channel_id = ? AND message_id IS NOT NULL AND status IN ('sending', 'sent'))",
        )
        .pluck(),
      // A reply this app sent that the provider has not listed yet (sent_id is set once it has been, under
      // either id): queued before the listed message was created (give or take the provider's clock), within
      // the last week.
      unlistedReply: db.prepare<[number, string, string, string], MessageRow>(
        `SELECT m.* FROM messages m
         WHERE m.conversation_id = ? AND m.created_at >= ? AND m.created_at <= ?
           AND m.direction = 'out' AND m.text = ? AND m.sent_id IS NULL AND m.external_id IS NOT NULL
           AND m.status IN ('sent', 'delivered', 'read')
           AND EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
         ORDER BY m.created_at, m.id LIMIT 1`,
      ),
      markListed: db.prepare('UPDATE messages SET sent_id = external_id WHERE id = ?'),
      relistReply: db.prepare(
        'UPDATE messages SET sent_id = external_id, external_id = ?, status = ?, error = NULL WHERE id = ?',
      ),
      // Only these can still change by a receipt (migration 005's partial index).
      awaitingReceipt: db.prepare<[string, string], MessageRow>(
        `SELECT * FROM messages WHERE channel_id = ? AND external_id = ? AND direction = 'out' AND status IN ('sent', 'delivered')`,
      ),
      // A receipt naming the id the send answered, for a reply listed under another (rare: a short scan).
      awaitingReceiptBySentId: db.prepare<[string, string], MessageRow>(
        `SELECT * FROM messages WHERE channel_id = ? AND sent_id = ? AND direction = 'out' AND status IN ('sent', 'delivered')`,
      ),
    };
  }

  get(id: number): Message | null {
    const row = this.s.get.get(id);
    return row ? toMessage(row) : null;
  }

  /** Newest first, before `before`. `moreElsewhere`: older messages exist beyond the cache (at the provider). */
  list(
    conversationId: number,
    before: string | undefined,
    limit: number,
    moreElsewhere = false,
  ): PageOf<Message> {
    const c = decodeCursor(before) ?? { key: '9999', id: Number.MAX_SAFE_INTEGER };
    const rows = this.s.page.all(conversationId, c.key, c.id, limit + 1);
    const more = rows.length > limit || moreElsewhere;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toMessage),
      nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  /** What storing a batch's messages needs to know once: whether any of them can be a reply this app sent. */
  startBatch(channelId: string, live: boolean): MessageBatch {
    return {
      live,
      // Only a reply the outbox is sending can be adopted: with none (all of a backfill, usually), no outgoing
      // message needs looking up first.
      adopting: this.s.anyReplySending.get() === 1,
      ownReplies: this.s.anyOwnReply.get(channelId) === 1,
      names: new Map(),
    };
  }

  /** Store one message a provider listed, idempotently. Null when the store already had it as it is. */
  storeRemote(
    channelId: string,
    conversationId: number,
    rm: RemoteMessage,
    batch: MessageBatch,
  ): StoredMessage | null {
    const { live } = batch;
    const row: MessageRow = {
      id: 0,
      conversation_id: conversationId,
      channel_id: channelId,
      external_id: rm.externalId,
      direction: rm.direction,
      text: rm.text,
      type: rm.type,
      created_at: rm.createdAt,
      // A customer's message is 'received', whatever delivery status a provider without a direction field gave.
      status: rm.direction === 'in' ? 'received' : rm.status,
      error: null,
      meta: rm.meta
        ? JSON.stringify(live ? rm.meta : { ...rm.meta, backfill: true })
        : live
          ? null
          : '{"backfill":true}',
    };
    // The one direction rule's first step: a message that matches what this app sent is that reply.
    if ((rm.direction === 'out' || rm.directionInferred) && (batch.adopting || batch.ownReplies)) {
      const known = this.s.byExternal.get(conversationId, rm.externalId);
      if (known) return this.updateKnownListed(known, rm, batch);
      const pending = batch.adopting ? this.adoptPendingReply(conversationId, rm) : null;
      if (pending) return { created: false, message: pending };
      const own = batch.ownReplies ? this.ownReply(conversationId, rm) : null;
      if (own)
        return own.relisted ? { created: false, message: toMessage(own.row) } : this.updateKnown(own.row, rm);
    }
    const id = this.insert(row, batch.names);
    // The row as stored (STRICT columns keep exactly these values), without reading it back.
    if (id !== null) return { created: true, id, message: toMessage({ ...row, id }) };
    return this.updateKnownListed(this.s.byExternal.get(conversationId, rm.externalId)!, rm, batch);
  }

  /** A status update for a message known by its provider id (delivery receipts). */
  updateStatusByExternal(channelId: string, externalId: string, status: MessageStatus): Message | null {
    const existing =
      this.s.awaitingReceipt.get(channelId, externalId) ??
      this.s.awaitingReceiptBySentId.get(channelId, externalId);
    if (!existing || STATUS_RANK[status] <= STATUS_RANK[existing.status]) return null;
    this.s.setStatus.run(status, null, existing.id);
    return toMessage(this.s.get.get(existing.id)!);
  }

  /** The agent's own reply, before it goes out (the outbox owns its delivery). */
  insertLocalReply(
    conversationId: number,
    channelId: string,
    text: string,
    meta: Record<string, unknown>,
  ): Message {
    const createdAt = now();
    const row: MessageRow = {
      id: 0,
      conversation_id: conversationId,
      channel_id: channelId,
      external_id: null,
      direction: 'out',
      text,
      type: 'text',
      created_at: createdAt,
      status: 'queued',
      error: null,
      meta: JSON.stringify(meta),
    };
    // Message and full-text row together (a savepoint when the caller already holds a transaction).
    const id = this.db
      .transaction(() => {
        // Not indexed inside the request: a reply's POST answers once message and outbox row are committed, and
        // full-text indexing (a new index segment, now and then a merge) is what made that slow at the tail. The
        // reply waits in fts_pending until writes pause or the next search, whichever comes first.
        const id = this.insert(row, 'later')!;
        this.conversations.touchByReply(conversationId, id, createdAt);
        return id;
      })
      .immediate();
    return toMessage({ ...row, id });
  }

  setStatus(id: number, status: MessageStatus, error: string | null): Message | null {
    this.s.setStatus.run(status, error, id);
    return this.get(id);
  }

  setText(id: number, text: string): void {
    this.s.setText.run(text, id);
  }

  /**
   * The provider accepted our message as `externalId`. If a poll already stored that provider message as a
   * separate row, the poll's copy is dropped so the conversation shows it once. A row the outbox delivered is
   * never dropped that way: nothing proves the two are one message (the agent may have sent the same text
   * twice), so both stay, this one without the provider's id, and `collidedWith` names the other.
   */
  markSent(
    id: number,
    externalId: string,
    status: MessageStatus,
  ): { message: Message; collidedWith: number | null } | null {
    const row = this.s.get.get(id);
    if (!row) return null;
    const dup = this.s.byExternal.get(row.conversation_id, externalId);
    if (dup && dup.id !== id && this.s.isOutboxMessage.get(dup.id)) {
      this.s.setStatus.run(status, null, id);
      return { message: toMessage(this.s.get.get(id)!), collidedWith: dup.id };
    }
    if (dup && dup.id !== id) this.s.delete.run(dup.id);
    if (!dup && row.external_id !== null && row.external_id !== externalId) {
      // The provider listed the reply (adoptPendingReply) under another id than its send answers: keep both.
      this.s.setSentId.run(
        STATUS_RANK[row.status] > STATUS_RANK[status] ? row.status : status,
        externalId,
        id,
      );
      return { message: toMessage(this.s.get.get(id)!), collidedWith: null };
    }
    this.s.setSent.run(
      STATUS_RANK[dup?.status ?? 'sent'] > STATUS_RANK[status] ? dup!.status : status,
      externalId,
      id,
    );
    return { message: toMessage(this.s.get.get(id)!), collidedWith: null };
  }

  /** The local message the outbox delivered that carries this provider message, if one does. */
  replyCarrying(conversationId: number, externalId: string): number | null {
    const row =
      this.s.byExternal.get(conversationId, externalId) ??
      this.s.bySentId.get({ conversationId, sentId: externalId });
    return row && this.s.isOutboxMessage.get(row.id) ? row.id : null;
  }

  /**
   * Insert a message and its full-text row; null when (conversation_id, external_id) is already stored. A
   * reply's full-text row comes a moment 'later' (see insertLocalReply).
   */
  private insert(r: MessageRow, names: Map<number, string> | 'later'): number | null {
    const ins = this.s.insert.run({
      conversationId: r.conversation_id,
      channelId: r.channel_id,
      externalId: r.external_id,
      direction: r.direction,
      text: r.text,
      type: r.type,
      createdAt: r.created_at,
      status: r.status,
      error: r.error,
      meta: r.meta,
    });
    if (ins.changes === 0) return null;
    const id = Number(ins.lastInsertRowid);
    if (names === 'later') this.searchIndex.deferMessage(id);
    else this.searchIndex.addMessage(id, r.conversation_id, r.text, names);
    return id;
  }

  /** updateKnown, for a message the provider listed under the id the store has. */
  private updateKnownListed(existing: MessageRow, rm: RemoteMessage, batch: MessageBatch) {
    // Listed under the id its send answered: no later message can be this reply.
    if (batch.ownReplies && existing.direction === 'out' && existing.sent_id == null)
      this.s.markListed.run(existing.id);
    return this.updateKnown(existing, rm);
  }

  /** A message the store already has: a later status or an edited text. Null when nothing changed. */
  private updateKnown(existing: MessageRow, rm: RemoteMessage): { created: false; message: Message } | null {
    const status = existing.direction === 'in' ? 'received' : rm.status;
    const edited = existing.text !== rm.text && rm.text !== '';
    const later = STATUS_RANK[status] > STATUS_RANK[existing.status];
    if (!edited && !later) return null;
    if (edited) this.s.setText.run(rm.text, existing.id);
    if (later) this.s.setStatus.run(status, null, existing.id);
    return { created: false, message: toMessage(this.s.get.get(existing.id)!) };
  }

  /**
   * The provider shows our own reply (an echo, or a poll) before the send call returned: it is the reply
   * the outbox is sending, not a new message. Give that row the provider's id instead of storing a copy.
   * The caller has looked: no stored message has `rm`'s id.
   */
  private adoptPendingReply(conversationId: number, rm: RemoteMessage): Message | null {
    const pending = this.s.pendingReply.get(conversationId, rm.text);
    if (!pending) return null;
    this.s.setSent.run(
      STATUS_RANK[rm.status] > STATUS_RANK.sent ? rm.status : 'sent',
      rm.externalId,
      pending.id,
    );
    return toMessage(this.s.get.get(pending.id)!);
  }

  /**
   * The provider lists a message under an id the store does not know, which is the app's own reply already
   * sent under the id its send answered (InstantChat lists `msg_…` for a send that answered `mid_…`; ChatPion
   * lists it with no direction at all). The row takes the listed id and keeps the send's in `sent_id`, so the
   * next read finds it by either. `relisted`: it was given the listed id just now (else it already had it, and
   * the provider named it by its send's id). The caller has looked: no stored message has `rm`'s id.
   */
  private ownReply(conversationId: number, rm: RemoteMessage): { row: MessageRow; relisted: boolean } | null {
    const bySentId = this.s.bySentId.get({ conversationId, sentId: rm.externalId });
    if (bySentId) return { row: bySentId, relisted: false };
    const window = ownReplyWindow(rm.createdAt);
    if (!window) return null;
    const reply = this.s.unlistedReply.get(conversationId, window.from, window.to, rm.text);
    if (!reply) return null;
    const status = STATUS_RANK[rm.status] > STATUS_RANK[reply.status] ? rm.status : reply.status;
    this.s.relistReply.run(rm.externalId, status, reply.id);
    return { row: this.s.get.get(reply.id)!, relisted: true };
  }
}
