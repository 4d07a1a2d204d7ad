import { decideAlertGroup } from '@/lib/alerts/mutations';
import { GroupDecisionSchema } from '@/lib/alerts/schema';
import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

/** One decision for a group of sightings of one person: `{ alerts: [{ id, version }], decision, note? }`, all or nothing. */
export const POST = route(async (request) => {
  const actor = await requirePermission('alert:triage');
  const input = await readJson(request, GroupDecisionSchema);
  return Response.json({ alerts: await decideAlertGroup({ actor, ip: clientIpFrom(request.headers) }, input) });
});
