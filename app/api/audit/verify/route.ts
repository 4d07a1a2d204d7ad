import { verifyAuditChain } from '@/lib/audit/data';
import { VerifyQuerySchema } from '@/lib/audit/schema';
import { requirePermission } from '@/lib/auth/guards';
import { readQuery, route } from '@/lib/http/route';

/** The chain's state and head; `?anchor=<seq>:<hash>` also checks a head recorded earlier. */
export const GET = route(async (request) => {
  await requirePermission('audit:read');
  const { anchor } = readQuery(request, VerifyQuerySchema);
  return Response.json(await verifyAuditChain(anchor));
});
