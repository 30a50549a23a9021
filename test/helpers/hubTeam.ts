// A hub instance for the team, feed, ops and realtime tests, on a real database; a team set up through the API;
// conversations stored as sync stores them (rows in the hub's schema) on a paused channel, so no instance runs
// it and the tests read the outbox the channel work would deliver from.
import crypto from 'node:crypto';
import { createHub } from '../../hub/hub';
import type { HubDatabase } from '../../hub/db/database';
import { tempDir } from './tmp';

export interface TestHub {
  url: string;
  db: HubDatabase;
  setupToken: string | null;
  req<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

/** A whole hub instance (createHub) on this database, on 127.0.0.1. */
export async function startTestHub(
  databaseUrl: string,
  o: { allowedOrigins?: string[]; trustedProxies?: string[] } = {},
): Promise<TestHub> {
  const data = tempDir('hub-test-');
  const hub = await createHub({ databaseUrl, dataDir: data.dir, ...o });
  return {
    url: hub.url,
    db: hub.db,
    setupToken: hub.setupToken,
    async req(method, path, body, token, headers = {}) {
      const res = await fetch(hub.url + path, {
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
      await hub.close();
      data.cleanup();
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

/** A conversation as sync would store it: its channel (made once per team, paused), contact and `messages` inbound messages. */
export async function seedConversation(
  db: HubDatabase,
  teamId: string,
  o: { messages?: number; handle?: string } = {},
): Promise<number> {
  await db.query(
    `INSERT INTO channels (id, team_id, provider, name, base_url, credentials, webhook_secret, status, paused)
     SELECT $1, $2, 'chatapi', 'Test', 'http://127.0.0.1:9', '\\x00', '\\x00', 'paused', true
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
