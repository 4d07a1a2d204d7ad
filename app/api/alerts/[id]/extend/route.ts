import { extendClaim } from '@/lib/alerts/mutations';
import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

/** The holder of a claim gives themselves another CLAIM_TIMEOUT_MS before it lapses; no body. */
export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('alert:triage');
  return Response.json(await extendClaim({ actor, ip: clientIpFrom(request.headers) }, (await params).id));
});
