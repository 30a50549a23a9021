// Backfill reads ahead of the cache: each batch is asked for as soon as the one before it has arrived (its
// cursor says where to go on), not when the one before it has been stored. Up to `depth` batches wait for the
// sync writer, so a slow provider answer and a slow write overlap instead of adding up.
import type { SyncBatch } from '../domain/remote';

export class ReadAhead {
  private readonly waiting: Promise<SyncBatch | null>[] = [];
  private last: Promise<SyncBatch | null>;
  private dropped = false;

  constructor(
    private readonly fetch: (cursor: string | null) => Promise<SyncBatch>,
    cursor: string | null,
    private readonly depth: number,
  ) {
    this.last = handled(fetch(cursor));
    this.waiting.push(this.last);
    this.fill();
  }

  /** The next batch in order (null once the backfill is done); rejects with the fetch that failed. */
  next(): Promise<SyncBatch | null> {
    const batch = this.waiting.shift() ?? Promise.resolve(null);
    this.fill();
    return batch;
  }

  /** No more requests: what is in flight is left to finish and thrown away. */
  drop(): void {
    this.dropped = true;
  }

  private fill(): void {
    while (this.waiting.length < this.depth) {
      // A failed fetch fails the ones after it without asking the provider again.
      this.last = handled(
        this.last.then((b) => (b === null || b.done || this.dropped ? null : this.fetch(b.cursor))),
      );
      this.waiting.push(this.last);
    }
  }
}

/** A failure is seen when the promise is awaited, or never if it is dropped. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
