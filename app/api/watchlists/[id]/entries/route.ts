import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { notFound } from '@/lib/http/errors';
import { readMultipart, textFields } from '@/lib/http/multipart';
import { parseInput, readQuery, route } from '@/lib/http/route';
import { MAX_IMAGE_BYTES } from '@/lib/face/media';
import { getWatchlistSummary, listEntries } from '@/lib/watchlists/data';
import { acceptUploads } from '@/lib/watchlists/enrolment';
import { createEntry } from '@/lib/watchlists/mutations';
import { DuplicateConfirmationSchema, EntryInputSchema, EntryQuerySchema, MAX_IMAGES_PER_REQUEST } from '@/lib/watchlists/schema';

type Context = { params: Promise<{ id: string }> };

export const GET = route(async (request, { params }: Context) => {
  await requirePermission('watchlist:manage');
  const { id } = await params;
  const query = readQuery(request, EntryQuerySchema);
  if (!(await getWatchlistSummary(id))) throw notFound('No such watchlist.');
  return Response.json(await listEntries(id, query));
});

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('watchlist:manage');
  const { id } = await params;
  const form = await readMultipart(request, MAX_IMAGES_PER_REQUEST * MAX_IMAGE_BYTES + 1024 * 1024);
  const { confirmDuplicate, ...fields } = textFields(form, ['images']);
  const input = parseInput(EntryInputSchema, fields);
  const allowDuplicate = parseInput(DuplicateConfirmationSchema, confirmDuplicate);
  const { accepted, verdicts } = await acceptUploads(form.files('images'));
  // A likely duplicate is answered 409 `possible_duplicate` (with the candidates) unless confirmed.
  const { entry, duplicates } = await createEntry({ actor, ip: clientIpFrom(request.headers) }, id, input, accepted, { allowDuplicate });
  return Response.json({ ...entry, files: verdicts, duplicates }, { status: 201 });
});
