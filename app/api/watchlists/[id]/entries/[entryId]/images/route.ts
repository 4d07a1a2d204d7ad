import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { MAX_IMAGE_BYTES } from '@/lib/face/media';
import { readMultipart, textFields } from '@/lib/http/multipart';
import { parseInput, route } from '@/lib/http/route';
import { acceptUploads } from '@/lib/watchlists/enrolment';
import { addEntryImages } from '@/lib/watchlists/mutations';
import { DuplicateConfirmationSchema, MAX_IMAGES_PER_REQUEST } from '@/lib/watchlists/schema';

type Context = { params: Promise<{ id: string; entryId: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('watchlist:manage');
  const { id, entryId } = await params;
  const form = await readMultipart(request, MAX_IMAGES_PER_REQUEST * MAX_IMAGE_BYTES + 1024 * 1024);
  const { confirmDuplicate } = textFields(form, ['images']);
  const allowDuplicate = parseInput(DuplicateConfirmationSchema, confirmDuplicate);
  const { accepted, verdicts } = await acceptUploads(form.files('images'));
  // A likely duplicate of another entry is answered 409 `possible_duplicate` (with the candidates) unless confirmed.
  const { entry, duplicates } = await addEntryImages({ actor, ip: clientIpFrom(request.headers) }, id, entryId, accepted, { allowDuplicate });
  return Response.json({ ...entry, files: verdicts, duplicates }, { status: 201 });
});
