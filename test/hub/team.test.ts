import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshHubDatabase } from '../helpers/hubDb';
import { startTestHub, type SignedIn, type TestHub } from '../helpers/hubTeam';

describe('hub team: setup, sessions, agents', () => {
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  let hub: TestHub;
  let admin: SignedIn;
  let ben: SignedIn;
  const body = (setupToken: string | null) => ({
    setupToken,
    team: 'Acme',
    admin: { email: 'ana@acme.test', name: 'Ana', password: 'correct horse 1' },
  });

  beforeAll(async () => {
    fresh = await freshHubDatabase();
    hub = await startTestHub(fresh.url, { allowedOrigins: ['https://inbox.acme.test'] });
  });
  afterAll(async () => {
    await hub.close();
    await fresh.drop();
  });

  it('sets the team up once, with the setup token only; two setups at once make one team', async () => {
    expect(hub.setupToken).toBeTruthy();
    expect((await hub.req('POST', '/hub/v1/setup', body('wrong'))).status).toBe(403);
    const short = await hub.req('POST', '/hub/v1/setup', {
      ...body(hub.setupToken),
      admin: { email: 'a@a.test', name: 'A', password: 'short' },
    });
    expect(short.status).toBe(400);
    const both = await Promise.all([
      hub.req('POST', '/hub/v1/setup', body(hub.setupToken)),
      hub.req('POST', '/hub/v1/setup', body(hub.setupToken)),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    admin = both.find((r) => r.status === 201)!.body as unknown as SignedIn;
    expect(admin.agent).toEqual({
      id: expect.any(String),
      email: expect.any(String),
      name: 'Ana',
      role: 'admin',
    });
    expect((await hub.req('POST', '/hub/v1/setup', body(hub.setupToken))).status).toBe(409);
    const { rows } = await hub.db.query('SELECT count(*)::int AS n FROM teams');
    expect(rows[0]!.n).toBe(1);
  });

  it('answers 401 without a session or with a bad one, 403 to an agent on admin routes', async () => {
    const made = await hub.req(
      'POST',
      '/hub/v1/agents',
      { email: 'ben@acme.test', name: 'Ben', role: 'agent', password: 'battery staple 2' },
      admin.token,
    );
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ email: 'ben@acme.test', name: 'Ben', role: 'agent', active: true });
    const signIn = await hub.req<SignedIn>('POST', '/hub/v1/sessions', {
      email: 'BEN@acme.test',
      password: 'battery staple 2',
    });
    expect(signIn.status).toBe(201);
    ben = signIn.body;
    expect(ben.agent).toEqual({ id: made.body.id, email: 'ben@acme.test', name: 'Ben', role: 'agent' });

    for (const path of ['/hub/v1/agents', '/hub/v1/changes?after=0', '/hub/v1/snapshot']) {
      expect((await hub.req('GET', path)).status).toBe(401);
      expect((await hub.req('GET', path, undefined, 'not-a-token-but-long-enough')).status).toBe(401);
    }
    expect((await hub.req('GET', '/hub/v1/agents', undefined, ben.token)).status).toBe(200);
    const asAgent = [
      hub.req(
        'POST',
        '/hub/v1/agents',
        { email: 'x@acme.test', name: 'X', role: 'admin', password: 'battery staple 2' },
        ben.token,
      ),
      hub.req('PATCH', `/hub/v1/agents/${ben.agent.id}`, { role: 'admin' }, ben.token),
      hub.req('DELETE', `/hub/v1/agents/${admin.agent.id}`, undefined, ben.token),
    ];
    for (const r of await Promise.all(asAgent)) expect(r.status).toBe(403);
    expect(
      (
        await hub.req(
          'POST',
          '/hub/v1/agents',
          { email: 'ben@acme.test', name: 'B2', role: 'agent', password: 'battery staple 2' },
          admin.token,
        )
      ).status,
    ).toBe(409);
    expect(
      (
        await hub.req(
          'POST',
          '/hub/v1/agents',
          { email: 'nope', name: 'B2', role: 'agent', password: 'battery staple 2' },
          admin.token,
        )
      ).status,
    ).toBe(400);
  });

  it('keeps the last admin, revokes sessions on deactivation, and feeds and audits every change to an agent', async () => {
    expect(
      (await hub.req('PATCH', `/hub/v1/agents/${admin.agent.id}`, { role: 'agent' }, admin.token)).status,
    ).toBe(409);
    expect((await hub.req('DELETE', `/hub/v1/agents/${admin.agent.id}`, undefined, admin.token)).status).toBe(
      409,
    );
    const renamed = await hub.req(
      'PATCH',
      `/hub/v1/agents/${ben.agent.id}`,
      { name: 'Benjamin' },
      admin.token,
    );
    expect(renamed.body).toMatchObject({ name: 'Benjamin', active: true });
    const gone = await hub.req('DELETE', `/hub/v1/agents/${ben.agent.id}`, undefined, admin.token);
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ id: ben.agent.id, active: false });
    expect((await hub.req('GET', '/hub/v1/agents', undefined, ben.token)).status).toBe(401);
    expect(
      (await hub.req('POST', '/hub/v1/sessions', { email: 'ben@acme.test', password: 'battery staple 2' }))
        .status,
    ).toBe(401);
    expect(
      (
        await hub.req(
          'PATCH',
          '/hub/v1/agents/00000000-0000-4000-8000-000000000000',
          { name: 'Z' },
          admin.token,
        )
      ).status,
    ).toBe(404);

    const feed = await hub.req<{
      items: { kind: string; data: { id: string; name: string; active: boolean } }[];
    }>('GET', '/hub/v1/changes?after=0', undefined, admin.token);
    const benChanges = feed.body.items.filter((c) => c.kind === 'agent' && c.data.id === ben.agent.id);
    expect(benChanges.map((c) => [c.data.name, c.data.active])).toEqual([
      ['Ben', true],
      ['Benjamin', true],
      ['Benjamin', false],
    ]);
    const { rows } = await hub.db.query<{ action: string }>(
      'SELECT action FROM audit WHERE target = $1 ORDER BY id',
      [ben.agent.id],
    );
    expect(rows.map((r) => r.action)).toEqual(['agent.create', 'agent.update', 'agent.deactivate']);
    const { rows: hashes } = await hub.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM agents',
    );
    for (const h of hashes) expect(h.password_hash).toMatch(/^scrypt\$/);
  });

  it('signs out the current session only', async () => {
    const second = await hub.req<SignedIn>('POST', '/hub/v1/sessions', {
      email: 'ana@acme.test',
      password: 'correct horse 1',
    });
    expect((await hub.req('DELETE', '/hub/v1/sessions/current', undefined, second.body.token)).status).toBe(
      204,
    );
    expect((await hub.req('GET', '/hub/v1/agents', undefined, second.body.token)).status).toBe(401);
    expect((await hub.req('GET', '/hub/v1/agents', undefined, admin.token)).status).toBe(200);
  });

  it('throttles sign-in per account with 429 and Retry-After, answering a wrong email as a wrong password', async () => {
    const unknown = await hub.req('POST', '/hub/v1/sessions', {
      email: 'nobody@acme.test',
      password: 'whatever 123',
    });
    const wrong = await hub.req('POST', '/hub/v1/sessions', {
      email: 'ana@acme.test',
      password: 'whatever 123',
    });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(unknown.body).toEqual(wrong.body);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (await hub.req('POST', '/hub/v1/sessions', { email: 'ana@acme.test', password: `guess ${i}` }))
          .status,
      );
    expect(codes.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(codes.slice(4)).toEqual([429, 429]);
    const right = await hub.req('POST', '/hub/v1/sessions', {
      email: 'ana@acme.test',
      password: 'correct horse 1',
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800);
  });

  it('throttles per address too, whatever the accounts tried', async () => {
    const { rows } = await hub.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM signin_failures WHERE subject LIKE 'addr:%'`,
    );
    const earlier = rows[0]!.n;
    expect(earlier).toBeGreaterThan(0);
    const codes: number[] = [];
    for (let i = 0; i < 16; i++)
      codes.push(
        (await hub.req('POST', '/hub/v1/sessions', { email: `who${i}@acme.test`, password: 'whatever 123' }))
          .status,
      );
    // The earlier tests' failures came from this address too: 20 in all before the address is refused.
    expect(codes.slice(0, 20 - earlier).every((c) => c === 401)).toBe(true);
    expect(codes.slice(20 - earlier).every((c) => c === 429)).toBe(true);
  });

  it('reads X-Forwarded-For only from a trusted proxy, so a client cannot pick its throttled address', async () => {
    const wrong = { email: 'who@acme.test', password: 'whatever 123' };
    const forwarded = { 'x-forwarded-for': '203.0.113.9' };
    // This address is refused now (above); an untrusted peer's header changes nothing.
    expect((await hub.req('POST', '/hub/v1/sessions', wrong, undefined, forwarded)).status).toBe(429);
    const behindProxy = await startTestHub(fresh.url, { trustedProxies: ['127.0.0.1'] });
    try {
      const r = await behindProxy.req('POST', '/hub/v1/sessions', wrong, undefined, forwarded);
      expect(r.status).toBe(401);
      const { rows } = await hub.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM signin_failures WHERE subject = 'addr:203.0.113.9'`,
      );
      expect(rows[0]!.n).toBe(1);
      // Without the header, the proxy's own address is the client's, still refused.
      expect((await behindProxy.req('POST', '/hub/v1/sessions', wrong)).status).toBe(429);
    } finally {
      await behindProxy.close();
    }
  });

  it('serves its OpenAPI document, and CORS to allowlisted origins only', async () => {
    const doc = await hub.req<{ paths: Record<string, unknown> }>('GET', '/hub/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/hub/v1/setup', '/hub/v1/agents/{id}', '/hub/v1/changes', '/hub/v1/ops']),
    );
    const pre = await hub.req('OPTIONS', '/hub/v1/agents', undefined, undefined, {
      origin: 'https://inbox.acme.test',
      'access-control-request-method': 'GET',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://inbox.acme.test');
    const other = await hub.req('GET', '/hub/v1/openapi.json', undefined, undefined, {
      origin: 'https://evil.test',
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
