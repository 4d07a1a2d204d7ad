import { requirePermission } from '@/lib/auth/guards';
import { submitDeployment } from '@/lib/deployments/mutations';
import { SubmitSchema } from '@/lib/deployments/schema';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';
import { readOptionalJson } from '../../optional-json';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission(ACTION_PERMISSIONS.submit);
  const input = await readOptionalJson(request, SubmitSchema);
  return Response.json(await submitDeployment({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input));
});
