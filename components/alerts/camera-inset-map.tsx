'use client';

import { latLngBounds } from 'leaflet';
import { useEffect, useMemo, useRef } from 'react';
import { CircleMarker, Tooltip, useMap } from 'react-leaflet';
import { BaseMap } from '@/components/map/base-map';
import { ZoneShape } from '@/components/map/zone-layers';
import { plural } from '@/lib/format/plural';
import { polygonVertices, type GeoPolygon, type LatLngTuple } from '@/lib/geo/geometry';

export type InsetCamera = { id: string; name: string; lat: number; lng: number };

type Props = {
  /** The camera of the alert: drawn large, amber, with its name. */
  camera: InsetCamera;
  /** Every camera of the deployment (the alert's included or not); empty while they load. */
  cameras: readonly InsetCamera[];
  zone: GeoPolygon | null;
  /** Cameras where this person was also seen in this deployment: ringed in amber. */
  seenAt?: ReadonlySet<string>;
  height: number;
};

const THIS_CAMERA = { color: '#0b0f14', weight: 3, fillColor: '#ffd166', fillOpacity: 1 };
const SEEN_CAMERA = { color: '#ffc857', weight: 2.5, fillColor: '#3a2d10', fillOpacity: 1 };
const OTHER_CAMERA = { color: '#9fb0c2', weight: 1.5, fillColor: '#121820', fillOpacity: 1 };

/**
 * Where the camera is within its deployment: the zone, every camera, this one highlighted and
 * named — drawn as vector shapes over the borough outlines, so it places the camera even where no
 * street tiles are configured. Browser-only: compare-view.tsx loads this file with next/dynamic,
 * so Leaflet is fetched the first time an operator opens a comparison, not with the queue.
 */
export default function CameraInsetMap({ camera, cameras, zone, seenAt, height }: Props) {
  const others = cameras.filter((c) => c.id !== camera.id);
  const points = useMemo<LatLngTuple[]>(
    () => [
      ...(zone ? polygonVertices(zone).map((v): LatLngTuple => [v.lat, v.lng]) : []),
      ...cameras.map((c): LatLngTuple => [c.lat, c.lng]),
      [camera.lat, camera.lng],
    ],
    [zone, cameras, camera.lat, camera.lng],
  );
  const fitKey = `${camera.id}|${cameras.length}|${zone ? 'zone' : ''}`;

  return (
    <BaseMap
      center={{ lat: camera.lat, lng: camera.lng }}
      zoom={16}
      height={height}
      label={`Map: camera ${camera.name} among the deployment's ${plural(cameras.length || 1, 'camera')}`}
      boroughTooltips={false}
      // The note about missing street tiles would cover most of a 200 px map; the legend below it says what is drawn.
      tilesNote={false}
      testId="camera-map"
      dataAttributes={{ 'data-cameras': String(Math.max(cameras.length, 1)), 'data-zone': zone ? 'shown' : 'none' }}
    >
      {zone ? <ZoneShape zone={zone} /> : null}
      {others.map((c) => (
        <CircleMarker key={c.id} center={[c.lat, c.lng]} radius={6} pathOptions={seenAt?.has(c.id) ? SEEN_CAMERA : OTHER_CAMERA} className="sl-inset-camera">
          <Tooltip direction="top" offset={[0, -6]}>
            {c.name}
            {seenAt?.has(c.id) ? ' · also seen here' : ''}
          </Tooltip>
        </CircleMarker>
      ))}
      <CircleMarker center={[camera.lat, camera.lng]} radius={9} pathOptions={THIS_CAMERA} className="sl-inset-camera sl-inset-camera--this">
        <Tooltip permanent direction="right" offset={[10, 0]}>
          {camera.name}
        </Tooltip>
      </CircleMarker>
      <FitWhenSized points={points} fitKey={fitKey} />
    </BaseMap>
  );
}

/**
 * Fits the zone and cameras into view once the map has a size, and again whenever its size or the
 * points change. The map is created while the modal compare view is still laying out: fitted at
 * that moment Leaflet sees a zero-sized box, zooms all the way in and centres on the top-left corner.
 */
function FitWhenSized({ points, fitKey }: { points: LatLngTuple[]; fitKey: string }) {
  const map = useMap();
  const latest = useRef(points);
  useEffect(() => {
    latest.current = points;
  });
  useEffect(() => {
    const fit = () => {
      map.invalidateSize({ pan: false });
      const size = map.getSize();
      const pts = latest.current;
      if (size.x === 0 || size.y === 0 || pts.length === 0) return;
      const bounds = latLngBounds(pts);
      // Room on the right for this camera's name, which sits right of its dot.
      if (bounds.isValid()) map.fitBounds(bounds, { paddingTopLeft: [24, 24], paddingBottomRight: [96, 24], maxZoom: 18, animate: false });
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(map.getContainer());
    return () => observer.disconnect();
  }, [map, fitKey]);
  return null;
}
