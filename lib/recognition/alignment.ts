import type { RecogniserManifest } from './manifest';

/**
 * Face alignment for ArcFace-style recognisers: the face is turned, scaled and moved so that its
 * eyes, nose tip and mouth corners land on fixed places of a small square (the "5-point
 * template" ArcFace/InsightFace models are trained with), then turned into the numbers the model
 * expects. The five points come from the 68 landmarks face-api already finds for every face.
 *
 * Pure: no Node or browser APIs. Runs in the face worker (lib/recognition/worker/).
 */

export type Point = { x: number; y: number };

/**
 * Where the five points go in a 112 × 112 face (x, y in pixels): left eye, right eye (as seen in
 * the image), nose tip, left and right mouth corner. InsightFace's reference: its 96 × 112
 * template moved 8 px right to centre it in a square.
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/**
 * The template for a model's input size, as InsightFace places it (its `estimate_norm`): a square
 * side that is a multiple of 112 scales the 112 template; a multiple of 128 scales it by side/128
 * and moves it 8·side/128 px right — the face stays at 112-template size, centred in the larger
 * square, as such models were trained. Any other size scales each axis (no public model uses one).
 */
export function arcfaceTemplate(width: number, height: number): Point[] {
  if (width === height && width % 112 !== 0 && width % 128 === 0) {
    const ratio = width / 128;
    return ARCFACE_TEMPLATE_112.map((p) => ({ x: p.x * ratio + 8 * ratio, y: p.y * ratio }));
  }
  return ARCFACE_TEMPLATE_112.map((p) => ({ x: (p.x * width) / 112, y: (p.y * height) / 112 }));
}

const mean = (points: readonly Point[]): Point => ({
  x: points.reduce((s, p) => s + p.x, 0) / points.length,
  y: points.reduce((s, p) => s + p.y, 0) / points.length,
});

/**
 * The five ArcFace points from the 68 iBUG landmarks (face-api's order): the centre of each
 * eye's six points (36–41 and 42–47), the nose tip (30), the mouth corners (48 and 54).
 * Throws unless given 68 finite points.
 */
export function fivePointsFrom68(landmarks: readonly Point[]): Point[] {
  if (landmarks.length !== 68 || !landmarks.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) {
    throw new RangeError(`Alignment needs the 68 face landmarks, not ${landmarks.length} points.`);
  }
  return [mean(landmarks.slice(36, 42)), mean(landmarks.slice(42, 48)), landmarks[30]!, landmarks[48]!, landmarks[54]!];
}

/** A 2 × 3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * The similarity transform (rotation, uniform scale, translation; no shear, no mirroring) that
 * best maps `from` onto `to` in the least-squares sense — Umeyama's method in two dimensions,
 * what InsightFace's `estimate_norm` computes. Throws for fewer than two points or points that
 * all coincide.
 */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) throw new RangeError('A similarity transform needs two or more pairs of points.');
  const mf = mean(from);
  const mt = mean(to);
  let dot = 0; // Σ (x·x' + y·y') of the centred points
  let cross = 0; // Σ (x·y' − y·x')
  let spread = 0; // Σ (x² + y²) of the centred source points
  for (let i = 0; i < from.length; i++) {
    const x = from[i]!.x - mf.x;
    const y = from[i]!.y - mf.y;
    const u = to[i]!.x - mt.x;
    const v = to[i]!.y - mt.y;
    dot += x * u + y * v;
    cross += x * v - y * u;
    spread += x * x + y * y;
  }
  if (!(spread > 1e-9)) throw new RangeError('The face points coincide: no alignment is possible.');
  const a = dot / spread; // scale · cos θ
  const d = cross / spread; // scale · sin θ
  return [a, -d, mt.x - (a * mf.x - d * mf.y), d, a, mt.y - (d * mf.x + a * mf.y)];
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new RangeError('The alignment transform cannot be inverted.');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** An RGBA image (as canvas ImageData holds it). */
export type RgbaImage = { data: Uint8Array | Uint8ClampedArray; width: number; height: number };

/**
 * The `width` × `height` RGB image (3 bytes a pixel, row by row) that `toOutput` maps the source
 * into: each output pixel is read back through the inverse transform with bilinear
 * interpolation; pixels that fall outside the source are black (OpenCV's warpAffine default).
 */
export function warpAffine(
  source: RgbaImage,
  toOutput: Affine,
  width: number,
  height: number,
  out: Uint8Array = new Uint8Array(width * height * 3),
): Uint8Array {
  const back = invertAffine(toOutput);
  if (out.length !== width * height * 3) throw new RangeError(`The output buffer must hold ${width} × ${height} RGB pixels.`);
  const { data, width: sw, height: sh } = source;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Pixel centres: output (x, y) is the point (x, y) in the template's coordinates.
      const sx = back[0] * x + back[1] * y + back[2];
      const sy = back[3] * x + back[4] * y + back[5];
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const p00 = sample(data, sw, sh, x0, y0, c);
        const p10 = sample(data, sw, sh, x0 + 1, y0, c);
        const p01 = sample(data, sw, sh, x0, y0 + 1, c);
        const p11 = sample(data, sw, sh, x0 + 1, y0 + 1, c);
        const top = p00 + (p10 - p00) * fx;
        const bottom = p01 + (p11 - p01) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

function sample(data: Uint8Array | Uint8ClampedArray, width: number, height: number, x: number, y: number, channel: number): number {
  if (x < 0 || y < 0 || x >= width || y >= height) return 0;
  return data[(y * width + x) * 4 + channel]!;
}

/**
 * The face cut out for an ArcFace-style model: aligned on the 5-point template at the model's
 * input size, as RGB bytes (into `out` when given, so a caller can reuse one buffer).
 */
export function alignFace(source: RgbaImage, landmarks68: readonly Point[], width: number, height: number, out?: Uint8Array): Uint8Array {
  const transform = similarityTransform(fivePointsFrom68(landmarks68), arcfaceTemplate(width, height));
  return warpAffine(source, transform, width, height, out);
}

/**
 * The model's input tensor data from an aligned RGB face: channels in the manifest's colour
 * order, (value − mean) / std, laid out NCHW or NHWC.
 */
export function modelInput(rgb: Uint8Array, input: RecogniserManifest['input'], out = new Float32Array(input.width * input.height * 3)): Float32Array {
  const { width, height, colourOrder, layout, mean: m, std: s } = input;
  const pixels = width * height;
  if (rgb.length !== pixels * 3) throw new RangeError(`Expected a ${width} × ${height} RGB face, got ${rgb.length} bytes.`);
  if (out.length !== pixels * 3) throw new RangeError(`The input buffer must hold ${pixels * 3} numbers.`);
  const order = colourOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c++) {
    const from = order[c]!;
    const offset = m[c]!;
    const scale = 1 / s[c]!;
    for (let p = 0; p < pixels; p++) {
      const value = (rgb[p * 3 + from]! - offset) * scale;
      out[layout === 'NCHW' ? c * pixels + p : p * 3 + c] = value;
    }
  }
  return out;
}
