// Contacts, conversations, messages and full-text search: what the inbox reads and what sync writes.
import type { Statement } from 'better-sqlite3';
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
  /** The id the provider's send answered, when its reads list the message under another (migration 010). */
  sent_id?: string | null;
}

const CONVERSATION_SELECT = `
  SELECT v.id, v.channel_id, ch.provider, v.external_id, v.status, v.unread_count, v.last_activity_at,
         v.waiting_since, v.snoozed_until, v.tags, v.meta,
         c.id AS contact_id, c.external_id AS contact_external_id, c.name AS contact_name, c.handle AS contact_handle,
         c.platform AS contact_platform, c.email AS contact_email, c.tags AS contact_tags,
         m.id AS lm_id, m.text AS lm_text, m.direction AS lm_direction, m.created_at AS lm_created_at
  FROM conversations v
  CROSS JOIN channels ch ON ch.id = v.channel_id
  CROSS JOIN contacts c ON c.id = v.contact_id
  LEFT JOIN messages m ON m.id = v.last_message_id`;
// CROSS JOIN keeps conversations the outer loop, so a page walks one of its (filter, activity) indexes and stops
// after LIMIT rows. With a plain JOIN SQLite starts from the five-row channels table and sorts every
// conversation in a temp B-tree: ~270 ms for the first page at 100k conversations instead of ~0.3 ms.
/**
 * Above this many contacts matching the inbox's `q`, walking the inbox in order beats sorting their conversations
 * (measured at 100,000 conversations: 330 matches sort in 1 ms but take 20 ms to walk to; 2,000 walk in 4 ms).
 */
const FEW_CONTACTS = 1000;
/** Prepared inbox queries, one per filter combination (a handful of shapes; bounded anyway). */
const MAX_CACHED_LISTS = 256;

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

interface TouchRow {
  last_message_id: number | null;
  last_activity_at: string;
  waiting_since: string | null;
  status: ConversationStatus;
  snoozed_until: string | null;
}

/** A conversation's last message, activity, waiting time and status while a batch is applied. */
interface Touch {
  id: number;
  lastMessageId: number | null;
  lastActivityAt: string;
  waitingSince: string | null;
  status: ConversationStatus;
  snoozedUntil: string | null;
  unreadDelta: number;
  /** The conversation as the batch found it. */
  before: TouchRow;
}

/**
 * One new message's effect on its conversation — exactly the touchConversation statement, applied in memory
 * so that a batch writes each conversation (and its six indexes) once instead of once per message.
 */
function foldMessage(
  t: Touch,
  messageId: number,
  createdAt: string,
  direction: 'in' | 'out',
  live: boolean,
): void {
  const last = t.lastActivityAt;
  if (createdAt >= last || t.lastMessageId === null) t.lastMessageId = messageId;
  if (!(createdAt < last)) t.waitingSince = direction === 'in' ? (t.waitingSince ?? createdAt) : null;
  if (createdAt > last) t.lastActivityAt = createdAt;
  if (live && direction === 'in') {
    t.unreadDelta++;
    if (t.status === 'resolved' || t.status === 'snoozed') t.status = 'open';
    t.snoozedUntil = null;
  }
}

/** What applyBatch keeps while it stores one batch's messages. */
interface BatchState {
  live: boolean;
  /** Some reply is being sent, so an outgoing message may be its echo (adoptPendingReply). */
  adopting: boolean;
  /** The channel has replies this app sent, which the provider may list under ids of its own (adoptListedReply). */
  ownReplies: boolean;
  touches: Map<number, Touch>;
  /** Conversation → its contact's name, for the full-text rows. */
  names: Map<number, string>;
}

export interface AppliedBatch {
  created: Message[];
  updated: Message[];
  conversations: Set<number>;
}

/** Search-index upkeep runs once writes have paused this long, for at most SEARCH_TIDY_BUDGET_MS per round. */
/** How long before a listed message the app's reply may have been queued and still be taken for it. */
const OWN_REPLY_LOOKBACK_MS = 7 * 24 * 3600_000;
/** How far ahead of this machine's clock a provider's timestamps may run. */
const PROVIDER_CLOCK_SKEW_MS = 5 * 60_000;
const SEARCH_TIDY_IDLE_MS = 500;
const SEARCH_TIDY_BUDGET_MS = 8;
/** Waiting contacts indexed per transaction: a few ms of trigram indexing. */
const CONTACTS_INDEXED_PER_STEP = 200;

export class InboxRepo {
  private readonly s;
  private lastIndexWrite = 0;
  private searchIndexUntidy = true;
  /** Replies may wait in fts_pending (also after a restart): checked on the first search or idle round. */
  private pendingIndex = true;

  /**
   * `tidiesSearchIndex: false` for the sync writer's connection (syncWriter.ts): the app's own repo does the
   * upkeep, and sees that writer's commits through data_version.
   */
  constructor(
    private readonly db: Sqlite,
    o: { tidiesSearchIndex: boolean } = { tidiesSearchIndex: true },
  ) {
    this.s = {
      upsertContact: db.prepare(
        `INSERT INTO contacts (channel_id, external_id, name, handle, platform, email, tags)
         VALUES (@channelId, @externalId, @name, @handle, @platform, @email, @tags)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET
           name = excluded.name, handle = excluded.handle, platform = coalesce(excluded.platform, platform),
           email = coalesce(excluded.email, email), tags = excluded.tags
         WHERE name IS NOT excluded.name OR handle IS NOT excluded.handle
           OR platform IS NOT coalesce(excluded.platform, platform) OR email IS NOT coalesce(excluded.email, email)
           OR tags IS NOT excluded.tags
         RETURNING id`,
      ),
      contactBefore: db.prepare<[string, string], { id: number; name: string; handle: string }>(
        'SELECT id, name, handle FROM contacts WHERE channel_id = ? AND external_id = ?',
      ),
      // The trigram index of names and handles (migration 004): written here as contacts are added or renamed.
      contactSearchAdd: db.prepare('INSERT INTO contacts_fts (rowid, name, handle) VALUES (?, ?, ?)'),
      // New contacts wait here for the name index (migration 006).
      contactSearchDefer: db.prepare('INSERT OR IGNORE INTO contacts_search_pending (contact_id) VALUES (?)'),
      contactSearchWaiting: db
        .prepare<[number], number>(
          'SELECT EXISTS (SELECT 1 FROM contacts_search_pending WHERE contact_id = ?)',
        )
        .pluck(),
      contactSearchAnyWaiting: db
        .prepare<[], number>('SELECT EXISTS (SELECT 1 FROM contacts_search_pending)')
        .pluck(),
      contactSearchIndexWaiting: db.prepare<[number]>(
        `INSERT INTO contacts_fts (rowid, name, handle)
         SELECT c.id, c.name, c.handle FROM contacts_search_pending p JOIN contacts c ON c.id = p.contact_id
         ORDER BY p.contact_id LIMIT ?`,
      ),
      contactSearchClearWaiting: db.prepare<[number]>(
        `DELETE FROM contacts_search_pending
         WHERE contact_id IN (SELECT contact_id FROM contacts_search_pending ORDER BY contact_id LIMIT ?)`,
      ),
      contactsMatching: db
        .prepare<[string], number>('SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?')
        .pluck(),
      contactSearchRemove: db.prepare(
        "INSERT INTO contacts_fts (contacts_fts, rowid, name, handle) VALUES ('delete', ?, ?, ?)",
      ),
      // A status the provider reports is applied when it changes there (closed or reopened at the provider);
      // otherwise the status is the agent's.
      insertConversation: db.prepare(
        `INSERT INTO conversations (channel_id, external_id, contact_id, status, remote_status, unread_count, last_activity_at, meta)
         VALUES (@channelId, @externalId, @contactId, coalesce(@remoteStatus, 'open'), @remoteStatus, @unread, @lastActivityAt, @meta)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET
           contact_id = excluded.contact_id,
           last_activity_at = max(last_activity_at, excluded.last_activity_at),
           meta = json_patch(meta, excluded.meta),
           status = CASE WHEN excluded.remote_status IS NOT remote_status THEN coalesce(excluded.remote_status, status) ELSE status END,
           snoozed_until = CASE WHEN excluded.remote_status IS NOT remote_status THEN NULL ELSE snoozed_until END,
           remote_status = coalesce(excluded.remote_status, remote_status)
         WHERE contact_id IS NOT excluded.contact_id OR excluded.last_activity_at > last_activity_at
           OR json_patch(meta, excluded.meta) IS NOT meta
           OR (excluded.remote_status IS NOT NULL AND excluded.remote_status IS NOT remote_status)
         RETURNING id`,
      ),
      conversationIdByExternal: db.prepare<[string, string], { id: number }>(
        'SELECT id FROM conversations WHERE channel_id = ? AND external_id = ?',
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status, error, meta)
         VALUES (@conversationId, @channelId, @externalId, @direction, @text, @type, @createdAt, @status, @error, @meta)
         ON CONFLICT (conversation_id, external_id) DO NOTHING`,
      ),
      // Full-text rows are written here, one single-row insert per new message (see migration 002).
      ftsInsert: db.prepare('INSERT INTO messages_fts (rowid, text, contact_name) VALUES (?, ?, ?)'),
      // The agent's own replies reach the index a moment later (see insertLocalReply).
      ftsDefer: db.prepare('INSERT OR IGNORE INTO fts_pending (message_id) VALUES (?)'),
      ftsIndexPending: db.prepare(
        `INSERT INTO messages_fts (rowid, text, contact_name)
         SELECT m.id, m.text, c.name FROM fts_pending p
         JOIN messages m ON m.id = p.message_id
         JOIN conversations v ON v.id = m.conversation_id
         JOIN contacts c ON c.id = v.contact_id`,
      ),
      ftsClearPending: db.prepare('DELETE FROM fts_pending'),
      ftsAnyPending: db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM fts_pending)').pluck(),
      // Up to 64 pages of segment merging; a no-op when no level has 4 or more segments.
      ftsMerge: db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', 64)"),
      totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
      contactName: db
        .prepare<[number], string>(
          'SELECT c.name FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE v.id = ?',
        )
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
      messageBySentId: db.prepare<[{ conversationId: number; sentId: string }], MessageRow>(
        `SELECT * FROM messages WHERE channel_id = (SELECT channel_id FROM conversations WHERE id = @conversationId)
           AND sent_id = @sentId AND conversation_id = @conversationId`,
      ),
      markListed: db.prepare('UPDATE messages SET sent_id = external_id WHERE id = ?'),
      relistReply: db.prepare(
        'UPDATE messages SET sent_id = external_id, external_id = ?, status = ?, error = NULL WHERE id = ?',
      ),
      messageByExternal: db.prepare<[number, string], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? AND external_id = ?',
      ),
      // Only these can still change by a receipt (migration 005's partial index).
      awaitingReceipt: db.prepare<[string, string], MessageRow>(
        `SELECT * FROM messages WHERE channel_id = ? AND external_id = ? AND direction = 'out' AND status IN ('sent', 'delivered')`,
      ),
      // A receipt naming the id the send answered, for a reply listed under another (rare: a short scan).
      awaitingReceiptBySentId: db.prepare<[string, string], MessageRow>(
        `SELECT * FROM messages WHERE channel_id = ? AND sent_id = ? AND direction = 'out' AND status IN ('sent', 'delivered')`,
      ),
      message: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?'),
      setMessageStatus: db.prepare('UPDATE messages SET status = ?, error = ? WHERE id = ?'),
      setMessageText: db.prepare('UPDATE messages SET text = ? WHERE id = ?'),
      setMessageSent: db.prepare(
        'UPDATE messages SET status = ?, external_id = ?, error = NULL WHERE id = ?',
      ),
      // The provider listed the reply (adopted) before its send answered with another id: keep both.
      setMessageSentId: db.prepare('UPDATE messages SET status = ?, sent_id = ?, error = NULL WHERE id = ?'),
      deleteMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      // A message the outbox delivers (a reply, a fan-out broadcast's copy), not one a sync brought.
      isOutboxMessage: db
        .prepare<[number], number>('SELECT EXISTS (SELECT 1 FROM outbox WHERE message_id = ?)')
        .pluck(),
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
      // applyBatch folds every message of a conversation into one update (see Touch).
      touchState: db.prepare<[number], TouchRow>(
        'SELECT last_message_id, last_activity_at, waiting_since, status, snoozed_until FROM conversations WHERE id = ?',
      ),
      touchFolded: db.prepare(
        `UPDATE conversations SET last_message_id = @lastMessageId, last_activity_at = @lastActivityAt,
           unread_count = unread_count + @unreadDelta, waiting_since = @waitingSince, status = @status,
           snoozed_until = @snoozedUntil
         WHERE id = @id`,
      ),
      // When a batch only adds older history or replaces the last message at the same time: last_message_id is
      // in no index, and an UPDATE that names an indexed column rewrites that index's entry even if unchanged.
      touchLastMessage: db.prepare(
        'UPDATE conversations SET last_message_id = @lastMessageId WHERE id = @id',
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
    if (o.tidiesSearchIndex) this.keepSearchIndexTidy();
  }

  private keepSearchIndexTidy(): void {
    // FTS5 merges its index segments while it writes (automerge): a few commits in a hundred then take
    // 10–70 ms. Migration 002 turns that off; the merging is done here instead, in short slices while no
    // messages are being written, so neither a reply nor a sync batch waits for it.
    const db = this.db;
    const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    let seenVersion = dataVersion.get();
    const tidy = setInterval(() => {
      if (!db.open) return clearInterval(tidy);
      if (db.readonly) return;
      // Another connection (the sync writer) committed since the last look: it may have written index rows.
      const version = dataVersion.get();
      if (version !== seenVersion) {
        seenVersion = version;
        this.lastIndexWrite = Date.now();
        this.searchIndexUntidy = true;
      }
      if (Date.now() - this.lastIndexWrite < SEARCH_TIDY_IDLE_MS) return;
      try {
        if (this.pendingIndex) this.indexPending();
        this.indexWaitingContacts(SEARCH_TIDY_BUDGET_MS);
        if (this.searchIndexUntidy) this.tidySearchIndex(SEARCH_TIDY_BUDGET_MS);
      } catch {
        // Busy (another connection is writing) or closing: the next round tries again.
      }
    }, SEARCH_TIDY_IDLE_MS);
    tidy.unref();
  }

  /** Store one batch from a provider, idempotently. Returns the messages that are new or changed. */
  applyBatch(
    channelId: string,
    convs: RemoteConversation[],
    msgs: RemoteMessage[],
    o: { live: boolean },
  ): AppliedBatch {
    const out: AppliedBatch = { created: [], updated: [], conversations: new Set() };
    this.db
      .transaction(() => {
        // External id → local id of the conversations this batch describes or has looked up, so each message
        // does not look its conversation up again.
        const known = new Map<string, number>();
        for (const rc of convs) {
          const id = this.upsertConversation(channelId, rc, o.live);
          known.set(rc.externalId, id);
          out.conversations.add(id);
        }
        const touches = new Map<number, Touch>();
        const names = new Map<number, string>();
        // Only a reply the outbox is sending can be adopted: with none (all of a backfill, usually), no
        // outgoing message needs looking up first.
        const adopting = this.s.anyReplySending.get() === 1;
        const ownReplies = this.s.anyOwnReply.get(channelId) === 1;
        // Oldest first, so last_message and waiting time end up right whatever order the provider used.
        const sorted = [...msgs].sort((a, b) =>
          a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
        );
        for (const rm of sorted) {
          // A message for a conversation the batch did not describe is kept under a placeholder contact,
          // which the provider's next description of that conversation replaces.
          let convId = known.get(rm.conversationExternalId);
          if (convId === undefined) {
            convId =
              this.s.conversationIdByExternal.get(channelId, rm.conversationExternalId)?.id ??
              this.upsertConversation(channelId, placeholderConversation(rm), o.live);
            known.set(rm.conversationExternalId, convId);
          }
          const r = this.upsertMessage(channelId, convId, rm, {
            live: o.live,
            adopting,
            ownReplies,
            touches,
            names,
          });
          if (r?.created) out.created.push(r.message);
          else if (r) out.updated.push(r.message);
          if (r) out.conversations.add(convId);
        }
        for (const t of touches.values()) this.writeTouch(t);
      })
      .immediate();
    return out;
  }

  private writeTouch(t: Touch): void {
    const b = t.before;
    if (
      t.unreadDelta === 0 &&
      t.lastActivityAt === b.last_activity_at &&
      t.waitingSince === b.waiting_since &&
      t.status === b.status &&
      t.snoozedUntil === b.snoozed_until
    ) {
      if (t.lastMessageId !== b.last_message_id) this.s.touchLastMessage.run(t);
    } else this.s.touchFolded.run(t);
  }

  hasConversation(channelId: string, externalId: string): boolean {
    return this.s.conversationIdByExternal.get(channelId, externalId) !== undefined;
  }

  private upsertConversation(channelId: string, rc: RemoteConversation, live: boolean): number {
    const c = rc.contact;
    const before = this.s.contactBefore.get(channelId, c.externalId);
    const contact = this.s.upsertContact.get({
      channelId,
      externalId: c.externalId,
      name: c.name,
      handle: c.handle,
      platform: c.platform ?? null,
      email: c.email ?? null,
      tags: JSON.stringify(c.tags),
    }) as { id: number } | undefined;
    // No row back: the contact exists and nothing about it changed (the upsert wrote nothing).
    const contactId = contact?.id ?? before!.id;
    if (!before) this.s.contactSearchDefer.run(contactId);
    else if (
      (before.name !== c.name || before.handle !== c.handle) &&
      !this.s.contactSearchWaiting.get(before.id)
    ) {
      this.s.contactSearchRemove.run(before.id, before.name, before.handle);
      this.s.contactSearchAdd.run(before.id, c.name, c.handle);
    }
    const row = this.s.insertConversation.get({
      channelId,
      externalId: rc.externalId,
      contactId,
      remoteStatus: rc.status ?? null,
      unread: live ? 0 : (rc.unreadCount ?? 0),
      lastActivityAt: rc.lastActivityAt,
      meta: JSON.stringify(rc.meta ?? {}),
    }) as { id: number } | undefined;
    // Unchanged conversations are not rewritten (each write would move its entries in six indexes).
    return row?.id ?? this.s.conversationIdByExternal.get(channelId, rc.externalId)!.id;
  }

  private upsertMessage(
    channelId: string,
    conversationId: number,
    rm: RemoteMessage,
    batch: BatchState,
  ): { created: boolean; message: Message } | null {
    const { live, touches } = batch;
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
      const known = this.s.messageByExternal.get(conversationId, rm.externalId);
      if (known) return this.updateKnownListed(known, rm, batch);
      const pending = batch.adopting ? this.adoptPendingReply(conversationId, rm) : null;
      if (pending) return { created: false, message: pending };
      const own = batch.ownReplies ? this.ownReply(conversationId, rm) : null;
      if (own)
        return own.relisted ? { created: false, message: toMessage(own.row) } : this.updateKnown(own.row, rm);
    }
    const id = this.insertMessageRow(row, batch.names);
    if (id !== null) {
      let t = touches.get(conversationId);
      if (!t) {
        const c = this.s.touchState.get(conversationId)!;
        t = {
          id: conversationId,
          lastMessageId: c.last_message_id,
          lastActivityAt: c.last_activity_at,
          waitingSince: c.waiting_since,
          status: c.status,
          snoozedUntil: c.snoozed_until,
          unreadDelta: 0,
          before: c,
        };
        touches.set(conversationId, t);
      }
      foldMessage(t, id, rm.createdAt, rm.direction, live);
      // The row as stored (STRICT columns keep exactly these values), without reading it back.
      return { created: true, message: toMessage({ ...row, id }) };
    }
    return this.updateKnownListed(this.s.messageByExternal.get(conversationId, rm.externalId)!, rm, batch);
  }

  /** updateKnown, for a message the provider listed under the id the store has. */
  private updateKnownListed(existing: MessageRow, rm: RemoteMessage, batch: BatchState) {
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
    if (edited) this.s.setMessageText.run(rm.text, existing.id);
    if (later) this.s.setMessageStatus.run(status, null, existing.id);
    return { created: false, message: toMessage(this.s.message.get(existing.id)!) };
  }

  /**
   * Insert a message and its full-text row; null when (conversation_id, external_id) is already stored. `names`
   * (conversation → contact name) spares a batch the same lookup for each of a conversation's messages; a
   * reply's full-text row comes a moment 'later' (see insertLocalReply).
   */
  private insertMessageRow(r: MessageRow, names: Map<number, string> | 'later'): number | null {
    const ins = this.s.insertMessage.run({
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
    if (names === 'later') {
      this.s.ftsDefer.run(id);
      this.pendingIndex = true;
    } else {
      let name = names.get(r.conversation_id);
      if (name === undefined)
        names.set(r.conversation_id, (name = this.s.contactName.get(r.conversation_id) ?? ''));
      this.s.ftsInsert.run(id, r.text, name);
    }
    this.lastIndexWrite = Date.now();
    this.searchIndexUntidy = true;
    return id;
  }

  /**
   * Add the contacts waiting in contacts_search_pending to the name index, a few hundred per transaction,
   * for up to `budgetMs` (all of them by default: a search by name is about to run).
   */
  indexWaitingContacts(budgetMs = Infinity): void {
    if (this.db.readonly) return;
    const until = performance.now() + budgetMs;
    while (this.s.contactSearchAnyWaiting.get() && performance.now() < until)
      this.db
        .transaction(() => {
          this.s.contactSearchIndexWaiting.run(CONTACTS_INDEXED_PER_STEP);
          this.s.contactSearchClearWaiting.run(CONTACTS_INDEXED_PER_STEP);
        })
        .immediate();
  }

  /** Index the replies waiting in fts_pending (one statement, one index segment). */
  indexPending(): void {
    if (!this.s.ftsAnyPending.get()) {
      this.pendingIndex = false;
      return;
    }
    this.db
      .transaction(() => {
        this.s.ftsIndexPending.run();
        this.s.ftsClearPending.run();
      })
      .immediate();
    this.pendingIndex = false;
    this.searchIndexUntidy = true;
  }

  /**
   * Merge full-text index segments for up to `budgetMs` (one short slice at least). True when nothing is
   * left to merge. Runs by itself when writes pause; the benchmark generator calls it once it is done.
   */
  tidySearchIndex(budgetMs: number): boolean {
    const until = performance.now() + budgetMs;
    do {
      const before = this.s.totalChanges.get()!;
      this.s.ftsMerge.run();
      // The command's own INSERT counts one change: fewer than two means no merging was left to do.
      if (this.s.totalChanges.get()! - before < 2) {
        this.searchIndexUntidy = false;
        return true;
      }
    } while (performance.now() < until);
    return false;
  }

  /**
   * The provider shows our own reply (an echo, or a poll) before the send call returned: it is the reply
   * the outbox is sending, not a new message. Give that row the provider's id instead of storing a copy.
   * The caller has looked: no stored message has `rm`'s id.
   */
  private adoptPendingReply(conversationId: number, rm: RemoteMessage): Message | null {
    const pending = this.s.pendingReply.get(conversationId, rm.text);
    if (!pending) return null;
    this.s.setMessageSent.run(
      STATUS_RANK[rm.status] > STATUS_RANK.sent ? rm.status : 'sent',
      rm.externalId,
      pending.id,
    );
    return toMessage(this.s.message.get(pending.id)!);
  }

  /**
   * The provider lists a message under an id the store does not know, which is the app's own reply already
   * sent under the id its send answered (InstantChat lists `msg_…` for a send that answered `mid_…`; ChatPion
   * lists it with no direction at all). The row takes the listed id and keeps the send's in `sent_id`, so the
   * next read finds it by either. `relisted`: it was given the listed id just now (else it already had it, and
   * the provider named it by its send's id). The caller has looked: no stored message has `rm`'s id.
   */
  private ownReply(conversationId: number, rm: RemoteMessage): { row: MessageRow; relisted: boolean } | null {
    const bySentId = this.s.messageBySentId.get({ conversationId, sentId: rm.externalId });
    if (bySentId) return { row: bySentId, relisted: false };
    const created = Date.parse(rm.createdAt);
    if (Number.isNaN(created)) return null;
    const reply = this.s.unlistedReply.get(
      conversationId,
      new Date(created - OWN_REPLY_LOOKBACK_MS).toISOString(),
      new Date(created + PROVIDER_CLOCK_SKEW_MS).toISOString(),
      rm.text,
    );
    if (!reply) return null;
    const status = STATUS_RANK[rm.status] > STATUS_RANK[reply.status] ? rm.status : reply.status;
    this.s.relistReply.run(rm.externalId, status, reply.id);
    return { row: this.s.message.get(reply.id)!, relisted: true };
  }

  /** A status update for a message known by its provider id (delivery receipts). */
  updateStatusByExternal(channelId: string, externalId: string, status: MessageStatus): Message | null {
    const existing =
      this.s.awaitingReceipt.get(channelId, externalId) ??
      this.s.awaitingReceiptBySentId.get(channelId, externalId);
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
        const id = this.insertMessageRow(row, 'later')!;
        this.s.touchConversation.run({
          conversationId,
          messageId: id,
          createdAt,
          direction: 'out',
          unreadDelta: 0,
          live: 1,
        });
        return id;
      })
      .immediate();
    return toMessage({ ...row, id });
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
   * separate row, the poll's copy is dropped so the conversation shows it once. A row the outbox delivered is
   * never dropped that way: nothing proves the two are one message (the agent may have sent the same text
   * twice), so both stay, this one without the provider's id, and `collidedWith` names the other.
   */
  markMessageSent(
    id: number,
    externalId: string,
    status: MessageStatus,
  ): { message: Message; collidedWith: number | null } | null {
    const row = this.s.message.get(id);
    if (!row) return null;
    const dup = this.s.messageByExternal.get(row.conversation_id, externalId);
    if (dup && dup.id !== id && this.s.isOutboxMessage.get(dup.id)) {
      this.s.setMessageStatus.run(status, null, id);
      return { message: toMessage(this.s.message.get(id)!), collidedWith: dup.id };
    }
    if (dup && dup.id !== id) this.s.deleteMessage.run(dup.id);
    if (!dup && row.external_id !== null && row.external_id !== externalId) {
      // The provider listed the reply (adoptPendingReply) under another id than its send answers: keep both.
      this.s.setMessageSentId.run(
        STATUS_RANK[row.status] > STATUS_RANK[status] ? row.status : status,
        externalId,
        id,
      );
      return { message: toMessage(this.s.message.get(id)!), collidedWith: null };
    }
    this.s.setMessageSent.run(
      STATUS_RANK[dup?.status ?? 'sent'] > STATUS_RANK[status] ? dup!.status : status,
      externalId,
      id,
    );
    return { message: toMessage(this.s.message.get(id)!), collidedWith: null };
  }

  /** The local message the outbox delivered that carries this provider message, if one does. */
  replyCarrying(conversationId: number, externalId: string): number | null {
    const row =
      this.s.messageByExternal.get(conversationId, externalId) ??
      this.s.messageBySentId.get({ conversationId, sentId: externalId });
    return row && this.s.isOutboxMessage.get(row.id) ? row.id : null;
  }

  message(id: number): Message | null {
    const row = this.s.message.get(id);
    return row ? toMessage(row) : null;
  }

  conversation(id: number): Conversation | null {
    const row = this.s.conversation.get(id);
    return row ? toConversation(row) : null;
  }

  conversationRef(id: number): {
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
    if (q.q && [...q.q].length >= 3) {
      // Any part of a name or handle, through the trigram index (it needs three characters). Few matching
      // contacts: start from them and sort their conversations. Many (a common name): walk the inbox in order
      // and keep the matching ones (the `+` keeps SQLite off the contact index), which stops after a page.
      const phrase = `"${q.q.replaceAll('"', '""')}"`;
      this.indexWaitingContacts();
      const ids = this.s.contactsMatching.all(phrase);
      if (ids.length > FEW_CONTACTS)
        filter(
          '+v.contact_id IN (SELECT value FROM json_each(@contactIds))',
          'contactIds',
          JSON.stringify(ids),
        );
      else
        filter(
          'v.contact_id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH @phrase)',
          'phrase',
          phrase,
        );
    } else if (q.q) {
      // One or two characters match a good share of all contacts: walk the inbox in order, as above.
      where.push(
        `+v.contact_id IN (SELECT id FROM contacts WHERE name LIKE @like ESCAPE '\\' OR handle LIKE @like ESCAPE '\\')`,
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
    const rows = this.listStatement(sql).all(params);
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

  private readonly lists = new Map<string, Statement<[Record<string, unknown>], ConversationRow>>();

  private listStatement(sql: string): Statement<[Record<string, unknown>], ConversationRow> {
    let st = this.lists.get(sql);
    if (!st) {
      if (this.lists.size >= MAX_CACHED_LISTS) this.lists.clear();
      st = this.db.prepare<[Record<string, unknown>], ConversationRow>(sql);
      this.lists.set(sql, st);
    }
    return st;
  }

  /** Newest first, before `before`. `moreElsewhere`: older messages exist beyond the cache (at the provider). */
  listMessages(
    conversationId: number,
    before: string | undefined,
    limit: number,
    moreElsewhere = false,
  ): PageOf<Message> {
    const c = decodeCursor(before) ?? { key: '9999', id: Number.MAX_SAFE_INTEGER };
    const rows = this.s.messagesPage.all(conversationId, c.key, c.id, limit + 1);
    const more = rows.length > limit || moreElsewhere;
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
    if (this.pendingIndex) this.indexPending();
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
