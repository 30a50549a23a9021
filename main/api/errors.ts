// The API's error envelope: {"error":{"code","message","details"}} with the right HTTP status.
import type { ErrorBody } from '../contract/schemas';

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

  static notFound(what: string, id: string): ApiError {
    return new ApiError(404, 'not_found', `No ${what} with id '${id.slice(0, 100)}'`);
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
