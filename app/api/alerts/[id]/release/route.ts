import { releaseAlert } from '@/lib/alerts/mutations';
import { requireUser } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { forbidden } from '@/lib/http/errors';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

/** The holder (alert:triage) or a senior officer (alert:release-any) releases a claim. */
export const POST = route(async (request, { params }: Context) => {
  const actor = await requireUser();
  if (!can(actor.role, 'alert:triage') && !can(actor.role, 'alert:release-any')) throw forbidden('Your role cannot release alerts.');
  return Response.json(await releaseAlert({ actor, ip: clientIpFrom(request.headers) }, (await params).id));
});
