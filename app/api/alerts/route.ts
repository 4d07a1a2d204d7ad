import { listAlerts } from '@/lib/alerts/data';
import { AlertListQuerySchema } from '@/lib/alerts/schema';
import { requirePermission } from '@/lib/auth/guards';
import { readQuery, route } from '@/lib/http/route';

export const GET = route(async (request) => {
  await requirePermission('alert:read');
  return Response.json(await listAlerts(readQuery(request, AlertListQuerySchema)));
});
