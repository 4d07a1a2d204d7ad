import { requirePermission } from '@/lib/auth/guards';
import { startDeployment } from '@/lib/deployments/mutations';
import { StartSchema } from '@/lib/deployments/schema';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';
import { readOptionalJson } from '../../optional-json';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.start);
  await readOptionalJson(request, StartSchema);
  return Response.json(await startDeployment({ actor, ip: clientIpFrom(request.headers) }, (await params).id));
});
