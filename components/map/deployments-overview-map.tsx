'use client';

import { useEffect, useMemo, useRef } from 'react';
import { CircleMarker, Marker, Polygon, useMap } from 'react-leaflet';
import type { PathOptions, Polygon as LeafletPolygon } from 'leaflet';
import { polygonCentroid, polygonToLatLngs, viewConePolygon, type CameraPlacement, type GeoPolygon, type LatLngTuple } from '@/lib/geo/geometry';
import { BaseMap, type TileLayerSpec } from './base-map';
import { deploymentPinIcon } from './icons';
import { activateWithKeyboard, FitToBounds, LabelDeclutter } from './map-helpers';
import { StatusLegend } from './status-legend';
import { MAP_STATUSES, statusStyle, type StatusStyle } from './status-styles';

export type OverviewDeployment = {
  id: string;
  name: string;
  status: string;
  zone: GeoPolygon | null;
  cameras: CameraPlacement[];
};

export type DeploymentsOverviewMapProps = {
  deployments: OverviewDeployment[];
  selectedId?: string | null;
  onSelect?(id: string): void;
  tileLayer?: TileLayerSpec | null;
  height?: number | string;
  label?: string;
  /** The status key over the map (default true); turn it off when the page shows StatusLegend itself. */
  legend?: boolean;
};

const SMALL_CONE: PathOptions = { color: '#cfe7ff', weight: 0.75, opacity: 0.8, fillColor: '#cfe7ff', fillOpacity: 0.18, interactive: false };
const CAMERA_DOT: PathOptions = { color: '#0b0f14', weight: 1, fillColor: '#e6edf3', fillOpacity: 1, interactive: false };

function zoneStyle(s: StatusStyle, selected: boolean): PathOptions {
  const base = s.phase === 'active' ? 3 : 2;
  return {
    // Complete, dashArray included even when undefined: Leaflet's setStyle merges into the old style.
    color: s.colour,
    opacity: 1,
    weight: selected ? base + 1.5 : base,
    dashArray: s.dashArray ?? undefined,
    fillColor: s.colour,
    fillOpacity: s.phase === 'active' ? 0.16 : s.phase === 'planned' ? 0.08 : 0.04,
    className: 'sl-overview-zone',
  };
}

/** Where the pin and label go: the zone's centre, else the cameras' mean position. */
function anchorOf(d: OverviewDeployment): LatLngTuple | null {
  if (d.zone) {
    const c = polygonCentroid(d.zone);
    return [c.lat, c.lng];
  }
  if (d.cameras.length === 0) return null;
  const n = d.cameras.length;
  return [d.cameras.reduce((s, c) => s + c.lat, 0) / n, d.cameras.reduce((s, c) => s + c.lng, 0) / n];
}

function DeploymentShape({ deployment, selected, onSelect }: { deployment: OverviewDeployment; selected: boolean; onSelect?(id: string): void }) {
  const s = statusStyle(deployment.status);
  const positions = useMemo(() => (deployment.zone ? polygonToLatLngs(deployment.zone) : null), [deployment.zone]);
  const cones = useMemo(
    () => deployment.cameras.map((c) => ({ id: c.id, cone: viewConePolygon(c, 8), at: [c.lat, c.lng] as LatLngTuple })),
    [deployment.cameras],
  );
  const anchor = useMemo(() => anchorOf(deployment), [deployment]);
  const icon = useMemo(
    () =>
      deploymentPinIcon({
        id: deployment.id,
        name: deployment.name,
        statusLabel: s.label,
        colour: s.colour,
        phase: s.phase,
        selected,
        priority: selected ? 3 : rank(deployment.status),
      }),
    [deployment.id, deployment.name, deployment.status, s.label, s.colour, s.phase, selected],
  );
  const zonePath = useRef<LeafletPolygon>(null);
  useEffect(() => {
    const el = zonePath.current?.getElement();
    el?.setAttribute('data-testid', 'overview-zone');
    el?.setAttribute('data-deployment-id', deployment.id);
    el?.setAttribute('data-status', deployment.status);
  });
  const map = useMap();
  const latestAnchor = useRef(anchor);
  useEffect(() => {
    latestAnchor.current = anchor;
  });
  useEffect(() => {
    if (!selected) return;
    // Leaflet paints in the order layers were added; lift the selected zone above its neighbours.
    zonePath.current?.bringToFront();
    // Chosen in the list beside the map but out of view: bring it into view, keeping the zoom.
    // Only a change of selection moves the map; refreshed data (a new anchor object) must not.
    const at = latestAnchor.current;
    if (at && !map.getBounds().contains(at)) map.panTo(at);
  }, [map, selected]);

  const select = () => onSelect?.(deployment.id);
  return (
    <>
      {positions && selected ? (
        // A soft halo under the selected zone: selection shows by width and glow, not by colour.
        <Polygon positions={positions} pathOptions={{ color: s.colour, weight: 10, opacity: 0.25, fill: false, interactive: false }} />
      ) : null}
      {positions ? <Polygon ref={zonePath} positions={positions} pathOptions={zoneStyle(s, selected)} eventHandlers={{ click: select }} /> : null}
      {cones.map((c) => (
        <Polygon key={c.id} positions={c.cone} pathOptions={SMALL_CONE} />
      ))}
      {cones.map((c) => (
        <CircleMarker key={`${c.id}-dot`} center={c.at} radius={2.5} pathOptions={CAMERA_DOT} />
      ))}
      {anchor ? (
        <Marker
          position={anchor}
          icon={icon}
          riseOnHover
          zIndexOffset={selected ? 1000 : s.phase === 'active' ? 500 : 0}
          eventHandlers={{ click: select, keydown: activateWithKeyboard(select) }}
        />
      ) : null}
    </>
  );
}

/**
 * Every deployment on one map: zones coloured and patterned by status (see status-styles.ts),
 * each with a pin labelled with its name and status in words, and its cameras' small view cones.
 * The view fits what is shown whenever the set of deployments changes. Pins are focusable
 * buttons (Tab, Enter) so selection also works from the keyboard, though the list beside the
 * map remains the main keyboard path.
 */
export function DeploymentsOverviewMap({
  deployments,
  selectedId = null,
  onSelect,
  tileLayer,
  height = 520,
  label = 'Map of deployments',
  legend = true,
}: DeploymentsOverviewMapProps) {
  const shown = deployments.filter((d) => d.zone || d.cameras.length > 0);
  const points = shown.flatMap((d) => [...(d.zone ? (polygonToLatLngs(d.zone)[0] ?? []) : []), ...d.cameras.map((c): LatLngTuple => [c.lat, c.lng])]);
  // Refit only when the set of deployments changes, not when one is selected or updated.
  const fitKey = shown
    .map((d) => d.id)
    .sort()
    .join(',');
  const present = MAP_STATUSES.filter((status) => shown.some((d) => d.status === status));
  // Live and suspended on top: they matter most right now.
  const ordered = [...shown].sort((a, b) => rank(a.status) - rank(b.status) || Number(a.id === selectedId) - Number(b.id === selectedId));

  return (
    <BaseMap
      tileLayer={tileLayer}
      height={height}
      label={label}
      testId="overview-map"
      overlay={
        <>
          {legend && present.length > 0 ? <StatusLegend statuses={present} className="sl-map__legend" /> : null}
          {shown.length === 0 ? (
            <p className="sl-map__notice" role="status">
              No deployment has a zone or cameras to show yet.
            </p>
          ) : null}
        </>
      }
    >
      {/* Labels extend right of their pins, and the legend sits top right: keep room for both. */}
      <FitToBounds points={points} fitKey={fitKey} maxZoom={17} singlePointZoom={16} paddingBottomRight={[legend ? 190 : 170, 40]} />
      {ordered.map((d) => (
        <DeploymentShape key={d.id} deployment={d} selected={d.id === selectedId} onSelect={onSelect} />
      ))}
      {/* Zoomed out, labels of nearby deployments collide: the more important one keeps its label. */}
      <LabelDeclutter
        item=".sl-pin"
        label=".sl-pin__label"
        obstacle=".sl-pin__dot"
        version={`${fitKey}|${selectedId ?? ''}|${shown.map((d) => d.status).join(',')}`}
      />
    </BaseMap>
  );
}

/** Paint order: closed first (bottom), then planned, then active (top). */
function rank(status: string): number {
  const phase = statusStyle(status).phase;
  return phase === 'closed' ? 0 : phase === 'planned' ? 1 : 2;
}
