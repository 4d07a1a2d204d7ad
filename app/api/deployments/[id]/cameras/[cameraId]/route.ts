import { requirePermission } from '@/lib/auth/guards';
import { removeCamera, updateCamera } from '@/lib/deployments/mutations';
import { UpdateCameraSchema } from '@/lib/deployments/schema';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string; cameraId: string }> };

export const PATCH = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.edit);
  const input = await readJson(request, UpdateCameraSchema);
  const { id, cameraId } = await params;
  return Response.json(await updateCamera({ actor, ip: clientIpFrom(request.headers) }, id, cameraId, input));
});

export const DELETE = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.edit);
  const { id, cameraId } = await params;
  return Response.json(await removeCamera({ actor, ip: clientIpFrom(request.headers) }, id, cameraId));
});
