'use client';

import 'leaflet/dist/leaflet.css';
import './map.css';
import { useRef, useState, type ReactNode } from 'react';
import { MapContainer, ScaleControl, TileLayer } from 'react-leaflet';
import type { LatLng } from '@/lib/geo/geometry';
import type { TileLayerSpec } from '@/lib/map/spec';
import { BoroughLayer, type BoroughStatus } from './borough-layer';
import { useConfiguredTiles } from './map-config';
import { ViewReporter } from './map-helpers';
import { VectorTileLayer } from './vector-tile-layer';

export type { TileLayerSpec };

/** Trafalgar Square: the conventional centre of London. */
export const LONDON_CENTRE: LatLng = { lat: 51.508, lng: -0.128 };

export type BaseMapProps = {
  /** Street tiles under the overlays; null: borough outlines only (works offline); absent: the installation's. */
  tileLayer?: TileLayerSpec | null;
  /** Initial view only; later changes are ignored (fit the view with FitToBounds instead). */
  center?: LatLng;
  zoom?: number;
  /** CSS height of the map (the wrapper must have one for Leaflet). Default 480 px. */
  height?: number | string;
  /** Accessible name of the map region. */
  label?: string;
  /** Borough names on hover (the plan map turns them off while drawing: they follow the cursor). */
  boroughTooltips?: boolean;
  className?: string;
  testId?: string;
  /** Extra attributes for the wrapper, e.g. the plan map's `data-mode` for CSS and tests. */
  dataAttributes?: Record<`data-${string}`, string>;
  /** HTML laid over the map (legends, hints); positioned by its own CSS. */
  overlay?: ReactNode;
  /** react-leaflet layers. */
  children?: ReactNode;
  /** Say on the map when there are no street tiles, and how to add them (default true; off for small maps). */
  tilesNote?: boolean;
};

/**
 * A Leaflet map of London on the dark theme: borough outlines always, optional tiles, a metric
 * scale. Browser-only: load it through `components/map` (next/dynamic, no SSR), never directly
 * from a page.
 */
export function BaseMap({
  tileLayer: ownTiles,
  center = LONDON_CENTRE,
  zoom = 12,
  height = 480,
  label = 'Map of London',
  boroughTooltips = true,
  className,
  testId = 'base-map',
  dataAttributes,
  overlay,
  children,
  tilesNote = true,
}: BaseMapProps) {
  const configured = useConfiguredTiles();
  // A map's own tiles win; otherwise the installation's (MAP_TILE_URL); otherwise none.
  const tileLayer = ownTiles === undefined ? configured : ownTiles;
  const wrapper = useRef<HTMLDivElement>(null);
  const [boroughs, setBoroughs] = useState<BoroughStatus>('loading');

  return (
    <div
      ref={wrapper}
      className={['sl-map', boroughTooltips ? '' : 'sl-map--quiet', className].filter(Boolean).join(' ')}
      style={{ height }}
      role="region"
      aria-label={label}
      data-testid={testId}
      data-boroughs={boroughs}
      {...dataAttributes}
    >
      <MapContainer center={[center.lat, center.lng]} zoom={zoom} minZoom={9} maxZoom={20} className="sl-map__canvas">
        {tileLayer?.kind === 'xyz' ? (
          <TileLayer key={tileLayer.url} url={tileLayer.url} maxZoom={20} {...definedOnly(tileLayer)} />
        ) : tileLayer?.kind === 'vector' ? (
          <VectorTileLayer key={tileLayer.url} spec={tileLayer} />
        ) : null}
        <BoroughLayer overTiles={Boolean(tileLayer)} onStatus={setBoroughs} />
        <ScaleControl position="bottomleft" imperial={false} />
        <ViewReporter target={wrapper} />
        {children}
      </MapContainer>
      {!tileLayer && tilesNote ? (
        <p className="sl-map__tiles-note" data-testid="no-tiles-note">
          No street map: street tiles are not configured here, so the map shows borough outlines only. An administrator can add them with the{' '}
          <code>MAP_TILE_URL</code> (or <code>MAP_PMTILES_FILE</code>) setting; see the README.
        </p>
      ) : null}
      {boroughs === 'error' ? (
        <p className="sl-map__notice" role="status">
          Borough outlines could not be loaded; the map has no base layer.
        </p>
      ) : null}
      {overlay}
    </div>
  );
}

/**
 * Leaflet takes an option given as undefined as set (Math.max(undefined, 20) is NaN inside
 * TileLayer), so only the options a spec has are passed.
 */
function definedOnly({ attribution, minZoom, minNativeZoom, maxNativeZoom, bounds }: Extract<TileLayerSpec, { kind: 'xyz' }>) {
  return Object.fromEntries(Object.entries({ attribution, minZoom, minNativeZoom, maxNativeZoom, bounds }).filter(([, value]) => value !== undefined));
}
