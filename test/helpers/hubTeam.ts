// A hub instance for the team, feed, ops and realtime tests: the real HTTP server with the team, feed and ops
// routes and socket.io, on a real database; plus a team set up through the API and conversations stored as
// sync stores them (rows in the hub's schema).
import crypto from 'node:crypto';
import { HubDatabase } from '../../hub/db/database';
import { ensureSetupToken } from '../../hub/db/meta';
import { startHubServer } from '../../hub/api/server';
import { teamRoutes } from '../../hub/api/routes/team';
import { feedRoutes } from '../../hub/api/routes/feed';
import { opsRoutes } from '../../hub/api/routes/ops';
import { attachRealtime } from '../../hub/realtime/socket';

export interface TestHub {
  url: string;
  db: HubDatabase;
  setupToken: string | null;
  /** How many times the ops route asked the channel work to look at the outbox. */
  kicks: () => number;
  req<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestHub(
  databaseUrl: string,
  o: { allowedOrigins?: string[] } = {},
): Promise<TestHub> {
  const db = await HubDatabase.open(databaseUrl);
  const setupToken = await ensureSetupToken(db);
  let kicks = 0;
  const allowedOrigins = o.allowedOrigins ?? [];
  const server = await startHubServer({
    db,
    host: '127.0.0.1',
    port: 0,
    allowedOrigins,
    // The channel work (hub/work) delivers replies; these tests read the outbox it would deliver from.
    routes: [teamRoutes({ db }), feedRoutes({ db }), opsRoutes({ db, work: { kick: () => void kicks++ } })],
  });
  const realtime = await attachRealtime({ server: server.app.server, db, allowedOrigins });
  return {
    url: server.url,
    db,
    setupToken,
    kicks: () => kicks,
    async req(method, path, body, token, headers = {}) {
      const res = await fetch(server.url + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    async close() {
      await realtime.close();
      await server.app.close();
      await db.close();
    },
  };
}

export interface SignedIn {
  token: string;
  agent: { id: string; email: string; name: string; role: 'admin' | 'agent' };
}

/** Sets the team up (its admin Ana) and adds agents by name, each signed in. */
export async function setUpTeam(
  hub: TestHub,
  agents: string[] = [],
  team = 'Acme',
): Promise<{ teamId: string; admin: SignedIn; agents: SignedIn[] }> {
  const domain = `${team.toLowerCase()}.test`;
  const setup = await hub.req<SignedIn>('POST', '/hub/v1/setup', {
    setupToken: hub.setupToken,
    team,
    admin: { email: `ana@${domain}`, name: 'Ana', password: 'correct horse 1' },
  });
  if (setup.status !== 201) throw new Error(`setup answered ${setup.status}: ${JSON.stringify(setup.body)}`);
  const admin = setup.body;
  const signedIn: SignedIn[] = [];
  for (const name of agents) {
    const email = `${name.toLowerCase()}@${domain}`;
    const made = await hub.req(
      'POST',
      '/hub/v1/agents',
      { email, name, role: 'agent', password: 'battery staple 2' },
      admin.token,
    );
    if (made.status !== 201) throw new Error(`adding ${name} answered ${made.status}`);
    const s = await hub.req<SignedIn>('POST', '/hub/v1/sessions', { email, password: 'battery staple 2' });
    signedIn.push(s.body);
  }
  const { rows } = await hub.db.query<{ team_id: string }>('SELECT team_id FROM agents WHERE id = $1', [
    admin.agent.id,
  ]);
  return { teamId: rows[0]!.team_id, admin, agents: signedIn };
}

/** A team of its own on the same database (the API sets up one team per hub; tenancy is per row). */
export async function insertTeam(db: HubDatabase, name: string): Promise<string> {
  const id = crypto.randomUUID();
  await db.query('INSERT INTO teams (id, name) VALUES ($1, $2)', [id, name]);
  return id;
}

/** A conversation as sync would store it: its channel (made once per team), contact and `messages` inbound messages. */
export async function seedConversation(
  db: HubDatabase,
  teamId: string,
  o: { messages?: number; handle?: string } = {},
): Promise<number> {
  await db.query(
    `INSERT INTO channels (id, team_id, provider, name, base_url, credentials, webhook_secret, status)
     SELECT $1, $2, 'chatapi', 'Test', 'http://127.0.0.1:9', '\\x00', '\\x00', 'live'
     WHERE NOT EXISTS (SELECT 1 FROM channels WHERE team_id = $2)`,
    [crypto.randomUUID(), teamId],
  );
  const { rows: channel } = await db.query<{ id: string }>('SELECT id FROM channels WHERE team_id = $1', [
    teamId,
  ]);
  const channelId = channel[0]!.id;
  const handle = o.handle ?? `c-${crypto.randomBytes(4).toString('hex')}`;
  const { rows: contact } = await db.query<{ id: number }>(
    `INSERT INTO contacts (channel_id, external_id, name, handle) VALUES ($1, $2, $2, $2) RETURNING id`,
    [channelId, handle],
  );
  const { rows: conv } = await db.query<{ id: number }>(
    `INSERT INTO conversations (team_id, channel_id, external_id, contact_id, last_activity_at)
     VALUES ($1, $2, $3, $4, now()) RETURNING id`,
    [teamId, channelId, handle, contact[0]!.id],
  );
  const id = conv[0]!.id;
  for (let i = 0; i < (o.messages ?? 1); i++)
    await db.query(
      `INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status)
       VALUES ($1, $2, $3, 'in', $4, 'text', now() + make_interval(secs => $5), 'received')`,
      [id, channelId, `m${i}`, `message ${i} of ${handle}`, i],
    );
  await db.query(
    `UPDATE conversations SET last_message_id = (SELECT max(id) FROM messages WHERE conversation_id = $1) WHERE id = $1`,
    [id],
  );
  return id;
}
