'use client';

import { CircleMarker, Tooltip } from 'react-leaflet';
import { BaseMap } from '@/components/map/base-map';

/**
 * Where the camera is: the base map (borough outlines, which work offline — zoomed out enough for
 * the outlines and names to place it) with a marker and the camera's name. Browser-only:
 * compare-view.tsx loads this file with next/dynamic, so Leaflet is fetched the first time an
 * operator opens a comparison, not with the queue.
 */
export default function CameraInsetMap({ lat, lng, name, height }: { lat: number; lng: number; name: string; height: number }) {
  return (
    <BaseMap center={{ lat, lng }} zoom={13} height={height} label={`Map: camera ${name}`} boroughTooltips={false} testId="camera-map">
      <CircleMarker center={[lat, lng]} radius={9} pathOptions={{ color: '#0b0f14', weight: 3, fillColor: '#ffd166', fillOpacity: 1 }}>
        <Tooltip permanent direction="right" offset={[10, 0]}>
          {name}
        </Tooltip>
      </CircleMarker>
    </BaseMap>
  );
}
