import { listAuditEvents } from '@/lib/audit/data';
import { AuditQuerySchema } from '@/lib/audit/schema';
import { requirePermission } from '@/lib/auth/guards';
import { readQuery, route } from '@/lib/http/route';

export const GET = route(async (request) => {
  await requirePermission('audit:read');
  const query = readQuery(request, AuditQuerySchema);
  return Response.json(await listAuditEvents(query));
});
