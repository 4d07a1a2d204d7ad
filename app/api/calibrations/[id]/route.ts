import { requirePermission } from '@/lib/auth/guards';
import { notFound } from '@/lib/http/errors';
import { route } from '@/lib/http/route';
import { calibrationCurves } from '@/lib/recognition/overview';

type Context = { params: Promise<{ id: string }> };

/** One calibration: its progress while it runs, then its DET curves overall and per group. */
export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('recognition:read');
  const curves = await calibrationCurves((await params).id);
  if (!curves) throw notFound('No such calibration.');
  return Response.json(curves);
});
