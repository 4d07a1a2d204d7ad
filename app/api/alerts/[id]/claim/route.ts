import { claimAlert } from '@/lib/alerts/mutations';
import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('alert:triage');
  return Response.json(await claimAlert({ actor, ip: clientIpFrom(request.headers) }, (await params).id));
});
