// Every error a route or hook throws leaves in the envelope (errors.ts), for all routes (a fastify-plugin:
// the root context's handler): ours as they are, the domain's by their kind, fastify's 4xx as bad requests,
// storage failures as 503s; anything else is logged and becomes a 500 that gives nothing away.
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors';
import type { Logger } from '../../log';
import { ApiError, sendError } from '../errors';

export interface ErrorHandlerOptions {
  log?: Logger;
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

export const errorEnvelope = fp<ErrorHandlerOptions>(
  async (app, o) => {
    app.setErrorHandler(async (err, req, reply) => {
      if (err instanceof ApiError) return sendError(reply, err);
      if (err instanceof DomainError) return sendError(reply, ApiError.fromDomain(err));
      const e = err as { statusCode?: number; code?: string; message: string };
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
        const tooLarge = e.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
        // Read the rest of an oversized body first: a client still sending it would see a reset, not the 413.
        if (tooLarge) await drain(req.raw);
        return sendError(
          reply,
          new ApiError(e.statusCode, tooLarge ? 'body_too_large' : 'bad_request', e.message),
        );
      }
      const mapped = ApiError.fromStorage(err);
      if (mapped) return sendError(reply, mapped);
      o.log?.error({ err }, 'internal error');
      return sendError(
        reply,
        new ApiError(500, 'internal', 'Something went wrong inside Agent Inbox; nothing was changed'),
      );
    });
  },
  { name: 'error-envelope' },
);
