// socket.io on the API's own port: the same loopback Host and Origin rules as HTTP, the token in the
// handshake, and the core's events pushed to every open window. A window's presence reports (team mode) go
// onto the bus as 'team.presence.report', and an idle one for it when the window goes away. Closed before
// the HTTP server closes.
import type { EventEmitter } from 'node:events';
import type { FastifyPluginAsync } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import type { ServerEventName } from '../../contract/schemas';
import { TeamPresenceReport, type TeamServerEventName } from '../../contract/teamEvents';
import { sameSecret } from '../../secrets/compare';
import { listeningPort, loopbackRefusal } from '../loopback';

export interface EventSocketOptions {
  token: string;
  events: EventEmitter;
}

const EVENT_NAMES: (ServerEventName | TeamServerEventName)[] = [
  'message.created',
  'message.updated',
  'conversation.updated',
  'channel.updated',
  'outbox.updated',
  'broadcast.progress',
  'flow.updated',
  'team.presence',
  'team.note',
  'team.alert',
];

export const eventSocket: FastifyPluginAsync<EventSocketOptions> = async (app, o) => {
  const port = listeningPort(app.server);
  const io = new SocketServer(app.server, {
    serveClient: false,
    cors: undefined,
    // The renderer (browser and Electron alike) is served from this origin; Node clients send none.
    allowRequest: (req, cb) => cb(null, loopbackRefusal(req.headers, port()) === null),
  });
  io.use((socket, next) =>
    sameSecret(o.token, socket.handshake.auth?.token) ? next() : next(new Error('unauthorized')),
  );
  io.on('connection', (socket) => {
    let present: TeamPresenceReport | null = null;
    socket.on('team.presence', (payload: unknown) => {
      const report = TeamPresenceReport.safeParse(payload);
      if (!report.success) return;
      present = report.data.state === 'idle' ? null : report.data;
      o.events.emit('team.presence.report', report.data);
    });
    socket.on('disconnect', () => {
      if (present) o.events.emit('team.presence.report', { ...present, state: 'idle' });
    });
  });
  const forwarders = EVENT_NAMES.map((name) => {
    const fn = (payload: unknown) => io.emit(name, payload);
    o.events.on(name, fn);
    return [name, fn] as const;
  });

  app.addHook('preClose', async () => {
    for (const [name, fn] of forwarders) o.events.off(name, fn);
    io.disconnectSockets(true);
    await new Promise<void>((r) => io.close(() => r()));
  });
};
