import { readOptionalJson } from '@/app/api/deployments/optional-json';
import { claimAlert } from '@/lib/alerts/mutations';
import { ClaimSchema } from '@/lib/alerts/schema';
import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

/** No body claims an alert awaiting a decision; `{ correction: true, reason }` claims a decided one to correct it. */
export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('alert:triage');
  const input = await readOptionalJson(request, ClaimSchema);
  return Response.json(await claimAlert({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input));
});
