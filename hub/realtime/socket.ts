// socket.io on the hub's HTTP server: a connection needs a valid session and joins its team's room; it is told
// when the team's feed head moves (`changes {head}`) and who views or types in a conversation (`presence`).
// Emits cross instances through @socket.io/postgres-adapter on the hub's pool, so an agent connected to one
// instance hears of a commit or a presence report made on another.
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import { PresenceReport, type ChangesEvent, type PresenceEvent } from '../../main/contract/hub';
import type { HubDatabase } from '../db/database';
import { sessionAgent, type AgentRow } from '../db/sessions';
import { dropPresenceOf, expirePresence, presenceIn, reportPresence, type PresenceKey } from '../db/presence';
import { hashToken } from '../api/auth';

export interface RealtimeOptions {
  server: HttpServer | HttpsServer;
  db: HubDatabase;
  /** Browser origins that may connect; a request from any other origin is refused (non-browser clients send none). */
  allowedOrigins: string[];
}

interface ServerToClient {
  changes: (e: ChangesEvent) => void;
  presence: (e: PresenceEvent) => void;
}
interface ClientToServer {
  presence: (report: unknown) => void;
}
interface SocketData {
  agent: AgentRow;
  /** The session's token hash, checked again while the connection lasts. */
  sessionHash: Buffer;
}
type HubSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

/** Heads of one team within this long of each other go out as one `changes` (the latest). */
const CHANGES_COALESCE_MS = 20;
const EXPIRY_SWEEP_MS = 1000;
/** How often each connection's session is checked again: signed out or deactivated, it is disconnected. */
const SESSION_CHECK_MS = 30_000;

const teamRoom = (teamId: string) => `team:${teamId}`;

export async function attachRealtime(o: RealtimeOptions): Promise<{ close(): Promise<void> }> {
  const { db } = o;
  const origins = new Set(o.allowedOrigins);
  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>(o.server, {
    path: '/hub/v1/socket.io',
    serveClient: false,
    cors: { origin: [...origins] },
    allowRequest: (req, answer) => {
      const origin = req.headers.origin;
      answer(null, origin === undefined || origins.has(origin));
    },
  });
  io.adapter(createAdapter(db.pool, { errorHandler: () => undefined }));

  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    const refused = new Error('unauthorized: a valid session token is required');
    if (typeof token !== 'string' || token.length > 200) return next(refused);
    const hash = hashToken(token);
    sessionAgent(db, hash)
      .then((agent) => {
        if (!agent) return next(refused);
        socket.data.agent = agent;
        socket.data.sessionHash = hash;
        void socket.join(teamRoom(agent.teamId));
        next();
      })
      .catch(() => next(new Error('the hub could not check the session; try again')));
  });

  const announcePresence = async (k: PresenceKey) => {
    const agents = await presenceIn(db, k.conversationId);
    io.to(teamRoom(k.teamId)).emit('presence', { conversationId: String(k.conversationId), agents });
  };
  const announceAll = (keys: PresenceKey[]) => Promise.all(keys.map(announcePresence));

  io.on('connection', (socket: HubSocket) => {
    const agent = socket.data.agent;
    socket.on('presence', (payload) => {
      const parsed = PresenceReport.safeParse(payload);
      if (!parsed.success || !/^\d{1,15}$/.test(parsed.data.conversationId)) return;
      const key = { teamId: agent.teamId, conversationId: Number(parsed.data.conversationId) };
      reportPresence(db, { ...key, agentId: agent.id, socketId: socket.id, state: parsed.data.state })
        .then((changed) => (changed ? announcePresence(key) : undefined))
        .catch(() => undefined);
    });
    socket.on('disconnect', () => {
      dropPresenceOf(db, socket.id)
        .then(announceAll)
        .catch(() => undefined);
    });
  });

  const pending = new Map<string, number>();
  let flush: NodeJS.Timeout | null = null;
  const stopFeed = db.onFeed((teamId, head) => {
    pending.set(teamId, Math.max(pending.get(teamId) ?? 0, head));
    flush ??= setTimeout(() => {
      flush = null;
      for (const [team, h] of pending) io.to(teamRoom(team)).emit('changes', { head: h });
      pending.clear();
    }, CHANGES_COALESCE_MS);
  });

  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    expirePresence(db)
      .then(announceAll)
      .catch(() => undefined)
      .finally(() => (sweeping = false));
  }, EXPIRY_SWEEP_MS);
  sweep.unref();

  const recheck = setInterval(() => {
    for (const socket of io.of('/').sockets.values())
      sessionAgent(db, socket.data.sessionHash)
        .then((agent) => (agent ? undefined : socket.disconnect(true)))
        .catch(() => undefined);
  }, SESSION_CHECK_MS);
  recheck.unref();

  return {
    async close() {
      clearInterval(sweep);
      clearInterval(recheck);
      stopFeed();
      if (flush) clearTimeout(flush);
      // Not io.close(): that would close the HTTP server, which the hub's server closes after draining.
      io.local.disconnectSockets(true);
      await io.of('/').adapter.close();
      io.engine.close();
    },
  };
}
