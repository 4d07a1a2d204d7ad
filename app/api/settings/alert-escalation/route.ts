import { requirePermission, requireUser } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { getEscalation } from '@/lib/settings/data';
import { setEscalation } from '@/lib/settings/mutations';
import { EscalationSchema } from '@/lib/settings/schema';

/** When awaiting alerts escalate: anyone signed in reads it (the queue and the overview use it), admins set it. */
export const GET = route(async () => {
  await requireUser();
  return Response.json(await getEscalation());
});

export const PUT = route(async (request) => {
  const actor = await requirePermission('settings:manage');
  const body = await readJson(request, EscalationSchema);
  return Response.json(await setEscalation({ actor, ip: clientIpFrom(request.headers) }, body));
});
