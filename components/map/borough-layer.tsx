'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { GeoJSON, Marker, Pane } from 'react-leaflet';
import { divIcon, type PathOptions } from 'leaflet';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { polygonCentroid, type GeoPolygon } from '@/lib/geo/geometry';
import { escapeHtml } from './icons';
import { LabelDeclutter } from './map-helpers';

/**
 * The offline base layer: London's 33 borough outlines (Natural Earth, public domain), served
 * same-origin from /public. It always works, with or without a tile server, so a planner can
 * find a place even on a machine with no internet.
 */
export const BOROUGHS_URL = '/geo/london-boroughs.geojson';

type BoroughProperties = { name: string };
export type BoroughStatus = 'loading' | 'ready' | 'error';

// One fetch per page, however many maps it shows; a failure is forgotten so a remount retries.
let boroughsRequest: Promise<FeatureCollection<Geometry, BoroughProperties>> | null = null;

export function loadBoroughs() {
  boroughsRequest ??= fetch(BOROUGHS_URL)
    .then((response) => {
      if (!response.ok) throw new Error(`borough outlines: HTTP ${response.status}`);
      return response.json() as Promise<FeatureCollection<Geometry, BoroughProperties>>;
    })
    .catch((error: unknown) => {
      boroughsRequest = null;
      throw error;
    });
  return boroughsRequest;
}

// With no tiles the boroughs are the land: a raised fill against the darker "outside London".
// Over tiles they are outlines only, so the streets show through.
const FILLED: PathOptions = { color: '#3a4a5c', weight: 1, fillColor: '#131a23', fillOpacity: 1, className: 'sl-borough' };
const OUTLINE: PathOptions = { color: '#7f93a8', weight: 1.5, opacity: 0.8, fill: true, fillOpacity: 0, className: 'sl-borough' };

export function BoroughLayer({ overTiles, onStatus }: { overTiles: boolean; onStatus?: (status: BoroughStatus) => void }) {
  const [data, setData] = useState<FeatureCollection<Geometry, BoroughProperties> | null>(null);
  // A notification, not an input: a parent re-creating the callback must not refetch.
  const notify = useRef(onStatus);
  useEffect(() => {
    notify.current = onStatus;
  });

  useEffect(() => {
    let live = true;
    notify.current?.('loading');
    loadBoroughs().then(
      (collection) => {
        if (!live) return;
        setData(collection);
        notify.current?.('ready');
      },
      () => {
        if (live) notify.current?.('error');
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const labels = useMemo(
    () =>
      (data?.features ?? []).flatMap((feature) => {
        if (feature.geometry.type !== 'Polygon') return [];
        const c = polygonCentroid(feature.geometry as GeoPolygon);
        const icon = divIcon({
          className: 'sl-borough-label-icon',
          // aria-hidden: 33 place names would drown the map region for a screen reader.
          html: `<span class="sl-borough-label" aria-hidden="true">${escapeHtml(feature.properties.name)}</span>`,
          iconSize: [0, 0],
        });
        return [{ name: feature.properties.name, position: [c.lat, c.lng] as [number, number], icon }];
      }),
    [data],
  );

  if (!data) return null;
  return (
    <>
      <Pane name="sl-boroughs" style={{ zIndex: 250 }}>
        <GeoJSON
          // Leaflet's GeoJSON layer cannot swap its style function's base; remount when tiles come or go.
          key={overTiles ? 'outline' : 'filled'}
          data={data}
          attribution="Boroughs: Natural Earth"
          style={() => (overTiles ? OUTLINE : FILLED)}
          onEachFeature={(feature: Feature<Geometry, BoroughProperties>, layer) => {
            layer.bindTooltip(escapeHtml(feature.properties.name), { sticky: true, direction: 'right', offset: [14, 0], className: 'sl-borough-tooltip' });
          }}
        />
      </Pane>
      <Pane name="sl-borough-labels" style={{ zIndex: 260, pointerEvents: 'none' }}>
        {labels.map((label) => (
          <Marker key={label.name} position={label.position} icon={label.icon} interactive={false} keyboard={false} />
        ))}
      </Pane>
      <LabelDeclutter item=".sl-borough-label" version={String(labels.length)} />
    </>
  );
}
