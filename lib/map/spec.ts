/**
 * What a browser map needs to draw the installation's street map (built on the server by
 * lib/map/tiles.ts, drawn by components/map/base-map.tsx).
 *
 * - `xyz`: raster images from a URL template — an external tile server (MAP_TILE_URL), or this
 *   app's own tile route reading a raster `.pmtiles` archive (MAP_PMTILES_FILE).
 * - `vector`: Mapbox vector tiles from this app's tile route reading a vector `.pmtiles` archive
 *   (e.g. a Protomaps basemap extract), drawn in the browser on the dark theme.
 */
export type TileBounds = [[south: number, west: number], [north: number, east: number]];

export type TileLayerSpec =
  | {
      kind: 'xyz';
      url: string;
      attribution?: string;
      /** The layer is hidden when zoomed out further than this. */
      minZoom?: number;
      /** The archive's zoom range: Leaflet scales its tiles beyond it instead of asking for missing ones. */
      minNativeZoom?: number;
      maxNativeZoom?: number;
      /** No tiles are requested outside these bounds. */
      bounds?: TileBounds;
    }
  | {
      kind: 'vector';
      url: string;
      attribution?: string;
      /** The deepest zoom with data; deeper views draw this level's features larger. */
      maxDataZoom: number;
      bounds?: TileBounds;
    };
