import { recordOutcome } from '@/lib/alerts/mutations';
import { OutcomeSchema } from '@/lib/alerts/schema';
import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('alert:triage');
  const input = await readJson(request, OutcomeSchema);
  return Response.json(await recordOutcome({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input));
});
