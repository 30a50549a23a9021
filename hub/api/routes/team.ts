// The team: its one-time setup, signing in and out (throttled per account and per address, in PostgreSQL so
// every instance counts the same failures), and the agents an admin manages. Every change to an agent appends
// an 'agent' change to the feed and a row to the audit trail. Also the hub's OpenAPI document.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { hubOpenApiDocument, hubRoutes, type TeamAgent } from '../../../main/contract/hub';
import { ApiError } from '../../../main/api/errors';
import type { HubDatabase, Tx } from '../../db/database';
import { setupTokenMatches } from '../../db/meta';
import { createSession, deleteSession, deleteSessionsOf, type AgentRow } from '../../db/sessions';
import {
  agentForSignIn,
  appendAudit,
  clearSignInFailures,
  insertAgent,
  insertTeam,
  lockSetup,
  recordSignInFailure,
  teamAgents,
  throttledFor,
  updateAgent,
  type AgentChange,
} from '../../db/team';
import { hashToken, newToken } from '../auth';
import { hubRoute } from '../contract';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$salt$key`, salt and key in base64url: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), want.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return crypto.timingSafeEqual(want, got);
}

/** Checked against when the email is unknown, so a wrong email takes as long as a wrong password. */
const unknownAgentHash = hashPassword(crypto.randomBytes(16).toString('hex'));

const THROTTLE_WINDOW_S = 15 * 60;
/** An account is guessed at from anywhere; an address may be a whole office behind one NAT, so it gets more. */
const ACCOUNT_FAILURES = 5;
const ADDRESS_FAILURES = 20;
const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
const addressKey = (req: FastifyRequest) => `addr:${req.ip}`;

const agentOf = (a: AgentRow | TeamAgent) => ({ id: a.id, email: a.email, name: a.name, role: a.role });

async function openSession(db: HubDatabase, agent: AgentRow) {
  const token = newToken();
  await createSession(db, agent.id, hashToken(token));
  return { token, agent: agentOf(agent) };
}

function recordAgentChange(t: Tx, by: AgentRow, agent: TeamAgent, action: string, detail?: unknown) {
  t.change({ teamId: by.teamId, kind: 'agent', data: agent });
  return appendAudit(t, { teamId: by.teamId, agentId: by.id, action, target: agent.id, detail });
}

const emailTaken = () => new ApiError(409, 'email_taken', 'An agent with that email exists already');

export function teamRoutes(o: { db: HubDatabase }): FastifyPluginAsync {
  const { db } = o;
  return async (app) => {
    app.get('/hub/v1/openapi.json', { config: { access: 'public' } }, async () => hubOpenApiDocument('1'));

    hubRoute(app, hubRoutes.setup, 'public', async ({ body }) => {
      const passwordHash = await hashPassword(body.admin.password);
      const admin = await db.tx(async (t) => {
        const { teamExists } = await lockSetup(t);
        if (teamExists) throw new ApiError(409, 'already_set_up', 'This hub has its team already');
        if (!(await setupTokenMatches(t, body.setupToken)))
          throw new ApiError(403, 'bad_setup_token', 'That is not the setup token this hub printed');
        const teamId = crypto.randomUUID();
        await insertTeam(t, teamId, body.team);
        const agent = await insertAgent(t, {
          id: crypto.randomUUID(),
          teamId,
          ...body.admin,
          role: 'admin',
          passwordHash,
        });
        if (!agent) throw emailTaken();
        const row: AgentRow = { ...agentOf(agent), teamId };
        await recordAgentChange(t, row, agent, 'team.setup', { team: body.team });
        return row;
      });
      return openSession(db, admin);
    });

    hubRoute(app, hubRoutes.signIn, 'public', async ({ body, req, reply }) => {
      const account = accountKey(body.email);
      const address = addressKey(req);
      const wait = await throttledFor(
        db,
        [
          { subject: account, limit: ACCOUNT_FAILURES },
          { subject: address, limit: ADDRESS_FAILURES },
        ],
        THROTTLE_WINDOW_S,
      );
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ApiError(429, 'too_many_attempts', `Too many failed sign-ins; try again in ${wait} s`);
      }
      const agent = await agentForSignIn(db, body.email.trim());
      const ok = await passwordMatches(body.password, agent?.passwordHash ?? (await unknownAgentHash));
      if (!agent || !ok) {
        await recordSignInFailure(db, [account, address]);
        throw new ApiError(401, 'bad_credentials', 'Wrong email or password');
      }
      await clearSignInFailures(db, account, THROTTLE_WINDOW_S);
      const { passwordHash: _, ...row } = agent;
      return openSession(db, row);
    });

    hubRoute(app, hubRoutes.signOut, 'agent', async ({ req }) => {
      await deleteSession(db, req.sessionHash);
      return null;
    });

    hubRoute(app, hubRoutes.listAgents, 'agent', async ({ req }) => ({
      items: await teamAgents(db, req.agent.teamId),
    }));

    hubRoute(app, hubRoutes.createAgent, 'admin', async ({ body, req }) => {
      const passwordHash = await hashPassword(body.password);
      return db.tx(async (t) => {
        const agent = await insertAgent(t, {
          id: crypto.randomUUID(),
          teamId: req.agent.teamId,
          ...body,
          passwordHash,
        });
        if (!agent) throw emailTaken();
        await recordAgentChange(t, req.agent, agent, 'agent.create', { role: agent.role });
        return agent;
      });
    });

    const changeAgent = async (by: AgentRow, id: string, c: AgentChange, action: string) =>
      db.tx(async (t) => {
        const agent = await updateAgent(t, by.teamId, id, c);
        if (agent === 'not_found')
          throw new ApiError(404, 'not_found', `No agent with id '${id}' in this team`);
        if (agent === 'last_admin')
          throw new ApiError(
            409,
            'last_admin',
            'The team needs an active admin: make another agent admin first',
          );
        // A new password or a deactivation signs the agent out everywhere.
        if (c.passwordHash || c.active === false) await deleteSessionsOf(t, id);
        const { passwordHash, ...shown } = c;
        await recordAgentChange(t, by, agent, action, {
          ...shown,
          ...(passwordHash ? { password: 'changed' } : {}),
        });
        return agent;
      });

    hubRoute(app, hubRoutes.patchAgent, 'admin', async ({ params, body, req }) => {
      const { password, ...rest } = body;
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      return changeAgent(req.agent, params.id, { ...rest, passwordHash }, 'agent.update');
    });

    hubRoute(app, hubRoutes.deleteAgent, 'admin', async ({ params, req }) =>
      changeAgent(req.agent, params.id, { active: false }, 'agent.deactivate'),
    );
  };
}
