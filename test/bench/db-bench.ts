// The cache through the db layer (Store), in this process: what each API handler costs before HTTP.
import crypto from 'node:crypto';
import { openStore } from '../../main/db';
import { CONTACT_QUERIES, filteredQuery, filters, firstPageQuery, PAGE, SEARCH_TERMS } from './queries';
import { collectGarbage, sampleIds, summarize, timeSync } from './stats';

export interface DbResults {
  inbox_first_page: ReturnType<typeof summarize>;
  inbox_next_pages: ReturnType<typeof summarize>;
  inbox_filtered: ReturnType<typeof summarize>;
  inbox_contact_filter: ReturnType<typeof summarize>;
  search: ReturnType<typeof summarize>;
  search_terms: Record<string, ReturnType<typeof summarize> & { kind: string; hits: number }>;
  open_conversation: ReturnType<typeof summarize>;
  outbox_enqueue: ReturnType<typeof summarize>;
  open_ms: number;
}

export function dbBench(file: string, o: { seed: number; conversations: number; runs: number }): DbResults {
  const t0 = performance.now();
  const store = openStore(file);
  const openMs = performance.now() - t0;
  try {
    const { conversations, messages, searchIndex } = store;
    const runs = o.runs;
    const first = timeSync(runs, 50, () => conversations.list(firstPageQuery()));

    // Keyset pagination while scrolling: pages 2..11 from the first page's cursor.
    const next: number[] = [];
    collectGarbage();
    for (let round = 0; round < Math.max(5, runs / 20); round++) {
      let cursor = conversations.list(firstPageQuery()).nextCursor;
      for (let p = 0; p < 10 && cursor; p++) {
        const t = performance.now();
        const page = conversations.list({ ...firstPageQuery(), cursor });
        next.push(performance.now() - t);
        cursor = page.nextCursor;
      }
    }

    const fs = filters(o.seed);
    const filtered = timeSync(runs, fs.length, (i) => conversations.list(filteredQuery(fs[i % fs.length])));

    const contact = timeSync(runs, CONTACT_QUERIES.length, (i) =>
      conversations.list({ ...firstPageQuery(), q: CONTACT_QUERIES[i % CONTACT_QUERIES.length] }),
    );

    const searchAll: number[] = [];
    const searchTerms: DbResults['search_terms'] = {};
    const perTerm = Math.max(20, Math.ceil(runs / SEARCH_TERMS.length));
    for (const { term, kind } of SEARCH_TERMS) {
      const search = () => searchIndex.search({ q: term, limit: PAGE })!;
      const hits = search().items.length;
      const s = timeSync(perTerm, 3, search);
      searchAll.push(...s);
      searchTerms[term] = { kind, hits, ...summarize(s) };
    }

    // Opening a conversation: the conversation, then its latest 50 messages (what GET …/messages does).
    const ids = sampleIds(o.seed + 11, o.conversations, runs + 20);
    const open = timeSync(runs, 20, (i) => {
      const id = ids[i % ids.length];
      conversations.get(id);
      return messages.list(id, undefined, PAGE);
    });

    // The reply transaction of POST …/messages: message + outbox row, committed.
    const targets = sampleIds(o.seed + 12, o.conversations, runs + 10);
    const enqueue = timeSync(runs, 10, (i) => {
      const id = targets[i % targets.length];
      const conv = conversations.get(id)!;
      store.transaction(() => {
        const m = messages.insertLocalReply(id, conv.channelId, `Benchmark reply ${i}`, {});
        store.outbox.insert({
          kind: 'reply',
          channelId: conv.channelId,
          conversationId: id,
          messageId: Number(m.id),
          payload: { text: m.text },
          key: crypto.randomUUID(),
        });
      });
    });

    return {
      inbox_first_page: summarize(first),
      inbox_next_pages: summarize(next),
      inbox_filtered: summarize(filtered),
      inbox_contact_filter: summarize(contact),
      search: summarize(searchAll),
      search_terms: searchTerms,
      open_conversation: summarize(open),
      outbox_enqueue: summarize(enqueue),
      open_ms: Math.round(openMs * 10) / 10,
    };
  } finally {
    store.close();
  }
}
