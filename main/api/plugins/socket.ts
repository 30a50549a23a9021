// socket.io on the API's own port: the same loopback Host and Origin rules as HTTP, the token in the
// handshake, and the core's events pushed to every open window. Closed before the HTTP server closes.
import type { EventEmitter } from 'node:events';
import type { FastifyPluginAsync } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import type { ServerEventName } from '../../contract/schemas';
import { sameSecret } from '../../secrets/compare';
import { listeningPort, loopbackRefusal } from '../loopback';

export interface EventSocketOptions {
  token: string;
  events: EventEmitter;
}

const EVENT_NAMES: ServerEventName[] = [
  'message.created',
  'message.updated',
  'conversation.updated',
  'channel.updated',
  'outbox.updated',
  'broadcast.progress',
  'flow.updated',
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
