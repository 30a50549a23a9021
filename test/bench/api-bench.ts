// The cache through the local API: HTTP on loopback against a core in another process (like the renderer),
// one keep-alive connection, request sent → whole JSON body received.
import http from 'node:http';
import autocannon from 'autocannon';
import { CONTACT_QUERIES, contactPath, filteredPath, filters, PAGE, SEARCH_TERMS } from './queries';
import { collectGarbage, sampleIds, summarize, timeAsync } from './stats';

type Summary = ReturnType<typeof summarize>;

export class ApiClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly origin: URL;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.origin = new URL(url);
  }

  request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown; serverMs: number | null }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.origin.hostname,
          port: this.origin.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const timing = /app;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
            resolve({
              status: res.statusCode ?? 0,
              json: text ? JSON.parse(text) : null,
              serverMs: timing ? Number(timing[1]) : null,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async get(path: string): Promise<unknown> {
    const r = await this.request('GET', path);
    if (r.status !== 200)
      throw new Error(`GET ${path} answered ${r.status}: ${JSON.stringify(r.json).slice(0, 200)}`);
    return r.json;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface ApiResults {
  inbox_first_page: Summary;
  inbox_next_pages: Summary;
  inbox_filtered: Summary;
  inbox_contact_filter: Summary;
  search: Summary;
  search_terms: Record<string, Summary & { kind: string }>;
  open_conversation: Summary;
  /** Request arrival → reply committed, as the core's Server-Timing header reports it. */
  outbox_enqueue: Summary;
  /** The same requests from the client's side: that plus loopback HTTP both ways. */
  outbox_enqueue_roundtrip: Summary;
  /** A request that does almost nothing (GET /settings), round trip: this machine's loopback HTTP floor. */
  roundtrip_floor: Summary;
}

/** A few pages and conversations, as an agent's first seconds would ask (before measuring memory). */
export async function warmUp(c: ApiClient, conversations: number, seed: number): Promise<void> {
  let cursor: string | null = null;
  for (let i = 0; i < 5; i++) {
    const page = (await c.get(`/api/v1/conversations?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`)) as {
      nextCursor: string | null;
    };
    cursor = page.nextCursor;
  }
  for (const id of sampleIds(seed + 21, conversations, 10))
    await c.get(`/api/v1/conversations/${id}/messages?limit=${PAGE}`);
  await c.get(`/api/v1/search?q=order&limit=${PAGE}`);
}

export async function apiBench(
  c: ApiClient,
  o: {
    seed: number;
    conversations: number;
    runs: number;
    enqueueRuns: number;
    section?: (name: string) => Promise<void>;
  },
): Promise<ApiResults> {
  const runs = o.runs;
  const section = o.section ?? (async () => undefined);
  await section('before');
  const first = await timeAsync(runs, 20, () => c.get(`/api/v1/conversations?limit=${PAGE}`));
  await section('inbox_first_page');

  const next: number[] = [];
  collectGarbage();
  for (let round = 0; round < Math.max(5, runs / 20); round++) {
    let cursor = ((await c.get(`/api/v1/conversations?limit=${PAGE}`)) as { nextCursor: string | null })
      .nextCursor;
    for (let p = 0; p < 10 && cursor; p++) {
      const t = performance.now();
      const page = (await c.get(`/api/v1/conversations?limit=${PAGE}&cursor=${cursor}`)) as {
        nextCursor: string | null;
      };
      next.push(performance.now() - t);
      cursor = page.nextCursor;
    }
  }

  await section('inbox_next_pages');
  const fs = filters(o.seed);
  const filtered = await timeAsync(runs, fs.length, (i) => c.get(filteredPath(fs[i % fs.length])));
  await section('inbox_filtered');
  const contact = await timeAsync(runs, CONTACT_QUERIES.length, (i) =>
    c.get(contactPath(CONTACT_QUERIES[i % CONTACT_QUERIES.length])),
  );
  await section('inbox_contact_filter');

  const searchAll: number[] = [];
  const searchTerms: ApiResults['search_terms'] = {};
  const perTerm = Math.max(20, Math.ceil(runs / SEARCH_TERMS.length));
  for (const { term, kind } of SEARCH_TERMS) {
    const path = `/api/v1/search?q=${encodeURIComponent(term)}&limit=${PAGE}`;
    const s = await timeAsync(perTerm, 3, () => c.get(path));
    searchAll.push(...s);
    searchTerms[term] = { kind, ...summarize(s) };
  }

  await section('search');
  const ids = sampleIds(o.seed + 31, o.conversations, runs + 20);
  const open = await timeAsync(runs, 20, (i) =>
    c.get(`/api/v1/conversations/${ids[i % ids.length]}/messages?limit=${PAGE}`),
  );
  await section('open_conversation');

  // Replies while every channel is offline (the benchmark's channels are paused): 202 once committed.
  const targets = sampleIds(o.seed + 32, o.conversations, o.enqueueRuns + 20);
  const accepted: number[] = [];
  const enqueue = await timeAsync(o.enqueueRuns, 20, async (i) => {
    const r = await c.request('POST', `/api/v1/conversations/${targets[i % targets.length]}/messages`, {
      text: `Thanks for waiting, your order is on its way (${i})`,
      clientId: `bench-${o.seed}-${i}-${Date.now()}`,
    });
    if (r.status !== 202)
      throw new Error(`POST reply answered ${r.status}: ${JSON.stringify(r.json).slice(0, 200)}`);
    if (r.serverMs === null || r.serverMs <= 0)
      throw new Error(`POST reply answered without a usable Server-Timing header (${r.serverMs})`);
    if (i >= 20) accepted.push(r.serverMs);
  });
  await section('outbox_enqueue');
  const floor = await timeAsync(o.enqueueRuns, 20, () => c.get('/api/v1/settings'));

  return {
    inbox_first_page: summarize(first),
    inbox_next_pages: summarize(next),
    inbox_filtered: summarize(filtered),
    inbox_contact_filter: summarize(contact),
    search: summarize(searchAll),
    search_terms: searchTerms,
    open_conversation: summarize(open),
    outbox_enqueue: summarize(accepted),
    outbox_enqueue_roundtrip: summarize(enqueue),
    roundtrip_floor: summarize(floor),
  };
}

/** GET /api/v1/conversations (first page) under autocannon: 10 connections. */
export async function loadTest(
  url: string,
  token: string,
  seconds: number,
): Promise<{
  req_per_s: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  errors: number;
  non2xx: number;
}> {
  const r = await autocannon({
    url: `${url}/api/v1/conversations?limit=${PAGE}`,
    connections: 10,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    req_per_s: Math.round(r.requests.average),
    latency_p50_ms: r.latency.p50,
    latency_p99_ms: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}
