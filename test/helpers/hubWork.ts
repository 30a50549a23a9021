// Hub instances for the channel, sync and outbox tests: a team with an admin and an agent signed in (rows
// written as the team routes write them), and instances that run the channel work with the channel and webhook
// routes on real HTTP, on one real database.
import crypto from 'node:crypto';
import { HubDatabase } from '../../hub/db/database';
import { startHubServer, type HubServer } from '../../hub/api/server';
import { hashToken, newToken } from '../../hub/api/auth';
import { hubSecretBox } from '../../hub/secrets';
import { ChannelWork } from '../../hub/work/channelWork';
import { channelRoutes } from '../../hub/api/routes/channels';
import { webhookRoutes } from '../../hub/api/routes/webhooks';
import { TEST_BACKOFF_SCALE } from './backoff';
import { toLogger, type LineSink } from '../../main/log';

export interface Team {
  teamId: string;
  adminToken: string;
  agentToken: string;
  adminId: string;
}

async function agentWithSession(db: HubDatabase, teamId: string, role: 'admin' | 'agent') {
  const id = crypto.randomUUID();
  await db.query(
    `INSERT INTO agents (id, team_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5, 'unused')`,
    [id, teamId, `${role}-${id}@team.test`, role, role],
  );
  const token = newToken();
  await db.query('INSERT INTO sessions (token_hash, agent_id) VALUES ($1, $2)', [hashToken(token), id]);
  return { id, token };
}

export async function makeTeam(db: HubDatabase, name = 'Acme'): Promise<Team> {
  const teamId = crypto.randomUUID();
  await db.query('INSERT INTO teams (id, name) VALUES ($1, $2)', [teamId, name]);
  const admin = await agentWithSession(db, teamId, 'admin');
  const agent = await agentWithSession(db, teamId, 'agent');
  return { teamId, adminToken: admin.token, agentToken: agent.token, adminId: admin.id };
}

export interface WorkInstance {
  url: string;
  db: HubDatabase;
  work: ChannelWork;
  server: HubServer;
  req<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startWorkInstance(
  databaseUrl: string,
  o: { inFlightGraceMs?: number; publicUrl?: string; log?: LineSink } = {},
): Promise<WorkInstance> {
  const db = await HubDatabase.open(databaseUrl);
  const work = new ChannelWork({
    db,
    secrets: await hubSecretBox(db),
    publicUrl: o.publicUrl ?? null,
    log: toLogger(o.log ?? (() => undefined)),
    backoffScale: TEST_BACKOFF_SCALE,
    inFlightGraceMs: o.inFlightGraceMs ?? 500,
  });
  const server = await startHubServer({
    db,
    host: '127.0.0.1',
    port: 0,
    allowedOrigins: [],
    routes: [channelRoutes({ db, work }), webhookRoutes({ work })],
  });
  work.start(server.url);
  return {
    url: server.url,
    db,
    work,
    server,
    async req(method, path, body, token) {
      const res = await fetch(server.url + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await work.stop();
      await server.close();
      await db.close();
    },
  };
}
