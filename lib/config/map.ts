import { z } from 'zod';

/**
 * Optional street tiles under the offline borough outlines: an XYZ URL template, e.g. an
 * internal tile server for an air-gapped control room. Unset: borough outlines only (always works).
 *   MAP_TILE_URL=https://tiles.example.org/{z}/{x}/{y}.png
 *   MAP_TILE_ATTRIBUTION="© OpenStreetMap contributors"
 */
const TileUrlSchema = z
  .string()
  .trim()
  .refine((url) => /^(https?:\/\/|\/)/.test(url) && ['{z}', '{x}', '{y}'].every((part) => url.includes(part)), {
    message: 'MAP_TILE_URL must be an http(s) URL or a path on this site containing {z}, {x} and {y}',
  });

export type MapTiles = { kind: 'xyz'; url: string; attribution?: string };

export function configuredMapTiles(env: Record<string, string | undefined> = process.env): MapTiles | null {
  if (!env.MAP_TILE_URL) return null;
  const parsed = TileUrlSchema.safeParse(env.MAP_TILE_URL);
  if (!parsed.success) throw new Error(`Invalid configuration: ${parsed.error.issues[0]?.message}`);
  return { kind: 'xyz', url: parsed.data, attribution: env.MAP_TILE_ATTRIBUTION?.trim() || undefined };
}
