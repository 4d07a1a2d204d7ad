import { getAlertForViewer } from '@/lib/alerts/data';
import { requirePermission } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const GET = route(async (_request, { params }: Context) => {
  const viewer = await requirePermission('alert:read');
  return Response.json(await getAlertForViewer(viewer, (await params).id));
});
