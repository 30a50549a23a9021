// Team mode end to end (issue 20): a real hub (createHub on its own PostgreSQL database) owning a ChatAPI
// channel on the simulator, and two desktop cores signed in to it as Ana and Ben. A customer's message reaches
// both; a claim shows on the other desktop and a stale claim there is refused naming Ana; a note is shared and
// never reaches the provider; with the hub closed, Ana's desktop still reads, searches, replies and resolves,
// and once the hub is back (same database, same port) all of it reaches the team, the reply exactly once.
import fs from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { createHub, type Hub } from '../../hub/hub';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import type { Conversation } from '../../main/contract/schemas';
import type { TeamNote, TeamState } from '../../main/contract/team';
import type { TeamAlert, TeamPresence } from '../../main/contract/teamEvents';
import { api, waitFor } from '../helpers/api';
import { freshHubDatabase } from '../helpers/hubDb';
import { tempDir } from '../helpers/tmp';

type Detail = Conversation & { notes: TeamNote[] };

describe('team mode: two desktops on one hub', () => {
  let database: Awaited<ReturnType<typeof freshHubDatabase>>;
  let sims: Simulators;
  let hub: Hub;
  let hubPort = 0;
  const dirs = [tempDir('team-hub-'), tempDir('team-a-'), tempDir('team-b-')];
  let a: Core;
  let b: Core;
  const ids = { ana: '', ben: '' };
  let convA = '';
  let convB = '';
  let text = '';

  const startHub = async () => {
    hub = await createHub({
      databaseUrl: database.url,
      dataDir: dirs[0].dir,
      port: hubPort,
      backoffScale: 0.05,
      inFlightGraceMs: 500,
    });
    hubPort = hub.port;
  };
  const hubReq = async (method: string, path: string, body: unknown, token?: string) => {
    const res = await fetch(hub.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const detail = async (core: Core, id: string) =>
    (await api<Detail>(core, 'GET', `/api/v1/conversations/${id}`)).body;
  const findWith = async (core: Core, t: string) =>
    (await api<{ items: Conversation[] }>(core, 'GET', '/api/v1/conversations?limit=100')).body.items.find(
      (c) => c.lastMessage?.text === t,
    );
  const sentTexts = () => sims.kits.chatapi.sent.map((s) => s.text);

  beforeAll(async () => {
    database = await freshHubDatabase();
    sims = await startSimulators({ seed: 20 });
    await startHub();
    const setup = await hubReq('POST', '/hub/v1/setup', {
      setupToken: hub.setupToken,
      team: 'Acme',
      admin: { email: 'ana@acme.test', name: 'Ana', password: 'correct horse 1' },
    });
    expect(setup.status).toBe(201);
    const admin = setup.body.token as string;
    const ben = await hubReq(
      'POST',
      '/hub/v1/agents',
      { email: 'ben@acme.test', name: 'Ben', role: 'agent', password: 'battery staple 2' },
      admin,
    );
    expect(ben.status).toBe(201);
    const chatapi = sims.providers().find((p) => p.provider === 'chatapi')!;
    const channel = await hubReq('POST', '/hub/v1/channels', { ...chatapi, name: 'Team chatapi' }, admin);
    expect(channel.status).toBe(201);
    a = await createCore({ dataDir: dirs[1].dir, log: () => undefined, teamPollMs: 500, backoffScale: 0.05 });
    b = await createCore({ dataDir: dirs[2].dir, log: () => undefined, teamPollMs: 500, backoffScale: 0.05 });
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await hub?.close();
    await sims?.close();
    await database?.drop();
    dirs.forEach((d) => d.cleanup());
  });

  it('signs both desktops in, keeping the token sealed and never the password', async () => {
    expect((await api(a, 'GET', '/api/v1/team')).body).toBeNull();
    const wrong = await api(a, 'PUT', '/api/v1/team', {
      hubUrl: hub.url,
      email: 'ana@acme.test',
      password: 'nope',
    });
    expect(wrong.status).toBe(422);
    for (const [core, email, password] of [
      [a, 'ana@acme.test', 'correct horse 1'],
      [b, 'ben@acme.test', 'battery staple 2'],
    ] as const) {
      const r = await api<TeamState>(core, 'PUT', '/api/v1/team', { hubUrl: hub.url, email, password });
      expect(r.status).toBe(200);
      expect(r.body.agent.email).toBe(email);
    }
    ids.ana = (await api<TeamState>(a, 'GET', '/api/v1/team')).body.agent.id;
    ids.ben = (await api<TeamState>(b, 'GET', '/api/v1/team')).body.agent.id;
    const online = await waitFor('the team online on both desktops', async () => {
      const states = await Promise.all([a, b].map((c) => api<TeamState>(c, 'GET', '/api/v1/team')));
      return states.every((s) => s.body.status === 'online') ? states.map((s) => s.body) : null;
    });
    // Online means the snapshot was stored whole and the feed is followed from its head.
    for (const state of online) expect(state.snapshot.done).toBe(true);
    const channels = await waitFor('the hub channel on desktop B', async () => {
      const r = await api<{ items: { name: string }[] }>(b, 'GET', '/api/v1/channels');
      return r.body.items.length ? r.body.items : null;
    });
    expect(channels.map((c) => c.name)).toEqual(['Team chatapi']);
    const agents = await api<{ items: { name: string }[] }>(b, 'GET', '/api/v1/agents');
    expect(agents.body.items.map((x) => x.name).sort()).toEqual(['Ana', 'Ben']);
    for (const d of dirs.slice(1))
      for (const f of fs.readdirSync(d.dir, { recursive: true, withFileTypes: true }))
        if (f.isFile()) {
          const blob = fs.readFileSync(path.join(f.parentPath, f.name));
          expect(blob.includes('correct horse 1') || blob.includes('battery staple 2')).toBe(false);
        }
  });

  it("brings a customer's message to both desktops", async () => {
    text = `team-in ${Date.now()}`;
    sims.kits.chatapi.sim.inbound({ text });
    const ca = await waitFor('the message on desktop A', () => findWith(a, text), 20_000);
    const cb = await waitFor('the message on desktop B', () => findWith(b, text), 20_000);
    convA = ca.id;
    convB = cb.id;
    expect(ca.assigneeId).toBeNull();
    const snapshots = await Promise.all(
      [a, b].map(async (c) => (await api<TeamState>(c, 'GET', '/api/v1/team')).body.snapshot),
    );
    expect(snapshots[0].conversations).toBeGreaterThanOrEqual(1);
    expect(snapshots[1]).toEqual(snapshots[0]);
  });

  it('shares a claim, and refuses a stale one naming the owner', async () => {
    const claim = await api<Conversation>(a, 'PATCH', `/api/v1/conversations/${convA}`, {
      assigneeId: ids.ana,
      expectedAssigneeId: null,
    });
    expect(claim.status).toBe(200);
    expect(claim.body.assigneeId).toBe(ids.ana);
    await waitFor(
      'the claim on desktop B',
      async () => (await detail(b, convB)).assigneeId === ids.ana,
      5_000,
    );
    const stale = await api<{ error: { code: string; message: string; details: unknown[] } }>(
      b,
      'PATCH',
      `/api/v1/conversations/${convB}`,
      { assigneeId: ids.ben, expectedAssigneeId: null },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('Ana');
    expect(stale.body.error.details).toEqual([{ assigneeId: ids.ana, assigneeName: 'Ana' }]);
    expect((await detail(b, convB)).assigneeId).toBe(ids.ana);
  });

  it('shares a note, which never reaches the provider', async () => {
    const note = `note: refund approved ${Date.now()}`;
    const r = await api<TeamNote>(a, 'POST', `/api/v1/conversations/${convA}/notes`, { text: note });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('queued');
    await waitFor(
      'the note on desktop B',
      async () => (await detail(b, convB)).notes.some((n) => n.text === note),
      5_000,
    );
    const onB = (await detail(b, convB)).notes.find((n) => n.text === note)!;
    expect(onB).toMatchObject({ authorId: ids.ana, authorName: 'Ana', status: 'applied' });
    await waitFor('the note settled on desktop A', async () =>
      (await detail(a, convA)).notes.some((n) => n.text === note && n.status === 'applied'),
    );
    expect((await detail(a, convA)).notes.filter((n) => n.text === note)).toHaveLength(1);
    expect(sentTexts().some((t) => t.includes(note))).toBe(false);
  });

  it('tells an agent of a conversation someone else assigned to it, and of a note that @mentions it', async () => {
    const alerts = { a: [] as TeamAlert[], b: [] as TeamAlert[] };
    a.events.on('team.alert', (x) => alerts.a.push(x));
    b.events.on('team.alert', (x) => alerts.b.push(x));
    expect(b.counts().unread).toBe(0);
    const given = await api<Conversation>(a, 'PATCH', `/api/v1/conversations/${convA}`, {
      assigneeId: ids.ben,
      expectedAssigneeId: ids.ana,
    });
    expect(given.status).toBe(200);
    const assigned = await waitFor('the assignment alert on desktop B', () => alerts.b[0], 5_000);
    expect(assigned).toMatchObject({ kind: 'assigned', conversationId: convB, by: null, text });
    // In team mode the tray counts "Mine unread": what is assigned to this agent.
    const unread = (await detail(b, convB)).unreadCount;
    expect(unread).toBeGreaterThan(0);
    expect(b.counts().unread).toBe(unread);
    expect(a.counts().unread).toBe(0);

    const note = `@Ben could you take this one? ${Date.now()}`;
    expect((await api(a, 'POST', `/api/v1/conversations/${convA}/notes`, { text: note })).status).toBe(201);
    const mentioned = await waitFor('the mention alert on desktop B', () => alerts.b[1], 5_000);
    expect(mentioned).toEqual({
      kind: 'mentioned',
      conversationId: convB,
      channelId: assigned.channelId,
      contactName: assigned.contactName,
      by: 'Ana',
      text: note,
    });

    // Ana takes it back herself: her own claim tells nobody on her desktop.
    const back = await api<Conversation>(a, 'PATCH', `/api/v1/conversations/${convA}`, {
      assigneeId: ids.ana,
      expectedAssigneeId: ids.ben,
    });
    expect(back.status).toBe(200);
    await waitFor('the claim back on desktop B', async () => (await detail(b, convB)).assigneeId === ids.ana);
    await new Promise((r) => setTimeout(r, 500));
    expect(alerts.a).toEqual([]);
    expect(alerts.b).toHaveLength(2);
    expect(b.counts().unread).toBe(0);
  });

  it('shows on one desktop who views the conversation on the other', async () => {
    const seen = new Promise<TeamPresence>((resolve) =>
      b.events.on('team.presence', (p) => p.agents.length && resolve(p)),
    );
    const window = io(a.url, { auth: { token: a.token }, transports: ['websocket'] });
    try {
      // Re-sent as the renderer does, until the hub link is up.
      const timer = setInterval(
        () => window.emit('team.presence', { conversationId: convA, state: 'viewing' }),
        200,
      );
      const presence = await Promise.race([
        seen,
        new Promise<null>((r) => setTimeout(() => r(null), 10_000)),
      ]);
      clearInterval(timer);
      expect(presence).toEqual({
        conversationId: convB,
        agents: [{ id: ids.ana, name: 'Ana', state: 'viewing' }],
      });
    } finally {
      window.close();
    }
  });

  it('keeps working with the hub down, and tells the team everything once it is back', async () => {
    await hub.close();
    const reply = `team-offline-reply ${Date.now()}`;
    // Typed with a trailing space: the hub trims it, and the feed's copy is still this reply.
    const sent = await api<{ status: string }>(a, 'POST', `/api/v1/conversations/${convA}/messages`, {
      text: `${reply} `,
    });
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('queued');
    const resolved = await api<Conversation>(a, 'PATCH', `/api/v1/conversations/${convA}`, {
      status: 'resolved',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    const search = await api<{ items: unknown[] }>(a, 'GET', `/api/v1/search?q=${encodeURIComponent(text)}`);
    expect(search.body.items.length).toBeGreaterThan(0);
    await waitFor(
      'desktop A offline',
      async () => (await api<TeamState>(a, 'GET', '/api/v1/team')).body.status === 'offline',
    );
    expect((await api<TeamState>(a, 'GET', '/api/v1/team')).body.queued).toBe(2);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sentTexts()).not.toContain(reply);

    await startHub();
    await waitFor('the offline reply at the provider', () => sentTexts().includes(reply), 30_000);
    await waitFor(
      'desktop B sees it resolved',
      async () => (await detail(b, convB)).status === 'resolved',
      15_000,
    );
    await waitFor('the reply on desktop B', async () => {
      const r = await api<{ items: { text: string }[] }>(b, 'GET', `/api/v1/conversations/${convB}/messages`);
      return r.body.items.some((m) => m.text === reply);
    });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(sentTexts().filter((t) => t === reply)).toHaveLength(1);
    const onA = await api<{ items: { text: string; status: string }[] }>(
      a,
      'GET',
      `/api/v1/conversations/${convA}/messages`,
    );
    expect(onA.body.items.filter((m) => m.text === reply)).toHaveLength(1);
    expect((await api<TeamState>(a, 'GET', '/api/v1/team')).body).toMatchObject({ queued: 0, problems: [] });
  }, 90_000);

  it('shows a session the hub revoked as signed out, and signs the same agent in again keeping the cache', async () => {
    await hub.db.query('DELETE FROM sessions WHERE agent_id = $1', [ids.ben]);
    await waitFor(
      'desktop B signed out',
      async () => (await api<TeamState>(b, 'GET', '/api/v1/team')).body.status === 'signed_out',
    );
    const again = await api<TeamState>(b, 'PUT', '/api/v1/team', {
      hubUrl: hub.url,
      email: 'ben@acme.test',
      password: 'battery staple 2',
    });
    expect(again.status).toBe(200);
    await waitFor(
      'desktop B online again',
      async () => (await api<TeamState>(b, 'GET', '/api/v1/team')).body.status === 'online',
    );
    expect((await detail(b, convB)).status).toBe('resolved');
  });

  it("lets an admin manage the team's agents and channels through the hub, and passes the hub's 403 to an agent", async () => {
    type Listed = { items: { id: string; email: string; role: string; active: boolean }[] };
    type Refusal = { error: { code: string; message: string } };
    const listed = await api<Listed>(a, 'GET', '/api/v1/team/agents');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((x) => x.email).sort()).toEqual(['ana@acme.test', 'ben@acme.test']);
    // Any agent may read the team; only an admin changes it (the hub says so, in its words).
    expect((await api(b, 'GET', '/api/v1/team/agents')).status).toBe(200);
    const invite = { email: 'cleo@acme.test', name: 'Cleo', role: 'agent' };
    const denied = await api<Refusal>(b, 'POST', '/api/v1/team/agents', invite);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toEqual({ code: 'forbidden', message: 'Only a team admin may do this' });

    const invited = await api<{ agent: { id: string; active: boolean }; password: string }>(
      a,
      'POST',
      '/api/v1/team/agents',
      invite,
    );
    expect(invited.status).toBe(201);
    expect(invited.body.agent).toMatchObject({ ...invite, active: true });
    expect(invited.body.password.length).toBeGreaterThanOrEqual(10);
    const signIn = await hubReq('POST', '/hub/v1/sessions', {
      email: invite.email,
      password: invited.body.password,
    });
    expect(signIn.status).toBe(201);
    expect((await api(a, 'POST', '/api/v1/team/agents', invite)).status).toBe(409);
    const cleo = `/api/v1/team/agents/${invited.body.agent.id}`;
    expect((await api(b, 'PATCH', cleo, { role: 'admin' })).status).toBe(403);
    const promoted = await api<{ role: string }>(a, 'PATCH', cleo, { role: 'admin' });
    expect(promoted.body.role).toBe('admin');
    const deactivated = await api<{ active: boolean }>(a, 'PATCH', cleo, { active: false });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    const active = await api<{ items: { name: string }[] }>(a, 'GET', '/api/v1/agents');
    expect(active.body.items.map((x) => x.name).sort()).toEqual(['Ana', 'Ben']);

    const channel = (await api<{ items: { id: string }[] }>(a, 'GET', '/api/v1/channels')).body.items[0];
    const channelPath = `/api/v1/channels/${channel.id}`;
    expect((await api<Refusal>(b, 'PATCH', channelPath, { name: 'Mine now' })).status).toBe(403);
    const renamed = await api<{ name: string }>(a, 'PATCH', channelPath, { name: 'Team chat' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Team chat');
    const names = async (core: Core) =>
      (await api<{ items: { name: string }[] }>(core, 'GET', '/api/v1/channels')).body.items.map(
        (c) => c.name,
      );
    await waitFor('the new name on desktop B', async () => (await names(b)).includes('Team chat'));

    const other = sims.providers().find((p) => p.provider !== 'chatapi')!;
    expect((await api(b, 'POST', '/api/v1/channels', { ...other, name: 'Second' })).status).toBe(403);
    const added = await api<{ id: string; name: string }>(a, 'POST', '/api/v1/channels', {
      ...other,
      name: 'Second',
    });
    expect(added.status).toBe(201);
    expect(await names(a)).toContain('Second');
    await waitFor('the added channel on desktop B', async () => (await names(b)).includes('Second'));
    expect((await api(a, 'DELETE', `/api/v1/channels/${added.body.id}`)).status).toBe(204);
    expect(await names(a)).toEqual(['Team chat']);
    await waitFor('the channel gone from desktop B', async () => (await names(b)).length === 1);
    // The credentials went to the hub only: nothing of them on this desktop.
    const secrets = Object.values(other.credentials as Record<string, unknown>).filter(
      (v): v is string => typeof v === 'string' && v.length >= 8,
    );
    expect(secrets.length).toBeGreaterThan(0);
    for (const f of fs.readdirSync(dirs[1].dir, { recursive: true, withFileTypes: true }))
      if (f.isFile()) {
        const blob = fs.readFileSync(path.join(f.parentPath, f.name));
        expect(secrets.some((v) => blob.includes(v))).toBe(false);
      }
  });

  it('signs out back to solo mode, deleting the team cache unless kept', async () => {
    const r = await api(b, 'DELETE', '/api/v1/team?keepCache=false');
    expect(r.status).toBe(204);
    expect((await api(b, 'GET', '/api/v1/team')).body).toBeNull();
    expect((await api<{ items: unknown[] }>(b, 'GET', '/api/v1/channels')).body.items).toEqual([]);
    expect((await api<{ items: unknown[] }>(b, 'GET', '/api/v1/conversations')).body.items).toEqual([]);

    expect((await api(a, 'DELETE', '/api/v1/team?keepCache=true')).status).toBe(204);
    expect((await detail(a, convA)).status).toBe('resolved');
    const reply = await api<{ error: { code: string } }>(
      a,
      'POST',
      `/api/v1/conversations/${convA}/messages`,
      {
        text: 'after signing out',
      },
    );
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('team_signed_out');
  });
});
