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

export type MapTileSource = { kind: 'xyz'; url: string; attribution?: string } | { kind: 'pmtiles'; file: string; attribution?: string };

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

/**
 * Where browsers fetch XYZ street tiles from, as a Content-Security-Policy source
 * (lib/http/security-headers.ts): null when this site serves them (a path, or a PMTiles archive).
 * A subdomain placeholder as the host's first label (`https://{s}.tile.example.org/…`) becomes
 * `https://*.tile.example.org`; a placeholder anywhere else in the host cannot be expressed and
 * stops the start.
 */
export function mapTileOrigin(source: MapTileSource | null): string | null {
  if (!source || source.kind !== 'xyz') return null;
  const match = /^(https?:)?\/\/([^/?#]+)/i.exec(source.url);
  if (!match) return null; // a path on this site
  const scheme = match[1] ? `${match[1].toLowerCase()}//` : ''; // protocol-relative: the page's scheme
  const [first = '', ...rest] = match[2]!.toLowerCase().split('.');
  const placeholderFirst = /^\{[a-z]+\}$/.test(first) && rest.length > 0;
  const host = placeholderFirst ? ['*', ...rest].join('.') : [first, ...rest].join('.');
  if (/[{}]/.test(host)) {
    throw new Error(
      'Invalid configuration: MAP_TILE_URL may have a placeholder in its host name only as the first label (e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png)',
    );
  }
  return `${scheme}${host}`;
}
