// The sync writer's thread (see syncWriter.ts): its own connection to the app's database; the batches it is
// sent, stored and answered in order.
import { parentPort, workerData } from 'node:worker_threads';
import { SAFETY_NET_PAGES } from './checkpointer';
import { openConnection } from './database';
import { inboxRepos } from './ingest';
import { SyncStateRepo } from './syncState';
import type { SyncWrite } from '../domain/storage';
import { applySyncWrite, type WriterReply, type WriterRequest } from './syncWriter';

const { file, nativeBinding } = workerData as { file: string; nativeBinding?: string };
const port = parentPort!;
const db = openConnection(file, nativeBinding);
// Checkpoints are the checkpointer's (checkpointer.ts), which starts once the WAL grows; not this thread's commits.
db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
const repos = { ...inboxRepos(db, { tidiesSearchIndex: false }), syncState: new SyncStateRepo(db) };
const queue: { id: number; write: SyncWrite }[] = [];

const store = (id: number, write: SyncWrite): WriterReply => ({
  id,
  stored: applySyncWrite(db, repos, write),
});

/**
 * Batches that queued up while the last ones were being written share one transaction: one commit instead of
 * several. Should that fail, each is written (or fails) on its own.
 */
function drain(): void {
  const jobs = queue.splice(0);
  let replies: WriterReply[];
  try {
    replies = db.transaction(() => jobs.map((j) => store(j.id, j.write))).immediate();
  } catch {
    replies = jobs.map((j) => {
      try {
        return store(j.id, j.write);
      } catch (e) {
        return { id: j.id, error: (e as Error).message };
      }
    });
  }
  for (const r of replies) port.postMessage(r);
}

port.on('message', (m: WriterRequest) => {
  if (m === 'stop') {
    db.close();
    port.close();
    return;
  }
  queue.push(m);
  if (queue.length === 1) setImmediate(drain);
});
port.postMessage('ready' satisfies WriterReply);
