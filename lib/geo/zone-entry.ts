import { destinationPoint, isValidPolygon, latLngsToPolygon, ringSelfIntersects, type GeoPolygon, type LatLng } from './geometry';

/**
 * A deployment zone typed as numbers, for planners without street tiles (or with a surveyed
 * outline): either its corners, one "latitude, longitude" pair a line, or a centre and radius,
 * which becomes a 24-sided circle. Pure; each refusal says what to correct, naming the line.
 */

export const ZONE_RADIUS_M = { min: 10, max: 2000 } as const;
const CIRCLE_SIDES = 24;
/** As the API allows (lib/deployments/schema.ts). */
const MAX_CORNERS = 500;

export type ZoneEntry = { ok: true; zone: GeoPolygon } | { ok: false; error: string };

/** "51.5154, -0.1419" (or spaces, or a semicolon) → { lat, lng }; a message when it is not one. */
function parsePair(text: string): LatLng | string {
  const parts = text
    .trim()
    .split(/[\s,;]+/)
    .filter(Boolean);
  if (parts.length !== 2) return 'write the latitude, then the longitude, e.g. 51.5154, -0.1419';
  const [lat, lng] = parts.map(Number) as [number, number];
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return 'both must be numbers in decimal degrees, e.g. 51.5154, -0.1419';
  if (Math.abs(lat) > 90) return `latitude ${lat} is not between −90 and 90 (latitude comes first)`;
  if (Math.abs(lng) > 180) return `longitude ${lng} is not between −180 and 180`;
  return { lat, lng };
}

/** The zone whose corners are the lines of `text`, in order. */
export function zoneFromCorners(text: string): ZoneEntry {
  const lines = text.split(/\r?\n/).flatMap((line, i) => (line.trim() ? [{ line, n: i + 1 }] : []));
  const corners: LatLng[] = [];
  for (const { line, n } of lines) {
    const pair = parsePair(line);
    if (typeof pair === 'string') return { ok: false, error: `Line ${n}: ${pair}.` };
    corners.push(pair);
  }
  // A closing line repeating the first corner is allowed, not needed.
  const last = corners.at(-1);
  if (corners.length > 3 && last && last.lat === corners[0]!.lat && last.lng === corners[0]!.lng) corners.pop();
  if (corners.length < 3)
    return { ok: false, error: `A zone needs at least 3 corners, one a line; ${corners.length === 1 ? '1 was' : `${corners.length} were`} given.` };
  if (corners.length > MAX_CORNERS) return { ok: false, error: `A zone may have at most ${MAX_CORNERS} corners.` };
  const zone = latLngsToPolygon(corners);
  if (ringSelfIntersects(zone.coordinates[0]!)) return { ok: false, error: 'The outline crosses itself: list the corners in order around the zone.' };
  if (!isValidPolygon(zone)) return { ok: false, error: 'The corners do not enclose an area: they lie on one line.' };

  return { ok: true, zone };
}

/** A circle of `radiusM` metres around `centre` ("latitude, longitude"). */
export function zoneFromCircle(centre: string, radiusM: number): ZoneEntry {
  const pair = parsePair(centre);
  if (typeof pair === 'string') return { ok: false, error: `Centre: ${pair}.` };
  if (!Number.isFinite(radiusM) || radiusM < ZONE_RADIUS_M.min || radiusM > ZONE_RADIUS_M.max) {
    return { ok: false, error: `Radius: give a number of metres between ${ZONE_RADIUS_M.min} and ${ZONE_RADIUS_M.max}.` };
  }
  const corners = Array.from({ length: CIRCLE_SIDES }, (_, i) => {
    const p = destinationPoint(pair.lat, pair.lng, (360 / CIRCLE_SIDES) * i, radiusM);
    return { lat: Math.round(p.lat * 1e6) / 1e6, lng: Math.round(p.lng * 1e6) / 1e6 };
  });
  return { ok: true, zone: latLngsToPolygon(corners) };
}
