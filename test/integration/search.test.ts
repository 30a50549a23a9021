// GET /api/v1/search over real HTTP and a real cache: where each hit is from, one hit per conversation found
// by its contact, keyset pages without duplicates or gaps, each filter, and bad input answered in a sentence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import type { SearchHit } from '../../main/contract/schemas';
import { api } from '../helpers/api';
import { conv, msg, seedChannel } from '../helpers/seed';
import { tempDir } from '../helpers/tmp';

let core: Core;
let tmp: ReturnType<typeof tempDir>;
let chatapi: string;
let chatpion: string;
/** Local conversation ids by the external ids below. */
const ids: Record<string, string> = {};

type Page = { items: SearchHit[]; nextCursor: string | null };
type ErrorBody = { error: { code: string; message: string } };

const day = (d: number, h = 10) => new Date(Date.UTC(2026, 0, d, h)).toISOString();
const search = async (query: string) => api<Page>(core, 'GET', `/api/v1/search?${query}`);
const hits = async (query: string) => {
  const r = await search(query);
  expect(r.status).toBe(200);
  return r.body;
};
/** Every hit of a query, page by page. */
async function allPages(query: string): Promise<{ items: SearchHit[]; pages: Page[] }> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const page = await hits(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 100);
  return { items: pages.flatMap((p) => p.items), pages };
}
const key = (h: SearchHit) => `${h.conversationId}/${h.messageId}`;

beforeAll(async () => {
  tmp = tempDir();
  core = await createCore({ dataDir: tmp.dir, port: 0, log: () => undefined });
  chatapi = seedChannel(core.store, 'ch-chatapi', 'chatapi');
  chatpion = seedChannel(core.store, 'ch-chatpion', 'chatpion');
  // Jonas Müller: 17 messages, a few about a refund. Greta Müller on the other channel, resolved.
  core.store.ingest.applyBatch(
    chatapi,
    [conv('jonas', 'Jonas Müller', day(1)), conv('ana', 'Ana García', day(9))],
    [
      ...Array.from({ length: 17 }, (_, i) =>
        msg(`j${i}`, 'jonas', i % 5 === 0 ? `I want a refund, try ${i}` : `Hello again ${i}`, day(1, i)),
      ),
      msg('a1', 'ana', 'Herr Müller said my parcel is lost', day(9)),
    ],
    { live: true },
  );
  core.store.ingest.applyBatch(
    chatpion,
    [conv('greta', 'Greta Müller', day(5))],
    [msg('g1', 'greta', 'Thanks, all good now', day(5))],
    { live: true },
  );
  // 30 parcel messages over five conversations and 15 days, on both channels.
  for (let c = 0; c < 5; c++) {
    const channel = c % 2 ? chatpion : chatapi;
    core.store.ingest.applyBatch(
      channel,
      [conv(`p${c}`, `Customer ${c}`, day(20))],
      Array.from({ length: 6 }, (_, i) =>
        msg(`p${c}-${i}`, `p${c}`, `Where is parcel number ${c * 6 + i}?`, day(1 + ((c * 6 + i) % 15))),
      ),
      { live: true },
    );
  }
  for (const ext of ['jonas', 'ana', 'greta', 'p0', 'p1', 'p2', 'p3', 'p4']) {
    const channel = ext === 'greta' || ext === 'p1' || ext === 'p3' ? chatpion : chatapi;
    ids[ext] = String(core.store.conversations.idByExternal(channel, ext));
  }
  core.store.conversations.patch(Number(ids.greta), { status: 'resolved' });
  core.store.conversations.patch(Number(ids.p2), { status: 'snoozed' });
});
afterAll(async () => {
  await core.close();
  tmp.cleanup();
});

describe('search hits', () => {
  it('say where each hit is: channel, provider, contact, time and the conversation status', async () => {
    const page = await hits('q=parcel&limit=5');
    expect(page.items).toHaveLength(5);
    expect(page.nextCursor).toEqual(expect.any(String));
    for (const h of page.items) {
      expect(Object.keys(h).sort()).toEqual(
        [
          'channelId',
          'contactName',
          'conversationId',
          'createdAt',
          'messageId',
          'provider',
          'snippet',
          'status',
        ].sort(),
      );
      expect(h.provider).toBe(h.channelId === chatpion ? 'chatpion' : 'chatapi');
      expect(h.snippet).toContain('\u0002parcel\u0003');
      expect(h.messageId).toEqual(expect.any(String));
    }
    const snoozed = (await allPages('q=parcel&limit=100')).items.find((h) => h.conversationId === ids.p2);
    expect(snoozed).toMatchObject({ status: 'snoozed', contactName: 'Customer 2', provider: 'chatapi' });
  });

  it('give one hit per conversation found by its contact, then the messages that mention the name', async () => {
    const page = await hits('q=Müller&limit=20');
    expect(page.nextCursor).toBeNull();
    // Greta's conversation was active later than Jonas's: latest activity first.
    expect(page.items.map((h) => [h.contactName, h.messageId === null])).toEqual([
      ['Greta Müller', true],
      ['Jonas Müller', true],
      ['Ana García', false],
    ]);
    expect(page.items[0]).toMatchObject({
      conversationId: ids.greta,
      channelId: chatpion,
      provider: 'chatpion',
      status: 'resolved',
      snippet: 'Thanks, all good now',
      createdAt: day(5),
    });
    expect(page.items[1]).toMatchObject({ conversationId: ids.jonas, snippet: 'Hello again 16' });
    expect(page.items[2].snippet).toContain('\u0002Müller\u0003');
    // A name and a word: the contact's messages that hold the word.
    const refunds = await hits('q=muller%20refund&limit=20');
    expect(refunds.items.map((h) => h.conversationId)).toEqual(Array(4).fill(ids.jonas));
    expect(refunds.items.every((h) => h.snippet.includes('\u0002refund'))).toBe(true);
  });

  it('find contacts by three characters or more; shorter words still find messages', async () => {
    expect((await hits('q=gre')).items.map((h) => h.contactName)).toEqual(['Greta Müller']);
    expect((await hits('q=gr')).items).toEqual([]);
    expect((await hits('q=he')).items.map((h) => h.messageId === null)).not.toContain(true);
  });
});

describe('pages', () => {
  it('walk every hit once, in order, with a cursor until the last page', async () => {
    const all = (await hits('q=parcel&limit=100')).items;
    expect(all).toHaveLength(31); // 30 parcel messages and Ana's
    const paged = await allPages('q=parcel&limit=7');
    expect(paged.items.map(key)).toEqual(all.map(key));
    expect(paged.pages.map((p) => p.items.length)).toEqual([7, 7, 7, 7, 3]);
    expect(paged.pages.at(-1)!.nextCursor).toBeNull();
  });

  it('cross from conversations found by contact to messages without losing one', async () => {
    const all = (await hits('q=Müller&limit=20')).items;
    for (const limit of [1, 2, 3]) {
      const paged = await allPages(`q=Müller&limit=${limit}`);
      expect(paged.items.map(key)).toEqual(all.map(key));
      expect(paged.pages.at(-1)!.nextCursor).toBeNull();
    }
  });

  it('end with a null cursor when the last page is exactly full', async () => {
    const page = await hits('q=Müller&limit=3');
    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeNull();
  });
});

describe('filters', () => {
  it('by channel, for both kinds of hit', async () => {
    const page = await hits(`q=Müller&channelId=${chatpion}`);
    expect(page.items.map((h) => h.conversationId)).toEqual([ids.greta]);
    const parcels = (await allPages(`q=parcel&limit=4&channelId=${chatpion}`)).items;
    expect(parcels).toHaveLength(12);
    expect(new Set(parcels.map((h) => h.channelId))).toEqual(new Set([chatpion]));
  });

  it("by the conversation's status", async () => {
    expect((await hits('q=Müller&status=resolved')).items.map((h) => h.conversationId)).toEqual([ids.greta]);
    const snoozed = (await hits('q=parcel&status=snoozed&limit=50')).items;
    expect(snoozed).toHaveLength(6);
    expect(new Set(snoozed.map((h) => h.conversationId))).toEqual(new Set([ids.p2]));
  });

  it('by date range, both ends included, any offset', async () => {
    const from = day(3);
    const to = day(5);
    const inRange = (await allPages(`q=parcel&limit=5&from=${from}&to=${to}`)).items;
    expect(inRange).toHaveLength(6); // days 3, 4, 5 at 10:00, two each
    expect(inRange.every((h) => h.createdAt >= from && h.createdAt <= to)).toBe(true);
    // The same instants written with an offset.
    const offset = await hits(
      `q=parcel&limit=50&from=${encodeURIComponent('2026-01-03T12:00:00+02:00')}&to=${encodeURIComponent('2026-01-05T11:00:00+01:00')}`,
    );
    expect(offset.items.map(key)).toEqual(inRange.map(key));
    // Conversations found by contact: by their last activity.
    expect((await hits(`q=Müller&from=${day(4)}`)).items.map((h) => h.contactName)).toEqual([
      'Greta Müller',
      'Ana García',
    ]);
  });

  it('all together', async () => {
    const page = await hits(`q=parcel&channelId=${chatapi}&status=open&from=${day(1)}&to=${day(2)}`);
    expect(page.items.length).toBeGreaterThan(0);
    for (const h of page.items) {
      expect(h).toMatchObject({ channelId: chatapi, status: 'open' });
      expect(h.createdAt >= day(1) && h.createdAt <= day(2)).toBe(true);
    }
  });

  it('read a bounded number of matches per page and say where to read on', async () => {
    // 2,100 newer "invoice" messages on ChatAPI, one older on ChatPion: the ChatPion filter finds it on a later page.
    core.store.ingest.applyBatch(
      chatpion,
      [conv('inv-old', 'Olga Old', day(2))],
      [msg('inv-0', 'inv-old', 'Your invoice, at last', day(2))],
      { live: true },
    );
    core.store.ingest.applyBatch(
      chatapi,
      [conv('inv-new', 'Nina New', day(20))],
      Array.from({ length: 2100 }, (_, i) => msg(`inv-${i + 1}`, 'inv-new', `invoice ${i}`, day(20))),
      { live: true },
    );
    const first = await hits(`q=invoice&channelId=${chatpion}`);
    expect(first.items).toEqual([]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const paged = await allPages(`q=invoice&channelId=${chatpion}`);
    expect(paged.items.map((h) => h.contactName)).toEqual(['Olga Old']);
    expect(paged.pages.at(-1)!.nextCursor).toBeNull();
  });
});

describe('bad input gets a 400 and a sentence', () => {
  it.each([
    ['q=parcel&from=yesterday', 'Invalid query: from must be an ISO 8601 date and time'],
    ['q=parcel&to=2026-01-05', 'Invalid query: to must be an ISO 8601 date and time'],
    [`q=parcel&from=${day(5)}&to=${day(3)}`, 'Invalid query: from must not be later than to'],
    ['q=parcel&status=closed', 'Invalid query: status'],
    ['q=parcel&limit=0', 'Invalid query: limit'],
    ['q=%20%20', 'Invalid query: q'],
    ['q=parcel&channel=x', 'Invalid query'],
  ])('%s', async (query, message) => {
    const r = await api<ErrorBody>(core, 'GET', `/api/v1/search?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(message);
  });

  it('a cursor no search handed out', async () => {
    const r = await api<ErrorBody>(core, 'GET', '/api/v1/search?q=parcel&cursor=%00%ff');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'invalid_cursor',
      message: expect.stringMatching(/^This cursor was not handed out by a search; .+\.$/),
    });
  });

  it('words FTS5 would read as syntax are just words', async () => {
    for (const q of ['"*(NEAR', 'a OR b', '***', 'x" OR "1', 'text:parcel', 'NOT parcel'])
      expect((await search(`q=${encodeURIComponent(q)}`)).status).toBe(200);
    expect((await hits('q=NOT%20parcel')).items).toEqual([]);
  });
});
