// ReadAhead (main/sync/readAhead.ts): backfill batches fetched ahead of the writer, in cursor order.
import { describe, expect, it } from 'vitest';
import { ReadAhead } from '../../main/sync/readAhead';
import type { SyncBatch } from '../../main/domain/remote';

/** A provider of `n` batches whose cursors count up; records every cursor it was asked for. */
function provider(n: number, failAt = -1) {
  const asked: (string | null)[] = [];
  const fetch = async (cursor: string | null): Promise<SyncBatch> => {
    asked.push(cursor);
    await new Promise((r) => setTimeout(r, 1));
    const i = cursor === null ? 0 : Number(cursor);
    if (i === failAt) throw new Error(`batch ${i} failed`);
    return { conversations: [], messages: [], cursor: String(i + 1), done: i + 1 === n };
  };
  return { asked, fetch };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('ReadAhead', () => {
  it('hands out every batch in order, each asked for once, and null after the last', async () => {
    const p = provider(5);
    const reader = new ReadAhead(p.fetch, null, 2);
    const cursors: string[] = [];
    for (let b = await reader.next(); b; b = await reader.next()) cursors.push(b.cursor!);
    expect(cursors).toEqual(['1', '2', '3', '4', '5']);
    expect(p.asked).toEqual([null, '1', '2', '3', '4']);
  });

  it('fetches at most `depth` batches ahead of the one taken', async () => {
    const p = provider(100);
    const reader = new ReadAhead(p.fetch, '10', 3);
    await settle();
    expect(p.asked).toEqual(['10', '11', '12']);
    await reader.next();
    await settle();
    expect(p.asked).toEqual(['10', '11', '12', '13']);
    reader.drop();
  });

  it('fails with the batch that failed and asks nothing after it', async () => {
    const p = provider(10, 2);
    const reader = new ReadAhead(p.fetch, null, 4);
    expect((await reader.next())?.cursor).toBe('1');
    expect((await reader.next())?.cursor).toBe('2');
    await expect(reader.next()).rejects.toThrow('batch 2 failed');
    await settle();
    expect(p.asked).toEqual([null, '1', '2']);
  });

  it('asks nothing more once dropped', async () => {
    const p = provider(100);
    const reader = new ReadAhead(p.fetch, null, 2);
    reader.drop();
    await settle();
    expect(p.asked).toEqual([null]);
  });
});
