import { verifyAuditChain } from '@/lib/audit/data';
import { requirePermission } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';

export const GET = route(async () => {
  await requirePermission('audit:read');
  return Response.json(await verifyAuditChain());
});
