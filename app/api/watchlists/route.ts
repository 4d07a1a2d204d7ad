import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { listWatchlists } from '@/lib/watchlists/data';
import { createWatchlist } from '@/lib/watchlists/mutations';
import { WatchlistInputSchema } from '@/lib/watchlists/schema';

/** Names, sizes and counts per category — never images or templates. */
export const GET = route(async () => {
  await requirePermission('watchlist:read');
  return Response.json({ watchlists: await listWatchlists() });
});

export const POST = route(async (request) => {
  const actor = await requirePermission('watchlist:manage');
  const input = await readJson(request, WatchlistInputSchema);
  const created = await createWatchlist({ actor, ip: clientIpFrom(request.headers) }, input);
  return Response.json(created, { status: 201 });
});
