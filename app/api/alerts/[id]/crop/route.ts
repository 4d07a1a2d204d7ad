import { getAlertCropForViewer } from '@/lib/alerts/data';
import { requirePermission } from '@/lib/auth/guards';
import { HttpError } from '@/lib/http/errors';
import { route } from '@/lib/http/route';

type Context = { params: Promise<{ id: string }> };

/** The face crop of an alert, for the people who triage it and may see its deployment; gone after the retention period. */
export const GET = route(async (_request, { params }: Context) => {
  const viewer = await requirePermission('alert:read');
  const crop = await getAlertCropForViewer(viewer, (await params).id);
  if (!crop) throw new HttpError(410, 'crop_deleted', 'This image was deleted at the end of the retention period.');
  return new Response(new Uint8Array(crop), {
    headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' },
  });
});
