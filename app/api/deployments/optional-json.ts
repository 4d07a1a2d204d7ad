import type { z } from 'zod';
import { parseInput, readJson } from '@/lib/http/route';

/**
 * For actions whose body is optional (submit `{ overrideReason }`, authorise `{ notes, overrideReason }`, end `{ reason }`; start takes none): no body at all
 * means `{}`; a body must be JSON like any other (415/400/413/422 otherwise).
 * Not a route: only route.ts files are routable in the App Router.
 */
export async function readOptionalJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const hasBody = request.headers.has('content-type') || request.headers.has('transfer-encoding') || Number(request.headers.get('content-length') ?? 0) > 0;
  return hasBody ? readJson(request, schema) : parseInput(schema, {});
}
