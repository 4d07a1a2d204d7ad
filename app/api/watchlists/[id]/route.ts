import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { notFound } from '@/lib/http/errors';
import { readJson, route } from '@/lib/http/route';
import { getWatchlistSummary } from '@/lib/watchlists/data';
import { deleteWatchlist, updateWatchlist } from '@/lib/watchlists/mutations';
import { WatchlistUpdateSchema } from '@/lib/watchlists/schema';

type Context = { params: Promise<{ id: string }> };

export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('watchlist:read');
  const watchlist = await getWatchlistSummary((await params).id);
  if (!watchlist) throw notFound('No such watchlist.');
  return Response.json(watchlist);
});

export const PATCH = route(async (request, { params }: Context) => {
  const actor = await requirePermission('watchlist:manage');
  const input = await readJson(request, WatchlistUpdateSchema);
  const { id } = await params;
  await updateWatchlist({ actor, ip: clientIpFrom(request.headers) }, id, input);
  return Response.json(await getWatchlistSummary(id));
});

export const DELETE = route(async (request, { params }: Context) => {
  const actor = await requirePermission('watchlist:manage');
  await deleteWatchlist({ actor, ip: clientIpFrom(request.headers) }, (await params).id);
  return new Response(null, { status: 204 });
});
