// Benchmark data: fills a fresh database with N messages in M conversations across the five providers, one
// channel per provider, written through the db layer exactly as sync writes (store.channels.insert +
// store.ingest.applyBatch), in large transactions. Deterministic from the seed: same seed and scale, same rows.
// One of the conversations is a long thread (LONG_THREAD: 10,000 messages, the newest activity, open) for the
// UI benchmark's open and scroll of a very long conversation; the others share the rest.
//
//   tsx test/bench/generate.ts --messages 1000000 --conversations 100000 --seed 1 --out /tmp/bench.db
//
// ensureBenchDb() caches the generated file under node_modules/.cache/agent-inbox-bench/, keyed by seed, scale
// and a hash of this generator and the schema, and hands out a fresh copy for each run.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore, type Store } from '../../main/db';
import { type ConversationStatus, type ProviderId, PROVIDERS } from '../../main/domain/entities';
import type { RemoteConversation, RemoteMessage, RemoteMessageStatus } from '../../main/domain/remote';
import { rng, type Rng } from '../../main/providers/simkit/world';
import { int, messageText, personName, pick, pickLanguage } from './text';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');

export interface GenOptions {
  file: string;
  seed: number;
  messages: number;
  conversations: number;
  /** Conversations per applyBatch call (default 1000). */
  batchConversations?: number;
  /** Messages in the long thread (default LONG_THREAD.messages). */
  longThread?: number;
  log?: (line: string) => void;
}

export interface GenResult {
  messages: number;
  conversations: number;
  channels: { id: string; provider: ProviderId }[];
  ms: number;
}

/** A fixed "now" so the data never depends on the clock: activity spreads over the 180 days before it. */
export const ANCHOR_MS = Date.UTC(2026, 10, 1, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPAN_DAYS = 180;

/** Share of conversations per provider (chatpion is the busiest account). */
const PROVIDER_WEIGHTS: Record<ProviderId, number> = {
  chatpion: 0.3,
  'chatbots-platform': 0.2,
  instantchat: 0.2,
  assistify: 0.15,
  chatapi: 0.15,
};
const PLATFORMS: Record<ProviderId, string[]> = {
  chatpion: ['facebook', 'instagram', 'whatsapp', 'telegram'],
  'chatbots-platform': ['web', 'messenger'],
  instantchat: ['instagram'],
  assistify: ['whatsapp', 'instagram', 'web'],
  chatapi: ['web'],
};
const TAGS = ['vip', 'customer', 'newsletter', 'lead', 'refund', 'shipping', 'billing'];
const INTENTS = [
  'order_status',
  'refund',
  'shipping',
  'billing',
  'greeting',
  'complaint',
  'product_question',
];
const SENTIMENTS = ['positive', 'neutral', 'negative'];

/** The long thread: its contact's handle names it (the UI benchmark finds it by that), at the top of the inbox. */
export const LONG_THREAD = { messages: 10_000, handle: 'long.thread.bench' } as const;

export function channelIdFor(seed: number, p: ProviderId): string {
  const h = crypto.createHash('sha256').update(`bench:${seed}:${p}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Standard normal (Box–Muller). */
function normal(r: Rng): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/**
 * Messages per conversation: log-normal (many short chats, a long tail of threads with hundreds of messages),
 * at least one each, summing exactly to `messages`.
 */
export function conversationSizes(r: Rng, conversations: number, messages: number): Uint32Array {
  if (messages < conversations) throw new Error('need at least one message per conversation');
  const w = new Float64Array(conversations);
  let total = 0;
  for (let i = 0; i < conversations; i++) total += w[i] = Math.exp(1.1 * normal(r));
  const extra = messages - conversations;
  const sizes = new Uint32Array(conversations);
  let used = 0;
  for (let i = 0; i < conversations; i++) used += sizes[i] = 1 + Math.floor((extra * w[i]) / total);
  for (let i = 0; used < messages; i = (i + 1) % conversations, used++) sizes[i]++;
  return sizes;
}

const iso = (ms: number) => new Date(ms).toISOString();
const pad = (n: number, width = 9) => String(n).padStart(width, '0');

function providerOf(r: Rng): ProviderId {
  let x = r();
  for (const p of PROVIDERS) {
    x -= PROVIDER_WEIGHTS[p];
    if (x < 0) return p;
  }
  return 'chatpion';
}

/** Gap between two messages of one thread: mostly a live chat, sometimes hours, now and then days. */
function gap(r: Rng): number {
  const x = r();
  if (x < 0.7) return int(r, 15_000, 10 * MINUTE);
  if (x < 0.95) return int(r, HOUR, DAY);
  return int(r, DAY, 14 * DAY);
}

interface PendingConversation {
  conv: RemoteConversation;
  msgs: RemoteMessage[];
  /** Status to set afterwards (sync only writes open/resolved). */
  later: 'pending' | 'snoozed' | null;
  snoozedUntil: string | null;
}

/** Build one conversation with its messages; `seq` numbers messages globally (external ids follow insertion). */
function buildConversation(
  r: Rng,
  i: number,
  size: number,
  provider: ProviderId,
  seq: { n: number },
  lastActivity?: number,
): PendingConversation {
  const person = personName(r);
  const lang = pickLanguage(r);
  const ascii =
    person.name
      .normalize('NFKD')
      .replace(/[^A-Za-z ]/g, '')
      .trim()
      .toLowerCase()
      .replace(/\s+/g, '.') || 'user';
  // Recent activity is denser than old activity.
  const last = lastActivity ?? ANCHOR_MS - Math.floor(r() * r() * SPAN_DAYS * DAY) - int(r, 0, 59_000);
  const times = new Float64Array(size);
  times[size - 1] = last;
  for (let k = size - 2; k >= 0; k--) times[k] = times[k + 1] - gap(r);
  const convExt = `c${pad(i, 7)}`;
  const msgs: RemoteMessage[] = new Array(size);
  let fromCustomer = true;
  for (let k = 0; k < size; k++) {
    // Customers open the thread; afterwards turns alternate with some runs on either side.
    fromCustomer = k === 0 ? true : r() < (fromCustomer ? 0.35 : 0.7);
    const failed = !fromCustomer && r() < 0.01;
    const status: RemoteMessageStatus = fromCustomer
      ? 'received'
      : failed
        ? 'failed'
        : k < size - 2
          ? 'read'
          : pick(r, ['sent', 'delivered', 'read'] as const);
    const media = r();
    const type = media < 0.96 ? 'text' : media < 0.985 ? 'image' : 'file';
    msgs[k] = {
      externalId: `m${pad(seq.n++)}`,
      conversationExternalId: convExt,
      direction: fromCustomer ? 'in' : 'out',
      text: messageText(r, lang, fromCustomer, person.first),
      type,
      createdAt: iso(times[k]),
      status,
      ...(provider === 'assistify' && fromCustomer
        ? {
            meta: {
              intent: pick(r, INTENTS),
              sentiment: pick(r, SENTIMENTS),
              confidence: Math.round(r() * 100) / 100,
            },
          }
        : {}),
    };
  }
  let trailingIn = 0;
  for (let k = size - 1; k >= 0 && msgs[k].direction === 'in'; k--) trailingIn++;
  const age = ANCHOR_MS - last;
  const x = r();
  // Old threads are mostly resolved; recent ones open, pending or snoozed.
  const status: ConversationStatus =
    age > 14 * DAY
      ? x < 0.85
        ? 'resolved'
        : 'open'
      : x < 0.35
        ? 'resolved'
        : x < 0.75
          ? 'open'
          : x < 0.9
            ? 'pending'
            : 'snoozed';
  const unread = trailingIn > 0 && status !== 'resolved' && r() < 0.6 ? trailingIn : 0;
  const conv: RemoteConversation = {
    externalId: convExt,
    contact: {
      externalId: `u${pad(i, 7)}`,
      name: person.name,
      handle: `${ascii}${i}`,
      platform: pick(r, PLATFORMS[provider]),
      ...(r() < 0.6 ? { email: `${ascii}${i}@example.com` } : {}),
      tags: TAGS.filter(() => r() < 0.15),
    },
    lastActivityAt: iso(last),
    status: status === 'resolved' ? 'resolved' : 'open',
    unreadCount: unread,
    meta: { lang: ['en', 'es', 'pt', 'fr', 'de', 'ru', 'ja', 'zh', 'ar'][lang] },
  };
  return {
    conv,
    msgs,
    later: status === 'pending' || status === 'snoozed' ? status : null,
    snoozedUntil: status === 'snoozed' ? iso(ANCHOR_MS + int(r, 1, 72) * HOUR) : null,
  };
}

/** Fill `o.file` (which must not exist) and close it. */
export function generate(o: GenOptions): GenResult {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  const store: Store = openStore(o.file);
  try {
    const channels = PROVIDERS.map((p) => ({ id: channelIdFor(o.seed, p), provider: p }));
    store.transaction(() => {
      for (const c of channels) {
        store.channels.insert({
          id: c.id,
          provider: c.provider,
          name: `${c.provider} (bench)`,
          baseUrl: 'http://127.0.0.1:9/bench',
          credentials: Buffer.from('bench: not a real credential'),
          webhookSecret: Buffer.from('bench: not a real secret'),
        });
        // Paused: a benchmark core must not try to reach providers that do not exist.
        store.channels.update(c.id, { paused: true });
        store.channels.setStatus(c.id, 'paused', null);
      }
    });
    const channelOf = Object.fromEntries(channels.map((c) => [c.provider, c.id])) as Record<
      ProviderId,
      string
    >;
    const r = rng(o.seed);
    // The long thread is the last conversation; the others share what is left.
    const others = o.conversations - 1;
    const longSize = o.longThread ?? LONG_THREAD.messages;
    const sizes = conversationSizes(r, others, o.messages - longSize);
    const per = o.batchConversations ?? 1000;
    const seq = { n: 0 };
    let written = 0;
    let lastLog = performance.now();
    for (let start = 0; start < others;) {
      // One outer transaction per ~50k messages; applyBatch nests as a savepoint per provider batch.
      store.transaction(() => {
        let inTx = 0;
        while (start < others && inTx < 50_000) {
          const byProvider = new Map<ProviderId, PendingConversation[]>();
          const end = Math.min(others, start + per);
          for (let i = start; i < end; i++) {
            const p = providerOf(r);
            const pc = buildConversation(r, i, sizes[i], p, seq);
            if (!byProvider.has(p)) byProvider.set(p, []);
            byProvider.get(p)!.push(pc);
            inTx += sizes[i];
          }
          for (const [p, list] of byProvider) {
            const msgs: RemoteMessage[] = [];
            for (const pc of list) for (const m of pc.msgs) msgs.push(m);
            const applied = store.ingest.applyBatch(
              channelOf[p],
              list.map((pc) => pc.conv),
              msgs,
              { live: false },
            );
            written += msgs.length;
            // applyBatch reports conversation ids in the order it upserted them, i.e. the order of `list`.
            const ids = [...applied.conversations];
            list.forEach((pc, j) => {
              // Pending and snoozed are the agent's doing (sync writes open/resolved): set them as the API does.
              if (pc.later)
                store.conversations.patch(ids[j], {
                  status: pc.later,
                  ...(pc.snoozedUntil ? { snoozedUntil: pc.snoozedUntil } : {}),
                });
            });
          }
          start = end;
        }
      });
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`  generated ${written.toLocaleString('en')} / ${o.messages.toLocaleString('en')} messages`);
      }
    }
    const long = buildConversation(r, others, longSize, 'chatpion', seq, ANCHOR_MS);
    long.conv.contact.handle = LONG_THREAD.handle;
    long.conv.status = 'open';
    long.later = null;
    store.transaction(() =>
      store.ingest.applyBatch(channelOf.chatpion, [long.conv], long.msgs, { live: false }),
    );
    written += long.msgs.length;
    // The app indexes new contacts' names and merges its search index whenever writes pause; a cache that has
    // synced this much has had pauses.
    store.searchIndex.indexWaitingContacts();
    store.searchIndex.tidy(Infinity);
    return { messages: written, conversations: o.conversations, channels, ms: performance.now() - t0 };
  } finally {
    store.close();
  }
}

/** Fingerprint of everything that shapes the generated file: this generator, its text, the schema, the writer. */
function sourceHash(): string {
  const h = crypto.createHash('sha256');
  const files = [
    path.join(HERE, 'generate.ts'),
    path.join(HERE, 'text.ts'),
    ...['ingest', 'contacts', 'conversations', 'messages', 'searchIndex'].map((f) =>
      path.join(REPO, `main/db/${f}.ts`),
    ),
    ...fs
      .readdirSync(path.join(REPO, 'main/db/migrations'))
      .sort()
      .map((f) => path.join(REPO, 'main/db/migrations', f)),
  ];
  for (const f of files) h.update(f).update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

export const CACHE_DIR = path.join(REPO, 'node_modules/.cache/agent-inbox-bench');

/**
 * A fresh copy of the benchmark database at `dest`: generated once per seed + scale + source hash and cached.
 * Returns whether it had to be generated and how long that took.
 */
export function ensureBenchDb(
  dest: string,
  o: { seed: number; messages: number; conversations: number; log?: (l: string) => void },
): { generated: boolean; generateMs: number | null; copyMs: number; cacheFile: string } {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const cacheFile = path.join(
    CACHE_DIR,
    `inbox-s${o.seed}-m${o.messages}-c${o.conversations}-${sourceHash()}.db`,
  );
  let generateMs: number | null = null;
  if (!fs.existsSync(cacheFile)) {
    // Drop stale files of the same scale (older generator or schema) so the cache does not grow forever.
    for (const f of fs.readdirSync(CACHE_DIR)) {
      if (f.startsWith(`inbox-s${o.seed}-m${o.messages}-c${o.conversations}-`))
        fs.rmSync(path.join(CACHE_DIR, f), { force: true });
    }
    const tmp = `${cacheFile}.tmp-${process.pid}`;
    for (const s of ['', '-wal', '-shm']) fs.rmSync(tmp + s, { force: true });
    o.log?.(
      `generating ${o.messages.toLocaleString('en')} messages in ${o.conversations.toLocaleString('en')} conversations (seed ${o.seed})…`,
    );
    // In a child process: the generator's garbage must not be collected during the measurements that follow.
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--seed',
        String(o.seed),
        '--messages',
        String(o.messages),
        '--conversations',
        String(o.conversations),
        '--out',
        tmp,
        '--json',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    const lines = (r.stdout ?? '').trim().split('\n');
    if (r.status !== 0)
      throw new Error(`the generator failed (exit ${r.status}): ${lines.slice(-3).join(' | ')}`);
    generateMs = (JSON.parse(lines[lines.length - 1]) as GenResult).ms;
    for (const s of ['-wal', '-shm']) fs.rmSync(tmp + s, { force: true });
    fs.renameSync(tmp, cacheFile);
    o.log?.(`generated in ${(generateMs / 1000).toFixed(1)} s → ${path.relative(REPO, cacheFile)}`);
  }
  const t = performance.now();
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  for (const s of ['', '-wal', '-shm']) fs.rmSync(dest + s, { force: true });
  fs.copyFileSync(cacheFile, dest, fs.constants.COPYFILE_FICLONE);
  // Flush the copy now: hundreds of MB of dirty pages written back by the kernel during the first
  // measurements would be the benchmark's own noise, not the app's.
  const fd = fs.openSync(dest, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { generated: generateMs !== null, generateMs, copyMs: performance.now() - t, cacheFile };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '1000000' },
      conversations: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      // For ensureBenchDb: progress on stderr, the result as one JSON line on stdout.
      json: { type: 'boolean', default: false },
    },
  });
  const out = path.resolve(values.out ?? 'bench-inbox.db');
  if (fs.existsSync(out)) {
    console.error(`${out} exists; choose another --out`);
    process.exit(2);
  }
  const g = generate({
    file: out,
    seed: Number(values.seed),
    messages: Number(values.messages),
    conversations: Number(values.conversations),
    log: (l) => (values.json ? console.error(l) : console.log(l)),
  });
  if (values.json) console.log(JSON.stringify(g));
  else
    console.log(
      `${g.messages} messages, ${g.conversations} conversations in ${(g.ms / 1000).toFixed(1)} s → ${out}`,
    );
}
