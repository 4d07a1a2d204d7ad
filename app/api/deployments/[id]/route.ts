import { requirePermission } from '@/lib/auth/guards';
import { getDeploymentForViewer } from '@/lib/deployments/data';
import { updateDeployment } from '@/lib/deployments/mutations';
import { UpdateDeploymentSchema } from '@/lib/deployments/schema';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const GET = route(async (_request, { params }: Context) => {
  const viewer = await requirePermission('deployment:read');
  return Response.json(await getDeploymentForViewer(viewer, (await params).id));
});

export const PATCH = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.edit);
  const input = await readJson(request, UpdateDeploymentSchema);
  const deployment = await updateDeployment({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input);
  return Response.json(deployment);
});
