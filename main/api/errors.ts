// The API's error envelope: {"error":{"code","message","details"}} with the right HTTP status. A DomainError
// keeps its code; its kind picks the status. Malformed HTTP that never becomes a request gets the same
// envelope, written on the socket.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../contract/schemas';
import type { DomainError, DomainErrorKind } from '../domain/errors';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  not_found: 404,
  invalid: 400,
  unprocessable: 422,
  conflict: 409,
  unavailable: 503,
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }

  static fromDomain(e: DomainError): ApiError {
    return new ApiError(STATUS_OF_KIND[e.kind], e.code, e.message, e.details);
  }

  /** Storage failures the agent must hear about instead of a pretend success (disk full, read-only database). */
  static fromStorage(err: unknown): ApiError | null {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_FULL')
      return new ApiError(
        503,
        'disk_full',
        'The disk is full: nothing was saved. Free some space and try again.',
      );
    if (
      code === 'SQLITE_READONLY' ||
      code === 'SQLITE_CANTOPEN' ||
      code === 'SQLITE_IOERR' ||
      (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))
    )
      return new ApiError(
        503,
        'storage_unavailable',
        `The local database cannot be written (${String(code)}): nothing was saved.`,
      );
    if (code === 'SQLITE_BUSY')
      return new ApiError(503, 'busy', 'The local database is busy; try again in a moment.');
    return null;
  }
}

export const sendError = (reply: FastifyReply, e: ApiError) =>
  reply.code(e.status).type('application/json').send(e.body());

/** The answer for a path no route serves. */
export const noRoute = (req: FastifyRequest, reply: FastifyReply) =>
  sendError(reply, new ApiError(404, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}`));

/** Fastify's frameworkErrors: a path with broken percent-encoding or an over-long segment never reaches a route (nor the gate). */
export const badUrl = (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) =>
  sendError(
    reply,
    new ApiError(
      err.statusCode ?? 400,
      'bad_url',
      'The path has broken percent-encoding or a segment over 100 characters',
    ),
  );

/** Malformed HTTP (unframed bytes, oversized headers, a stalled request) gets the envelope too, then the socket closes. */
export function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
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
