// The database layer: the only module that writes SQL or imports better-sqlite3. One repo per domain.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseOpenError, openDatabase, type OpenOptions, type Sqlite } from './database';
import { ChannelsRepo } from './channels';
import type { ConversationsRepo } from './conversations';
import type { CustomersRepo } from './customers';
import { inboxRepos, type Ingest } from './ingest';
import type { MessagesRepo } from './messages';
import type { SearchIndex } from './searchIndex';
import { OutboxRepo } from './outbox';
import { BroadcastsRepo } from './broadcasts';
import { FlowsRepo } from './flows';
import { TemplatesRepo } from './templates';
import { SyncStateRepo } from './syncState';
import { SettingsRepo } from './settings';
import { SavedViewsRepo } from './savedViews';
import { SyncWriter } from './syncWriter';
import { WebhookDeliveriesRepo } from './webhookDeliveries';
import { ContactsRepo } from './contacts';
import { TeamRepo } from './team';

export { DatabaseOpenError, SCHEMA_VERSION } from './database';

export interface Store {
  channels: ChannelsRepo;
  conversations: ConversationsRepo;
  messages: MessagesRepo;
  customers: CustomersRepo;
  searchIndex: SearchIndex;
  /** Provider batches, stored on this thread (syncWriter stores most of them on its own). */
  ingest: Ingest;
  outbox: OutboxRepo;
  broadcasts: BroadcastsRepo;
  flows: FlowsRepo;
  templates: TemplatesRepo;
  syncState: SyncStateRepo;
  settings: SettingsRepo;
  savedViews: SavedViewsRepo;
  webhookDeliveries: WebhookDeliveriesRepo;
  /** Team mode: the hub, its cache and the upload queue. */
  team: TeamRepo;
  /** Sync batches, stored on a thread of their own. */
  syncWriter: SyncWriter;
  /** Run several repo calls atomically. */
  transaction<T>(fn: () => T): T;
  /** How many conversations and messages are stored. */
  counts(): { conversations: number; messages: number };
  integrityCheck(): string;
  isOpen(): boolean;
  close(): void;
}

export function openStore(file: string, o: OpenOptions = {}): Store {
  const db: Sqlite = openDatabase(file, o);
  const inbox = inboxRepos(db, { tidiesSearchIndex: true });
  if (!db.readonly) inbox.customers.linkStored();
  const syncState = new SyncStateRepo(db);
  const syncWriter = new SyncWriter(db, { ...inbox, syncState }, o.nativeBinding);
  const counts = db.prepare<[], { conversations: number; messages: number }>(
    'SELECT (SELECT count(*) FROM conversations) AS conversations, (SELECT count(*) FROM messages) AS messages',
  );
  return {
    channels: new ChannelsRepo(db),
    ...inbox,
    outbox: new OutboxRepo(db),
    broadcasts: new BroadcastsRepo(db),
    flows: new FlowsRepo(db),
    templates: new TemplatesRepo(db),
    syncState,
    settings: new SettingsRepo(db),
    savedViews: new SavedViewsRepo(db),
    webhookDeliveries: new WebhookDeliveriesRepo(db),
    team: new TeamRepo(db, new ContactsRepo(db, inbox.searchIndex, inbox.customers), inbox.searchIndex),
    syncWriter,
    transaction: <T>(fn: () => T) => db.transaction(fn).immediate(),
    counts: () => counts.get()!,
    integrityCheck: () => String(db.pragma('integrity_check', { simple: true })),
    isOpen: () => db.open,
    close: () => {
      syncWriter.close();
      if (db.open) {
        db.pragma('optimize');
        db.close();
      }
    },
  };
}

/** Moves a database we cannot use, with its -wal and -shm files, to `<file>.corrupt-<time>`; never overwrites. */
function keepAside(file: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = `${file}.corrupt-${stamp}`;
  for (let n = 1; fs.existsSync(target); n++) target = `${file}.corrupt-${stamp}-${n}`;
  fs.renameSync(file, target);
  // The -wal must not stay behind: SQLite would replay it into the fresh database.
  for (const suffix of ['-wal', '-shm'])
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  return target;
}

/**
 * Opens the store; a corrupt file or another program's database is kept aside and a fresh store started,
 * with a notice for the agent. A database from a newer version (or one we cannot open) is refused untouched.
 */
export function openStoreKeepingDamaged(
  file: string,
  o: OpenOptions = {},
): { store: Store; notices: string[] } {
  try {
    return { store: openStore(file, o), notices: [] };
  } catch (e) {
    if (!(e instanceof DatabaseOpenError) || (e.reason !== 'corrupt' && e.reason !== 'foreign')) throw e;
    const kept = path.basename(keepAside(file));
    const what = e.reason === 'foreign' ? 'belonged to another program' : 'was damaged';
    const notice =
      `The local database ${what} (${e.message}). It was kept as ${kept} and Agent Inbox started with a fresh one: ` +
      'add your channels again and their conversations will sync again.';
    return { store: openStore(file, o), notices: [notice] };
  }
}
