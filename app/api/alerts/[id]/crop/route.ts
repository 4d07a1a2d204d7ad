import { getAlertCrop } from '@/lib/alerts/data';
import { requirePermission } from '@/lib/auth/guards';
import { HttpError, notFound } from '@/lib/http/errors';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

/** The face crop of an alert, for the people who triage it; gone after the retention period. */
export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('alert:read');
  const alert = await getAlertCrop((await params).id);
  if (!alert) throw notFound('No such alert.');
  if (!alert.crop) throw new HttpError(410, 'crop_deleted', 'This image was deleted at the end of the retention period.');
  return new Response(new Uint8Array(alert.crop), {
    headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' },
  });
});
