import { describe, expect, it } from 'vitest';
import {
  aimCamera,
  angleDifference,
  bearingBetween,
  CAMERA_LIMITS,
  clampCamera,
  coneEdge,
  coneTip,
  destinationPoint,
  distanceBetween,
  isInsideZone,
  isValidPolygon,
  latLngsToPolygon,
  normaliseHeading,
  pointInPolygon,
  polygonCentroid,
  polygonToLatLngs,
  polygonVertices,
  ringSelfIntersects,
  viewConePolygon,
  widenCamera,
  type GeoPolygon,
} from '@/lib/geo/geometry';

const OXFORD_CIRCUS = { lat: 51.51524, lng: -0.14197 };

/** A 0.01° × 0.01° square (about 1.1 km × 0.7 km at London's latitude), closed, anticlockwise. */
function square(lng0: number, lat0: number, size = 0.01): [number, number][] {
  return [
    [lng0, lat0],
    [lng0 + size, lat0],
    [lng0 + size, lat0 + size],
    [lng0, lat0 + size],
    [lng0, lat0],
  ];
}

describe('normaliseHeading and angleDifference', () => {
  it('wraps any angle into [0, 360)', () => {
    expect(normaliseHeading(0)).toBe(0);
    expect(normaliseHeading(360)).toBe(0);
    expect(normaliseHeading(-90)).toBe(270);
    expect(normaliseHeading(725)).toBe(5);
    expect(Object.is(normaliseHeading(-360), 0)).toBe(true); // never -0
  });

  it('gives the smallest signed turn', () => {
    expect(angleDifference(350, 10)).toBe(20);
    expect(angleDifference(10, 350)).toBe(-20);
    expect(angleDifference(0, 180)).toBe(180);
  });
});

describe('destinationPoint, bearingBetween, distanceBetween', () => {
  it('moves north by the right number of degrees of latitude', () => {
    // One degree of latitude on the mean sphere is 111,195 m.
    const p = destinationPoint(51.5, -0.1, 0, 111_195);
    expect(p.lat).toBeCloseTo(52.5, 4);
    expect(p.lng).toBeCloseTo(-0.1, 9);
  });

  it('moves east along a parallel only at first (great circle)', () => {
    const p = destinationPoint(0, 0, 90, 111_195);
    expect(p.lat).toBeCloseTo(0, 9);
    expect(p.lng).toBeCloseTo(1, 4);
  });

  it('wraps longitude across the antimeridian', () => {
    const p = destinationPoint(0, 179.9, 90, 30_000);
    expect(p.lng).toBeLessThan(-179.8);
  });

  it('round-trips: bearing and distance back to the start point', () => {
    for (const bearing of [0, 37, 90, 181, 270, 359]) {
      const to = destinationPoint(OXFORD_CIRCUS.lat, OXFORD_CIRCUS.lng, bearing, 42);
      expect(distanceBetween(OXFORD_CIRCUS, to)).toBeCloseTo(42, 6);
      expect(angleDifference(bearingBetween(OXFORD_CIRCUS, to), bearing)).toBeCloseTo(0, 4);
    }
  });

  it('knows a real distance: Oxford Circus to Piccadilly Circus is about 700 m, south-south-east', () => {
    const piccadilly = { lat: 51.50998, lng: -0.13448 };
    expect(distanceBetween(OXFORD_CIRCUS, piccadilly)).toBeGreaterThan(700);
    expect(distanceBetween(OXFORD_CIRCUS, piccadilly)).toBeLessThan(800);
    const b = bearingBetween(OXFORD_CIRCUS, piccadilly);
    expect(b).toBeGreaterThan(130);
    expect(b).toBeLessThan(150);
  });

  it('returns a bearing of 0 and distance of 0 for the same point', () => {
    expect(bearingBetween(OXFORD_CIRCUS, OXFORD_CIRCUS)).toBe(0);
    expect(distanceBetween(OXFORD_CIRCUS, OXFORD_CIRCUS)).toBe(0);
  });
});

describe('viewConePolygon', () => {
  const camera = { ...OXFORD_CIRCUS, heading: 90, fov: 60, rangeM: 30 };

  it('starts at the camera and sweeps the arc from heading − fov/2 to heading + fov/2', () => {
    const cone = viewConePolygon(camera, 6);
    expect(cone).toHaveLength(1 + 7);
    expect(cone[0]).toEqual([camera.lat, camera.lng]);
    const [first, last] = [cone[1]!, cone[cone.length - 1]!];
    const asLatLng = (p: [number, number]) => ({ lat: p[0], lng: p[1] });
    expect(bearingBetween(camera, asLatLng(first))).toBeCloseTo(60, 4);
    expect(bearingBetween(camera, asLatLng(last))).toBeCloseTo(120, 4);
    for (const p of cone.slice(1)) expect(distanceBetween(camera, asLatLng(p))).toBeCloseTo(30, 6);
  });

  it('sweeps through north when the heading is near it', () => {
    const cone = viewConePolygon({ ...camera, heading: 350, fov: 40 }, 4);
    const middle = cone[3]!; // index 0 is the apex; arc points 1..5, middle one is the heading
    expect(bearingBetween(camera, { lat: middle[0], lng: middle[1] })).toBeCloseTo(350, 4);
  });

  it('draws a full circle without an apex at 360°', () => {
    const cone = viewConePolygon({ ...camera, fov: 360 }, 12);
    expect(cone).toHaveLength(12);
    expect(cone.every((p) => Math.abs(distanceBetween(camera, { lat: p[0], lng: p[1] }) - 30) < 1e-6)).toBe(true);
  });

  it('puts the handles at the tip centre and the clockwise edge', () => {
    expect(bearingBetween(camera, coneTip(camera))).toBeCloseTo(90, 4);
    expect(distanceBetween(camera, coneTip(camera))).toBeCloseTo(30, 6);
    expect(bearingBetween(camera, coneEdge(camera))).toBeCloseTo(120, 4);
  });
});

describe('clampCamera', () => {
  it('normalises heading and keeps fov and range within limits', () => {
    const c = clampCamera({ id: 'a', name: 'A', ...OXFORD_CIRCUS, heading: -30, fov: 400, rangeM: 0.1 });
    expect(c).toMatchObject({ id: 'a', heading: 330, fov: CAMERA_LIMITS.maxFov, rangeM: CAMERA_LIMITS.minRangeM });
  });
});

describe('aimCamera and widenCamera (the cone handles)', () => {
  const camera = { id: 'a', name: 'A', ...OXFORD_CIRCUS, heading: 90, fov: 60, rangeM: 30 };

  it('aims at the target with the range reaching it, leaving position and fov alone', () => {
    const target = destinationPoint(camera.lat, camera.lng, 200, 45);
    const aimed = aimCamera(camera, target);
    expect(aimed.heading).toBeCloseTo(200, 4);
    expect(aimed.rangeM).toBeCloseTo(45, 4);
    expect(aimed).toMatchObject({ id: 'a', lat: camera.lat, lng: camera.lng, fov: 60 });
  });

  it('keeps the range within limits when the target is too near or too far', () => {
    expect(aimCamera(camera, destinationPoint(camera.lat, camera.lng, 10, 0.5)).rangeM).toBe(CAMERA_LIMITS.minRangeM);
    expect(aimCamera(camera, destinationPoint(camera.lat, camera.lng, 10, 5000)).rangeM).toBe(CAMERA_LIMITS.maxRangeM);
  });

  it('widens to twice the angle to the target, on either side and across north', () => {
    expect(widenCamera(camera, destinationPoint(camera.lat, camera.lng, 135, 30)).fov).toBeCloseTo(90, 4);
    expect(widenCamera(camera, destinationPoint(camera.lat, camera.lng, 70, 30)).fov).toBeCloseTo(40, 4);
    const north = { ...camera, heading: 10 };
    expect(widenCamera(north, destinationPoint(camera.lat, camera.lng, 340, 30)).fov).toBeCloseTo(60, 4);
    expect(widenCamera(camera, destinationPoint(camera.lat, camera.lng, 270, 30)).fov).toBe(CAMERA_LIMITS.maxFov);
  });
});

describe('pointInPolygon', () => {
  const zone: GeoPolygon = { type: 'Polygon', coordinates: [square(-0.15, 51.51)] };
  const withHole: GeoPolygon = {
    type: 'Polygon',
    coordinates: [square(-0.15, 51.51), square(-0.147, 51.513, 0.004)],
  };

  it('is true inside and false outside the outer ring', () => {
    expect(pointInPolygon([-0.145, 51.515], zone)).toBe(true);
    expect(pointInPolygon([-0.135, 51.515], zone)).toBe(false);
    expect(pointInPolygon([-0.145, 51.505], zone)).toBe(false);
  });

  it('honours holes', () => {
    expect(pointInPolygon([-0.145, 51.515], withHole)).toBe(false); // in the hole
    expect(pointInPolygon([-0.149, 51.511], withHole)).toBe(true); // between hole and outer edge
  });

  it('handles a concave ring (an L shape)', () => {
    const l: GeoPolygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 1],
          [1, 1],
          [1, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    };
    expect(pointInPolygon([0.5, 1.5], l)).toBe(true);
    expect(pointInPolygon([1.5, 1.5], l)).toBe(false); // the notch
    expect(pointInPolygon([1.5, 0.5], l)).toBe(true);
  });

  it('does not care whether the ring is explicitly closed', () => {
    const open: GeoPolygon = { type: 'Polygon', coordinates: [square(-0.15, 51.51).slice(0, -1)] };
    expect(pointInPolygon([-0.145, 51.515], open)).toBe(true);
  });

  it('isInsideZone takes { lat, lng } and is false without a zone', () => {
    expect(isInsideZone({ lat: 51.515, lng: -0.145 }, zone)).toBe(true);
    expect(isInsideZone({ lat: 51.515, lng: -0.145 }, null)).toBe(false);
  });
});

describe('polygonCentroid', () => {
  it('is the centre of a square, whichever way it winds', () => {
    const ring = square(-0.15, 51.51);
    for (const r of [ring, [...ring].reverse()]) {
      const c = polygonCentroid({ type: 'Polygon', coordinates: [r] });
      expect(c.lng).toBeCloseTo(-0.145, 10);
      expect(c.lat).toBeCloseTo(51.515, 10);
    }
  });

  it('is weighted by area, not by vertex count', () => {
    // Many vertices crowded on one side would pull a naive vertex average off centre.
    const ring: [number, number][] = [
      [0, 0],
      [4, 0],
      [4, 4],
      [0, 4],
      [0, 3],
      [0, 2.9],
      [0, 2.8],
      [0, 2.7],
      [0, 0],
    ];
    const c = polygonCentroid({ type: 'Polygon', coordinates: [ring] });
    expect(c.lng).toBeCloseTo(2, 10);
    expect(c.lat).toBeCloseTo(2, 10);
  });

  it('moves away from a hole', () => {
    const c = polygonCentroid({ type: 'Polygon', coordinates: [square(0, 0, 4), square(0, 0, 2)] });
    expect(c.lng).toBeGreaterThan(2);
    expect(c.lat).toBeGreaterThan(2);
  });
});

describe('isValidPolygon', () => {
  it('accepts a closed ring with three distinct points', () => {
    expect(
      isValidPolygon({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      }),
    ).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'Polygon'],
    [
      'the wrong type',
      {
        type: 'LineString',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      },
    ],
    ['no rings', { type: 'Polygon', coordinates: [] }],
    [
      'an open ring',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 1],
            [1, 1],
          ],
        ],
      },
    ],
    [
      'too few positions',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'only two distinct points',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'collinear points',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [2, 0],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'non-numbers',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            ['1', 0],
            [0, 1],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'NaN',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [NaN, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'latitude out of range',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 95],
            [0, 1],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'an invalid hole',
      {
        type: 'Polygon',
        coordinates: [
          square(0, 0, 4),
          [
            [1, 1],
            [2, 2],
          ],
        ],
      },
    ],
  ])('rejects %s', (_label, value) => {
    expect(isValidPolygon(value)).toBe(false);
  });
});

describe('ringSelfIntersects', () => {
  it('finds a bow tie and accepts a simple ring', () => {
    expect(
      ringSelfIntersects([
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 1],
        [0, 0],
      ]),
    ).toBe(true);
    expect(ringSelfIntersects(square(0, 0))).toBe(false);
    expect(
      ringSelfIntersects([
        [0, 0],
        [2, 0],
        [2, 1],
        [1, 1],
        [1, 2],
        [0, 2],
        [0, 0],
      ]),
    ).toBe(false);
  });
});

describe('conversions between Leaflet and GeoJSON order', () => {
  it('round-trips vertices through a closed GeoJSON polygon', () => {
    const vertices = [
      { lat: 51.51, lng: -0.15 },
      { lat: 51.51, lng: -0.14 },
      { lat: 51.52, lng: -0.14 },
    ];
    const polygon = latLngsToPolygon(vertices);
    expect(polygon.coordinates[0]).toEqual([
      [-0.15, 51.51],
      [-0.14, 51.51],
      [-0.14, 51.52],
      [-0.15, 51.51],
    ]);
    expect(isValidPolygon(polygon)).toBe(true);
    expect(polygonVertices(polygon)).toEqual(vertices);
    expect(polygonToLatLngs(polygon)).toEqual([
      [
        [51.51, -0.15],
        [51.51, -0.14],
        [51.52, -0.14],
      ],
    ]);
  });
});
