import { requirePermission } from '@/lib/auth/guards';
import { readJson, route } from '@/lib/http/route';
import { getWallLayout, requireWatchableDeployment } from '@/lib/wall-layouts/data';
import { saveWallLayout } from '@/lib/wall-layouts/mutations';
import { WallLayoutSchema } from '@/lib/wall-layouts/schema';

type Context = { params: Promise<{ id: string }> };

/** The caller's own arrangement of a deployment's camera wall: only people who may watch its tiles. */
export const GET = route(async (_request, { params }: Context) => {
  const user = await requirePermission('live:view');
  const { id } = await params;
  await requireWatchableDeployment(user, id);
  return Response.json(await getWallLayout(user.id, id));
});

export const PUT = route(async (request, { params }: Context) => {
  const user = await requirePermission('live:view');
  const { id } = await params;
  await requireWatchableDeployment(user, id);
  const layout = await readJson(request, WallLayoutSchema, { limitBytes: 32 * 1024 });
  return Response.json({ ...(await saveWallLayout(user.id, id, layout)), saved: true });
});
