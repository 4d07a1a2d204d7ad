/**
 * Errors that carry their HTTP meaning. Domain code throws them; the route wrapper
 * (lib/http/route.ts) and pages translate them. Messages are written for a person.
 */
export class HttpError extends Error {
  /** Seconds after which trying again may succeed (work refused for load): sent as Retry-After. */
  retryAfterSeconds?: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** `error`, answered with Retry-After: `seconds` (rounded up, at least 1). */
export function retryAfter<E extends HttpError>(error: E, seconds: number): E {
  error.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
  return error;
}

export const unauthenticated = (message = 'Sign in to continue.') => new HttpError(401, 'unauthenticated', message);

export const forbidden = (message = 'Your role does not allow this.') => new HttpError(403, 'forbidden', message);

export const notFound = (message = 'Not found.') => new HttpError(404, 'not_found', message);

export const conflict = (message: string, details?: unknown) => new HttpError(409, 'conflict', message, details);

export const badRequest = (code: string, message: string, details?: unknown) => new HttpError(400, code, message, details);

export const unprocessable = (code: string, message: string, details?: unknown) => new HttpError(422, code, message, details);
