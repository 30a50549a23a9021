import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { freshHubDatabase } from '../helpers/hubDb';
import { seedConversation, setUpTeam, startTestHub, type SignedIn, type TestHub } from '../helpers/hubTeam';

interface Presence {
  conversationId: string;
  agents: { id: string; state: string }[];
}

describe('hub realtime: changes and presence across instances', () => {
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  let a: TestHub;
  let b: TestHub;
  let teamId: string;
  let ana: SignedIn;
  let ben: SignedIn;
  const sockets: Socket[] = [];

  const connect = (hub: TestHub, token: unknown, origin?: string) => {
    const socket = io(hub.url, {
      path: '/hub/v1/socket.io',
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: origin ? { origin } : {},
    });
    sockets.push(socket);
    return new Promise<Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  };
  /** The next event of this name that satisfies `ok`. */
  const next = <T>(socket: Socket, event: string, ok: (e: T) => boolean, timeoutMs = 5000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching ${event} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const on = (e: T) => {
        if (!ok(e)) return;
        clearTimeout(timer);
        socket.off(event, on);
        resolve(e);
      };
      socket.on(event, on);
    });

  beforeAll(async () => {
    fresh = await freshHubDatabase();
    a = await startTestHub(fresh.url, { allowedOrigins: ['https://inbox.acme.test'] });
    b = await startTestHub(fresh.url, { allowedOrigins: ['https://inbox.acme.test'] });
    const team = await setUpTeam(a, ['Ben']);
    teamId = team.teamId;
    ana = team.admin;
    ben = team.agents[0]!;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await a.close();
    await b.close();
    await fresh.drop();
  });

  it('refuses a connection without a valid session, or from an origin not allowed', async () => {
    await expect(connect(a, undefined)).rejects.toThrow(/unauthorized/);
    await expect(connect(a, 'not-a-session-token-at-all')).rejects.toThrow(/unauthorized/);
    await expect(connect(a, ana.token, 'https://evil.test')).rejects.toThrow();
    await connect(a, ana.token, 'https://inbox.acme.test');
  });

  it("tells every instance's sockets when the team's head moves, whichever instance committed", async () => {
    const conv = await seedConversation(a.db, teamId);
    const onA = await connect(a, ana.token);
    const onB = await connect(b, ben.token);
    const res = await b.req<{ results: { status: string }[] }>(
      'POST',
      '/hub/v1/ops',
      {
        ops: [{ id: crypto.randomUUID(), kind: 'status', conversationId: String(conv), status: 'resolved' }],
      },
      ben.token,
    );
    const head = (await b.req<{ head: number }>('GET', '/hub/v1/changes?after=0', undefined, ben.token)).body
      .head;
    expect(res.body.results[0]!.status).toBe('applied');
    const ok = (e: { head: number }) => e.head >= head;
    const [fromA, fromB] = await Promise.all([next(onA, 'changes', ok), next(onB, 'changes', ok)]);
    expect(fromA.head).toBe(head);
    expect(fromB.head).toBe(head);
  });

  it('shares presence across instances: viewing, typing that falls back to viewing, leaving, a closed connection', async () => {
    const conv = String(await seedConversation(a.db, teamId));
    const anaOnA = await connect(a, ana.token);
    const benOnB = await connect(b, ben.token);
    const about = (want: Presence['agents']) => (e: Presence) =>
      e.conversationId === conv && JSON.stringify(e.agents) === JSON.stringify(want);
    const sorted = (xs: Presence['agents']) => [...xs].sort((x, y) => x.id.localeCompare(y.id));

    let seen = next<Presence>(benOnB, 'presence', about([{ id: ana.agent.id, state: 'viewing' }]));
    anaOnA.emit('presence', { conversationId: conv, state: 'viewing' });
    await seen;

    const both = sorted([
      { id: ana.agent.id, state: 'viewing' },
      { id: ben.agent.id, state: 'typing' },
    ]);
    seen = next<Presence>(anaOnA, 'presence', about(both));
    benOnB.emit('presence', { conversationId: Number(conv), state: 'typing' });
    await seen;

    // Typing lasts 6 s unless reported again; then Ben is still viewing.
    const t0 = Date.now();
    await next<Presence>(
      anaOnA,
      'presence',
      about(
        sorted([
          { id: ana.agent.id, state: 'viewing' },
          { id: ben.agent.id, state: 'viewing' },
        ]),
      ),
      10_000,
    );
    expect(Date.now() - t0).toBeGreaterThan(4000);

    seen = next<Presence>(benOnB, 'presence', about([{ id: ben.agent.id, state: 'viewing' }]));
    anaOnA.emit('presence', { conversationId: conv, state: 'idle' });
    await seen;

    seen = next<Presence>(anaOnA, 'presence', about([]));
    benOnB.close();
    await seen;
  }, 20_000);

  it('ignores presence for a conversation the team does not have, or malformed', async () => {
    const conv = String(await seedConversation(a.db, teamId));
    const anaOnA = await connect(a, ana.token);
    const benOnB = await connect(b, ben.token);
    const any = next<Presence>(benOnB, 'presence', () => true, 1000);
    anaOnA.emit('presence', { conversationId: '999999', state: 'viewing' });
    anaOnA.emit('presence', { conversationId: conv, state: 'dancing' });
    anaOnA.emit('presence', 'nonsense');
    await expect(any).rejects.toThrow(/no matching/);
    const { rows } = await a.db.query('SELECT 1 FROM presence WHERE conversation_id = $1', [Number(conv)]);
    expect(rows).toEqual([]);
  });
});
