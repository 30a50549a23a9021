// The local API: HTTP + socket.io on one loopback port. Three layers of defence: an exact Host allowlist
// (DNS rebinding), a bearer token on every route and socket unless the route is declared public, and no
// CORS for any other origin.
import { sameSecret } from '../secrets/compare';
import fs from 'node:fs';
import path from 'node:path';
import type { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import { z } from 'zod';
import { routes, type RouteName, type ResponseOf } from '../contract/routes';
import type { ServerEventName } from '../contract/schemas';
import { openApiDocument } from '../contract/openapi';
import { ApiError } from './errors';
import { loopbackRefusal } from './loopback';
import { fastifyLogger, type Logger } from '../log';

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request reached our first hook (for Server-Timing). */
    arrivedAt: number;
  }
  interface FastifyContextConfig {
    /** Reachable without the token: the renderer's static files, and webhooks (they check their own secret). */
    public?: boolean;
  }
}
export interface RouteInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export type Handlers = {
  [K in RouteName]: (
    input: { params: never; query: never; body: never } & RouteInput,
  ) => Promise<ResponseOf<K>> | ResponseOf<K>;
};

export interface WebhookHandler {
  (
    channelId: string,
    req: {
      method: 'GET' | 'POST';
      headers: Record<string, string | string[] | undefined>;
      query: Record<string, string | undefined>;
      rawBody: Buffer;
    },
  ):
    | Promise<{ status: number; text?: string; json?: unknown }>
    | { status: number; text?: string; json?: unknown };
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
const EVENT_NAMES: ServerEventName[] = [
  'message.created',
  'message.updated',
  'conversation.updated',
  'channel.updated',
  'outbox.updated',
  'broadcast.progress',
  'flow.updated',
];

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

const send = (reply: FastifyReply, e: ApiError) =>
  reply.code(e.status).type('application/json').send(e.body());

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const requestTimeout = o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    loggerInstance: o.log && fastifyLogger(o.log),
    // Requests are not logged one by one; errors are (setErrorHandler below).
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
    // A path with broken percent-encoding or an over-long segment never reaches a route (nor the gates).
    frameworkErrors: (err, _req, reply) =>
      send(
        reply,
        new ApiError(
          err.statusCode ?? 400,
          'bad_url',
          'The path has broken percent-encoding or a segment over 100 characters',
        ),
      ),
  });
  let port = o.port;

  // Keep the raw bytes: webhook signatures are computed over them.
  for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (req, body: Buffer, done) => {
      (req as FastifyRequest & { rawBody?: Buffer }).rawBody = body;
      if (type !== 'application/json') return done(null, body);
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body.toString('utf8')));
      } catch {
        done(new ApiError(400, 'invalid_json', 'The request body is not valid JSON'), undefined);
      }
    });
  }
  app.removeContentTypeParser('*');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) =>
    done(
      new ApiError(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json'),
      undefined,
    ),
  );

  /** Unknown pages get the renderer's index.html, public like the other static files. */
  const servesFallback = (req: FastifyRequest) =>
    req.method === 'GET' && o.rendererDir !== undefined && !isApiPath(req.url);
  // Deny by default, decided on the route the router matched (after its own decoding), never on the raw
  // URL: only a route declaring `config.public` is open, and not-found only where it serves index.html.
  const isPublic = (req: FastifyRequest) =>
    req.routeOptions.config.public === true || (req.is404 && servesFallback(req));

  const registered: { method: string; url: string; public: boolean }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      registered.push({ method, url: r.url, public: r.config?.public === true });
  });

  app.decorateRequest('arrivedAt', 0);
  app.addHook('onRequest', async (req, reply) => {
    req.arrivedAt = performance.now();
    const refused = loopbackRefusal(req.headers, port);
    if (refused) return send(reply, new ApiError(403, refused.code, refused.message));
    if (!isOriginForm(req.raw.url)) {
      return send(
        reply,
        new ApiError(400, 'bad_target', 'The request target must be a path starting with a single /'),
      );
    }
    if (!isPublic(req) && !sameSecret(o.token, bearer(req))) {
      return send(reply, new ApiError(401, 'unauthorized', 'Missing or wrong bearer token'));
    }
  });

  app.setErrorHandler(async (err, req, reply) => {
    if (err instanceof ApiError) return send(reply, err);
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const tooLarge = e.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
      // Read the rest of an oversized body first: a client still sending it would see a reset, not the 413.
      if (tooLarge) await drain(req.raw);
      return send(reply, new ApiError(e.statusCode, tooLarge ? 'body_too_large' : 'bad_request', e.message));
    }
    const mapped = ApiError.fromStorage(err);
    if (mapped) return send(reply, mapped);
    o.log?.error({ err }, 'internal error');
    return send(
      reply,
      new ApiError(500, 'internal', 'Something went wrong inside Agent Inbox; nothing was changed'),
    );
  });

  app.setNotFoundHandler((req, reply) => {
    if (o.rendererDir && servesFallback(req)) return serveStatic(o.rendererDir, '/index.html', reply, port);
    return send(reply, new ApiError(404, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}`));
  });

  for (const [name, r] of Object.entries(routes) as [RouteName, (typeof routes)[RouteName]][]) {
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req, reply) => {
        const input: RouteInput = {
          params: parse('params' in r ? r.params : undefined, req.params, 'path'),
          query: parse('query' in r ? r.query : undefined, req.query ?? {}, 'query'),
          body: 'body' in r && r.body ? parse(r.body, req.body, 'body') : undefined,
        };
        const out = await (o.handlers[name] as (i: RouteInput) => unknown)(input);
        // From the request's arrival to the handler's result (for a reply: committed to disk), for the
        // browser's network panel and the benchmark.
        reply.header('server-timing', `app;dur=${(performance.now() - req.arrivedAt).toFixed(3)}`);
        reply.code(r.status);
        return r.status === 204 ? reply.send() : reply.send(out);
      },
    });
  }

  app.get('/api/docs.json', async () => openApiDocument(o.version));

  const webhook = async (req: FastifyRequest, reply: FastifyReply) => {
    const res = await o.onWebhook((req.params as { channelId: string }).channelId, {
      method: req.method as 'GET' | 'POST',
      headers: req.headers,
      query: req.query as Record<string, string | undefined>,
      rawBody: (req as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
    });
    reply.code(res.status);
    return res.text !== undefined
      ? reply.type('text/plain').send(res.text)
      : reply.send(res.json ?? { ok: true });
  };
  const open = { config: { public: true } };
  app.get('/api/v1/webhooks/:channelId', open, webhook);
  app.post('/api/v1/webhooks/:channelId', open, webhook);

  if (o.rendererDir) {
    const dir = o.rendererDir;
    app.get('/', open, (_req, reply) => serveStatic(dir, '/index.html', reply, port));
    app.get('/assets/*', open, (req, reply) => serveStatic(dir, req.url.split('?')[0], reply, port));
  }

  await app.listen({ port: o.port, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
  app.server.maxConnections = o.maxConnections ?? MAX_CONNECTIONS;

  const io = new SocketServer(app.server, {
    serveClient: false,
    cors: undefined,
    // The renderer (browser and Electron alike) is served from this origin; Node clients send none.
    allowRequest: (req, cb) => cb(null, loopbackRefusal(req.headers, port) === null),
  });
  io.use((socket, next) =>
    sameSecret(o.token, socket.handshake.auth?.token) ? next() : next(new Error('unauthorized')),
  );
  const forwarders = EVENT_NAMES.map((name) => {
    const fn = (payload: unknown) => io.emit(name, payload);
    o.events.on(name, fn);
    return [name, fn] as const;
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    routes: registered,
    async close() {
      for (const [name, fn] of forwarders) o.events.off(name, fn);
      io.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
      await app.close().catch(() => undefined);
    },
  };
}

/** origin-form only: absolute-form (`http://host/api/...`), `//x` and `*` are refused. */
function isOriginForm(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/') && !url.startsWith('//');
}

/** For the SPA fallback only: an undecodable path counts as API (it gets the 404). */
function isApiPath(url: string): boolean {
  try {
    return decodeURIComponent(url.split('?')[0]).startsWith('/api/');
  } catch {
    return true;
  }
}

/** Malformed HTTP (unframed bytes, oversized headers, a stalled request) gets the envelope too, then the socket closes. */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError(431, 'headers_too_large', 'The request headers are too large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError(408, 'timeout', 'The request took too long to arrive')
        : new ApiError(400, 'bad_request', 'The request is not well-formed HTTP');
  const body = JSON.stringify(e.body());
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string): never {
  if (!schema) return {} as never;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data as never;
  throw new ApiError(
    400,
    'invalid_input',
    `Invalid ${where}: ${r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || where} ${i.message}`)
      .join('; ')}`,
    r.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String), message: i.message })),
  );
}

const MAX_DRAIN_BYTES = 64_000_000;

/** Consume what is left of a request body (bounded), so the answer reaches a client still uploading. */
function drain(req: NodeJS.ReadableStream & { complete?: boolean; destroy?: () => void }): Promise<void> {
  if (req.complete) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > MAX_DRAIN_BYTES) {
        req.destroy?.();
        resolve();
      }
    });
    req.on('end', () => resolve());
    req.on('error', () => resolve());
    req.resume();
  });
}

function serveStatic(dir: string, urlPath: string, reply: FastifyReply, port: number) {
  const file = path.normalize(path.join(dir, decodeURIComponent(urlPath)));
  if (!file.startsWith(path.resolve(dir) + path.sep))
    return send(reply, new ApiError(404, 'not_found', 'No such file'));
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return send(reply, new ApiError(404, 'not_found', 'No such file'));
  }
  const type = STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream';
  if (type.startsWith('text/html')) {
    reply.header(
      'content-security-policy',
      `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; ` +
        `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
    );
    reply.header('cache-control', 'no-store');
  } else reply.header('cache-control', 'public, max-age=31536000, immutable');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  return reply.type(type).send(data);
}
