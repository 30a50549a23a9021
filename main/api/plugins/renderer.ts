// The built renderer in web mode and for the desktop window, public like the webhooks: index.html at / and
// for any other page (the SPA routes itself), the hashed files under /assets/. @fastify/static streams them
// and keeps every path inside the folder; dotfiles and directories are not served. A fastify-plugin, because
// the SPA fallback is the root context's not-found handler.
import fs from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { contentSecurityPolicy } from '../../contract/csp';
import { ApiError, noRoute, sendError } from '../errors';

export interface RendererOptions {
  /** The built renderer (out/renderer). */
  dir: string;
}

const ASSET_CACHING = { cacheControl: true, maxAge: 31_536_000_000, immutable: true };

const noSuchFile = () => new ApiError(404, 'not_found', 'No such file');

/** The path as the router reads it, or null when it cannot be decoded. */
function decodedPath(url: string): string | null {
  try {
    return decodeURIComponent(url.split('?')[0]);
  } catch {
    return null;
  }
}

/** A page the SPA answers: any GET outside the API (an undecodable path counts as API: it gets the 404). */
export function isPageRequest(req: FastifyRequest): boolean {
  return req.method === 'GET' && !(decodedPath(req.url) ?? '/api/').startsWith('/api/');
}

function securityHeaders(reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

export const rendererFiles = fp<RendererOptions>(
  async (app, o) => {
    const root = path.resolve(o.dir);
    const indexFile = path.join(root, 'index.html');
    // Assets are served from their own folder: nothing under /assets/ reaches index.html (or its CSP-less copy).
    const assetsDir = path.join(root, 'assets');
    // No routes of its own (serve: false): reply.sendFile, with send's root containment.
    await app.register(fastifyStatic, {
      root,
      serve: false,
      index: false,
      dotfiles: 'ignore',
      cacheControl: false,
    });

    const sendPage = async (req: FastifyRequest, reply: FastifyReply) => {
      // Checked first: a sendFile that misses from the not-found handler could not answer in the envelope.
      const exists = await fs.stat(indexFile).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!exists) return sendError(reply, noSuchFile());
      securityHeaders(reply);
      // The origin the page was loaded from: the gate let only the loopback Host of this server through.
      reply.header(
        'content-security-policy',
        contentSecurityPolicy({ apiOrigin: `http://${req.headers.host}` }),
      );
      reply.header('cache-control', 'no-store');
      return reply.sendFile('index.html');
    };

    const open = { config: { public: true } };
    app.get('/', open, sendPage);
    app.get(
      '/assets/*',
      {
        ...open,
        // Whatever send refuses (a path out of the folder, a NUL byte) is, to the client, not there.
        errorHandler: (err, req, reply) =>
          err.statusCode !== undefined && err.statusCode < 500
            ? sendError(reply, noSuchFile())
            : app.errorHandler(err, req, reply),
      },
      (req, reply) => {
        securityHeaders(reply);
        // Hashed names: cached for good, set by send only when the file is there (a 404 is not cached).
        return reply.sendFile((req.params as { '*': string })['*'], assetsDir, ASSET_CACHING);
      },
    );

    // Reached for unknown paths, and from sendFile for a file that is not there (or a directory, a dotfile).
    app.setNotFoundHandler((req, reply) => {
      if (decodedPath(req.url)?.startsWith('/assets/')) return sendError(reply, noSuchFile());
      return isPageRequest(req) ? sendPage(req, reply) : noRoute(req, reply);
    });
  },
  { name: 'renderer-files' },
);
