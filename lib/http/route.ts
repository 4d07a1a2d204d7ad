import { z } from 'zod';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '@/lib/db/unavailable';
import { badRequest, HttpError } from './errors';
import { API_CACHE_CONTROL } from './security-headers';

/**
 * Thin route handlers have one shape: parse, authorise, act. This wrapper turns what they
 * throw into answers: HttpError → its status with `{ error, message }`, anything else →
 * a bare 500 (logged here, never a stack trace to the client).
 */
export function route<Ctx>(handler: (request: Request, context: Ctx) => Promise<Response>) {
  return async (request: Request, context: Ctx): Promise<Response> => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * A small JSON answer sent as it is, for routes called many times a second (probes). Next gzips
 * every answer whose size it does not know beforehand, which for a 17-byte `{"matched":false}`
 * costs more than the rest of the answer (a compression stream per request); `no-transform` tells
 * it, and any proxy, not to. Still `no-store`, like every API answer.
 */
export function uncompressedJson(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('cache-control', `${API_CACHE_CONTROL}, no-transform`);
  return Response.json(data, { ...init, headers });
}

export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) {
    const body: Record<string, unknown> = { error: error.code, message: error.message };
    if (error.details !== undefined) body.details = error.details;
    const headers = error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : undefined;
    return Response.json(body, { status: error.status, headers });
  }
  // Next's redirect()/notFound() signals must keep propagating.
  if (error instanceof Error && typeof (error as { digest?: unknown }).digest === 'string') throw error;
  // The database is away (restarting, unreachable): the request can be repeated once it is back.
  if (isDatabaseUnavailable(error)) {
    // (not the message: Prisma's quotes the query, which may hold what was being written)
    console.error('[api] database unreachable; answered 503');
    return Response.json({ error: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE }, { status: 503, headers: { 'retry-after': '5' } });
  }
  // A database client's error quotes its query, which may hold what was being written (a probe's
  // crop): its name and code only. Anything else whole, for whoever has to fix it.
  const name = error instanceof Error ? error.name : '';
  if (name.startsWith('PrismaClient') || name === 'DriverAdapterError')
    console.error('[api] unhandled database error', name, (error as { code?: unknown }).code ?? '');
  else console.error('[api] unhandled error', error);
  return Response.json({ error: 'internal', message: 'Something went wrong on the server.' }, { status: 500 });
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** Parses with a zod schema, or throws a 422 naming each problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(input);
  } catch (error) {
    // A schema that throws on strange input is a bug, but the sender still gets a 4xx.
    console.error('[api] schema threw while validating input', error);
    throw new HttpError(422, 'invalid_input', 'The request could not be validated; check the field types.');
  }
  if (!result.success) {
    throw new HttpError(422, 'invalid_input', describeIssues(result.error), {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return result.data;
}

export const DEFAULT_JSON_LIMIT_BYTES = 64 * 1024;

/**
 * Reads at most `limit` bytes of the body, refusing larger ones with 413 before reading them all.
 * With a Content-Length (browsers and fetch send one with a form) each chunk is copied into place
 * as it arrives, so a 100 MB upload costs the event loop no single long copy at the end.
 */
export async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  // Filled as chunks arrive when the size is known; otherwise they are joined at the end.
  const body = Number.isInteger(declared) && declared >= 0 ? new Uint8Array(declared) : null;
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > limit || (body && size + value.byteLength > body.byteLength)) {
      await reader.cancel();
      throw size + value.byteLength > limit ? tooLarge(limit) : badRequest('malformed_body', 'The request body is longer than its Content-Length.');
    }
    if (body) body.set(value, size);
    else chunks.push(value);
    size += value.byteLength;
  }
  if (body) return size === body.byteLength ? body : body.subarray(0, size);
  return joinChunks(chunks, size);
}

/** The chunks of a body of unknown length, copied a few megabytes at a time with turns of the event loop between. */
async function joinChunks(chunks: Uint8Array[], size: number): Promise<Uint8Array<ArrayBuffer>> {
  const body = new Uint8Array(size);
  let offset = 0;
  let sinceTurn = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
    sinceTurn += chunk.byteLength;
    if (sinceTurn >= COPY_TURN_BYTES) {
      sinceTurn = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return body;
}

const COPY_TURN_BYTES = 4 * 1024 * 1024;

/** 413 for a body over `limit` bytes. */
export function tooLarge(limit: number) {
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${Math.round(limit / 1024)} KB.`);
}

/** A JSON body, size-limited, parsed and validated; 415/400/413/422 otherwise. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, { limitBytes = DEFAULT_JSON_LIMIT_BYTES } = {}): Promise<z.output<S>> {
  requireJsonType(request.headers.get('content-type'));
  return parseJsonBytes(await readBodyLimited(request, limitBytes), schema);
}

/** 415 unless the body is declared JSON (checked before any of it is read). */
export function requireJsonType(contentType: string | null | undefined): void {
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
  }
}

/** A body already read (within its limit), parsed as JSON and validated; 400/422 otherwise. */
export function parseJsonBytes<S extends z.ZodType>(bytes: Uint8Array, schema: S): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw badRequest('malformed_json', 'The request body is not valid JSON.');
  }
  return parseInput(schema, data);
}

/** Query-string parameters validated by a schema (422 on problems). */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return parseInput(schema, params);
}
