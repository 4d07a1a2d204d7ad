import { describe, expect, it } from 'vitest';
import {
  COUNTED_FACE_MIN_SCORE,
  FACE_PRESENCE_MIN_SCORE,
  MIN_DETECTION_SCORE,
  MIN_FACE_SIDE,
  MIN_SHARPNESS,
  assessReferenceFaces,
  laplacianVariance,
  type DetectedFace,
} from '@/lib/face/quality-gate';

const image = { width: 720, height: 576 };

/** A clear, frontal, 260-px face like the franck frames, unless overridden. */
function face({ side = 260, ...overrides }: Partial<DetectedFace> & { side?: number } = {}): DetectedFace {
  return { box: { x: 250, y: 150, width: side, height: side + 30 }, score: 0.999, sharpness: 170, ...overrides };
}

function assess(...faces: DetectedFace[]) {
  return assessReferenceFaces({ ...image, faces });
}

describe('thresholds', () => {
  it('are ordered so that every rule can be reached', () => {
    expect(FACE_PRESENCE_MIN_SCORE).toBeLessThan(COUNTED_FACE_MIN_SCORE);
    expect(COUNTED_FACE_MIN_SCORE).toBeLessThan(MIN_DETECTION_SCORE);
    expect(MIN_FACE_SIDE).toBe(80);
  });
});

describe('assessReferenceFaces', () => {
  it('accepts one clear, large, sharp face and returns that very face', () => {
    const withDescriptor = { ...face(), descriptor: new Float32Array(128) };
    const verdict = assessReferenceFaces({ ...image, faces: [withDescriptor] });
    expect(verdict).toEqual({ ok: true, face: withDescriptor });
    expect(verdict.ok && verdict.face.descriptor).toBe(withDescriptor.descriptor);
  });

  describe('no_face', () => {
    it('when nothing was detected', () => {
      const verdict = assess();
      expect(verdict).toMatchObject({ ok: false, code: 'no_face' });
      expect(!verdict.ok && verdict.message).toMatch(/No face was found/);
    });

    it('when every detection is below the presence score (noise, not a face)', () => {
      expect(assess(face({ score: FACE_PRESENCE_MIN_SCORE - 0.01 }))).toMatchObject({ code: 'no_face' });
    });
  });

  describe('multiple_faces', () => {
    it('counts every confident face and says how many', () => {
      const verdict = assess(face(), face({ score: 0.95 }), face({ score: 0.6 }));
      expect(verdict).toMatchObject({ ok: false, code: 'multiple_faces' });
      expect(!verdict.ok && verdict.message).toBe('Found 3 faces; a reference image must show exactly one person. Use a photo of the person alone.');
    });

    it('counts a small but confident second face: a bystander is still another person', () => {
      const bystander = face({ score: 0.9, box: { x: 10, y: 10, width: 30, height: 34 } });
      expect(assess(face(), bystander)).toMatchObject({ code: 'multiple_faces' });
    });

    it('counts a second face right at the counting score', () => {
      expect(assess(face(), face({ score: COUNTED_FACE_MIN_SCORE }))).toMatchObject({ code: 'multiple_faces' });
    });

    it('ignores a weak second detection below the counting score', () => {
      const verdict = assess(face(), face({ score: COUNTED_FACE_MIN_SCORE - 0.01, side: 25 }));
      expect(verdict.ok).toBe(true);
    });

    it('takes precedence over the size and quality of the faces', () => {
      expect(assess(face({ side: 40, score: 0.5 }), face({ side: 40, score: 0.5 }))).toMatchObject({
        code: 'multiple_faces',
      });
    });
  });

  describe('face_too_small', () => {
    it('when the shorter side of the face is under 80 px, saying how big it is', () => {
      const small = face({ box: { x: 10, y: 10, width: 79, height: 90 } });
      const verdict = assessReferenceFaces({ width: 180, height: 144, faces: [small] });
      expect(verdict).toMatchObject({ ok: false, code: 'face_too_small' });
      expect(!verdict.ok && verdict.message).toMatch(/only 79 pixels across \(in an image of 180 × 144\).*at least 80/);
    });

    it('accepts a face of exactly 80 px', () => {
      expect(assess(face({ box: { x: 10, y: 10, width: 80, height: 95 } })).ok).toBe(true);
    });

    it('judges the most confident face, not the first listed', () => {
      const weakSmall = face({ score: 0.3, side: 30 });
      const verdict = assess(weakSmall, face());
      expect(verdict.ok && verdict.face.score).toBe(0.999);
    });
  });

  describe('low_quality', () => {
    it('when the face is detected without confidence (turned, covered, dark)', () => {
      const verdict = assess(face({ score: MIN_DETECTION_SCORE - 0.01 }));
      expect(verdict).toMatchObject({ ok: false, code: 'low_quality' });
      expect(!verdict.ok && verdict.message).toMatch(/not clear enough/);
    });

    it('accepts a score right at the threshold', () => {
      expect(assess(face({ score: MIN_DETECTION_SCORE })).ok).toBe(true);
    });

    it('when the face is blurred, even if confidently detected', () => {
      const verdict = assess(face({ sharpness: MIN_SHARPNESS - 0.5 }));
      expect(verdict).toMatchObject({ ok: false, code: 'low_quality' });
      expect(!verdict.ok && verdict.message).toMatch(/too blurred/);
      expect(assess(face({ sharpness: MIN_SHARPNESS })).ok).toBe(true);
    });

    it('skips the sharpness rule when no sharpness was measured', () => {
      expect(assess(face({ sharpness: undefined })).ok).toBe(true);
    });

    it('is decided after size: a tiny face is reported as too small', () => {
      expect(assess(face({ side: 50, score: 0.5, sharpness: 1 }))).toMatchObject({ code: 'face_too_small' });
    });
  });
});

describe('laplacianVariance', () => {
  const side = 32;
  const rgba = (pixel: (x: number, y: number) => number) => {
    const data = new Uint8ClampedArray(side * side * 4);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const value = pixel(x, y);
        data.set([value, value, value, 255], (y * side + x) * 4);
      }
    }
    return data;
  };

  it('is zero for a flat image and for a linear gradient (no edges)', () => {
    expect(
      laplacianVariance(
        rgba(() => 128),
        side,
        side,
      ),
    ).toBe(0);
    expect(
      laplacianVariance(
        rgba((x) => x * 4),
        side,
        side,
      ),
    ).toBeCloseTo(0, 6);
  });

  it('is high for crisp detail and drops when the same pattern is softened', () => {
    const crisp = laplacianVariance(
      rgba((x, y) => ((x + y) % 2 ? 255 : 0)),
      side,
      side,
    );
    const soft = laplacianVariance(
      rgba((x, y) => ((x + y) % 2 ? 160 : 96)),
      side,
      side,
    );
    const stripes = laplacianVariance(
      rgba((x) => (Math.floor(x / 4) % 2 ? 255 : 0)),
      side,
      side,
    );
    expect(crisp).toBeGreaterThan(soft);
    expect(soft).toBeGreaterThan(0);
    expect(crisp).toBeGreaterThan(stripes);
  });

  it('is zero for images too small to have an interior or short of pixels', () => {
    expect(laplacianVariance(new Uint8ClampedArray(2 * 2 * 4), 2, 2)).toBe(0);
    expect(laplacianVariance(new Uint8ClampedArray(10), 32, 32)).toBe(0);
  });
});
