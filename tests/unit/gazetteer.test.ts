import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isValidPolygon, pointInPolygon, polygonCentroid, polygonVertices, ringSelfIntersects, distanceBetween } from '@/lib/geo/geometry';
import { boroughNames } from '@/lib/geo/boroughs';
import { describeEntry, searchGazetteer, type GazetteerEntry } from '@/lib/geo/gazetteer';
import { zoneFromCircle, zoneFromCorners } from '@/lib/geo/zone-entry';

/** The gazetteer as the plan map builds it: the shipped boroughs and places. */
function shipped(): GazetteerEntry[] {
  const read = (file: string) => JSON.parse(readFileSync(path.join(process.cwd(), 'public', 'geo', file), 'utf8'));
  const boroughs = read('london-boroughs.geojson') as { features: { properties: { name: string }; geometry: unknown }[] };
  const places = read('london-places.json') as { attribution: string; places: { name: string; lat: number; lng: number; borough: string }[] };
  return [
    ...boroughs.features.flatMap((f): GazetteerEntry[] =>
      isValidPolygon(f.geometry) ? [{ name: f.properties.name, kind: 'borough', ...polygonCentroid(f.geometry) }] : [],
    ),
    ...places.places.map((p): GazetteerEntry => ({ ...p, kind: 'place' })),
  ];
}

describe('the place search', () => {
  const entries = shipped();

  it('knows all 33 boroughs and places inside them, with the licence’s attribution', () => {
    expect(entries.filter((e) => e.kind === 'borough')).toHaveLength(33);
    expect(boroughNames()).toHaveLength(33);
    const file = JSON.parse(readFileSync(path.join(process.cwd(), 'public', 'geo', 'london-places.json'), 'utf8')) as { attribution: string; licence: string };
    expect(file.attribution).toBe('Places: GeoNames (CC BY 4.0)');
    expect(file.licence).toMatch(/CC BY 4\.0/);
    expect(entries.filter((e) => e.kind === 'place').length).toBeGreaterThan(100);
  });

  it('answers "Camden" with the borough first, then the places whose name starts with it', () => {
    const found = searchGazetteer(entries, 'camden');
    expect(found[0]).toMatchObject({ name: 'Camden', kind: 'borough' });
    expect(found.map(describeEntry)).toContain('Camden Town — Camden');
    // The borough's centre lies inside Camden, north of the Thames.
    expect(found[0]!.lat).toBeGreaterThan(51.52);
    expect(found[0]!.lat).toBeLessThan(51.57);
  });

  it('ignores case, punctuation and accents, finds words inside names, and needs two letters', () => {
    expect(searchGazetteer(entries, 'CANARY wharf')[0]?.name).toBe('Canary Wharf');
    expect(searchGazetteer(entries, 'wharf').map((e) => e.name)).toContain('Canary Wharf');
    expect(searchGazetteer(entries, 'kings cross').map((e) => e.name)).toContain("King's Cross");
    expect(searchGazetteer(entries, 'c')).toEqual([]);
    expect(searchGazetteer(entries, 'zzzz')).toEqual([]);
  });

  it('ranks a whole-name match above names that merely contain the words', () => {
    const sample: GazetteerEntry[] = [
      { name: 'West Ham', kind: 'place', lat: 0, lng: 0 },
      { name: 'Ham', kind: 'place', lat: 0, lng: 0 },
      { name: 'Hampton', kind: 'place', lat: 0, lng: 0 },
      { name: 'Oldham Road', kind: 'place', lat: 0, lng: 0 },
    ];
    expect(searchGazetteer(sample, 'ham').map((e) => e.name)).toEqual(['Ham', 'Hampton', 'West Ham', 'Oldham Road']);
  });
});

describe('a zone typed as coordinates', () => {
  it('takes corners one a line, in order, and closes the outline', () => {
    const result = zoneFromCorners('51.5160, -0.1430\n51.5160 -0.1405\n\n51.5146, -0.1405\n51.5146; -0.1430\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.zone.coordinates[0]).toHaveLength(5);
    expect(result.zone.coordinates[0]![0]).toEqual([-0.143, 51.516]);
    expect(ringSelfIntersects(result.zone.coordinates[0]!)).toBe(false);
  });

  it('says which line is wrong, and why', () => {
    expect(zoneFromCorners('51.5, -0.14\n-0.14\n51.6, -0.1')).toEqual({
      ok: false,
      error: expect.stringMatching(/^Line 2: write the latitude, then the longitude/),
    });
    expect(zoneFromCorners('51.5, -0.14\n151.5, -0.14\n51.6, -0.1')).toEqual({
      ok: false,
      error: 'Line 2: latitude 151.5 is not between −90 and 90 (latitude comes first).',
    });
    expect(zoneFromCorners('51.5, -0.14\n51.6, -0.1')).toEqual({ ok: false, error: expect.stringMatching(/at least 3 corners/) });
    expect(zoneFromCorners('51.50, -0.10\n51.51, -0.10\n51.52, -0.10')).toEqual({ ok: false, error: expect.stringMatching(/do not enclose an area/) });
    expect(zoneFromCorners('51.50, -0.10\n51.51, -0.09\n51.50, -0.09\n51.51, -0.10')).toEqual({ ok: false, error: expect.stringMatching(/crosses itself/) });
  });

  it('makes a circle of the radius around the centre, within bounds', () => {
    const result = zoneFromCircle('51.5154, -0.1419', 150);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const centre = { lat: 51.5154, lng: -0.1419 };
    for (const corner of polygonVertices(result.zone)) expect(distanceBetween(centre, corner)).toBeCloseTo(150, 0);
    expect(pointInPolygon([centre.lng, centre.lat], result.zone)).toBe(true);
    expect(zoneFromCircle('51.5154, -0.1419', 5)).toEqual({ ok: false, error: expect.stringMatching(/^Radius: .*between 10 and 2000/) });
    expect(zoneFromCircle('north', 100)).toEqual({ ok: false, error: expect.stringMatching(/^Centre: /) });
  });
});
