'use client';

import { useMemo, useState } from 'react';
import { Marker, Polygon, Polyline, useMapEvents } from 'react-leaflet';
import type { LeafletEvent, LeafletMouseEvent, Marker as LeafletMarker, PathOptions } from 'leaflet';
import { polygonToLatLngs, polygonVertices, type GeoPolygon, type LatLng, type LatLngTuple } from '@/lib/geo/geometry';
import { midpointIcon, vertexIcon } from './icons';

const ACCENT = '#4cc2ff';
// Every style names every key it varies (dashArray: undefined included): Leaflet's setStyle
// merges into the old style, so a key left out keeps its previous value.
const ZONE: PathOptions = {
  color: ACCENT,
  opacity: 1,
  weight: 2.5,
  dashArray: undefined,
  fillColor: ACCENT,
  fillOpacity: 0.08,
  interactive: false,
  className: 'sl-zone',
};
/** The old zone while a new one is drawn: still there for reference, clearly not the one being made. */
const ZONE_SUPERSEDED: PathOptions = { ...ZONE, opacity: 0.45, weight: 1.5, dashArray: '4 6', fillOpacity: 0.03 };
const DRAFT_LINE: PathOptions = { color: ACCENT, weight: 2, interactive: false };
const DRAFT_FILL: PathOptions = { stroke: false, fillColor: ACCENT, fillOpacity: 0.1, interactive: false };
const RUBBER_BAND: PathOptions = { color: ACCENT, weight: 1.5, dashArray: '4 6', opacity: 0.85, interactive: false };

const tuple = (p: LatLng): LatLngTuple => [p.lat, p.lng];

/** The committed zone, as drawn in select and place modes (and dimmed while a new one is drawn). */
export function ZoneShape({ zone, superseded = false }: { zone: GeoPolygon; superseded?: boolean }) {
  const positions = useMemo(() => polygonToLatLngs(zone), [zone]);
  // className and interactive only take effect as creation options: react-leaflet applies
  // pathOptions with setStyle, which ignores both.
  return <Polygon positions={positions} pathOptions={superseded ? ZONE_SUPERSEDED : ZONE} className="sl-zone" interactive={false} />;
}

/** The dashed line from the last point to the pointer, with its own state so mouse moves re-render only this. */
function RubberBand({ from, to }: { from: LatLng; to: LatLng | null }) {
  const [cursor, setCursor] = useState<LatLng | null>(null);
  useMapEvents({
    mousemove: (e: LeafletMouseEvent) => setCursor(e.latlng),
    mouseout: () => setCursor(null),
  });
  if (!cursor) return null;
  const line = to ? [tuple(from), tuple(cursor), tuple(to)] : [tuple(from), tuple(cursor)];
  return <Polyline positions={line} pathOptions={RUBBER_BAND} interactive={false} />;
}

/**
 * A zone being drawn: its points so far, a preview of the area, and a rubber band to the pointer.
 * Clicking the first point (once there are three) asks to close the zone.
 */
export function ZoneDrawLayer({ vertices, onCloseRequest }: { vertices: LatLng[]; onCloseRequest(): void }) {
  const closable = vertices.length >= 3;
  const first = vertices[0];
  const last = vertices[vertices.length - 1];
  return (
    <>
      {closable ? <Polygon positions={vertices.map(tuple)} pathOptions={DRAFT_FILL} interactive={false} /> : null}
      {vertices.length >= 2 ? <Polyline positions={vertices.map(tuple)} pathOptions={DRAFT_LINE} interactive={false} /> : null}
      {last ? <RubberBand from={last} to={vertices.length >= 2 && first ? first : null} /> : null}
      {vertices.map((v, i) => (
        <Marker
          key={i}
          position={tuple(v)}
          icon={vertexIcon(i, { kind: 'draw', closable: i === 0 && closable })}
          keyboard={false}
          title={i === 0 && closable ? 'Click to finish the zone' : undefined}
          zIndexOffset={i === 0 ? 1000 : 0}
          eventHandlers={{ click: () => i === 0 && closable && onCloseRequest() }}
        />
      ))}
    </>
  );
}

type ZoneDrag = { kind: 'vertex' | 'midpoint'; index: number; pointer: LatLng };

/** The outer ring with one vertex moved (vertex drag) or one inserted after `index` (midpoint drag). */
function applyDrag(vertices: LatLng[], drag: ZoneDrag): LatLng[] {
  if (drag.kind === 'vertex') return vertices.map((v, i) => (i === drag.index ? drag.pointer : v));
  return [...vertices.slice(0, drag.index + 1), drag.pointer, ...vertices.slice(drag.index + 1)];
}

type ZoneEditLayerProps = {
  zone: GeoPolygon;
  selectedIndex: number | null;
  onSelectVertex(index: number | null): void;
  /** The outer ring's new vertices after a drag or an insertion. */
  onChange(vertices: LatLng[]): void;
  onDeleteVertex(index: number): void;
};

/**
 * The zone with a handle on each vertex (drag to move; click to select, then Delete; right-click
 * deletes at once) and a smaller one midway along each edge (drag or click to add a vertex).
 * Holes, if a zone has any, are kept as they are: the editor shapes the outer boundary only.
 */
export function ZoneEditLayer({ zone, selectedIndex, onSelectVertex, onChange, onDeleteVertex }: ZoneEditLayerProps) {
  const [drag, setDrag] = useState<ZoneDrag | null>(null);
  const vertices = useMemo(() => polygonVertices(zone), [zone]);
  const holes = useMemo(() => polygonToLatLngs(zone).slice(1), [zone]);
  // Markers are keyed to the committed vertices: a marker must survive its own drag, even the
  // midpoint one whose drag adds a vertex to the outline.
  const moved = drag?.kind === 'vertex' ? applyDrag(vertices, drag) : vertices;
  const outline = drag ? applyDrag(vertices, drag) : vertices;
  const midpoints = moved.map((v, i) => {
    if (drag?.kind === 'midpoint' && drag.index === i) return drag.pointer;
    const w = moved[(i + 1) % moved.length]!;
    return { lat: (v.lat + w.lat) / 2, lng: (v.lng + w.lng) / 2 };
  });

  const at = (e: LeafletEvent) => {
    const p = (e.target as LeafletMarker).getLatLng();
    return { lat: p.lat, lng: p.lng };
  };
  const handlers = (kind: ZoneDrag['kind'], index: number) => ({
    drag: (e: LeafletEvent) => setDrag({ kind, index, pointer: at(e) }),
    dragend: (e: LeafletEvent) => {
      setDrag(null);
      onChange(applyDrag(vertices, { kind, index, pointer: at(e) }));
    },
  });

  return (
    <>
      <Polygon positions={[outline.map(tuple), ...holes]} pathOptions={ZONE} className="sl-zone" interactive={false} />
      {midpoints.map((m, i) => (
        <Marker
          key={`m${i}-${vertices.length}`}
          position={tuple(m)}
          icon={midpointIcon(i)}
          draggable
          keyboard={false}
          title="Drag or click to add a point here"
          eventHandlers={{ ...handlers('midpoint', i), click: () => onChange(applyDrag(vertices, { kind: 'midpoint', index: i, pointer: m })) }}
        />
      ))}
      {moved.map((v, i) => (
        <Marker
          key={`v${i}-${vertices.length}`}
          position={tuple(v)}
          icon={vertexIcon(i, { kind: 'edit', selected: i === selectedIndex })}
          draggable
          keyboard={false}
          title="Drag to move; click to select, then press Delete; right-click to delete"
          zIndexOffset={1000}
          eventHandlers={{
            ...handlers('vertex', i),
            click: () => onSelectVertex(i === selectedIndex ? null : i),
            contextmenu: () => onDeleteVertex(i),
          }}
        />
      ))}
    </>
  );
}
