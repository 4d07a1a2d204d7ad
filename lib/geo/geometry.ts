/**
 * Geometry for deployment planning: camera view cones, zone polygons, bearings and distances.
 *
 * Pure functions, no Leaflet and no DOM, so the server (schema checks: "is every camera inside
 * its zone?"), the map components and the tests share one implementation.
 *
 * Coordinate orders — the classic source of bugs here, so every signature says which it takes:
 * - GeoJSON positions are `[lng, lat]` (`GeoPolygon`, `pointInPolygon`).
 * - Leaflet takes `[lat, lng]` (`LatLngTuple`, returned by `viewConePolygon` and `polygonToLatLngs`).
 * - Everything else uses `{ lat, lng }` objects, which cannot be swapped by accident.
 *
 * Distances use a spherical Earth (mean radius). Over the few hundred metres of a deployment the
 * error against the ellipsoid is well under a metre, far below camera placement accuracy.
 * Area-based calculations (centroid, point in polygon) treat lng/lat as a plane, which is fine
 * for zones of a city block; do not use them for polygons spanning hundreds of kilometres.
 */

export type LatLng = { lat: number; lng: number };
/** Leaflet order. */
export type LatLngTuple = [lat: number, lng: number];
/** GeoJSON order. */
export type Position = [lng: number, lat: number];

/** A GeoJSON Polygon: the first ring is the outer boundary, any further rings are holes. */
export type GeoPolygon = { type: 'Polygon'; coordinates: Position[][] };

/** A camera on the plan. heading: degrees clockwise from north; fov: degrees; rangeM: metres. */
export type CameraPlacement = {
  id: string;
  name: string;
  lat: number;
  lng: number;
  heading: number;
  fov: number;
  rangeM: number;
};

export type ViewCone = Pick<CameraPlacement, 'lat' | 'lng' | 'heading' | 'fov' | 'rangeM'>;

/**
 * Bounds the map editor keeps a camera within while it is dragged. The deployment schema should
 * agree with these (or pass its own to `clampCamera`): a face-recognition camera is useful over
 * tens of metres, never kilometres.
 */
export const CAMERA_LIMITS = { minFov: 5, maxFov: 180, minRangeM: 2, maxRangeM: 300 } as const;
export type CameraLimits = { minFov: number; maxFov: number; minRangeM: number; maxRangeM: number };

/** A sensible start for a newly placed camera: facing north, a typical lens, a useful face range. */
export const CAMERA_DEFAULTS = { heading: 0, fov: 60, rangeM: 25 } as const;

const EARTH_RADIUS_M = 6_371_008.8;
const toRad = (deg: number) => (deg * Math.PI) / 180;
const toDeg = (rad: number) => (rad * 180) / Math.PI;

/** Any angle in degrees to the range [0, 360). Non-finite input stays non-finite. */
export function normaliseHeading(deg: number): number {
  const n = ((deg % 360) + 360) % 360;
  return n === 0 ? 0 : n; // no -0
}

/** Signed smallest turn from `from` to `to`, in degrees, in (-180, 180]. */
export function angleDifference(from: number, to: number): number {
  const d = normaliseHeading(to - from);
  return d > 180 ? d - 360 : d;
}

/**
 * The point reached from (lat, lng) travelling `distanceM` metres on an initial bearing.
 * Formulae (and their Greek names) as in Chris Veness, "Calculate distance, bearing and more
 * between latitude/longitude points" (movable-type.co.uk).
 */
export function destinationPoint(lat: number, lng: number, bearingDeg: number, distanceM: number): LatLng {
  const δ = distanceM / EARTH_RADIUS_M;
  const θ = toRad(bearingDeg);
  const φ1 = toRad(lat);
  const λ1 = toRad(lng);
  const sinφ2 = Math.sin(φ1) * Math.cos(δ) + Math.cos(φ1) * Math.sin(δ) * Math.cos(θ);
  const φ2 = Math.asin(Math.min(1, Math.max(-1, sinφ2)));
  const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(δ) * Math.cos(φ1), Math.cos(δ) - Math.sin(φ1) * sinφ2);
  // Wrap longitude to [-180, 180).
  return { lat: toDeg(φ2), lng: ((toDeg(λ2) + 540) % 360) - 180 };
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). 0 when a equals b. */
export function bearingBetween(a: LatLng, b: LatLng): number {
  const φ1 = toRad(a.lat);
  const φ2 = toRad(b.lat);
  const Δλ = toRad(b.lng - a.lng);
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return normaliseHeading(toDeg(Math.atan2(y, x)));
}

/** Great-circle distance in metres (haversine). */
export function distanceBetween(a: LatLng, b: LatLng): number {
  const Δφ = toRad(b.lat - a.lat);
  const Δλ = toRad(b.lng - a.lng);
  const h = Math.sin(Δφ / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(Δλ / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A camera's field of view as a circular sector, in Leaflet order `[lat, lng]`: the camera
 * position first, then `steps + 1` points along the arc from heading − fov/2 to heading + fov/2.
 * The ring is left open (Leaflet closes polygons itself; use `latLngsToPolygon` for GeoJSON).
 * A field of view of 360° or more gives a full circle without the apex.
 */
export function viewConePolygon(cone: ViewCone, steps = 24): LatLngTuple[] {
  const n = Math.max(1, Math.round(steps));
  const fov = Math.min(360, Math.max(0, cone.fov));
  const arc: LatLngTuple[] = [];
  if (fov >= 360) {
    for (let i = 0; i < n; i++) {
      const p = destinationPoint(cone.lat, cone.lng, (360 * i) / n, cone.rangeM);
      arc.push([p.lat, p.lng]);
    }
    return arc;
  }
  const start = cone.heading - fov / 2;
  for (let i = 0; i <= n; i++) {
    const p = destinationPoint(cone.lat, cone.lng, start + (fov * i) / n, cone.rangeM);
    arc.push([p.lat, p.lng]);
  }
  return [[cone.lat, cone.lng], ...arc];
}

/** The point at the centre of the cone's far edge: where the heading/range handle sits. */
export function coneTip(cone: ViewCone): LatLng {
  return destinationPoint(cone.lat, cone.lng, cone.heading, cone.rangeM);
}

/** The clockwise corner of the cone's far edge (heading + fov/2): where the field-of-view handle sits. */
export function coneEdge(cone: ViewCone): LatLng {
  return destinationPoint(cone.lat, cone.lng, cone.heading + cone.fov / 2, cone.rangeM);
}

/** Keeps heading in [0, 360) and fov/range within `limits`. Position and identity unchanged. */
export function clampCamera<T extends ViewCone>(camera: T, limits: CameraLimits = CAMERA_LIMITS): T {
  return {
    ...camera,
    heading: normaliseHeading(camera.heading),
    fov: Math.min(limits.maxFov, Math.max(limits.minFov, camera.fov)),
    rangeM: Math.min(limits.maxRangeM, Math.max(limits.minRangeM, camera.rangeM)),
  };
}

/**
 * The camera turned to look at `target`, with its range reaching it (the cone-tip handle).
 * Clamped to `limits`; position and field of view unchanged.
 */
export function aimCamera<T extends ViewCone>(camera: T, target: LatLng, limits: CameraLimits = CAMERA_LIMITS): T {
  return clampCamera({ ...camera, heading: bearingBetween(camera, target), rangeM: distanceBetween(camera, target) }, limits);
}

/**
 * The camera with a field of view just wide enough to take in the direction of `target`
 * (the cone-corner handle): twice the angle between its heading and the target. Clamped.
 */
export function widenCamera<T extends ViewCone>(camera: T, target: LatLng, limits: CameraLimits = CAMERA_LIMITS): T {
  return clampCamera({ ...camera, fov: 2 * Math.abs(angleDifference(camera.heading, bearingBetween(camera, target))) }, limits);
}

function pointInRing(lng: number, lat: number, ring: Position[]): boolean {
  // Ray casting towards +lng; works for closed or open rings (the wrap-around edge is included).
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Whether a GeoJSON `[lng, lat]` point lies inside the polygon: inside the outer ring and in none
 * of its holes. Points exactly on an edge may fall either way (acceptable for camera placement,
 * where an edge is a line of zero width).
 */
export function pointInPolygon(point: Position, polygon: GeoPolygon): boolean {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || outer.length < 3) return false;
  const [lng, lat] = point;
  if (!pointInRing(lng, lat, outer)) return false;
  return !holes.some((hole) => hole.length >= 3 && pointInRing(lng, lat, hole));
}

/** Convenience: is this camera (or any `{ lat, lng }`) inside the zone? False without a zone. */
export function isInsideZone(at: LatLng, zone: GeoPolygon | null | undefined): boolean {
  return zone ? pointInPolygon([at.lng, at.lat], zone) : false;
}

function ringAreaAndCentroid(ring: Position[]): { area: number; lng: number; lat: number } {
  let twiceArea = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j]!;
    const [x1, y1] = ring[i]!;
    const cross = x0 * y1 - x1 * y0;
    twiceArea += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  const area = twiceArea / 2;
  return area === 0 ? { area: 0, lng: NaN, lat: NaN } : { area: Math.abs(area), lng: cx / (6 * area), lat: cy / (6 * area) };
}

/**
 * The area-weighted centroid (holes subtracted), e.g. to place a label. For a degenerate
 * polygon with no area, the mean of its distinct vertices. May lie outside a concave polygon.
 */
export function polygonCentroid(polygon: GeoPolygon): LatLng {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || outer.length === 0) throw new Error('polygonCentroid: the polygon has no outer ring');
  const o = ringAreaAndCentroid(outer);
  if (o.area === 0) {
    const pts = openRing(outer);
    return {
      lng: pts.reduce((s, p) => s + p[0], 0) / pts.length,
      lat: pts.reduce((s, p) => s + p[1], 0) / pts.length,
    };
  }
  let area = o.area;
  let lng = o.lng * o.area;
  let lat = o.lat * o.area;
  for (const hole of holes) {
    const h = ringAreaAndCentroid(hole);
    if (h.area === 0) continue;
    area -= h.area;
    lng -= h.lng * h.area;
    lat -= h.lat * h.area;
  }
  return area > 0 ? { lng: lng / area, lat: lat / area } : { lng: o.lng, lat: o.lat };
}

const samePosition = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

/** The ring without its closing position (GeoJSON repeats the first position at the end). */
export function openRing(ring: Position[]): Position[] {
  const first = ring[0];
  const last = ring[ring.length - 1];
  return ring.length > 1 && first && last && samePosition(first, last) ? ring.slice(0, -1) : ring.slice();
}

function isPosition(value: unknown): value is Position {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number' &&
    Number.isFinite(value[0]) &&
    Number.isFinite(value[1]) &&
    Math.abs(value[0]) <= 180 &&
    Math.abs(value[1]) <= 90
  );
}

function isValidRing(ring: unknown): ring is Position[] {
  if (!Array.isArray(ring) || ring.length < 4 || !ring.every(isPosition)) return false;
  if (!samePosition(ring[0]!, ring[ring.length - 1]!)) return false; // GeoJSON rings are closed
  const distinct = new Set(ring.map((p) => `${p[0]},${p[1]}`));
  if (distinct.size < 3) return false;
  return ringAreaAndCentroid(ring).area > 0; // three distinct but collinear points enclose nothing
}

/**
 * Basic structural validity of untrusted input (a form, a JSON body, a database column):
 * type 'Polygon'; every ring closed, with ≥ 3 distinct finite positions in range, enclosing a
 * non-zero area. Edges crossing each other are NOT checked here — see `ringSelfIntersects`.
 */
export function isValidPolygon(value: unknown): value is GeoPolygon {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; coordinates?: unknown };
  return v.type === 'Polygon' && Array.isArray(v.coordinates) && v.coordinates.length >= 1 && v.coordinates.every(isValidRing);
}

function segmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const orient = (p: Position, q: Position, r: Position) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0; // proper crossings only; touching is not a crossing
}

/**
 * Whether two non-adjacent edges of a ring cross (a "bow tie"). O(n²), meant for hand-drawn
 * zones of a few dozen vertices; the editor uses it to warn while a zone is drawn.
 */
export function ringSelfIntersects(ring: Position[]): boolean {
  const pts = openRing(ring);
  const n = pts.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue; // neighbours share a vertex
      if (segmentsCross(pts[i]!, pts[(i + 1) % n]!, pts[j]!, pts[(j + 1) % n]!)) return true;
    }
  }
  return false;
}

/** A closed GeoJSON polygon from Leaflet-order vertices (open or closed). */
export function latLngsToPolygon(vertices: readonly LatLng[]): GeoPolygon {
  const ring: Position[] = vertices.map((v) => [v.lng, v.lat]);
  const first = ring[0];
  if (first && !samePosition(first, ring[ring.length - 1]!)) ring.push([first[0], first[1]]);
  return { type: 'Polygon', coordinates: [ring] };
}

/** The outer ring's vertices as `{ lat, lng }`, without the closing repeat. */
export function polygonVertices(polygon: GeoPolygon): LatLng[] {
  return openRing(polygon.coordinates[0] ?? []).map(([lng, lat]) => ({ lat, lng }));
}

/** Every ring in Leaflet order (outer first, then holes), open, ready for L.polygon. */
export function polygonToLatLngs(polygon: GeoPolygon): LatLngTuple[][] {
  return polygon.coordinates.map((ring) => openRing(ring).map(([lng, lat]): LatLngTuple => [lat, lng]));
}
