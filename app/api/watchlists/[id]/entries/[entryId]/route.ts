import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { notFound } from '@/lib/http/errors';
import { readJson, route } from '@/lib/http/route';
import { getEntry } from '@/lib/watchlists/data';
import { deleteEntry, updateEntry } from '@/lib/watchlists/mutations';
import { EntryUpdateSchema } from '@/lib/watchlists/schema';

type Context = { params: Promise<{ id: string; entryId: string }> };

export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('watchlist:manage');
  const { id, entryId } = await params;
  const entry = await getEntry(id, entryId);
  if (!entry) throw notFound('No such entry on this watchlist.');
  return Response.json(entry);
});

export const PATCH = route(async (request, { params }: Context) => {
  const actor = await requirePermission('watchlist:manage');
  const input = await readJson(request, EntryUpdateSchema);
  const { id, entryId } = await params;
  return Response.json(await updateEntry({ actor, ip: clientIpFrom(request.headers) }, id, entryId, input));
});

export const DELETE = route(async (request, { params }: Context) => {
  const actor = await requirePermission('watchlist:manage');
  const { id, entryId } = await params;
  await deleteEntry({ actor, ip: clientIpFrom(request.headers) }, id, entryId);
  return new Response(null, { status: 204 });
});
