import { configuredMapTiles, type MapTileSource } from '@/lib/config/map';
import { HttpError, notFound } from '@/lib/http/errors';
import { sharedTileArchive, TileArchiveError, type TileArchive, type TileArchiveInfo } from './archive';
import type { TileLayerSpec } from './spec';

/** This app's tile route (app/api/map/tiles), which answers from a configured PMTiles archive. */
export const ARCHIVE_TILE_PATH = '/api/map/tiles';

/**
 * What the browsers' maps draw, from the configuration (lib/config/map.ts). A PMTiles archive is
 * opened here to learn whether it holds images or vector data, its zoom range and its bounds.
 */
export async function mapTilesForBrowser(source: MapTileSource | null = configuredMapTiles()): Promise<TileLayerSpec | null> {
  if (!source) return null;
  if (source.kind === 'xyz') return { kind: 'xyz', url: source.url, attribution: source.attribution };
  let info: TileArchiveInfo;
  try {
    ({ info } = await sharedTileArchive(source.file));
  } catch (error) {
    // Checked at start-up; if the file has gone since, maps keep their offline outlines.
    console.error('[map]', (error as Error).message);
    return null;
  }
  const attribution = source.attribution ?? info.attribution;
  if (info.format === 'mvt') {
    return { kind: 'vector', url: `${ARCHIVE_TILE_PATH}/{z}/{x}/{y}.mvt`, attribution, maxDataZoom: info.maxZoom, bounds: info.bounds };
  }
  return {
    kind: 'xyz',
    url: `${ARCHIVE_TILE_PATH}/{z}/{x}/{y}`,
    attribution,
    minNativeZoom: info.minZoom,
    maxNativeZoom: info.maxZoom,
    bounds: info.bounds,
  };
}

/** One tile of the configured archive; null when the archive has none there (outside its area). */
export async function archiveTile(z: number, x: number, y: number): Promise<{ bytes: Uint8Array; contentType: string } | null> {
  const source = configuredMapTiles();
  if (source?.kind !== 'pmtiles') throw notFound('No map tile archive is configured on this server (MAP_PMTILES_FILE).');
  let archive: TileArchive;
  let bytes: Uint8Array | null;
  try {
    archive = await sharedTileArchive(source.file);
    bytes = await archive.tile(z, x, y);
  } catch (error) {
    // The file's path and the fault go to the server log, not to every browser.
    console.error('[map]', (error as Error).message);
    if (!(error instanceof TileArchiveError)) throw error;
    throw new HttpError(503, 'tiles_unavailable', 'The map tile archive cannot be read; ask an administrator to check MAP_PMTILES_FILE.');
  }
  return bytes ? { bytes, contentType: archive.info.contentType } : null;
}

/** For the start-up log: what the configured tiles are. Throws (naming the problem) if unusable. */
export async function describeMapTiles(source: MapTileSource | null = configuredMapTiles()): Promise<string> {
  if (!source) return 'borough outlines only (no MAP_TILE_URL or MAP_PMTILES_FILE)';
  if (source.kind === 'xyz') return `tiles from ${source.url}`;
  const { info } = await sharedTileArchive(source.file);
  return `${describeArchive(info)} from ${source.file}`;
}

function describeArchive(info: TileArchiveInfo): string {
  const kind = info.format === 'mvt' ? 'vector tiles' : `${info.format} tiles`;
  return `${info.name ? `"${info.name}", ` : ''}${kind}, zoom ${info.minZoom}–${info.maxZoom}`;
}
