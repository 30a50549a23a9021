// Full-text search over messages and the trigram index of contact names, and the upkeep that keeps both
// fast: rows are written as messages and contacts arrive, some a moment later, and segments merged when writes pause.
import type { Sqlite } from './database';
import type { SearchHit } from '../domain/entities';

/** Index upkeep runs once writes have paused this long, for at most TIDY_BUDGET_MS per round. */
const TIDY_IDLE_MS = 500;
const TIDY_BUDGET_MS = 8;
/** Waiting contacts indexed per transaction: a few ms of trigram indexing. */
const CONTACTS_INDEXED_PER_STEP = 200;

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

  search(q: string, limit: number): SearchHit[] {
    const fts = ftsQuery(q);
    if (!fts) return [];
    if (this.repliesWaiting) this.indexWaitingReplies();
    return this.s.search.all(fts, limit).map((r) => ({
      conversationId: String(r.conversation_id),
      messageId: String(r.id),
      contactName: r.contact_name,
      snippet: r.snippet,
      createdAt: r.created_at,
    }));
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
