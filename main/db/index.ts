// The database layer: the only module that writes SQL or imports better-sqlite3. One repo per domain.
import { openDatabase, type OpenOptions, type Sqlite } from './database';
import { ChannelsRepo } from './channels';
import { InboxRepo } from './inbox';
import { OutboxRepo } from './outbox';
import { BroadcastsRepo } from './broadcasts';
import { FlowsRepo } from './flows';
import { TemplatesRepo } from './templates';
import { SyncStateRepo } from './syncState';
import { SettingsRepo } from './settings';

export { DatabaseOpenError, SCHEMA_VERSION } from './database';

export interface Store {
  channels: ChannelsRepo;
  inbox: InboxRepo;
  outbox: OutboxRepo;
  broadcasts: BroadcastsRepo;
  flows: FlowsRepo;
  templates: TemplatesRepo;
  syncState: SyncStateRepo;
  settings: SettingsRepo;
  /** Run several repo calls atomically. */
  transaction<T>(fn: () => T): T;
  integrityCheck(): string;
  close(): void;
}

export function openStore(file: string, o: OpenOptions = {}): Store {
  const db: Sqlite = openDatabase(file, o);
  return {
    channels: new ChannelsRepo(db),
    inbox: new InboxRepo(db),
    outbox: new OutboxRepo(db),
    broadcasts: new BroadcastsRepo(db),
    flows: new FlowsRepo(db),
    templates: new TemplatesRepo(db),
    syncState: new SyncStateRepo(db),
    settings: new SettingsRepo(db),
    transaction: <T>(fn: () => T) => db.transaction(fn)(),
    integrityCheck: () => String(db.pragma('integrity_check', { simple: true })),
    close: () => {
      if (db.open) {
        db.pragma('optimize');
        db.close();
      }
    },
  };
}
