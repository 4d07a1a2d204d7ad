/**
 * Face detection and description on the server: @vladmandic/face-api's Node WASM build on
 * TensorFlow.js's WASM backend (tfjs-node cannot be installed offline), with @napi-rs/canvas to
 * decode images. Server only; the browser has its own engine.
 *
 * The packages are listed in next.config.js serverExternalPackages, so they are required from
 * node_modules at run time — by path from the project root (process.cwd()), because inside Next's
 * server bundle neither __dirname nor import.meta.url point at the source folder. The process must
 * therefore run from the project root, as server.ts, next and vitest do.
 *
 * Models load once per process; the loading promise lives on globalThis so that Next's bundle and
 * server.ts, which may each hold their own copy of this module, share one engine and one queue.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import type * as Tfjs from '@tensorflow/tfjs';
import type { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type * as NapiCanvas from '@napi-rs/canvas';
import { isImageComplete, sniffImageType } from './media';
import {
  FACE_PRESENCE_MIN_SCORE,
  SHARPNESS_SAMPLE_SIDE,
  laplacianVariance,
  type FaceBox,
} from './quality-gate';

export type AnalysedFace = {
  /** In the decoded image's pixels (after any EXIF rotation, as a browser shows it), clipped to it. */
  box: FaceBox;
  score: number;
  descriptor: Float32Array;
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

type Tf = typeof Tfjs & { setWasmPaths: typeof setWasmPaths };

type Engine = {
  faceapi: typeof FaceApi;
  tf: Tf;
  canvas: typeof NapiCanvas;
  detectorOptions: FaceApi.SsdMobilenetv1Options;
};

type EngineState = { engine?: Promise<Engine>; queue: Promise<unknown> };

const globalState = globalThis as typeof globalThis & { __sightlineFaceEngine?: EngineState };

function engineState(): EngineState {
  globalState.__sightlineFaceEngine ??= { queue: Promise.resolve() };
  return globalState.__sightlineFaceEngine;
}

/**
 * Load the models now rather than on the first upload (e.g. at server start). Safe to call any
 * number of times; a failed load is retried by the next call instead of being remembered.
 */
export function loadFaceEngine(): Promise<void> {
  return startEngine().then(() => undefined);
}

/**
 * Decode an image and find every face in it with its 128-number descriptor. Calls run one at a
 * time, in arrival order. Throws UndecodableImageError for bytes that are not a whole JPEG, PNG or
 * WebP image. Nothing is logged or kept.
 */
export function detectFacesWithDescriptors(bytes: Uint8Array): Promise<FaceAnalysis> {
  return runExclusively(async () => analyseImage(await startEngine(), bytes));
}

function startEngine(): Promise<Engine> {
  const state = engineState();
  state.engine ??= createEngine().catch((error: unknown) => {
    state.engine = undefined;
    throw error;
  });
  return state.engine;
}

/** One detection at a time: concurrent uploads queue rather than interleave on the one WASM backend. */
function runExclusively<T>(task: () => Promise<T>): Promise<T> {
  const state = engineState();
  const run = state.queue.then(task);
  state.queue = run.catch(() => undefined);
  return run;
}

async function createEngine(): Promise<Engine> {
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
    faceapi.nets.faceLandmark68Net.loadFromDisk(modelFolder),
    faceapi.nets.faceRecognitionNet.loadFromDisk(modelFolder),
  ]);

  const detectorOptions = new faceapi.SsdMobilenetv1Options({
    minConfidence: FACE_PRESENCE_MIN_SCORE,
    maxResults: MAX_FACES,
  });
  return { faceapi, tf, canvas, detectorOptions };
}

/** The decoded image, scaled down to at most WORKING_MAX_SIDE, and the size it was decoded at. */
type WorkingImage = {
  canvas: NapiCanvas.Canvas;
  pixels: NapiCanvas.ImageData;
  width: number;
  height: number;
  original: { width: number; height: number };
};

type Detection = { box: FaceBox; score: number; descriptor: Float32Array };

async function analyseImage(engine: Engine, bytes: Uint8Array): Promise<FaceAnalysis> {
  const working = await decodeImage(engine, bytes);

  let detections = await detectFaces(engine, working, 0);
  const best = detections[0];
  const pad = Math.round(PAD_RATIO * Math.min(working.width, working.height));
  if (pad > 0 && (!best || touchesEdge(best.box, working))) {
    // Nothing found, or a face cut by the edge: look again with a border, and prefer that look if
    // it finds anything (it sees the whole face; see EDGE_MARGIN_RATIO).
    const padded = await detectFaces(engine, working, pad);
    if (padded.length > 0) detections = padded;
  }

  const faces = detections.map((detection) => ({
    box: toOriginal(detection.box, working),
    score: detection.score,
    descriptor: detection.descriptor,
    sharpness: measureSharpness(engine, working, detection.box),
  }));
  return { width: working.original.width, height: working.original.height, faces };
}

/** Decode (applying EXIF orientation, as Skia does) and scale down to the working size. */
async function decodeImage(engine: Engine, bytes: Uint8Array): Promise<WorkingImage> {
  const mediaType = sniffImageType(bytes);
  if (!mediaType) throw new UndecodableImageError('The file is not a JPEG, PNG or WebP image.');
  if (!isImageComplete(bytes, mediaType)) throw new UndecodableImageError('The image file is incomplete or damaged.');

  let image: NapiCanvas.Image;
  try {
    image = await engine.canvas.loadImage(bytes);
  } catch {
    throw new UndecodableImageError();
  }
  if (!(image.width > 0 && image.height > 0)) throw new UndecodableImageError();

  const scale = Math.min(1, WORKING_MAX_SIDE / Math.max(image.width, image.height));
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
 * pixels. Boxes come back in working-image coordinates (the border subtracted), most confident first.
 */
async function detectFaces(engine: Engine, working: WorkingImage, pad: number): Promise<Detection[]> {
  const { faceapi, tf } = engine;
  // A tensor input needs no canvas monkey-patching of face-api: it crops faces from the tensor.
  const rgb = toRgb(working.pixels);
  const image = tf.tensor3d(rgb, [working.height, working.width, 3], 'int32');
  const input = pad > 0 ? tf.pad(image, [[pad, pad], [pad, pad], [0, 0]]) : image;
  try {
    const results = await faceapi
      .detectAllFaces(input as unknown as FaceApi.tf.Tensor3D, engine.detectorOptions)
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
        descriptor: result.descriptor,
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
  return (
    box.x <= margin ||
    box.y <= margin ||
    box.x + box.width >= working.width - margin ||
    box.y + box.height >= working.height - margin
  );
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
function measureSharpness(engine: Engine, working: WorkingImage, box: FaceBox): number {
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
