import { requirePermission } from '@/lib/auth/guards';
import { rejectDeployment } from '@/lib/deployments/mutations';
import { ReasonSchema } from '@/lib/deployments/schema';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.reject);
  const input = await readJson(request, ReasonSchema);
  return Response.json(await rejectDeployment({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input));
});
