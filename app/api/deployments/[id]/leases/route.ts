import { requireAnyPermission } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';
import { leasesForViewer } from '@/lib/live/lease-access';

type Context = { params: Promise<{ id: string }> };

/** Who analyses each camera of a deployment, and its health (docs/architecture.md#camera-leases). */
export const GET = route(async (_request, { params }: Context) => {
  const user = await requireAnyPermission('live:view', 'deployment:read');
  return Response.json(await leasesForViewer(user, (await params).id));
});
