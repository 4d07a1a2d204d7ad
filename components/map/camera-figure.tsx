'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { Marker, Polygon } from 'react-leaflet';
import type { LeafletEvent, Marker as LeafletMarker, PathOptions, Polygon as LeafletPolygon } from 'leaflet';
import {
  aimCamera,
  coneEdge,
  coneTip,
  isInsideZone,
  normaliseHeading,
  viewConePolygon,
  widenCamera,
  type CameraLimits,
  type CameraPlacement,
  type GeoPolygon,
  type LatLng,
} from '@/lib/geo/geometry';
import { cameraIcon, fovHandleIcon, headingHandleIcon } from './icons';
import { activateWithKeyboard } from './map-helpers';

type Handle = 'body' | 'heading' | 'fov';

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * The camera that a drag of `handle` to `to` describes, tidied for a form: degrees and metres as
 * whole numbers, positions to 6 decimal places (≈ 0.1 m).
 * - body: moves the camera; aim and reach unchanged.
 * - heading (the tip of the cone): points the camera at the pointer; range is the distance to it.
 * - fov (a corner of the cone): the pointer's angle either side of the heading, doubled.
 */
function cameraFromDrag(camera: CameraPlacement, handle: Handle, to: LatLng, limits?: CameraLimits): CameraPlacement {
  switch (handle) {
    case 'body':
      return { ...camera, lat: round(to.lat, 6), lng: round(to.lng, 6) };
    case 'heading': {
      const aimed = aimCamera(camera, to, limits);
      return { ...aimed, heading: Math.round(aimed.heading) % 360, rangeM: Math.round(aimed.rangeM) };
    }
    case 'fov': {
      const widened = widenCamera(camera, to, limits);
      return { ...widened, fov: Math.round(widened.fov) };
    }
  }
}

function describeCamera(c: CameraPlacement): string {
  return `${c.name}: heading ${c.heading}°, field of view ${c.fov}°, range ${c.rangeM} m`;
}

// Complete styles (dashArray: undefined included): Leaflet's setStyle merges, so a key left out
// would keep the previous style's value — a camera moved back inside would stay dashed.
const CONE: PathOptions = { color: '#cfe7ff', weight: 1, opacity: 0.9, dashArray: undefined, fillColor: '#cfe7ff', fillOpacity: 0.13, className: 'sl-cone' };
const CONE_SELECTED: PathOptions = { ...CONE, color: '#ffffff', weight: 2, fillOpacity: 0.24 };
// Outside the zone: amber AND dashed, so the warning does not depend on colour.
const CONE_OUTSIDE: PathOptions = { ...CONE, color: '#ffc857', fillColor: '#ffc857', dashArray: '5 5', fillOpacity: 0.12 };
const CONE_OUTSIDE_SELECTED: PathOptions = { ...CONE_OUTSIDE, weight: 2, fillOpacity: 0.22 };

type CameraFigureProps = {
  camera: CameraPlacement;
  zone: GeoPolygon | null;
  selected: boolean;
  /** Handles and dragging: the plan is editable and the map is in select mode. */
  editing: boolean;
  limits?: CameraLimits;
  onSelect?(id: string): void;
  onChange?(camera: CameraPlacement): void;
  /** A line describing the camera while it is dragged, null when the drag ends. */
  onReadout?(text: string | null): void;
};

/**
 * One camera: its view cone, its marker and — when selected and editable — a handle at the tip
 * of the cone (aim and range) and one at its corner (field of view).
 *
 * While a drag is in progress the figure draws its own preview and tells the page only when the
 * drag ends (one onChange per gesture): the page can save or validate without debouncing, and
 * the map stays smooth however slow the page is. A page that rejects the change simply keeps its
 * old camera and the figure snaps back.
 */
export function CameraFigure({ camera, zone, selected, editing, limits, onSelect, onChange, onReadout }: CameraFigureProps) {
  const [drag, setDrag] = useState<{ handle: Handle; camera: CameraPlacement; pointer: LatLng } | null>(null);
  const shown = drag?.camera ?? camera;
  const outsideNow = zone ? !isInsideZone(shown, zone) : false;
  // The marker's icon follows the committed camera only: replacing a Leaflet icon mid-drag ends the drag.
  const outsideCommitted = zone ? !isInsideZone(camera, zone) : false;

  const cone = useMemo(() => viewConePolygon(shown, 32), [shown]);
  const labelSide = normaliseHeading(camera.heading) < 180 ? 'left' : 'right';
  const icon = useMemo(
    () => cameraIcon(camera, { selected, outside: outsideCommitted, draggable: editing, labelSide }),
    // Only what the icon shows: a new icon per render would make Leaflet replace the element.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fields above, not the object
    [camera.id, camera.name, selected, outsideCommitted, editing, labelSide],
  );

  const conePath = useRef<LeafletPolygon>(null);
  useEffect(() => {
    // Stable hooks for tests and styles on the SVG path (Leaflet's className cannot change later).
    const el = conePath.current?.getElement();
    if (!el) return;
    el.setAttribute('data-testid', 'camera-cone');
    el.setAttribute('data-camera-id', camera.id);
    el.setAttribute('data-outside', String(outsideNow));
  });

  function dragHandlers(handle: Handle) {
    const at = (e: LeafletEvent) => (e.target as LeafletMarker).getLatLng();
    return {
      drag: (e: LeafletEvent) => {
        const pointer = at(e);
        const next = cameraFromDrag(camera, handle, pointer, limits);
        setDrag({ handle, camera: next, pointer });
        onReadout?.(describeCamera(next));
      },
      dragend: (e: LeafletEvent) => {
        // Recomputed from where the marker ended up rather than read from state, which may lag a frame.
        const next = cameraFromDrag(camera, handle, at(e), limits);
        setDrag(null);
        onReadout?.(null);
        onChange?.(next);
        if (!selected) onSelect?.(camera.id);
      },
    };
  }

  const style = selected ? (outsideNow ? CONE_OUTSIDE_SELECTED : CONE_SELECTED) : outsideNow ? CONE_OUTSIDE : CONE;
  const tip = drag?.handle === 'heading' ? drag.pointer : coneTip(shown);
  const edge = drag?.handle === 'fov' ? drag.pointer : coneEdge(shown);

  return (
    <>
      <Polygon ref={conePath} positions={cone} pathOptions={style} bubblingMouseEvents={false} eventHandlers={{ click: () => onSelect?.(camera.id) }} />
      <Marker
        position={[shown.lat, shown.lng]}
        icon={icon}
        draggable={editing}
        autoPan
        zIndexOffset={selected ? 500 : 0}
        eventHandlers={{
          click: () => onSelect?.(camera.id),
          keydown: activateWithKeyboard(() => onSelect?.(camera.id)),
          ...(editing ? dragHandlers('body') : {}),
        }}
      />
      {editing && selected ? (
        <>
          <Marker
            position={[tip.lat, tip.lng]}
            icon={headingHandleIcon()}
            draggable
            autoPan
            keyboard={false}
            title="Drag to aim the camera and set its range"
            zIndexOffset={1000}
            eventHandlers={dragHandlers('heading')}
          />
          <Marker
            position={[edge.lat, edge.lng]}
            icon={fovHandleIcon()}
            draggable
            autoPan
            keyboard={false}
            title="Drag to widen or narrow the field of view"
            zIndexOffset={1000}
            eventHandlers={dragHandlers('fov')}
          />
        </>
      ) : null}
    </>
  );
}
