import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { MAX_IMAGE_BYTES } from '@/lib/face/media';
import { readMultipart } from '@/lib/http/multipart';
import { route } from '@/lib/http/route';
import { acceptUploads } from '@/lib/watchlists/enrolment';
import { addEntryImages } from '@/lib/watchlists/mutations';
import { MAX_IMAGES_PER_REQUEST } from '@/lib/watchlists/schema';

type Context = { params: Promise<{ id: string; entryId: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('watchlist:manage');
  const { id, entryId } = await params;
  const form = await readMultipart(request, MAX_IMAGES_PER_REQUEST * MAX_IMAGE_BYTES + 1024 * 1024);
  const { accepted, verdicts } = await acceptUploads(form.files('images'));
  const { entry, duplicates } = await addEntryImages({ actor, ip: clientIpFrom(request.headers) }, id, entryId, accepted);
  return Response.json({ ...entry, files: verdicts, duplicates }, { status: 201 });
});
