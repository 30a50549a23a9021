// Full-text search over messages and the trigram index of contact names, and the upkeep that keeps both
// fast: rows are written as messages and contacts arrive, some a moment later, and segments merged when writes pause.
// A search answers in keyset pages: first the conversations whose contact matches, then the matching messages.
import type { Sqlite } from './database';
import type { SearchQuery } from '../contract/schemas';
import type { ConversationStatus, PageOf, ProviderId, SearchHit } from '../domain/entities';
import { decodeCursor, encodeCursor } from './cursors';

/** Index upkeep runs once writes have paused this long, for at most TIDY_BUDGET_MS per round. */
const TIDY_IDLE_MS = 500;
const TIDY_BUDGET_MS = 8;
/** Waiting contacts indexed per transaction: a few ms of trigram indexing. */
const CONTACTS_INDEXED_PER_STEP = 200;

/** Free text as safe FTS5 terms: each word quoted, the last one as a prefix (the agent may still be typing it). */
function ftsTerms(q: string): string[] {
  const words = q
    .normalize('NFKC')
    .split(/[\s"'()*:^+-]+/u)
    .filter(Boolean)
    .slice(0, 8);
  return words.map((w, i) => `"${w.replace(/"/g, '')}"${i === words.length - 1 ? '*' : ''}`);
}

/** Turn free text into a safe FTS5 query: every word, in the message's text or its contact's name. */
export function ftsQuery(q: string): string | null {
  const terms = ftsTerms(q);
  return terms.length ? terms.join(' ') : null;
}

/**
 * The message hits' query: every word in the text or the contact's name, but not all of them in the name alone,
 * so "Müller refund" finds Müller's messages about a refund while "Müller" does not list every message of
 * Müller's conversations (each of those is one hit, found by contact).
 */
export function messageQuery(q: string): string | null {
  const all = ftsQuery(q);
  return all && `(${all}) NOT contact_name : (${all})`;
}

/** The trigram phrase for contacts whose name or handle holds `q`; none under three characters. */
function namePhrase(q: string): string | null {
  return [...q].length >= 3 ? `"${q.replaceAll('"', '""')}"` : null;
}

/** A search hit as both of its queries return it (a conversation found by contact has no message id). */
interface HitRow {
  message_id: number | null;
  conversation_id: number;
  channel_id: string;
  provider: ProviderId;
  status: ConversationStatus;
  contact_name: string;
  snippet: string;
  created_at: string;
}

/** A message matching the words; no snippet when the filters leave it out. */
type MatchRow = Omit<HitRow, 'snippet'> & { snippet: string | null };

/** Where a page starts: after a conversation found by contact (by last activity), or after a message. */
type SearchCursor = { phase: 'contacts'; key: string; id: number } | { phase: 'messages'; id: number };

/** The message phase's cursor key; the contact phase's is a last activity time. */
const MESSAGES_KEY = 'messages';
const FIRST_PAGE: SearchCursor = { phase: 'contacts', key: '9999', id: Number.MAX_SAFE_INTEGER };
/**
 * Matches a page reads at most: filters may pass few of a common word's (a day among 150,000 messages with
 * "order", a few µs each); such a page holds fewer hits than asked and a cursor to read on.
 */
const MATCHES_READ_PER_PAGE = 2000;
/** Characters of a conversation's last message shown under a contact hit. */
const CONTACT_SNIPPET_CHARS = 160;

/** The cursor a page ends at; undefined when it is not one this search handed out. */
function readSearchCursor(cursor: string | undefined): SearchCursor | undefined {
  if (cursor === undefined) return FIRST_PAGE;
  const c = decodeCursor(cursor);
  if (!c) return undefined;
  return c.key === MESSAGES_KEY
    ? { phase: 'messages', id: c.id }
    : { phase: 'contacts', key: c.key, id: c.id };
}

const cursorAfter = (r: HitRow) =>
  r.message_id === null
    ? encodeCursor(r.created_at, r.conversation_id)
    : encodeCursor(MESSAGES_KEY, r.message_id);

const toHit = (r: HitRow): SearchHit => ({
  conversationId: String(r.conversation_id),
  messageId: r.message_id === null ? null : String(r.message_id),
  channelId: r.channel_id,
  provider: r.provider,
  contactName: r.contact_name,
  snippet: r.snippet,
  createdAt: r.created_at,
  status: r.status,
});

/**
 * Above this many matching contacts, walking the conversations in activity order to the page's last hit beats
 * sorting all of theirs (at 100,000 conversations: 2,000 take ~4 ms either way, 4,000 sort in 7–10 ms and walk
 * in 3; no match at all walks everything, 130 ms).
 */
const FEW_CONTACTS = 2000;

/**
 * Conversations of the matching contacts (ids in @ids), a keyset page in activity order. `walk` reads the
 * activity index and keeps the matching ones (the `+` keeps SQLite off the contact index); `sort` looks up the
 * contacts' conversations and sorts them. Only the page's ids are sorted; its rows are read after.
 */
const contactHitsSql = (plan: 'sort' | 'walk') => `
  SELECT NULL AS message_id, v.id AS conversation_id, v.channel_id, ch.provider, v.status,
         c.name AS contact_name, substr(coalesce(m.text, ''), 1, ${CONTACT_SNIPPET_CHARS}) AS snippet,
         v.last_activity_at AS created_at
  FROM (SELECT v.id FROM conversations v
        WHERE ${plan === 'walk' ? '+' : ''}v.contact_id IN (SELECT value FROM json_each(@ids))
          AND (v.last_activity_at, v.id) < (@key, @id) AND ${FILTERS('v.last_activity_at')}
        ORDER BY v.last_activity_at DESC, v.id DESC LIMIT @limit) page
  CROSS JOIN conversations v ON v.id = page.id
  CROSS JOIN channels ch ON ch.id = v.channel_id
  CROSS JOIN contacts c ON c.id = v.contact_id
  LEFT JOIN messages m ON m.id = v.last_message_id
  ORDER BY v.last_activity_at DESC, v.id DESC`;

/** The filters both queries apply, by name (null: not filtered), `time` being the hit's createdAt. */
const FILTERS = (time: string) => `(
  (@channelId IS NULL OR v.channel_id = @channelId) AND (@status IS NULL OR v.status = @status)
  AND (@from IS NULL OR ${time} >= @from) AND (@to IS NULL OR ${time} <= @to))`;

export class SearchIndex {
  private readonly s;
  private lastWrite = 0;
  private untidy = true;
  /** Replies may wait in fts_pending (also after a restart): checked on the first search or idle round. */
  private repliesWaiting = true;

  /**
   * `tidies: false` for the sync writer's connection (syncWriter.ts): the app's own index does the upkeep,
   * and sees that writer's commits through data_version.
   */
  constructor(
    private readonly db: Sqlite,
    o: { tidies: boolean },
  ) {
    this.s = {
      // Full-text rows are written here, one single-row insert per new message (see migration 002).
      addMessage: db.prepare('INSERT INTO messages_fts (rowid, text, contact_name) VALUES (?, ?, ?)'),
      // The agent's own replies reach the index a moment later (see MessagesRepo.insertLocalReply).
      deferMessage: db.prepare('INSERT OR IGNORE INTO fts_pending (message_id) VALUES (?)'),
      indexWaitingReplies: db.prepare(
        `INSERT INTO messages_fts (rowid, text, contact_name)
         SELECT m.id, m.text, c.name FROM fts_pending p
         JOIN messages m ON m.id = p.message_id
         JOIN conversations v ON v.id = m.conversation_id
         JOIN contacts c ON c.id = v.contact_id`,
      ),
      clearWaitingReplies: db.prepare('DELETE FROM fts_pending'),
      anyReplyWaiting: db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM fts_pending)').pluck(),
      // Up to 64 pages of segment merging; a no-op when no level has 4 or more segments.
      merge: db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', 64)"),
      totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
      contactName: db
        .prepare<[number], string>(
          'SELECT c.name FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE v.id = ?',
        )
        .pluck(),
      // Matches newest stored first, each with whether it passes the filters: a hit has its snippet (made only
      // for hits), a match the filters leave out has none. The caller reads as many as it needs (see search).
      // CROSS JOIN keeps the index the outer loop.
      messageMatches: db.prepare<[Record<string, unknown>], MatchRow>(
        `SELECT m.id AS message_id, m.conversation_id, m.channel_id, ch.provider, v.status, c.name AS contact_name,
                CASE WHEN ${FILTERS('m.created_at')} THEN snippet(messages_fts, 0, char(2), char(3), '…', 12) END
                  AS snippet,
                m.created_at
         FROM messages_fts
         CROSS JOIN messages m ON m.id = messages_fts.rowid
         CROSS JOIN conversations v ON v.id = m.conversation_id
         CROSS JOIN contacts c ON c.id = v.contact_id
         CROSS JOIN channels ch ON ch.id = v.channel_id
         WHERE messages_fts MATCH @match AND messages_fts.rowid < @before
         ORDER BY messages_fts.rowid DESC`,
      ),
      contactHitsSorted: db.prepare<[Record<string, unknown>], HitRow>(contactHitsSql('sort')),
      contactHitsWalked: db.prepare<[Record<string, unknown>], HitRow>(contactHitsSql('walk')),
      // The trigram index of names and handles (migration 004): written here as contacts are renamed.
      addContact: db.prepare('INSERT INTO contacts_fts (rowid, name, handle) VALUES (?, ?, ?)'),
      removeContact: db.prepare(
        "INSERT INTO contacts_fts (contacts_fts, rowid, name, handle) VALUES ('delete', ?, ?, ?)",
      ),
      // New contacts wait here for the name index (migration 006).
      deferContact: db.prepare('INSERT OR IGNORE INTO contacts_search_pending (contact_id) VALUES (?)'),
      contactWaiting: db
        .prepare<[number], number>(
          'SELECT EXISTS (SELECT 1 FROM contacts_search_pending WHERE contact_id = ?)',
        )
        .pluck(),
      anyContactWaiting: db
        .prepare<[], number>('SELECT EXISTS (SELECT 1 FROM contacts_search_pending)')
        .pluck(),
      indexWaitingContacts: db.prepare<[number]>(
        `INSERT INTO contacts_fts (rowid, name, handle)
         SELECT c.id, c.name, c.handle FROM contacts_search_pending p JOIN contacts c ON c.id = p.contact_id
         ORDER BY p.contact_id LIMIT ?`,
      ),
      clearWaitingContacts: db.prepare<[number]>(
        `DELETE FROM contacts_search_pending
         WHERE contact_id IN (SELECT contact_id FROM contacts_search_pending ORDER BY contact_id LIMIT ?)`,
      ),
      contactsMatching: db
        .prepare<[string], number>('SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?')
        .pluck(),
    };
    if (o.tidies) this.keepTidy();
  }

  /**
   * A new message's full-text row. `names` (conversation → contact name) spares a batch the same lookup for
   * each of a conversation's messages.
   */
  addMessage(id: number, conversationId: number, text: string, names: Map<number, string>): void {
    let name = names.get(conversationId);
    if (name === undefined) names.set(conversationId, (name = this.s.contactName.get(conversationId) ?? ''));
    this.s.addMessage.run(id, text, name);
    this.noteWrite();
  }

  /** A reply's full-text row, written once writes pause or before the next search. */
  deferMessage(id: number): void {
    this.s.deferMessage.run(id);
    this.repliesWaiting = true;
    this.noteWrite();
  }

  /** A new contact waits for the name index (a first sync brings thousands). */
  deferContact(id: number): void {
    this.s.deferContact.run(id);
  }

  /** A contact's new name or handle, unless it is still waiting to be indexed (it will be, as it is now). */
  renameContact(before: { id: number; name: string; handle: string }, name: string, handle: string): void {
    if (this.s.contactWaiting.get(before.id)) return;
    this.s.removeContact.run(before.id, before.name, before.handle);
    this.s.addContact.run(before.id, name, handle);
  }

  /** Ids of the contacts whose name or handle holds `phrase` (an FTS5 phrase), every contact indexed first. */
  contactsMatching(phrase: string): number[] {
    this.indexWaitingContacts();
    return this.s.contactsMatching.all(phrase);
  }

  /**
   * One page of hits: conversations whose contact's name or handle holds the query, then messages matching it
   * (see SearchHit). Null when the cursor is not one a search handed out.
   */
  search(q: SearchQuery): PageOf<SearchHit> | null {
    const after = readSearchCursor(q.cursor);
    if (!after) return null;
    const filters = {
      channelId: q.channelId ?? null,
      status: q.status ?? null,
      from: q.from ?? null,
      to: q.to ?? null,
    };
    const filtered = Object.values(filters).some((f) => f !== null);
    const want = q.limit + 1;
    const rows: HitRow[] = [];
    const phrase = namePhrase(q.q);
    if (phrase && after.phase === 'contacts') {
      const ids = this.contactsMatching(phrase);
      // Filters leave few of the conversations a walk reads: then sorting is the bounded cost.
      const page =
        ids.length > FEW_CONTACTS && !filtered ? this.s.contactHitsWalked : this.s.contactHitsSorted;
      if (ids.length)
        rows.push(
          ...page.all({ ...filters, ids: JSON.stringify(ids), key: after.key, id: after.id, limit: want }),
        );
    }
    const match = messageQuery(q.q);
    let readUpTo: number | null = null;
    if (match && rows.length < want) {
      if (this.repliesWaiting) this.indexWaitingReplies();
      const before = after.phase === 'messages' ? after.id : Number.MAX_SAFE_INTEGER;
      let read = 0;
      for (const r of this.s.messageMatches.iterate({ ...filters, match, before })) {
        if (r.snippet !== null && rows.push({ ...r, snippet: r.snippet }) === want) break;
        if (++read === MATCHES_READ_PER_PAGE) {
          readUpTo = r.message_id;
          break;
        }
      }
    }
    const page = rows.slice(0, q.limit);
    const nextCursor =
      rows.length > q.limit
        ? cursorAfter(page[page.length - 1])
        : readUpTo !== null
          ? encodeCursor(MESSAGES_KEY, readUpTo)
          : null;
    return { items: page.map(toHit), nextCursor };
  }

  /**
   * Add the contacts waiting in contacts_search_pending to the name index, a few hundred per transaction,
   * for up to `budgetMs` (all of them by default: a search by name is about to run).
   */
  indexWaitingContacts(budgetMs = Infinity): void {
    if (this.db.readonly) return;
    const until = performance.now() + budgetMs;
    while (this.s.anyContactWaiting.get() && performance.now() < until)
      this.db
        .transaction(() => {
          this.s.indexWaitingContacts.run(CONTACTS_INDEXED_PER_STEP);
          this.s.clearWaitingContacts.run(CONTACTS_INDEXED_PER_STEP);
        })
        .immediate();
  }

  /**
   * Merge full-text index segments for up to `budgetMs` (one short slice at least). True when nothing is
   * left to merge. Runs by itself when writes pause; the benchmark generator calls it once it is done.
   */
  tidy(budgetMs: number): boolean {
    const until = performance.now() + budgetMs;
    do {
      const before = this.s.totalChanges.get()!;
      this.s.merge.run();
      // The command's own INSERT counts one change: fewer than two means no merging was left to do.
      if (this.s.totalChanges.get()! - before < 2) {
        this.untidy = false;
        return true;
      }
    } while (performance.now() < until);
    return false;
  }

  private noteWrite(): void {
    this.lastWrite = Date.now();
    this.untidy = true;
  }

  /** Index the replies waiting in fts_pending (one statement, one index segment). */
  private indexWaitingReplies(): void {
    if (!this.s.anyReplyWaiting.get()) {
      this.repliesWaiting = false;
      return;
    }
    this.db
      .transaction(() => {
        this.s.indexWaitingReplies.run();
        this.s.clearWaitingReplies.run();
      })
      .immediate();
    this.repliesWaiting = false;
    this.untidy = true;
  }

  private keepTidy(): void {
    // FTS5 merges its index segments while it writes (automerge): a few commits in a hundred then take
    // 10–70 ms. Migration 002 turns that off; the merging is done here instead, in short slices while no
    // messages are being written, so neither a reply nor a sync batch waits for it.
    const db = this.db;
    const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    let seenVersion = dataVersion.get();
    const timer = setInterval(() => {
      if (!db.open) return clearInterval(timer);
      if (db.readonly) return;
      // Another connection (the sync writer) committed since the last look: it may have written index rows.
      const version = dataVersion.get();
      if (version !== seenVersion) {
        seenVersion = version;
        this.noteWrite();
      }
      if (Date.now() - this.lastWrite < TIDY_IDLE_MS) return;
      try {
        if (this.repliesWaiting) this.indexWaitingReplies();
        this.indexWaitingContacts(TIDY_BUDGET_MS);
        if (this.untidy) this.tidy(TIDY_BUDGET_MS);
      } catch {
        // Busy (another connection is writing) or closing: the next round tries again.
      }
    }, TIDY_IDLE_MS);
    timer.unref();
  }
}
