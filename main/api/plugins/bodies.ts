// Request bodies for every route (a fastify-plugin: the root context's parsers): JSON, form and text kept
// as raw bytes too, because webhook signatures are computed over them; any other content type is refused.
import fp from 'fastify-plugin';
import { ApiError } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as it arrived (for webhook signatures). */
    rawBody?: Buffer;
  }
}

export const rawBodies = fp(
  async (app) => {
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
      app.addContentTypeParser(type, { parseAs: 'buffer' }, (req, body: Buffer, done) => {
        req.rawBody = body;
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
  },
  { name: 'raw-bodies' },
);
