import path from 'node:path';
import { z } from 'zod';

/**
 * Optional street tiles under the offline borough outlines (which always work). One of:
 *   MAP_TILE_URL=https://tiles.example.org/{z}/{x}/{y}.png   an XYZ tile server the browsers reach
 *   MAP_PMTILES_FILE=/srv/maps/london.pmtiles                 a local PMTiles archive (raster or
 *                                                             vector), served by this app: for
 *                                                             air-gapped control rooms
 *   MAP_TILE_ATTRIBUTION="© OpenStreetMap contributors"       optional; a PMTiles archive's own
 *                                                             attribution is used otherwise
 * Unset: borough outlines only.
 */
const TileUrlSchema = z
  .string()
  .trim()
  .refine((url) => /^(https?:\/\/|\/)/.test(url) && ['{z}', '{x}', '{y}'].every((part) => url.includes(part)), {
    message: 'MAP_TILE_URL must be an http(s) URL or a path on this site containing {z}, {x} and {y}',
  });

export type MapTileSource =
  | { kind: 'xyz'; url: string; attribution?: string }
  | { kind: 'pmtiles'; file: string; attribution?: string };

export function configuredMapTiles(env: Record<string, string | undefined> = process.env): MapTileSource | null {
  const url = env.MAP_TILE_URL?.trim();
  const file = env.MAP_PMTILES_FILE?.trim();
  const attribution = env.MAP_TILE_ATTRIBUTION?.trim() || undefined;
  if (url && file) {
    throw new Error('Invalid configuration: set MAP_TILE_URL or MAP_PMTILES_FILE, not both');
  }
  if (file) return { kind: 'pmtiles', file: path.resolve(file), attribution };
  if (!url) return null;
  const parsed = TileUrlSchema.safeParse(url);
  if (!parsed.success) throw new Error(`Invalid configuration: ${parsed.error.issues[0]?.message}`);
  return { kind: 'xyz', url: parsed.data, attribution };
}
