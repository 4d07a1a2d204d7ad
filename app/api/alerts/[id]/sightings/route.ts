import { getAlertContextForViewer } from '@/lib/alerts/data';
import { requirePermission } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

/** The alert's deployment zone and cameras, and this person's other sightings there (no images). */
export const GET = route(async (_request, { params }: Context) => {
  const viewer = await requirePermission('alert:read');
  return Response.json(await getAlertContextForViewer(viewer, (await params).id));
});
