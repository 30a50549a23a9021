// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit takes the
// WAL past 1000 pages: that commit then copies the WAL back into the database file and fsyncs both, 10–30 ms
// in the middle of an API request (a reply's 202, a page of the inbox) once the database is large. Here a
// worker thread with its own connection runs PASSIVE checkpoints instead: they never block the app's
// connection, which keeps SQLite's automatic checkpoint only as a safety net (at 200 MB of WAL).
//
// Even off the event loop a checkpoint is felt: its fsyncs slowed the app's commits while it ran (a reply's
// commit p99 0.8 ms without checkpoints, up to 2.3 ms with one every 250 ms). So the worker waits for a pause
// in writes (the WAL file untouched for QUIET_MS) and checkpoints then, or after MAX_DEFER_MS of writes that
// never pause (a long backfill). Writes that never pause also keep the WAL from starting over, and reads slow
// down as it grows; the safety net below bounds that.
//
// Small databases (tests, a fresh install) do not need it: the worker starts when the database file or its
// WAL is big enough for checkpoints to hurt, checked at open and then every second.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Sqlite } from './database';

const START_ABOVE_BYTES = 16 * 1024 * 1024;
const START_WAL_ABOVE_BYTES = 2 * 1024 * 1024;
const CHECK_EVERY_MS = 1_000;
const LOOK_EVERY_MS = 100;
const QUIET_MS = 300;
const MAX_DEFER_MS = 5_000;
// While writes never pause (a burst of replies, a long backfill) the worker cannot catch up far enough for the
// WAL to start over, and past SQLite's threshold every commit would checkpoint inline again: hence a high one.
export const SAFETY_NET_PAGES = 50_000;
// No journal_size_limit: cutting a large WAL back (ftruncate) when it starts over took ~100 ms here, inside a
// commit. The file keeps its size while the app runs and goes away when the database is closed.
const DEFAULT_PAGES = 1000;

// Plain CommonJS for an eval'd worker: no TypeScript, no bundler involved.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
// Lowest CPU priority for this thread only (Linux applies it per thread): the app's own thread comes first.
try { require('node:os').setPriority(19); } catch {}
const db = new Database(workerData.file, { fileMustExist: true, nativeBinding: workerData.nativeBinding });
db.pragma('busy_timeout = 0');
const fs = require('node:fs');
const walChangedAt = () => {
  try { return fs.statSync(workerData.file + '-wal').mtimeMs; } catch { return 0; }
};
let lastStart = 0;
const look = () => {
  const now = Date.now();
  const changed = walChangedAt();
  // Nothing written since the last checkpoint began (mtimes come from a coarse clock: a few ms of slack).
  if (changed < lastStart - 20) return;
  if (now - changed < workerData.quietMs && now - lastStart < workerData.maxDeferMs) return;
  lastStart = now;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next round will do it */ }
};
const timer = setInterval(look, workerData.lookEveryMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

const size = (file: string) => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

/** Runs checkpoints for `db` in a worker once the database is big; stops when `db` closes. */
export function checkpointInBackground(db: Sqlite, nativeBinding?: string): void {
  if (db.memory || db.readonly || !db.name) return;
  const file = db.name;
  let worker: Worker | null = null;
  let timer: NodeJS.Timeout | null = null;

  const start = () => {
    if (worker || !db.open) return;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: createRequire(import.meta.url).resolve('better-sqlite3'),
          file,
          nativeBinding,
          lookEveryMs: LOOK_EVERY_MS,
          quietMs: QUIET_MS,
          maxDeferMs: MAX_DEFER_MS,
        },
      });
    } catch {
      return; // no worker threads here: SQLite's own checkpoints go on as before
    }
    worker.unref();
    worker.on('error', () => {
      // The worker could not open the database (or died): back to SQLite's own checkpoints.
      worker = null;
      if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_PAGES}`);
    });
    db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
    if (timer) clearInterval(timer);
    timer = null;
  };

  const big = () => size(file) > START_ABOVE_BYTES || size(`${file}-wal`) > START_WAL_ABOVE_BYTES;
  if (big()) start();
  else {
    timer = setInterval(() => {
      if (!db.open) {
        if (timer) clearInterval(timer);
        return;
      }
      if (big()) start();
    }, CHECK_EVERY_MS);
    timer.unref();
  }

  const close = db.close.bind(db);
  db.close = () => {
    if (timer) clearInterval(timer);
    worker?.postMessage('stop');
    worker = null;
    return close();
  };
}
