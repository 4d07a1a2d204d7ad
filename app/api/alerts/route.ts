import { listAlerts } from '@/lib/alerts/data';
import { AlertListQuerySchema } from '@/lib/alerts/schema';
import { requirePermission } from '@/lib/auth/guards';
import { readQuery, route } from '@/lib/http/route';

/** Alerts of the deployments the caller may see (lib/alerts/data.ts narrows by the deployments' rule). */
export const GET = route(async (request) => {
  const viewer = await requirePermission('alert:read');
  return Response.json(await listAlerts(viewer, readQuery(request, AlertListQuerySchema)));
});
