// The hub's HTTP server: sessions on every route but the public ones, the local API's error envelope, and the
// route plugins of each concern. Plain HTTP for loopback and behind a TLS proxy, or TLS (--tls-cert/--tls-key).
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { fastifyLogger, type Logger } from '../../main/log';
import { errorEnvelope } from '../../main/api/plugins/error-handler';
import type { HubDatabase } from '../db/database';
import { sessionGate } from './auth';

export interface HubServerOptions {
  db: HubDatabase;
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  log?: Logger;
  /** Browser origins allowed to call the hub (CORS); none by default. */
  allowedOrigins: string[];
  /** Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For is believed; none by default. */
  trustedProxies?: string[];
  /** The route plugins, each registered with the gate and the error envelope in place. */
  routes: FastifyPluginAsync[];
}

export interface HubServer {
  app: FastifyInstance;
  url: string;
  port: number;
  close(): Promise<void>;
}

const BODY_LIMIT = 4_000_000;

/**
 * CORS for the allowlisted browser origins only (any other origin gets no CORS headers, so a browser keeps
 * its answers from the page). Preflights are answered before the session gate, as browsers send them bare.
 */
function allowOrigins(app: FastifyInstance, allowed: string[]): void {
  const origins = new Set(allowed);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin === undefined || !origins.has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (req.method !== 'OPTIONS') return;
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, PATCH, PUT, DELETE')
      .header('access-control-allow-headers', 'authorization, content-type')
      .header('access-control-max-age', '600')
      .send();
  });
}

export async function startHubServer(o: HubServerOptions): Promise<HubServer> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    loggerInstance: o.log && fastifyLogger(o.log),
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    requestTimeout: 30_000,
    // Only a listed proxy may say who the client is; anyone else's X-Forwarded-For is ignored.
    trustProxy: o.trustedProxies?.length ? o.trustedProxies : false,
    ...(o.tls ? { https: { cert: o.tls.cert, key: o.tls.key } } : {}),
  });
  await app.register(errorEnvelope, { log: o.log });
  allowOrigins(app, o.allowedOrigins);
  await app.register(sessionGate, { db: o.db });
  for (const routes of o.routes) await app.register(routes);
  await app.listen({ host: o.host, port: o.port });
  const port = (app.server.address() as AddressInfo).port;
  const shown = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  const host = shown.includes(':') ? `[${shown}]` : shown;
  return { app, url: `${o.tls ? 'https' : 'http'}://${host}:${port}`, port, close: () => app.close() };
}
