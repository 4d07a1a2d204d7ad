'use client';

import * as L from 'leaflet';
import { useEffect } from 'react';
import { useMap } from 'react-leaflet';
import type { TileLayerSpec } from '@/lib/map/spec';

type VectorSpec = Extract<TileLayerSpec, { kind: 'vector' }>;

/**
 * Vector street tiles (a Protomaps basemap `.pmtiles` archive served by this app) drawn in the
 * browser with protomaps-leaflet on its dark flavour, which suits the control-room theme.
 * protomaps-leaflet is not a react-leaflet component, so it is added to the map here; it is
 * loaded only when an installation has vector tiles.
 */
export function VectorTileLayer({ spec }: { spec: VectorSpec }) {
  const map = useMap();
  const { url, attribution, maxDataZoom } = spec;
  // Compared by value: a re-rendered layout hands over an equal but new array.
  const boundsKey = JSON.stringify(spec.bounds ?? null);

  useEffect(() => {
    let layer: L.Layer | null = null;
    let cancelled = false;
    // protomaps-leaflet extends the global `L` when a layer is made, rather than importing leaflet.
    (globalThis as { L?: typeof L }).L ??= L;
    void import('protomaps-leaflet')
      .then(({ leafletLayer }) => {
        if (cancelled) return;
        layer = leafletLayer({
          url,
          flavor: 'dark',
          lang: 'en',
          maxDataZoom,
          bounds: JSON.parse(boundsKey) ?? undefined,
          // Its own default credits Protomaps and OpenStreetMap, which is right for their basemaps.
          ...(attribution ? { attribution } : {}),
        }) as unknown as L.Layer;
        layer.addTo(map);
      })
      .catch((error: unknown) => console.error('[map] vector tiles could not be drawn', error));
    return () => {
      cancelled = true;
      if (layer) map.removeLayer(layer);
    };
  }, [map, url, attribution, maxDataZoom, boundsKey]);

  return null;
}
