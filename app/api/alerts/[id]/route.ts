import { getAlertView } from '@/lib/alerts/data';
import { requirePermission } from '@/lib/auth/guards';
import { notFound } from '@/lib/http/errors';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('alert:read');
  const alert = await getAlertView((await params).id);
  if (!alert) throw notFound('No such alert.');
  return Response.json(alert);
});
