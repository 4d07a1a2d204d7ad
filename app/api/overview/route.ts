import { requireAnyPermission } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';
import { readOverview } from '@/lib/overview/data';

/**
 * "What needs attention now" for the caller's role (lib/overview/scope.ts decides what each role
 * sees). Read by the home page again whenever the socket says it may have changed.
 */
export const GET = route(async () => {
  const viewer = await requireAnyPermission('live:view', 'deployment:read', 'deployment:authorise', 'watchlist:manage', 'audit:read');
  return Response.json(await readOverview(viewer), { headers: { 'cache-control': 'no-store' } });
});
