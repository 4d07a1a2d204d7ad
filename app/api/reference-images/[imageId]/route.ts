import { alertUsesReferenceImage } from '@/lib/alerts/data';
import { requireAnyPermission } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { clientIpFrom } from '@/lib/http/client-ip';
import { forbidden, notFound } from '@/lib/http/errors';
import { route } from '@/lib/http/route';
import { getReferenceImage } from '@/lib/watchlists/data';
import { recordReferenceImageView } from '@/lib/watchlists/mutations';

type Context = { params: Promise<{ imageId: string }> };

/**
 * The bytes of a reference image: for admins curating watchlists ('reference-image:view'), and
 * for people triaging an alert that matched this image, in a deployment they may see (comparing
 * the two faces is the triage). Every view is audited, so nothing may cache it.
 */
export const GET = route(async (request, { params }: Context) => {
  const actor = await requireAnyPermission('reference-image:view', 'alert:read');
  const { imageId } = await params;
  const allowed = can(actor.role, 'reference-image:view') || (can(actor.role, 'alert:read') && (await alertUsesReferenceImage(actor, imageId)));
  if (!allowed) {
    throw forbidden(`Your role (${actor.role}) may see a reference image only when triaging an alert that matched it, in a deployment you may see.`);
  }
  const image = await getReferenceImage(imageId);
  if (!image) throw notFound('No such reference image.');
  await recordReferenceImageView({ actor, ip: clientIpFrom(request.headers) }, image.id, image.entryId);
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      'content-type': image.mediaType,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline',
    },
  });
});
