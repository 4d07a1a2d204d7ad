/**
 * Face detection, landmarks and face-api descriptors on the server: @vladmandic/face-api's Node
 * WASM build on TensorFlow.js's WASM backend (tfjs-node cannot be installed offline), with
 * @napi-rs/canvas to decode images.
 *
 * Runs only inside the face worker threads (lib/recognition/worker/face-worker.ts), never on the
 * server's event loop: one detection takes 50 ms to seconds, and the control room must not stall
 * while it runs. Callers on the main thread use lib/recognition/face-analysis.ts.
 *
 * The packages are required from node_modules by path from the project root (process.cwd()), so
 * the process must run from the project root, as server.ts, next and vitest do.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import type * as Tfjs from '@tensorflow/tfjs';
import type { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type * as NapiCanvas from '@napi-rs/canvas';
import type { Point, RgbaImage } from '@/lib/recognition/alignment';
import { isImageComplete, MAX_IMAGE_SIDE, readImageDimensions, sniffImageType } from './media';
import { FACE_PRESENCE_MIN_SCORE, SHARPNESS_SAMPLE_SIDE, laplacianVariance, type FaceBox } from './quality-gate';

/** Computes one recogniser's vector of a face from the image and the face's 68 landmarks. */
export type Embedder = (image: RgbaImage, landmarks: readonly Point[]) => Promise<Float32Array>;

export type AnalysedFace = {
  /** In the decoded image's pixels (after any EXIF rotation, as a browser shows it), clipped to it. */
  box: FaceBox;
  score: number;
  /** face-api's 128 numbers. */
  descriptor: Float32Array;
  /** Vectors of the other enabled recognisers, by engine id. */
  vectors: Record<string, Float32Array>;
  /** laplacianVariance() of the face resampled to SHARPNESS_SAMPLE_SIDE square. */
  sharpness: number;
};

export type FaceAnalysis = {
  /** The decoded image's size (after any EXIF rotation). */
  width: number;
  height: number;
  /** Most confident first; only detections scoring at least FACE_PRESENCE_MIN_SCORE. */
  faces: AnalysedFace[];
};

/** The face found in a probe's crop, with the vectors asked for. */
export type CropFace = {
  box: FaceBox;
  score: number;
  /** By engine id; face-api's under its own id when asked for. */
  vectors: Record<string, Float32Array>;
};

/** The bytes are not an image we can decode: not JPEG/PNG/WebP, truncated, or rejected by the decoder. */
export class UndecodableImageError extends Error {
  constructor(message = 'The image could not be decoded.') {
    super(message);
    this.name = 'UndecodableImageError';
  }
}

/**
 * Images are scaled down to this longest side before detection. SSD sees a 512-px square whatever
 * the input, and the recognition net a 150-px face, so a larger working copy adds memory (an
 * 8000 × 6000 photo is 576 MB as an int32 tensor) and time, not accuracy.
 */
const WORKING_MAX_SIDE = 2048;

/**
 * A face whose box comes within this fraction of the image's shorter side from an edge is looked
 * at again with the image padded. Measured on tightly cropped portraits: SSD's score rose from
 * 0.23–0.28 to 0.88–0.91 on the worst two, and the descriptor of a crop moved much closer to that of
 * the photo it was cropped from (audrey_crop → audrey: 0.43 unpadded, 0.05 padded; joconde: 0.32 →
 * 0.16), because the landmark and recognition crops are no longer cut off by the edge. Padding a
 * photo whose face is small in the frame only shrinks the face further, so it is not done always.
 */
const EDGE_MARGIN_RATIO = 0.05;

/**
 * Black border added on each side for the second look, as a fraction of the shorter side. 20 % lifted
 * the worst crops to 0.88–0.91; 40 % lifted them a little more but shrinks the face further in SSD's
 * 512-px input, which cost the smaller faces of the group photos up to 0.25 of score.
 */
const PAD_RATIO = 0.2;

/** More faces than this are not described; the gate only needs to know there are several. */
const MAX_FACES = 20;

/**
 * Probe crops: the browser pads the tracked face by a quarter of its size on each side, so the face
 * fills two thirds of the crop — too much for the tiny detector, whose anchors expect smaller
 * faces. A black border of this fraction of the crop's side brings the face back to about half
 * the image, and the detector runs at CROP_DETECTOR_INPUT px: on crops made as the browser makes
 * them it found every face at 96, 128 and 160 px, and 128 took 3 ms less than 160 (bench/accuracy
 * measures both the detection rate and the cost).
 */
const CROP_PAD_RATIO = 0.2;
const CROP_DETECTOR_INPUT = 128;
const CROP_MIN_SCORE = 0.3;
/** Largest crop accepted, by the size its headers declare (the browser sends ≤ 224 px): larger images are not crops. */
export const CROP_MAX_SIDE = 1024;

type Tf = typeof Tfjs & { setWasmPaths: typeof setWasmPaths };

export type FaceApiEngine = {
  faceapi: typeof FaceApi;
  tf: Tf;
  canvas: typeof NapiCanvas;
  ssdOptions: FaceApi.SsdMobilenetv1Options;
  tinyOptions: FaceApi.TinyFaceDetectorOptions;
};

/** Loads the models (≈ 0.5–1 s). One per worker thread. */
export async function createFaceApiEngine(): Promise<FaceApiEngine> {
  const requireFromProject = createRequire(path.join(process.cwd(), 'package.json'));
  const faceapi = requireFromProject('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof FaceApi;
  const canvas = requireFromProject('@napi-rs/canvas') as typeof NapiCanvas;
  // The build re-exports the @tensorflow/tfjs and tfjs-backend-wasm it required; its .d.ts types
  // only a subset of tf, so the real packages' types are used.
  const tf = faceapi.tf as unknown as Tf;

  const wasmPackage = requireFromProject.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  tf.setWasmPaths(path.join(path.dirname(wasmPackage), 'dist') + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();

  const modelFolder = path.join(path.dirname(requireFromProject.resolve('@vladmandic/face-api/package.json')), 'model');
  // The full 68-point landmark net rather than the tiny one: on the fixtures the tiny one saved no
  // measurable time (SSD dominates) and gave no better separation of people.
  await Promise.all([
    faceapi.nets.ssdMobilenetv1.loadFromDisk(modelFolder),
    faceapi.nets.tinyFaceDetector.loadFromDisk(modelFolder),
    faceapi.nets.faceLandmark68Net.loadFromDisk(modelFolder),
    faceapi.nets.faceRecognitionNet.loadFromDisk(modelFolder),
  ]);

  const engine: FaceApiEngine = {
    faceapi,
    tf,
    canvas,
    ssdOptions: new faceapi.SsdMobilenetv1Options({ minConfidence: FACE_PRESENCE_MIN_SCORE, maxResults: MAX_FACES }),
    tinyOptions: new faceapi.TinyFaceDetectorOptions({ inputSize: CROP_DETECTOR_INPUT, scoreThreshold: CROP_MIN_SCORE }),
  };
  // One pass of each network on a blank picture, so the first live candidate does not pay for
  // compiling the WebAssembly kernels (tens of milliseconds).
  const blank = tf.zeros([150, 150, 3], 'int32') as unknown as FaceApi.tf.Tensor3D;
  try {
    await faceapi.detectAllFaces(blank, engine.tinyOptions);
    await faceapi.nets.faceLandmark68Net.detectLandmarks(blank);
    await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(blank);
  } finally {
    tf.dispose(blank as unknown as Tfjs.Tensor);
  }
  return engine;
}

/** The decoded image, scaled down to at most `maxSide`, and the size it was decoded at. */
type WorkingImage = {
  canvas: NapiCanvas.Canvas;
  pixels: NapiCanvas.ImageData;
  width: number;
  height: number;
  original: { width: number; height: number };
};

type Detection = { box: FaceBox; score: number; descriptor: Float32Array; landmarks: Point[] };

/**
 * Decode an image and find every face in it (SSD MobileNet), with face-api's descriptor and the
 * vector of each embedder. Throws UndecodableImageError for bytes that are not a whole JPEG, PNG
 * or WebP image. Nothing is logged or kept.
 */
export function analyseImage(engine: FaceApiEngine, bytes: Uint8Array, embedders: Record<string, Embedder> = {}): Promise<FaceAnalysis> {
  return inTensorScope(engine, () => findAllFaces(engine, bytes, embedders));
}

/**
 * Runs one task inside its own TensorFlow.js scope: every tensor it made and did not dispose —
 * those of a task that failed half-way included — is freed when it ends, so a worker's WASM memory
 * does not grow task after task. The worker runs one task at a time, so scopes never interleave.
 * What a task returns holds only numbers and typed arrays copied out of tensors.
 */
async function inTensorScope<T>(engine: FaceApiEngine, task: () => Promise<T>): Promise<T> {
  const tfEngine = engine.tf.engine();
  tfEngine.startScope();
  try {
    return await task();
  } finally {
    tfEngine.endScope();
  }
}

async function findAllFaces(engine: FaceApiEngine, bytes: Uint8Array, embedders: Record<string, Embedder>): Promise<FaceAnalysis> {
  const working = await decodeImage(engine, bytes, WORKING_MAX_SIDE, MAX_IMAGE_SIDE);

  let detections = await detectFaces(engine, working, 0);
  const best = detections[0];
  const pad = Math.round(PAD_RATIO * Math.min(working.width, working.height));
  if (pad > 0 && (!best || touchesEdge(best.box, working))) {
    // Nothing found, or a face cut by the edge: look again with a border, and prefer that look if
    // it finds anything (it sees the whole face; see EDGE_MARGIN_RATIO).
    const padded = await detectFaces(engine, working, pad);
    if (padded.length > 0) detections = padded;
  }

  const image: RgbaImage = { data: working.pixels.data, width: working.width, height: working.height };
  const faces: AnalysedFace[] = [];
  for (const detection of detections) {
    faces.push({
      box: toOriginal(detection.box, working),
      score: detection.score,
      descriptor: detection.descriptor,
      vectors: await embedAll(embedders, image, detection.landmarks),
      sharpness: measureSharpness(engine, working, detection.box),
    });
  }
  return { width: working.original.width, height: working.original.height, faces };
}

/**
 * The face in a probe's crop — the one nearest its centre, as the browser cut it around the
 * tracked face — with the vectors asked for (`faceApi` adds face-api's descriptor under its id).
 * Null when the crop shows no face: such a probe can never be verified. Tiny detector at 160 px
 * plus landmarks: about 20 ms on these machines, far cheaper than SSD.
 */
export function analyseCrop(
  engine: FaceApiEngine,
  bytes: Uint8Array,
  wanted: { embedders?: Record<string, Embedder>; faceApiId?: string },
): Promise<CropFace | null> {
  return inTensorScope(engine, () => findCropFace(engine, bytes, wanted));
}

async function findCropFace(
  engine: FaceApiEngine,
  bytes: Uint8Array,
  { embedders = {}, faceApiId }: { embedders?: Record<string, Embedder>; faceApiId?: string },
): Promise<CropFace | null> {
  const working = await decodeImage(engine, bytes, CROP_MAX_SIDE, CROP_MAX_SIDE);
  const { faceapi, tf } = engine;
  const pad = Math.round(CROP_PAD_RATIO * Math.max(working.width, working.height));
  const image = tf.tensor3d(toRgb(working.pixels), [working.height, working.width, 3], 'int32');
  const input = tf.pad(image, [
    [pad, pad],
    [pad, pad],
    [0, 0],
  ]) as unknown as FaceApi.tf.Tensor3D;
  try {
    const found = await faceapi.detectAllFaces(input, engine.tinyOptions);
    const centre = { x: pad + working.width / 2, y: pad + working.height / 2 };
    const chosen = found
      .map((d) => ({ d, reach: Math.hypot(d.box.x + d.box.width / 2 - centre.x, d.box.y + d.box.height / 2 - centre.y) / Math.max(d.box.width, 1) }))
      .filter(({ reach }) => reach < 0.5)
      .sort((a, b) => b.d.box.area - a.d.box.area)[0]?.d;
    if (!chosen) return null;

    const [faceTensor] = await faceapi.extractFaceTensors(input, [chosen.box]);
    if (!faceTensor) return null;
    let landmarks: FaceApi.FaceLandmarks68;
    try {
      landmarks = (await faceapi.nets.faceLandmark68Net.detectLandmarks(faceTensor)) as FaceApi.FaceLandmarks68;
    } finally {
      faceTensor.dispose();
    }
    const placed = landmarks.shiftBy<FaceApi.FaceLandmarks68>(chosen.box.x, chosen.box.y);
    const vectors: Record<string, Float32Array> = {};
    if (faceApiId) {
      const aligned = placed.align(null, { useDlibAlignment: true });
      const [alignedTensor] = await faceapi.extractFaceTensors(input, [new faceapi.Rect(aligned.x, aligned.y, aligned.width, aligned.height)]);
      if (!alignedTensor) return null;
      try {
        vectors[faceApiId] = Float32Array.from((await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(alignedTensor)) as Float32Array);
      } finally {
        alignedTensor.dispose();
      }
    }
    // Landmarks back in the crop's own pixels, for the embedders that align from them.
    const points = placed.positions.map((p) => ({ x: p.x - pad, y: p.y - pad }));
    Object.assign(vectors, await embedAll(embedders, { data: working.pixels.data, width: working.width, height: working.height }, points));
    const box = { x: chosen.box.x - pad, y: chosen.box.y - pad, width: chosen.box.width, height: chosen.box.height };
    return { box, score: chosen.score, vectors };
  } finally {
    tf.dispose([image, input as unknown as Tfjs.Tensor]);
  }
}

async function embedAll(embedders: Record<string, Embedder>, image: RgbaImage, landmarks: readonly Point[]): Promise<Record<string, Float32Array>> {
  const vectors: Record<string, Float32Array> = {};
  for (const [id, embed] of Object.entries(embedders)) vectors[id] = await embed(image, landmarks);
  return vectors;
}

/** Decode (applying EXIF orientation, as Skia does) and scale down to at most `maxSide`. */
/**
 * Decodes an image and scales it to at most `maxSide`. The size its headers declare is checked
 * first against `declaredMaxSide`: a small file can declare a huge picture (a 60 KB JPEG of
 * 8000 × 8000 decodes to 256 MB), and the decoder would allocate it before anything could refuse.
 */
async function decodeImage(engine: FaceApiEngine, bytes: Uint8Array, maxSide: number, declaredMaxSide: number): Promise<WorkingImage> {
  const mediaType = sniffImageType(bytes);
  if (!mediaType) throw new UndecodableImageError('The file is not a JPEG, PNG or WebP image.');
  if (!isImageComplete(bytes, mediaType)) throw new UndecodableImageError('The image file is incomplete or damaged.');
  const declared = readImageDimensions(bytes, mediaType);
  if (!declared) throw new UndecodableImageError('The image headers are missing or malformed.');
  if (declared.width > declaredMaxSide || declared.height > declaredMaxSide) {
    throw new UndecodableImageError(`The image is ${declared.width} × ${declared.height} pixels; each side may be at most ${declaredMaxSide} here.`);
  }

  let image: NapiCanvas.Image;
  try {
    image = await engine.canvas.loadImage(bytes);
  } catch {
    throw new UndecodableImageError();
  }
  if (!(image.width > 0 && image.height > 0)) throw new UndecodableImageError();

  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const canvas = engine.canvas.createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0, width, height);
  return {
    canvas,
    pixels: context.getImageData(0, 0, width, height),
    width,
    height,
    original: { width: image.width, height: image.height },
  };
}

/**
 * SSD + landmarks + descriptors on the working image, optionally with a black border of `pad`
 * pixels. Boxes and landmarks come back in working-image coordinates (the border subtracted),
 * most confident first.
 */
async function detectFaces(engine: FaceApiEngine, working: WorkingImage, pad: number): Promise<Detection[]> {
  const { faceapi, tf } = engine;
  // A tensor input needs no canvas monkey-patching of face-api: it crops faces from the tensor.
  const rgb = toRgb(working.pixels);
  const image = tf.tensor3d(rgb, [working.height, working.width, 3], 'int32');
  const input =
    pad > 0
      ? tf.pad(image, [
          [pad, pad],
          [pad, pad],
          [0, 0],
        ])
      : image;
  try {
    const results = await faceapi
      .detectAllFaces(input as unknown as FaceApi.tf.Tensor3D, engine.ssdOptions)
      .withFaceLandmarks()
      .withFaceDescriptors();
    return results
      .map((result) => ({
        box: {
          x: result.detection.box.x - pad,
          y: result.detection.box.y - pad,
          width: result.detection.box.width,
          height: result.detection.box.height,
        },
        score: result.detection.score,
        // A copy: what leaves the task's tensor scope must not be a view of backend memory.
        descriptor: Float32Array.from(result.descriptor),
        landmarks: result.landmarks.positions.map((p) => ({ x: p.x - pad, y: p.y - pad })),
      }))
      .sort((a, b) => b.score - a.score);
  } finally {
    tf.dispose([image, input]);
  }
}

function toRgb(pixels: NapiCanvas.ImageData): Uint8Array {
  const rgba = pixels.data;
  const rgb = new Uint8Array(pixels.width * pixels.height * 3);
  for (let from = 0, to = 0; from < rgba.length; from += 4, to += 3) {
    rgb[to] = rgba[from]!;
    rgb[to + 1] = rgba[from + 1]!;
    rgb[to + 2] = rgba[from + 2]!;
  }
  return rgb;
}

function touchesEdge(box: FaceBox, working: WorkingImage): boolean {
  const margin = EDGE_MARGIN_RATIO * Math.min(working.width, working.height);
  return box.x <= margin || box.y <= margin || box.x + box.width >= working.width - margin || box.y + box.height >= working.height - margin;
}

/** A working-image box, clipped to the image, in the decoded image's pixels. */
function toOriginal(box: FaceBox, working: WorkingImage): FaceBox {
  const { width, height } = working.original;
  const scaleX = width / working.width;
  const scaleY = height / working.height;
  const left = clamp(box.x * scaleX, 0, width);
  const top = clamp(box.y * scaleY, 0, height);
  const right = clamp((box.x + box.width) * scaleX, 0, width);
  const bottom = clamp((box.y + box.height) * scaleY, 0, height);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Sharpness of the face as the recognition net sees it: resampled to SHARPNESS_SAMPLE_SIDE square. */
function measureSharpness(engine: FaceApiEngine, working: WorkingImage, box: FaceBox): number {
  const left = clamp(box.x, 0, working.width);
  const top = clamp(box.y, 0, working.height);
  const width = clamp(box.x + box.width, 0, working.width) - left;
  const height = clamp(box.y + box.height, 0, working.height) - top;
  if (width < 1 || height < 1) return 0;
  const side = SHARPNESS_SAMPLE_SIDE;
  const sample = engine.canvas.createCanvas(side, side);
  const context = sample.getContext('2d');
  context.drawImage(working.canvas, left, top, width, height, 0, 0, side, side);
  return laplacianVariance(context.getImageData(0, 0, side, side).data, side, side);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
