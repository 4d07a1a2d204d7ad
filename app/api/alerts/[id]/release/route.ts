import { releaseAlert } from '@/lib/alerts/mutations';
import { requireAnyPermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

/** The holder (alert:triage) or a senior officer (alert:release-any) releases a claim. */
export const POST = route(async (request, { params }: Context) => {
  const actor = await requireAnyPermission('alert:triage', 'alert:release-any');
  return Response.json(await releaseAlert({ actor, ip: clientIpFrom(request.headers) }, (await params).id));
});
