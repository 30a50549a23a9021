// The local API: HTTP + socket.io on one loopback port. Three layers of defence: an exact Host allowlist
// (DNS rebinding), a bearer token on every route and socket unless the route is declared public, and no
// CORS for any other origin. This file sets the server's limits and puts the plugins together.
import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController } from 'fastify';
import { fastifyLogger, type Logger } from '../log';
import { badUrl, clientError, noRoute } from './errors';
import { rawBodies } from './plugins/bodies';
import { contractRoutes, type Handlers } from './plugins/contract';
import { errorEnvelope } from './plugins/error-handler';
import { authGate } from './plugins/gate';
import { isPageRequest, rendererFiles } from './plugins/renderer';
import { eventSocket } from './plugins/socket';
import { webhookRoutes, type WebhookHandler } from './webhooks';

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request reached our first hook (for Server-Timing). */
    arrivedAt: number;
  }
}

export interface ApiServerOptions {
  port: number;
  token: string;
  version: string;
  handlers: Handlers;
  events: EventEmitter;
  onWebhook: WebhookHandler;
  /** The built renderer (out/renderer) to serve in web mode. */
  rendererDir?: string;
  /** Fastify's own logger; internal errors go there too. */
  log?: Logger;
  /** Headers and body must have fully arrived within this time, else 408 (default 30 s; shorter in tests). */
  requestTimeoutMs?: number;
  /** Open connections at most (default 256). */
  maxConnections?: number;
}

export interface ApiServer {
  url: string;
  port: number;
  /** Every registered route and whether it is reachable without the token (for the gate's tests). */
  routes: ReadonlyArray<{ method: string; url: string; public: boolean }>;
  close(): Promise<void>;
}

const BODY_LIMIT = 1_000_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** A socket that sends nothing at all never starts a request, so the request timeout cannot reach it. */
const IDLE_SOCKET_TIMEOUT_MS = 120_000;
/**
 * The renderer needs a handful of connections (a browser opens at most 6 per origin, plus the socket),
 * the shell and a CLI a few more. 256 leaves ample room for several windows and scripts while keeping
 * file descriptors (1024 by default on Linux, shared with SQLite and provider connections) in reserve.
 */
const MAX_CONNECTIONS = 256;

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const requestTimeout = o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    loggerInstance: o.log && fastifyLogger(o.log),
    // Requests are not logged one by one; errors are (plugins/error-handler.ts).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Node counts requestTimeout from the request's first byte to its last (headers and body), so a body
    // trickling in a byte at a time still ends in 408. Fastify's default of 0 turns that off.
    requestTimeout,
    connectionTimeout: IDLE_SOCKET_TIMEOUT_MS,
    http: {
      headersTimeout: requestTimeout,
      // How often Node looks for requests past their time (its default, 30 s, would double the limit).
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(requestTimeout / 10)),
    },
    clientErrorHandler: clientError,
    frameworkErrors: badUrl,
  });

  const registered: { method: string; url: string; public: boolean }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      registered.push({ method, url: r.url, public: r.config?.public === true });
  });

  app.decorateRequest('arrivedAt', 0);
  app.addHook('onRequest', (req, _reply, done) => {
    req.arrivedAt = performance.now();
    done();
  });
  await app.register(authGate, {
    token: o.token,
    // Unknown pages get the renderer's index.html, public like the other static files.
    publicNotFound: o.rendererDir ? isPageRequest : () => false,
  });
  await app.register(errorEnvelope, { log: o.log });
  await app.register(rawBodies);
  await app.register(contractRoutes, { handlers: o.handlers, version: o.version });
  await app.register(webhookRoutes, { onWebhook: o.onWebhook });
  if (o.rendererDir) await app.register(rendererFiles, { dir: o.rendererDir });
  else app.setNotFoundHandler(noRoute);
  await app.register(eventSocket, { token: o.token, events: o.events });

  await app.listen({ port: o.port, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  app.server.maxConnections = o.maxConnections ?? MAX_CONNECTIONS;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    routes: registered,
    close: () => app.close().catch(() => undefined),
  };
}
