import { requirePermission } from '@/lib/auth/guards';
import { addCamera } from '@/lib/deployments/mutations';
import { CameraSchema } from '@/lib/deployments/schema';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.edit);
  const input = await readJson(request, CameraSchema);
  const camera = await addCamera({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input);
  return Response.json(camera, { status: 201 });
});
