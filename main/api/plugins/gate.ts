// The gate in front of every request, routes and not-found alike (a fastify-plugin, so its hook is the root
// context's): an exact loopback Host (DNS rebinding) and no foreign Origin, a request target that is a plain
// path, and the bearer token unless the route the router matched is declared public.
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sameSecret } from '../../secrets/compare';
import { ApiError, sendError } from '../errors';
import { listeningPort, loopbackRefusal } from '../loopback';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without the token: the renderer's static files, and webhooks (they check their own secret). */
    public?: boolean;
  }
}

export interface GateOptions {
  token: string;
  /** Whether a request no route matched is answered without the token (the renderer's page, for the SPA). */
  publicNotFound: (req: FastifyRequest) => boolean;
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/** origin-form only: absolute-form (`http://host/api/...`), `//x` and `*` are refused. */
function isOriginForm(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/') && !url.startsWith('//');
}

export const authGate = fp<GateOptions>(
  async (app, o) => {
    const port = listeningPort(app.server);
    // Deny by default, decided on the route the router matched (after its own decoding), never on the raw
    // URL: only a route declaring `config.public` is open, and not-found only where it serves the page.
    const isPublic = (req: FastifyRequest) =>
      req.routeOptions.config.public === true || (req.is404 && o.publicNotFound(req));

    app.addHook('onRequest', async (req, reply) => {
      const refused = loopbackRefusal(req.headers, port());
      if (refused) return sendError(reply, new ApiError(403, refused.code, refused.message));
      if (!isOriginForm(req.raw.url)) {
        return sendError(
          reply,
          new ApiError(400, 'bad_target', 'The request target must be a path starting with a single /'),
        );
      }
      if (!isPublic(req) && !sameSecret(o.token, bearer(req))) {
        return sendError(reply, new ApiError(401, 'unauthorized', 'Missing or wrong bearer token'));
      }
    });
  },
  { name: 'auth-gate' },
);
