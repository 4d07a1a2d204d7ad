import { describe, expect, it } from 'vitest';
import {
  alignFace,
  applyAffine,
  arcfaceTemplate,
  ARCFACE_TEMPLATE_112,
  fivePointsFrom68,
  invertAffine,
  modelInput,
  similarityTransform,
  warpAffine,
  type Point,
} from '@/lib/recognition/alignment';

/** Moves, turns and scales points: what a face seen elsewhere in a frame looks like. */
function transform(points: readonly Point[], { angle, scale, dx, dy }: { angle: number; scale: number; dx: number; dy: number }): Point[] {
  const c = Math.cos(angle) * scale;
  const s = Math.sin(angle) * scale;
  return points.map((p) => ({ x: c * p.x - s * p.y + dx, y: s * p.x + c * p.y + dy }));
}

/** 68 landmarks whose eyes, nose tip and mouth corners sit on the given five points. */
function landmarksWith(five: readonly Point[]): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  for (let i = 36; i < 42; i++) points[i] = { x: five[0]!.x + (i % 2 ? 1 : -1), y: five[0]!.y + (i % 3) - 1 };
  for (let i = 42; i < 48; i++) points[i] = { x: five[1]!.x + (i % 2 ? 1 : -1), y: five[1]!.y + (i % 3) - 1 };
  // The eye points above are symmetric around their centre only on average; pin the centre exactly.
  const fix = (from: number, centre: Point) => {
    const eye = points.slice(from, from + 6);
    const mx = eye.reduce((s, p) => s + p.x, 0) / 6;
    const my = eye.reduce((s, p) => s + p.y, 0) / 6;
    for (let i = from; i < from + 6; i++) points[i] = { x: points[i]!.x - mx + centre.x, y: points[i]!.y - my + centre.y };
  };
  fix(36, five[0]!);
  fix(42, five[1]!);
  points[30] = five[2]!;
  points[48] = five[3]!;
  points[54] = five[4]!;
  return points;
}

describe("the ArcFace template for a model's input size", () => {
  it('is the 112 template at 112, scaled at 224, and at 128 the same size moved 8 px right, as InsightFace places it', () => {
    expect(arcfaceTemplate(112, 112)).toEqual(ARCFACE_TEMPLATE_112);
    arcfaceTemplate(224, 224).forEach((p, i) => expect(p).toEqual({ x: ARCFACE_TEMPLATE_112[i]!.x * 2, y: ARCFACE_TEMPLATE_112[i]!.y * 2 }));
    arcfaceTemplate(128, 128).forEach((p, i) => {
      expect(p.x).toBeCloseTo(ARCFACE_TEMPLATE_112[i]!.x + 8, 10);
      expect(p.y).toBeCloseTo(ARCFACE_TEMPLATE_112[i]!.y, 10);
    });
    arcfaceTemplate(256, 256).forEach((p, i) => expect(p.x).toBeCloseTo((ARCFACE_TEMPLATE_112[i]!.x + 8) * 2, 10));
  });
});

describe('five points from 68 landmarks', () => {
  it('takes the eye centres, the nose tip and the mouth corners', () => {
    const five = [
      { x: 10, y: 20 },
      { x: 30, y: 21 },
      { x: 20, y: 30 },
      { x: 12, y: 40 },
      { x: 28, y: 41 },
    ];
    const got = fivePointsFrom68(landmarksWith(five));
    got.forEach((p, i) => {
      expect(p.x).toBeCloseTo(five[i]!.x, 9);
      expect(p.y).toBeCloseTo(five[i]!.y, 9);
    });
  });

  it('refuses anything but 68 finite points', () => {
    expect(() => fivePointsFrom68([])).toThrow(/68 face landmarks/);
    const bad = landmarksWith(ARCFACE_TEMPLATE_112);
    bad[10] = { x: NaN, y: 0 };
    expect(() => fivePointsFrom68(bad)).toThrow(RangeError);
  });
});

describe('similarity transform', () => {
  it('recovers a rotation, scale and shift exactly, mapping a face back onto the template', () => {
    for (const motion of [
      { angle: 0, scale: 1, dx: 0, dy: 0 },
      { angle: 0.3, scale: 2.5, dx: 140, dy: -35 },
      { angle: -1.2, scale: 0.4, dx: 7, dy: 300 },
    ]) {
      const seen = transform(ARCFACE_TEMPLATE_112, motion);
      const m = similarityTransform(seen, ARCFACE_TEMPLATE_112);
      seen.forEach((p, i) => {
        const back = applyAffine(m, p);
        expect(back.x).toBeCloseTo(ARCFACE_TEMPLATE_112[i]!.x, 6);
        expect(back.y).toBeCloseTo(ARCFACE_TEMPLATE_112[i]!.y, 6);
      });
      // No shear and no mirroring: a pure rotation and scale.
      expect(m[0]).toBeCloseTo(m[4], 9);
      expect(m[1]).toBeCloseTo(-m[3], 9);
      expect(m[0] * m[4] - m[1] * m[3]).toBeGreaterThan(0);
    }
  });

  it('fits noisy points in the least-squares sense, and refuses points that coincide', () => {
    const seen = transform(ARCFACE_TEMPLATE_112, { angle: 0.1, scale: 3, dx: 20, dy: 40 }).map((p, i) => ({ x: p.x + (i % 2 ? 0.8 : -0.8), y: p.y }));
    const m = similarityTransform(seen, ARCFACE_TEMPLATE_112);
    const error =
      seen.reduce((s, p, i) => s + Math.hypot(applyAffine(m, p).x - ARCFACE_TEMPLATE_112[i]!.x, applyAffine(m, p).y - ARCFACE_TEMPLATE_112[i]!.y), 0) / 5;
    expect(error).toBeLessThan(0.5);
    expect(() =>
      similarityTransform(
        [
          { x: 1, y: 1 },
          { x: 1, y: 1 },
        ],
        ARCFACE_TEMPLATE_112.slice(0, 2),
      ),
    ).toThrow(/coincide/);
  });

  it('inverts', () => {
    const m = similarityTransform(transform(ARCFACE_TEMPLATE_112, { angle: 0.7, scale: 1.7, dx: 3, dy: 9 }), ARCFACE_TEMPLATE_112);
    const p = { x: 12.5, y: -4 };
    const round = applyAffine(invertAffine(m), applyAffine(m, p));
    expect(round.x).toBeCloseTo(p.x, 9);
    expect(round.y).toBeCloseTo(p.y, 9);
  });
});

describe('warping a face onto the template', () => {
  /** A 200 × 160 RGBA image: red grows with x, green with y, blue constant 77. */
  const width = 200;
  const height = 160;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data.set([x, y, 77, 255], o);
    }
  }
  const image = { data, width, height };

  it('samples each output pixel from where the transform says (bilinear), black outside', () => {
    // Output pixel (x, y) comes from source (x / 2 + 30, y / 2 + 10).
    const out = warpAffine(image, [2, 0, -60, 0, 2, -20], 112, 112);
    expect([out[0], out[1], out[2]]).toEqual([30, 10, 77]);
    const at = (x: number, y: number) => Array.from(out.subarray((y * 112 + x) * 3, (y * 112 + x) * 3 + 3));
    expect(at(51, 41)).toEqual([Math.round(30 + 25.5), Math.round(10 + 20.5), 77]);
    // Source x = 111 / 2 + 30 stays inside; a shift of 200 px puts everything outside: black.
    const outside = warpAffine(image, [1, 0, 500, 0, 1, 0], 8, 8);
    expect(Array.from(outside).every((v) => v === 0)).toBe(true);
  });

  it('puts the face’s eyes where the template has them', () => {
    // Mark the eye centres in the picture as white dots; after alignment they must land on the template's eyes.
    const seen = transform(ARCFACE_TEMPLATE_112, { angle: 0.25, scale: 1.3, dx: 40, dy: 10 });
    const picture = new Uint8ClampedArray(width * height * 4);
    for (const eye of seen.slice(0, 2)) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const o = ((Math.round(eye.y) + dy) * width + Math.round(eye.x) + dx) * 4;
          picture.set([255, 255, 255, 255], o);
        }
      }
    }
    const face = alignFace({ data: picture, width, height }, landmarksWith(seen), 112, 112);
    for (const eye of ARCFACE_TEMPLATE_112.slice(0, 2)) {
      const o = (Math.round(eye.y) * 112 + Math.round(eye.x)) * 3;
      expect(face[o]).toBeGreaterThan(150);
    }
    // …and the mouth, where nothing was drawn, stays dark.
    const mouth = ARCFACE_TEMPLATE_112[3]!;
    expect(face[(Math.round(mouth.y) * 112 + Math.round(mouth.x)) * 3]).toBe(0);
  });
});

describe('model input', () => {
  const rgb = new Uint8Array([10, 20, 30, 40, 50, 60]); // two pixels
  const base = { width: 2, height: 1, mean: [0, 10, 20] as number[], std: [1, 2, 4] as number[], alignment: 'arcface-5pt' as const };

  it('lays channels out NCHW or NHWC, normalised per channel', () => {
    expect(Array.from(modelInput(rgb, { ...base, colourOrder: 'RGB', layout: 'NCHW' }))).toEqual([10, 40, 5, 20, 2.5, 10]);
    expect(Array.from(modelInput(rgb, { ...base, colourOrder: 'RGB', layout: 'NHWC' }))).toEqual([10, 5, 2.5, 40, 20, 10]);
  });

  it('swaps to BGR when the model wants it', () => {
    expect(Array.from(modelInput(rgb, { ...base, colourOrder: 'BGR', layout: 'NCHW' }))).toEqual([30, 60, 5, 20, -2.5, 5]);
  });

  it('refuses a face of the wrong size', () => {
    expect(() => modelInput(new Uint8Array(5), { ...base, colourOrder: 'RGB', layout: 'NCHW' })).toThrow(/2 × 1 RGB face/);
  });
});
