import { requirePermission } from '@/lib/auth/guards';
import { parseInput, route } from '@/lib/http/route';
import { TileAddressSchema } from '@/lib/map/schema';
import { archiveTile } from '@/lib/map/tiles';

type Context = { params: Promise<{ z: string; x: string; y: string }> };

/** Tiles change only when the archive is replaced; an hour in the browser's private cache is safe. */
const CACHE = 'private, max-age=3600';

/**
 * One tile of the configured PMTiles archive (MAP_PMTILES_FILE), for anyone whose pages show maps.
 * Not audited: street map tiles say nothing about people, and every pan would write a record.
 * 204 where the archive has no tile (outside its area or zoom range): maps draw nothing there.
 */
export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('deployment:read');
  const { z, x, y } = parseInput(TileAddressSchema, await params);
  const tile = await archiveTile(z, x, y);
  if (!tile) return new Response(null, { status: 204, headers: { 'Cache-Control': CACHE } });
  return new Response(tile.bytes as Uint8Array<ArrayBuffer>, {
    headers: { 'Content-Type': tile.contentType, 'Cache-Control': CACHE, 'X-Content-Type-Options': 'nosniff' },
  });
});
