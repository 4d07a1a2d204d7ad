import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { getAccuracyTarget } from '@/lib/settings/data';
import { setAccuracyTarget } from '@/lib/settings/mutations';
import { AccuracyTargetSchema } from '@/lib/settings/schema';

/** The force's target for false alerts per face: read by those who plan, curate or audit (forecasts show it), set by admins. */
export const GET = route(async () => {
  await requirePermission('recognition:read');
  return Response.json(await getAccuracyTarget());
});

export const PUT = route(async (request) => {
  const actor = await requirePermission('recognition:manage');
  const target = await readJson(request, AccuracyTargetSchema);
  return Response.json(await setAccuracyTarget({ actor, ip: clientIpFrom(request.headers) }, target));
});
