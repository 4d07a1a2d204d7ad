import { notFound } from '@/lib/http/errors';
import { route } from '@/lib/http/route';

/**
 * Any /api/ path no route claims: a JSON 404 like the rest of the API, rather than Next's HTML
 * page. Every more specific route (including /api/auth/*) wins over this catch-all.
 */
const answer = route(async () => {
  throw notFound('No API route at this address.');
});

export const dynamic = 'force-dynamic';
export { answer as GET, answer as HEAD, answer as POST, answer as PUT, answer as PATCH, answer as DELETE, answer as OPTIONS };
