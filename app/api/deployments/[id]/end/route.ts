import { requirePermission } from '@/lib/auth/guards';
import { endDeployment } from '@/lib/deployments/mutations';
import { EndSchema } from '@/lib/deployments/schema';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';
import { readOptionalJson } from '../../optional-json';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.end);
  const input = await readOptionalJson(request, EndSchema);
  return Response.json(await endDeployment({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input));
});
