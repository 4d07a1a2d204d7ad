import { z } from 'zod';
import { badRequest, HttpError } from './errors';

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

export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) {
    const body: Record<string, unknown> = { error: error.code, message: error.message };
    if (error.details !== undefined) body.details = error.details;
    return Response.json(body, { status: error.status });
  }
  // Next's redirect()/notFound() signals must keep propagating.
  if (error instanceof Error && typeof (error as { digest?: unknown }).digest === 'string') throw error;
  console.error('[api] unhandled error', error);
  return Response.json({ error: 'internal', message: 'Something went wrong on the server.' }, { status: 500 });
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
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

/** Reads at most `limit` bytes of the body, refusing larger ones with 413 before reading them all. */
export async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(limit: number) {
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${Math.round(limit / 1024)} KB.`);
}

/** A JSON body, size-limited, parsed and validated; 415/400/413/422 otherwise. */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  { limitBytes = DEFAULT_JSON_LIMIT_BYTES } = {},
): Promise<z.output<S>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
  }
  const bytes = await readBodyLimited(request, limitBytes);
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
