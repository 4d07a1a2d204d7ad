import { retainAlert } from '@/lib/alerts/mutations';
import { RetainSchema } from '@/lib/alerts/schema';
import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('alert:retain');
  const { reason } = await readJson(request, RetainSchema);
  return Response.json(await retainAlert({ actor, ip: clientIpFrom(request.headers) }, (await params).id, reason));
});
