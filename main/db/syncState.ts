// Per-channel, per-stream sync cursors (backfill, poll), so an interrupted sync resumes where it stopped.
import type { Sqlite } from './database';
import type { SyncCursor } from '../domain/storage';
import { now } from './json';

export class SyncStateRepo {
  private readonly s;

  constructor(db: Sqlite) {
    this.s = {
      get: db.prepare<[string, string], { cursor: string | null; done: number }>(
        'SELECT cursor, done FROM sync_state WHERE channel_id = ? AND stream = ?',
      ),
      set: db.prepare(
        `INSERT INTO sync_state (channel_id, stream, cursor, done, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (channel_id, stream) DO UPDATE SET cursor = excluded.cursor, done = excluded.done, updated_at = excluded.updated_at`,
      ),
    };
  }

  get(channelId: string, stream: string): SyncCursor {
    const r = this.s.get.get(channelId, stream);
    return { cursor: r?.cursor ?? null, done: Boolean(r?.done) };
  }

  set(channelId: string, stream: string, c: SyncCursor): void {
    this.s.set.run(channelId, stream, c.cursor, Number(c.done), now());
  }
}
