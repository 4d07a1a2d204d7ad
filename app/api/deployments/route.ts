import { requirePermission } from '@/lib/auth/guards';
import { listDeployments } from '@/lib/deployments/data';
import { createDeployment } from '@/lib/deployments/mutations';
import { CreateDeploymentSchema, DeploymentListQuerySchema } from '@/lib/deployments/schema';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, readQuery, route } from '@/lib/http/route';

export const GET = route(async (request) => {
  const viewer = await requirePermission('deployment:read');
  const query = readQuery(request, DeploymentListQuerySchema);
  return Response.json({ deployments: await listDeployments(viewer, query) });
});

export const POST = route(async (request) => {
  const actor = await requirePermission('deployment:plan');
  const input = await readJson(request, CreateDeploymentSchema);
  const deployment = await createDeployment({ actor, ip: clientIpFrom(request.headers) }, input);
  return Response.json(deployment, { status: 201 });
});
