import { configuredMapTiles, type MapTileSource } from '@/lib/config/map';
import { HttpError, notFound } from '@/lib/http/errors';
import { sharedTileArchive, type TileArchive, type TileArchiveInfo } from './archive';
import type { TileLayerSpec } from './spec';

/** This app's tile route (app/api/map/tiles), which answers from a configured PMTiles archive. */
export const ARCHIVE_TILE_PATH = '/api/map/tiles';

/**
 * Leaflet draws zooms below an archive's first level from that level's tiles: four times as many
 * per level. One level of that is useful; further out the layer is hidden (the outlines remain).
 */
const ZOOM_OUT_LEVELS = 1;

/** Protomaps basemap layers the dark flavour draws; an archive with none of them draws nothing. */
const PROTOMAPS_LAYERS = ['earth', 'water', 'landuse', 'roads', 'buildings', 'places', 'pois', 'boundaries', 'natural', 'transit', 'landcover'];

/**
 * What the browsers' maps draw, from the configuration (lib/config/map.ts). A PMTiles archive is
 * opened here to learn whether it holds images or vector data, its zoom range and its bounds.
 */
export async function mapTilesForBrowser(source: MapTileSource | null = configuredMapTiles()): Promise<TileLayerSpec | null> {
  if (!source) return null;
  if (source.kind === 'xyz') return { kind: 'xyz', url: source.url, attribution: source.attribution };
  let archive: TileArchive;
  try {
    archive = await sharedTileArchive(source.file);
  } catch (error) {
    // Checked at start-up; if the file has gone since, maps keep their offline outlines.
    console.error('[map]', (error as Error).message);
    return null;
  }
  const { info } = archive;
  const attribution = source.attribution ?? info.attribution;
  // The version makes a replaced archive new URLs: no browser keeps showing the old tiles.
  const query = `?v=${archive.version}`;
  if (info.format === 'mvt') {
    return { kind: 'vector', url: `${ARCHIVE_TILE_PATH}/{z}/{x}/{y}.mvt${query}`, attribution, maxDataZoom: info.maxZoom, bounds: info.bounds };
  }
  return {
    kind: 'xyz',
    url: `${ARCHIVE_TILE_PATH}/{z}/{x}/{y}${query}`,
    attribution,
    minZoom: Math.max(0, info.minZoom - ZOOM_OUT_LEVELS),
    minNativeZoom: info.minZoom,
    maxNativeZoom: info.maxZoom,
    bounds: info.bounds,
  };
}

/** One tile of the configured archive; null when the archive has none there (outside its area). */
export async function archiveTile(z: number, x: number, y: number): Promise<{ bytes: Uint8Array; contentType: string } | null> {
  const source = configuredMapTiles();
  if (source?.kind !== 'pmtiles') throw notFound('No map tile archive is configured on this server (MAP_PMTILES_FILE).');
  try {
    const archive = await sharedTileArchive(source.file);
    const bytes = await archive.tile(z, x, y);
    return bytes ? { bytes, contentType: archive.info.contentType } : null;
  } catch (error) {
    // Whatever went wrong reading the file is the server's problem, not the request's. (Not
    // `instanceof TileArchiveError`: the archive may have been opened by server.ts's copy of
    // this module.) The file's path and the fault go to the server log, not to every browser.
    console.error('[map]', (error as Error).message);
    throw new HttpError(503, 'tiles_unavailable', 'The map tile archive cannot be read; ask an administrator to check MAP_PMTILES_FILE.');
  }
}

/** For the start-up log: what the configured tiles are. Throws (naming the problem) if unusable. */
export async function describeMapTiles(source: MapTileSource | null = configuredMapTiles()): Promise<string> {
  if (!source) return 'borough outlines only (no MAP_TILE_URL or MAP_PMTILES_FILE)';
  if (source.kind === 'xyz') return `tiles from ${source.url}`;
  const { info } = await sharedTileArchive(source.file);
  return `${describeArchive(info)} from ${source.file}${layerWarning(info)}`;
}

function describeArchive(info: TileArchiveInfo): string {
  const kind = info.format === 'mvt' ? 'vector tiles' : `${info.format} tiles`;
  return `${info.name ? `"${info.name}", ` : ''}${kind}, zoom ${info.minZoom}–${info.maxZoom}`;
}

function layerWarning(info: TileArchiveInfo): string {
  if (info.format !== 'mvt' || info.layers.length === 0 || info.layers.some((layer) => PROTOMAPS_LAYERS.includes(layer))) return '';
  return ` — warning: its layers (${info.layers.join(', ')}) are not a Protomaps basemap's, so maps will draw little or nothing of them`;
}
