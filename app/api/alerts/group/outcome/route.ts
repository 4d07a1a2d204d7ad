import { recordGroupOutcome } from '@/lib/alerts/mutations';
import { GroupOutcomeSchema } from '@/lib/alerts/schema';
import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

/** The outcome of a group's engagement, once for every alert of it: `{ alerts: [{ id, version }], outcome, note? }`, all or nothing. */
export const POST = route(async (request) => {
  const actor = await requirePermission('alert:triage');
  const input = await readJson(request, GroupOutcomeSchema);
  return Response.json({ alerts: await recordGroupOutcome({ actor, ip: clientIpFrom(request.headers) }, input) });
});
