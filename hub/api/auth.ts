// Who is asking: every hub route needs `Authorization: Bearer <session token>` unless it is declared public
// (`config: { access: 'public' }`: setup, sign-in, provider webhooks, which check their own secret). A route
// declared `access: 'admin'` answers 403 to an agent. Tokens are random and stored only as their SHA-256.
import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../main/api/errors';
import type { HubDatabase } from '../db/database';
import { sessionAgent, type AgentRow } from '../db/sessions';

export type Access = 'public' | 'agent' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in agent (every route but the public ones). */
    agent: AgentRow;
    /** The session token's hash, to sign this session out. */
    sessionHash: Buffer;
  }
}

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest();
export const newToken = () => crypto.randomBytes(32).toString('base64url');

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(h) : null;
  return m ? m[1]! : null;
}

export const sessionGate = fp<{ db: HubDatabase }>(
  async (app, o) => {
    app.decorateRequest('agent', null as unknown as AgentRow);
    app.decorateRequest('sessionHash', null as unknown as Buffer);
    app.addHook('onRequest', async (req) => {
      const access = req.routeOptions.config.access ?? 'agent';
      if (access === 'public') return;
      const token = bearer(req);
      const hash = token ? hashToken(token) : null;
      const agent = hash ? await sessionAgent(o.db, hash) : null;
      if (!agent || !hash)
        throw new ApiError(401, 'unauthorized', 'Sign in first: a valid session token is required');
      if (access === 'admin' && agent.role !== 'admin')
        throw new ApiError(403, 'forbidden', 'Only a team admin may do this');
      req.agent = agent;
      req.sessionHash = hash;
    });
  },
  { name: 'hub-session-gate' },
);
