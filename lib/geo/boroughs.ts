import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isValidPolygon, pointInPolygon, polygonCentroid, type GeoPolygon } from './geometry';

/**
 * Which London borough a deployment's zone lies in, for its record and the dashboard's filter:
 * the borough containing the zone's centroid, from the outlines the map already ships
 * (public/geo/london-boroughs.geojson, Natural Earth, public domain). Read once per process.
 */

type Borough = { name: string; polygon: GeoPolygon };

let boroughs: Borough[] | null = null;

function loadBoroughs(): Borough[] {
  if (boroughs) return boroughs;
  const file = path.join(process.cwd(), 'public', 'geo', 'london-boroughs.geojson');
  const collection = JSON.parse(readFileSync(file, 'utf8')) as { features: { properties: { name: string }; geometry: unknown }[] };
  boroughs = collection.features.flatMap((f) => (isValidPolygon(f.geometry) ? [{ name: f.properties.name, polygon: f.geometry }] : []));
  return boroughs;
}

/** The names of all boroughs, sorted (the dashboard's filter choices). */
export function boroughNames(): string[] {
  return loadBoroughs()
    .map((b) => b.name)
    .sort((a, b) => a.localeCompare(b, 'en-GB'));
}

/** The borough of a zone (GeoJSON polygon as stored, JSON text), or null: no zone, or outside London. */
export function boroughOfZone(zoneJson: string | null): string | null {
  if (!zoneJson) return null;
  let zone: unknown;
  try {
    zone = JSON.parse(zoneJson);
  } catch {
    return null;
  }
  if (!isValidPolygon(zone)) return null;
  const { lat, lng } = polygonCentroid(zone);
  return loadBoroughs().find((b) => pointInPolygon([lng, lat], b.polygon))?.name ?? null;
}
