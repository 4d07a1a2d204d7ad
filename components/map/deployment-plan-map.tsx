'use client';

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useMap, useMapEvents } from 'react-leaflet';
import type { LeafletMouseEvent, Map as LeafletMap } from 'leaflet';
import type { GazetteerEntry } from '@/lib/geo/gazetteer';
import {
  isInsideZone,
  latLngsToPolygon,
  polygonToLatLngs,
  polygonVertices,
  ringSelfIntersects,
  type CameraLimits,
  type CameraPlacement,
  type GeoPolygon,
  type LatLng,
  type LatLngTuple,
} from '@/lib/geo/geometry';
import { BaseMap, type TileLayerSpec } from './base-map';
import { CameraFigure } from './camera-figure';
import { FitToBounds } from './map-helpers';
import { actionForKey, type PlanAction, type PlanMode } from './plan-modes';
import { PlanToolbar } from './plan-toolbar';
import { PLACES_ATTRIBUTION, PlaceSearch } from './place-search';
import { ZoneCoordinates } from './zone-coordinates';
import { ZoneDrawLayer, ZoneEditLayer, ZoneShape } from './zone-layers';
import { plural } from '@/lib/format/plural';

export type DeploymentPlanMapProps = {
  zone: GeoPolygon | null;
  cameras: CameraPlacement[];
  /** false: the same picture without tools, handles or dragging (a submitted or authorised plan). */
  editable: boolean;
  /** Controlled selection; leave undefined to let the map keep its own. */
  selectedCameraId?: string | null;
  /** A finished, edited or deleted (null) zone. Called once per gesture, never mid-drag. */
  onZoneChange?(zone: GeoPolygon | null): void;
  /** A click inside the zone in "Place camera" mode; the page creates the camera (see CAMERA_DEFAULTS). */
  onCameraAdd?(at: { lat: number; lng: number }): void;
  /** A moved, re-aimed or widened camera, once per drag (when the pointer is released). */
  onCameraChange?(camera: CameraPlacement): void;
  onCameraSelect?(id: string | null): void;
  tileLayer?: TileLayerSpec | null;
  /** Bounds for field of view and range while dragging (default CAMERA_LIMITS). */
  limits?: CameraLimits;
  height?: number | string;
  /** Accessible name of the map region. */
  label?: string;
};

type Hint = { text: string; tone: 'info' | 'warn' };

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const HINT_MS = 5000;

/** Map-level clicks, routed by mode. A child of the map because react-leaflet hooks need its context. */
function MapClicks({ onClick }: { onClick(at: LatLng): void }) {
  useMapEvents({ click: (e: LeafletMouseEvent) => onClick({ lat: round6(e.latlng.lat), lng: round6(e.latlng.lng) }) });
  return null;
}

/** Hands the page the Leaflet map (to centre it on a place found) and credits the gazetteer. */
function MapHandle({ onMap }: { onMap(map: LeafletMap | null): void }) {
  const map = useMap();
  useEffect(() => {
    onMap(map);
    map.attributionControl?.addAttribution(PLACES_ATTRIBUTION);
    return () => {
      map.attributionControl?.removeAttribution(PLACES_ATTRIBUTION);
      onMap(null);
    };
  }, [map, onMap]);
  return null;
}

/** Keys that mean the same wherever focus is on the page (not Enter, Backspace or Esc: those belong to what has focus). */
const PAGE_KEYS = new Set(['v', 'd', 'e', 'c', 'f']);

/** A key press that is typing, or aimed at a dialog or control with keys of its own, not a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof Element && Boolean(target.closest('input, textarea, select, [contenteditable="true"], dialog, [role="dialog"], [role="listbox"]'));
}

/** Quick clicks while drawing or placing must add points, not zoom in. */
function ModeEffects({ mode }: { mode: PlanMode }) {
  const map = useMap();
  useEffect(() => {
    if (mode === 'draw' || mode === 'place') map.doubleClickZoom.disable();
    else map.doubleClickZoom.enable();
  }, [map, mode]);
  return null;
}

/**
 * Where a deployment happens: its zone and its cameras with their fields of view, drawn and
 * edited on a map. Controlled: the page owns the zone and cameras and gets one callback per
 * finished gesture; the map keeps only the gesture in progress (points being drawn, a drag).
 *
 * Numbers are edited in the page's form (the keyboard path); this map is the pointer path,
 * with a keyboard-operable toolbar. The letter shortcuts work anywhere on the page; Enter,
 * Backspace and Esc with focus on the map or its toolbar; none while typing in a field (see
 * plan-modes.ts). Without street tiles, a place search (boroughs and places shipped with the app)
 * and a zone typed as coordinates give the planner something to go by.
 */
export function DeploymentPlanMap({
  zone,
  cameras,
  editable,
  selectedCameraId,
  onZoneChange,
  onCameraAdd,
  onCameraChange,
  onCameraSelect,
  tileLayer,
  limits,
  height = 520,
  label = 'Deployment plan map',
}: DeploymentPlanMapProps) {
  const [mode, setMode] = useState<PlanMode>('select');
  const [drawVertices, setDrawVertices] = useState<LatLng[]>([]);
  const [selectedVertex, setSelectedVertex] = useState<number | null>(null);
  const [hint, setHint] = useState<Hint | null>(null);
  const [readout, setReadout] = useState<string | null>(null);
  const [ownSelection, setOwnSelection] = useState<string | null>(null);
  const [fitRequests, setFitRequests] = useState(0);
  const hintTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const userDrew = useRef(false);
  const leaflet = useRef<LeafletMap | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const setLeaflet = useCallback((map: LeafletMap | null) => {
    leaflet.current = map;
  }, []);

  const selectedId = selectedCameraId !== undefined ? selectedCameraId : ownSelection;
  const zoneVertexCount = zone ? polygonVertices(zone).length : 0;
  const activeMode: PlanMode = editable ? mode : 'select';

  const showHint = useCallback((text: string, tone: Hint['tone'] = 'info') => {
    clearTimeout(hintTimer.current);
    setHint({ text, tone });
    hintTimer.current = setTimeout(() => setHint(null), HINT_MS);
  }, []);
  useEffect(() => () => clearTimeout(hintTimer.current), []);

  // A plan that stops being editable (submitted while open) drops whatever was in progress.
  useEffect(() => {
    if (!editable) {
      setMode('select');
      setDrawVertices([]);
      setSelectedVertex(null);
    }
  }, [editable]);

  // The page may take the zone away (undo, reload) while it is being edited or filled.
  useEffect(() => {
    if (!zone && (mode === 'edit' || mode === 'place')) setMode('select');
  }, [zone, mode]);

  const select = useCallback(
    (id: string | null) => {
      setOwnSelection(id);
      onCameraSelect?.(id);
    },
    [onCameraSelect],
  );

  const available: Record<PlanMode, boolean> = { select: true, draw: Boolean(onZoneChange), edit: Boolean(onZoneChange), place: Boolean(onCameraAdd) };
  const blocked: Partial<Record<PlanMode, string>> = zone ? {} : { edit: 'Draw a zone first', place: 'Draw a zone first: cameras go inside it' };

  function enterMode(next: PlanMode) {
    if (!available[next]) return;
    const reason = blocked[next];
    if (reason) return showHint(`${reason}.`, 'warn');
    if (mode === 'draw' && next !== 'draw') setDrawVertices([]);
    setSelectedVertex(null);
    setHint(null);
    setMode(next);
  }

  function finishDrawing() {
    if (drawVertices.length < 3) return showHint('A zone needs at least 3 points.', 'warn');
    const polygon = latLngsToPolygon(drawVertices);
    if (ringSelfIntersects(polygon.coordinates[0]!))
      return showHint('The zone’s edges cross. Remove points with Backspace, or press Esc to start again.', 'warn');
    userDrew.current = true;
    onZoneChange?.(polygon);
    setDrawVertices([]);
    setMode('select');
    // Drawn, not saved: the page keeps it until the plan is saved.
    showHint(cameras.length ? 'Zone drawn. Save the plan to keep it.' : 'Zone drawn. Save the plan to keep it. Next: place cameras inside it (C).');
  }

  function zoneFromNumbers(polygon: GeoPolygon, how: string) {
    onZoneChange?.(polygon);
    setDrawVertices([]);
    setMode('select');
    setFitRequests((n) => n + 1);
    showHint(`Zone drawn ${how}. Save the plan to keep it.`);
  }

  function goToPlace(entry: GazetteerEntry) {
    leaflet.current?.setView([entry.lat, entry.lng], entry.kind === 'borough' ? 14 : 16);
    showHint(`Centred on ${entry.kind === 'borough' ? `the borough of ${entry.name}` : `${entry.name}, ${entry.borough ?? 'London'}`}.`);
  }

  /** Replaces the outer ring, refusing a shape whose edges cross (it would have no clear inside). */
  function changeZoneVertices(vertices: LatLng[]) {
    if (!zone || !onZoneChange) return;
    const outer = latLngsToPolygon(vertices.map((v) => ({ lat: round6(v.lat), lng: round6(v.lng) }))).coordinates[0]!;
    if (ringSelfIntersects(outer)) return showHint('That would make the zone’s edges cross, so the point went back.', 'warn');
    setSelectedVertex(null);
    onZoneChange({ type: 'Polygon', coordinates: [outer, ...zone.coordinates.slice(1)] });
  }

  function deleteVertex(index: number | null) {
    if (!zone || index === null) return;
    const vertices = polygonVertices(zone);
    if (vertices.length <= 3) return showHint('A zone keeps at least 3 points. To remove it, use Delete zone.', 'warn');
    changeZoneVertices(vertices.filter((_, i) => i !== index));
  }

  function run(action: PlanAction) {
    switch (action.type) {
      case 'mode':
        return enterMode(action.mode);
      case 'finish':
        return finishDrawing();
      case 'undo':
        return setDrawVertices((v) => v.slice(0, -1));
      case 'delete-vertex':
        return deleteVertex(selectedVertex);
      case 'clear-zone':
        onZoneChange?.(null);
        setMode('select');
        return showHint('Zone deleted. Cameras are kept; draw a new zone around them (D).');
      case 'fit':
        return setFitRequests((n) => n + 1);
      case 'cancel':
        if (mode === 'draw') {
          setDrawVertices([]);
          setMode('select');
          return showHint('Drawing cancelled.');
        }
        if (mode === 'edit' && selectedVertex !== null) return setSelectedVertex(null);
        if (mode !== 'select') return enterMode('select');
        if (selectedId) return select(null);
    }
  }

  function onMapClick(at: LatLng) {
    switch (activeMode) {
      case 'draw':
        setDrawVertices((v) => [...v, at]);
        return;
      case 'place':
        if (isInsideZone(at, zone)) {
          onCameraAdd?.(at);
          return showHint('Camera placed. Aim it with its handles in Select (V), or place another.');
        }
        return showHint('That is outside the zone: cameras go inside its outline.', 'warn');
      case 'edit':
        return setSelectedVertex(null);
      case 'select':
        if (selectedId) select(null);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (!editable || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement;
    // Typing in a field is typing, not a shortcut; Enter and Space on a button press the button.
    if (isTyping(target)) return;
    if ((e.key === 'Enter' || e.key === ' ') && target.closest('button')) return;
    const action = actionForKey(e.key, mode);
    if (!action) return;
    e.preventDefault();
    run(action);
  }

  // The letter shortcuts work anywhere on the page, not only with focus on the map, as the hints
  // promise — except while typing, or in a dialog. The map's own handler (above) runs first for
  // keys pressed inside it.
  const runRef = useRef(run);
  useEffect(() => {
    runRef.current = run;
  });
  useEffect(() => {
    if (!editable) return;
    const onPageKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      if (!PAGE_KEYS.has(e.key.toLowerCase()) || isTyping(e.target) || wrapper.current?.contains(e.target as Node)) return;
      const action = actionForKey(e.key, 'select');
      if (!action) return;
      e.preventDefault();
      runRef.current(action);
    };
    document.addEventListener('keydown', onPageKey);
    return () => document.removeEventListener('keydown', onPageKey);
  }, [editable]);

  const outside = zone ? cameras.filter((c) => !isInsideZone(c, zone)).length : 0;
  const instructions = modeInstructions(activeMode, { zone: Boolean(zone), points: drawVertices.length, cameras: cameras.length, outside });

  // Fit once when there is first something to show (also when the page's data arrives after the
  // map), and whenever asked (F); never because the planner drew it: they are looking at it.
  const fitPoints = useMemo<LatLngTuple[]>(
    () => [...(zone ? (polygonToLatLngs(zone)[0] ?? []) : []), ...cameras.map((c): LatLngTuple => [c.lat, c.lng])],
    [zone, cameras],
  );
  const [contentShown, setContentShown] = useState(fitPoints.length > 0);
  useEffect(() => {
    if (!contentShown && fitPoints.length > 0 && !userDrew.current) setContentShown(true);
  }, [contentShown, fitPoints.length]);
  const fitKey = `${contentShown ? 'content' : 'empty'}:${fitRequests}`;

  return (
    <div ref={wrapper} className="sl-plan" data-testid="plan-map" data-mode={activeMode} data-editable={editable} onKeyDown={onKeyDown}>
      {editable ? (
        <PlanToolbar
          mode={mode}
          available={available}
          blocked={blocked}
          drawPoints={drawVertices.length}
          canFit={fitPoints.length > 0}
          canDeleteVertex={selectedVertex !== null && zoneVertexCount > 3}
          onAction={run}
        />
      ) : null}
      <div className="sl-plan__find">
        <PlaceSearch onChoose={goToPlace} />
        {editable && onZoneChange ? <ZoneCoordinates onZone={zoneFromNumbers} /> : null}
      </div>
      <BaseMap
        tileLayer={tileLayer}
        height={height}
        label={label}
        zoom={fitPoints.length ? 16 : 13}
        testId="plan-map-canvas"
        boroughTooltips={activeMode === 'select'}
        overlay={
          editable ? (
            <div className="sl-plan__status">
              <p
                role="status"
                className={`sl-plan__hint${hint?.tone === 'warn' ? ' is-warn' : ''}`}
                data-testid="plan-map-status"
                data-tone={hint?.tone ?? 'info'}
              >
                {hint?.text ?? instructions}
              </p>
              {readout ? (
                <p className="sl-plan__readout mono" data-testid="plan-map-readout">
                  {readout}
                </p>
              ) : null}
            </div>
          ) : null
        }
      >
        <MapHandle onMap={setLeaflet} />
        <FitToBounds points={fitPoints} fitKey={fitKey} />
        <ModeEffects mode={activeMode} />
        <MapClicks onClick={onMapClick} />
        {zone && activeMode !== 'edit' ? <ZoneShape zone={zone} superseded={activeMode === 'draw'} /> : null}
        {zone && activeMode === 'edit' ? (
          <ZoneEditLayer
            zone={zone}
            selectedIndex={selectedVertex}
            onSelectVertex={setSelectedVertex}
            onChange={changeZoneVertices}
            onDeleteVertex={deleteVertex}
          />
        ) : null}
        {cameras.map((camera) => (
          <CameraFigure
            key={camera.id}
            camera={camera}
            zone={zone}
            selected={camera.id === selectedId}
            editing={editable && activeMode === 'select' && Boolean(onCameraChange)}
            limits={limits}
            onSelect={select}
            onChange={onCameraChange}
            onReadout={setReadout}
          />
        ))}
        {activeMode === 'draw' ? <ZoneDrawLayer vertices={drawVertices} onCloseRequest={finishDrawing} /> : null}
      </BaseMap>
    </div>
  );
}

function modeInstructions(mode: PlanMode, s: { zone: boolean; points: number; cameras: number; outside: number }): string {
  switch (mode) {
    case 'draw':
      if (s.points === 0) return `Click on the map to add the zone’s first point.${s.zone ? ' Finishing replaces the current zone.' : ''}`;
      if (s.points < 3) return `${plural(s.points, 'point')}: keep clicking (a zone needs at least 3). Backspace removes the last; Esc cancels.`;
      return `${plural(s.points, 'point')}. Click the first point or press Enter to finish; Backspace removes the last; Esc cancels.`;
    case 'edit':
      return 'Drag points to move them, midpoints to add one. To remove a point: select it, then Delete (or right-click it).';
    case 'place':
      return 'Click inside the zone to place a camera. Esc when done.';
    case 'select':
      if (!s.zone) return 'Start by drawing the deployment zone: Draw zone (D).';
      if (s.cameras === 0) return 'Place cameras inside the zone: Place camera (C).';
      if (s.outside > 0)
        return `${s.outside === 1 ? '1 camera is' : `${s.outside} cameras are`} outside the zone (amber, dashed, marked !): drag ${s.outside === 1 ? 'it' : 'them'} inside or edit the zone.`;
      return 'Select a camera to aim it: drag the round handle to turn it and set its range, the diamond to set its field of view.';
  }
}
