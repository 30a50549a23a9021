// What the providers send (backfill, polls, older history) is stored on a thread of its own. Storing a message
// (rows, indexes, full-text) costs about as much CPU as fetching and reading it; on the app's thread the two
// took turns and a backfill used one core. Here the writer stores one batch while the app's thread fetches the
// next, and the API stays responsive while a large account syncs. Realtime events and the agent's own writes
// stay on the app's thread.
//
// The writer has its own connection; the app's transactions are IMMEDIATE so that neither trips over a stale
// read snapshot. Until the thread has opened the database, and for good if it cannot start or dies (or the
// database is in memory), batches are written on the app's thread instead: same function, same transaction.
// The thread stops after a minute without work.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Sqlite } from './database';
import type { ConversationsRepo } from './conversations';
import type { Ingest } from './ingest';
import type { Conversation } from '../domain/entities';
import type { StoredBatch, SyncWrite } from '../domain/storage';
import type { SyncStateRepo } from './syncState';

const IDLE_STOP_MS = 60_000;

export type WriterRequest = { id: number; write: SyncWrite } | 'stop';
export type WriterReply = 'ready' | { id: number; stored: StoredBatch } | { id: number; error: string };

/** The repos a batch is stored through, on the connection that stores it. */
export interface BatchRepos {
  ingest: Ingest;
  conversations: ConversationsRepo;
  syncState: SyncStateRepo;
}

export function applySyncWrite(db: Sqlite, repos: BatchRepos, w: SyncWrite): StoredBatch {
  const applied = db
    .transaction(() => {
      const r = repos.ingest.applyBatch(w.channelId, w.conversations, w.messages, { live: w.live });
      for (const c of w.cursors) repos.syncState.set(w.channelId, c.stream, c.at);
      return r;
    })
    .immediate();
  // Read back here, where the pages just written are in this connection's cache: another connection's cache
  // starts cold after every commit of this one.
  const conversations: Conversation[] = [];
  for (const id of applied.conversations) {
    const c = repos.conversations.get(id);
    if (c) conversations.push(c);
  }
  return { created: applied.created, updated: applied.updated, conversations };
}

/**
 * The thread's code, next to this module. Built, it is a bundle of its own; run from source (tsx, vitest) it is
 * TypeScript, which a worker on Node 20 can only load once it has registered tsx's loader itself.
 */
function startThread(workerData: unknown): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts'))
    return new Worker(path.join(path.dirname(here), 'syncWriterThread.js'), { workerData });
  const boot = `const load = require('node:module').createRequire(${JSON.stringify(here)});
load('tsx/cjs/api').register();
load('./syncWriterThread.ts');`;
  return new Worker(boot, { eval: true, workerData });
}

interface Job {
  write: SyncWrite;
  resolve: (a: StoredBatch) => void;
  reject: (e: Error) => void;
}

export class SyncWriter {
  private worker: Worker | null = null;
  /** Until the thread has opened the database, batches are written here rather than waiting for it. */
  private ready = false;
  /** The thread could not start or died: write on this thread from now on. */
  private here: boolean;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Sqlite,
    private readonly repos: BatchRepos,
    private readonly nativeBinding?: string,
  ) {
    this.here = db.memory || db.readonly || !fs.existsSync(db.name);
  }

  /** Where the next batch will be written: on the writer's thread, or this one (booting, in memory, failed). */
  get onThread(): boolean {
    return this.ready && this.worker !== null;
  }

  /** Starts the thread now (a sync is about to begin), so that it is ready by the first batch. */
  prepare(): void {
    if (!this.here && this.db.open) this.thread();
  }

  /** Stores the batch and its cursors in one transaction; resolves once committed. */
  write(w: SyncWrite): Promise<StoredBatch> {
    if (!this.db.open) return Promise.reject(new Error('the local database is closed'));
    const worker = this.here ? null : this.thread();
    if (!worker || !this.ready) return new Promise((resolve) => resolve(this.writeNow(w)));
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { write: w, resolve, reject });
      worker.postMessage({ id, write: w } satisfies WriterRequest);
    });
  }

  close(): void {
    this.stopThread();
    for (const job of this.jobs.values()) job.reject(new Error('the local database is closed'));
    this.jobs.clear();
  }

  /** Stores the batch on this thread, now (realtime events, which the open windows are waiting for). */
  writeNow(w: SyncWrite): StoredBatch {
    return applySyncWrite(this.db, this.repos, w);
  }

  private thread(): Worker | null {
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      worker = startThread({ file: this.db.name, nativeBinding: this.nativeBinding });
    } catch {
      this.here = true;
      return null;
    }
    worker.unref();
    worker.on('message', (m: WriterReply) => this.settle(m));
    worker.on('error', () => this.lost(worker));
    worker.on('exit', () => this.lost(worker));
    this.worker = worker;
    return worker;
  }

  private settle(m: WriterReply): void {
    if (m === 'ready') {
      this.ready = true;
      this.stopWhenIdle();
      return;
    }
    const job = this.jobs.get(m.id);
    if (!job) return;
    this.jobs.delete(m.id);
    if ('error' in m) job.reject(new Error(m.error));
    else job.resolve(m.stored);
    this.stopWhenIdle();
  }

  private stopWhenIdle(): void {
    if (this.jobs.size > 0 || this.idle) return;
    this.idle = setTimeout(() => this.stopThread(), IDLE_STOP_MS);
    this.idle.unref();
  }

  /**
   * The thread failed (could not load, or died). Its unanswered batches are written here instead; each is
   * idempotent, so one it had committed before dying is stored once all the same.
   */
  private lost(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = false;
    this.here = true;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) {
      try {
        job.resolve(this.writeNow(job.write));
      } catch (e) {
        job.reject(e as Error);
      }
    }
  }

  private stopThread(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const worker = this.worker;
    this.worker = null;
    this.ready = false;
    worker?.postMessage('stop' satisfies WriterRequest);
  }
}
