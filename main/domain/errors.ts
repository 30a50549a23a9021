// What went wrong, in the domain's words: services throw a DomainError with a kind (how the caller should
// read it) and a stable code (which case it is); the local API maps the kind to an HTTP status, the hub
// may map it otherwise. Nothing here knows about HTTP.

export type DomainErrorKind =
  /** No such thing. */
  | 'not_found'
  /** The input is malformed. */
  | 'invalid'
  /** The input is well-formed, but this thing cannot be done as asked (e.g. a flow that cannot be switched). */
  | 'unprocessable'
  /** The thing's current state forbids it (e.g. cancelling a finished broadcast). */
  | 'conflict'
  /** Someone else (a provider) cannot do it now; trying later may work. */
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable and machine-readable ('not_toggleable'); clients and tests read it. */
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string, id: string): DomainError {
    return new DomainError('not_found', 'not_found', `No ${what} with id '${id.slice(0, 100)}'`);
  }

  static invalid(code: string, message: string, details?: unknown[]): DomainError {
    return new DomainError('invalid', code, message, details);
  }

  static unprocessable(code: string, message: string): DomainError {
    return new DomainError('unprocessable', code, message);
  }

  static conflict(code: string, message: string): DomainError {
    return new DomainError('conflict', code, message);
  }

  static unavailable(code: string, message: string): DomainError {
    return new DomainError('unavailable', code, message);
  }
}
