// `npm run bench:hub [-- --quick]`: the team hub under a team's load, written to hub-bench-results.json.
//  - provider requests with 50 agents following the team against one: the hub talks to providers once per team;
//  - message fan-out: a customer message at the provider (ChatAPI, realtime by WebSocket) until every agent
//    has read it from the change feed after the push;
//  - assignment fan-out: an assign op posted until every other agent has read the conversation's new assignee;
//  - ops/s: every agent posting batches of ops at once, across both instances;
//  - two desktops (desktops.ts): a customer message until both desktops' local APIs list it, and an assignment
//    made on one until the other's shows it; before the large history is seeded, so neither has to snapshot it;
//  - joining a large team: a desktop signs in to a team of 1M messages; time to its first inbox page and to the
//    end of the snapshot.
// Real parts throughout: an embedded PostgreSQL, two `npm run hub` instances (child processes), the five
// simulators, socket.io clients, and a desktop core for the join.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../../../hub/pg/embedded';
import { startSimulators } from '../../../main/providers/simulators';
import { summarize, sleep } from '../stats';
import { Follower } from './follower';
import { seedArchive } from './seed';
import { joinTeam } from './join';
import { measureDesktops } from './desktops';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    agents: { type: 'string', default: '50' },
    instances: { type: 'string', default: '2' },
  },
});
const quick = args.quick!;
const AGENTS = Number(args.agents);
const INSTANCES = Number(args.instances);
const ARCHIVE = quick
  ? { conversations: 2_000, messagesPerConversation: 10 }
  : { conversations: 50_000, messagesPerConversation: 20 };
// The channels poll every 4-30 s, about one request a second in all: over 20 s, where a window's edges fall among
// the polls moved the ratio by ±10 %; over 40 s by half that.
const WINDOW_MS = quick ? 8_000 : 40_000;
const FANOUT_MESSAGES = quick ? 10 : 30;
const ASSIGNMENTS = quick ? 10 : 30;
const OPS_MS = quick ? 4_000 : 10_000;

const REPO = path.resolve(import.meta.dirname, '../../..');
const started = performance.now();
const log = (line: string) =>
  console.log(`[bench:hub ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-inbox-hub-bench-'));
// As root, the embedded PostgreSQL runs as its own user, which must be able to pass through to work/pg.
fs.chmodSync(work, 0o711);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function api<T>(url: string, method: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

interface Instance {
  url: string;
  setupToken?: string;
  proc: ChildProcess;
}

async function startInstance(i: number, databaseUrl: string): Promise<Instance> {
  const dir = path.join(work, `hub-${i}`);
  fs.mkdirSync(dir, { recursive: true });
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'hub/cli/hub.ts', '--data-dir', dir, '--database-url', databaseUrl],
    { cwd: REPO, stdio: ['ignore', fs.openSync(path.join(dir, 'hub.log'), 'a'), 'inherit'] },
  );
  const file = path.join(dir, 'hub.json');
  for (let waited = 0; waited < 90_000; waited += 200) {
    if (proc.exitCode !== null) throw new Error(`hub instance ${i} exited with ${proc.exitCode}`);
    if (fs.existsSync(file) && fs.statSync(file).size > 0) {
      const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string; setupToken?: string };
      return { url: info.url.replace(/\/$/, ''), setupToken: info.setupToken, proc };
    }
    await sleep(200);
  }
  throw new Error(`hub instance ${i} wrote no hub.json within 90 s`);
}

type Agent = { id: string; email: string; token: string; hub: string; follower: Follower };

async function main(): Promise<void> {
  log(`work dir ${work}`);
  const pgServer = await startEmbeddedPostgres({ dir: path.join(work, 'pg'), port: await freePort() });
  const sims = await startSimulators({ seed: 7 });
  const instances: Instance[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++) instances.push(await startInstance(i, pgServer.databaseUrl));
    const hubs = instances.map((h) => h.url);
    const setupToken = instances.find((h) => h.setupToken)?.setupToken;
    if (!setupToken) throw new Error('no instance gave a setup token on a fresh database');
    const password = 'bench password 1';
    const admin = await api<{ token: string; agent: { id: string } }>(`${hubs[0]}/hub/v1/setup`, 'POST', {
      setupToken,
      team: 'Bench',
      admin: { email: 'agent0@bench.test', name: 'Agent 0', password },
    });
    const agents: Agent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const hub = hubs[i % hubs.length]!;
      const email = `agent${i}@bench.test`;
      if (i > 0)
        await api(
          `${hubs[0]}/hub/v1/agents`,
          'POST',
          { email, name: `Agent ${i}`, role: 'agent', password },
          admin.token,
        );
      const s = await api<{ token: string; agent: { id: string } }>(`${hub}/hub/v1/sessions`, 'POST', {
        email,
        password,
      });
      agents.push({ id: s.agent.id, email, token: s.token, hub, follower: new Follower(hub, s.token) });
    }
    for (const p of sims.providers())
      await api(
        `${hubs[0]}/hub/v1/channels`,
        'POST',
        { provider: p.provider, name: `Team ${p.provider}`, baseUrl: p.baseUrl, credentials: p.credentials },
        admin.token,
      );
    log('waiting for the five channels to finish their backfill');
    for (let waited = 0; ; waited += 1000) {
      const list = await api<{ items: { status: string; lastSyncAt: string | null; name: string }[] }>(
        `${hubs[0]}/hub/v1/channels`,
        'GET',
        undefined,
        admin.token,
      );
      const team = list.items.filter((c) => c.name.startsWith('Team '));
      if (team.every((c) => c.lastSyncAt && (c.status === 'live' || c.status === 'polling'))) break;
      if (waited > 120_000) throw new Error(`channels not synced after 120 s: ${JSON.stringify(team)}`);
      await sleep(1000);
    }
    await sleep(3000);

    log(`two desktops: ${FANOUT_MESSAGES} customer messages, then ${ASSIGNMENTS} assignments`);
    const desktops = await measureDesktops({
      desktops: [1, 2].map((i) => ({
        dataDir: path.join(work, `desk-${i}`),
        hubUrl: hubs[i % hubs.length]!,
        email: `agent${i}@bench.test`,
      })),
      password,
      customerWrites: (text) =>
        sims.kits.chatapi.sim.inbound({ contact: { name: 'Desk probe', handle: 'deskprobe' }, text }),
      messages: FANOUT_MESSAGES,
      assignments: ASSIGNMENTS,
    });
    log(`two desktops: ${JSON.stringify(desktops)}`);

    log(`seeding a ${ARCHIVE.conversations * ARCHIVE.messagesPerConversation}-message history`);
    const archive = await seedArchive(pgServer.databaseUrl, admin.agent.id, ARCHIVE);

    const served = () => Object.values(sims.kits).reduce((n, k) => n + k.served, 0);
    const countOver = async (ms: number) => {
      const before = served();
      await sleep(ms);
      return served() - before;
    };
    await agents[0]!.follower.start();
    log(`provider requests over ${WINDOW_MS / 1000} s with one agent following`);
    const withOne = await countOver(WINDOW_MS);
    for (const a of agents.slice(1)) await a.follower.start();
    log(`provider requests over ${WINDOW_MS / 1000} s with ${AGENTS} agents following`);
    const withAll = await countOver(WINDOW_MS);
    const ratio = withAll / Math.max(1, withOne);
    log(`provider requests: ${withOne} with one agent, ${withAll} with ${AGENTS} (x${ratio.toFixed(2)})`);

    log(`message fan-out: ${FANOUT_MESSAGES} customer messages to ${AGENTS} agents`);
    const fanout: number[] = [];
    const sentAt = new Map<string, number>();
    for (const a of agents)
      a.follower.onItem = (it, at) => {
        if (it.kind !== 'message') return;
        const t = sentAt.get(String(it.data.text));
        if (t !== undefined) fanout.push(at - t);
      };
    for (let i = 0; i < FANOUT_MESSAGES; i++) {
      const text = `fan-out probe ${i} ${Date.now()}`;
      sentAt.set(text, performance.now());
      sims.kits.chatapi.sim.inbound({ contact: { name: `Probe ${i % 5}`, handle: `probe${i % 5}` }, text });
      await sleep(400);
    }
    await sleep(3000);
    const fanoutMissing = FANOUT_MESSAGES * AGENTS - fanout.length;
    log(`message fan-out: ${JSON.stringify(summarize(fanout))}, ${fanoutMissing} never seen`);

    log(`assignment fan-out: ${ASSIGNMENTS} assignments`);
    const convs = await api<{ items: { id: string; assigneeId: string | null }[]; head: number }>(
      `${hubs[0]}/hub/v1/changes?after=0&limit=200`,
      'GET',
      undefined,
      admin.token,
    );
    const target = convs.items.find((c) => (c as unknown as { kind: string }).kind === 'conversation');
    if (!target) throw new Error('no conversation in the feed to assign');
    const conversationId = (target as unknown as { conversationId: string }).conversationId;
    const assignFanout: number[] = [];
    let assignee: string | null = null;
    let waitFor: { assigneeId: string; at: number; by: string; seen: Set<string> } | null = null;
    for (const a of agents)
      a.follower.onItem = (it, at) => {
        if (!waitFor || it.kind !== 'conversation' || it.conversationId !== conversationId) return;
        if (it.data.assigneeId !== waitFor.assigneeId || a.id === waitFor.by || waitFor.seen.has(a.id))
          return;
        waitFor.seen.add(a.id);
        assignFanout.push(at - waitFor.at);
      };
    for (let i = 0; i < ASSIGNMENTS; i++) {
      const by = agents[(i * 7) % AGENTS]!;
      const to = agents[(i * 11 + 1) % AGENTS]!;
      waitFor = { assigneeId: to.id, at: performance.now(), by: by.id, seen: new Set() };
      const r = await api<{ results: { status: string }[] }>(
        `${by.hub}/hub/v1/ops`,
        'POST',
        {
          ops: [
            {
              id: `assign-${i}-${Date.now()}`,
              kind: 'assign',
              conversationId,
              assigneeId: to.id,
              expectedAssigneeId: assignee,
            },
          ],
        },
        by.token,
      );
      if (r.results[0]?.status !== 'applied')
        throw new Error(`assign op answered ${JSON.stringify(r.results[0])}`);
      assignee = to.id;
      await sleep(500);
    }

    log(`assignment fan-out: ${JSON.stringify(summarize(assignFanout))}`);
    for (const a of agents) a.follower.onItem = () => undefined;
    // Each agent works through conversations of its own (a team splits its queue), as batches of 50 ops.
    const perAgent = Math.floor(archive.conversationIds.length / AGENTS);
    let opsRound = 0;
    const opsPerSecond = async (): Promise<number> => {
      opsRound++;
      let applied = 0;
      const until = performance.now() + OPS_MS;
      const opsStart = performance.now();
      await Promise.all(
        agents.map(async (a, ai) => {
          for (let batch = 0; performance.now() < until; batch++) {
            const ops = Array.from({ length: 50 }, (_, k) => ({
              id: `op-${opsRound}-${ai}-${batch}-${k}`,
              kind: 'tags',
              conversationId: archive.conversationIds[ai * perAgent + ((batch * 50 + k) % perAgent)],
              tags: [`t${(batch + k + opsRound) % 7}`],
            }));
            const r = await api<{ results: { status: string }[] }>(
              `${a.hub}/hub/v1/ops`,
              'POST',
              { ops },
              a.token,
            );
            applied += r.results.filter((x) => x.status === 'applied').length;
          }
        }),
      );
      return applied / ((performance.now() - opsStart) / 1000);
    };
    log(`ops/s: ${AGENTS} agents posting batches for ${OPS_MS / 1000} s while all follow the feed`);
    const opsFollowing = await opsPerSecond();
    await Promise.all(agents.map((a) => a.follower.stop()));
    log(`ops/s: the same with no one following (the hub's write rate alone)`);
    const opsPerS = await opsPerSecond();
    log(
      `ops/s: ${Math.round(opsPerS)} alone, ${Math.round(opsFollowing)} while ${AGENTS} agents follow the feed`,
    );

    log(`joining the ${archive.messages}-message team from a fresh desktop`);
    const join = await joinTeam({
      hubUrl: hubs[0]!,
      email: 'agent1@bench.test',
      password,
      dataDir: path.join(work, 'desk'),
    });

    const results = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, load_at_start: round(os.loadavg()[0]!) },
      agents: AGENTS,
      instances: INSTANCES,
      provider_requests: { one_agent: withOne, all_agents: withAll, window_s: WINDOW_MS / 1000 },
      provider_requests_ratio: round(ratio, 3),
      fanout_ms: { ...summarize(fanout), missing: fanoutMissing },
      assign_fanout_ms: summarize(assignFanout),
      ops_per_s: Math.round(opsPerS),
      ops_per_s_while_following: Math.round(opsFollowing),
      snapshot: { messages: archive.messages, ...join },
      desktops,
    };
    fs.writeFileSync(path.join(REPO, 'hub-bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    for (let i = 0; i < instances.length; i++) {
      const errors = fs
        .readFileSync(path.join(work, `hub-${i}`, 'hub.log'), 'utf8')
        .split('\n')
        .filter((l) => /"level":(50|60)/.test(l));
      if (errors.length)
        console.error(
          `hub instance ${i} logged ${errors.length} errors, the first:\n${errors.slice(0, 3).join('\n')}`,
        );
    }
    for (const h of instances) h.proc.kill('SIGTERM');
    await sims.close();
    await sleep(500);
    await pgServer.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`bench:hub failed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
