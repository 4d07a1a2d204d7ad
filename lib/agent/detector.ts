import type * as FaceApi from '@vladmandic/face-api';
import type * as NapiCanvas from '@napi-rs/canvas';
import { CROP_MAX_BYTES, CROP_MAX_SIDE, padBox } from '@/lib/face/crop';
import { describeFaceInTensor } from '@/lib/face/describe-face';
import { DEFAULT_DETECTOR } from '@/lib/face/detection-scheduler';
import { createFaceApiEngine, type FaceApiEngine } from '@/lib/face/node-engine';
import type { FaceBox } from '@/lib/face/worker-protocol';
import type { DetectorSettings } from '@/lib/face/worker-protocol';
import type { RgbFrame } from './ffmpeg';

/**
 * Face detection for the camera agent: the browser's recipe in Node — face-api's tiny face
 * detector at the browser's input size (DEFAULT_DETECTOR), then, for the faces the tracker asks
 * about, the same landmarks + recognition net (lib/face/describe-face.ts) and a crop cut as the
 * browser cuts it (lib/face/crop.ts: padded by a quarter, ≤ 224 px, JPEG ≤ 64 KB). The models and
 * the WebAssembly backend load through lib/face/node-engine.ts, as the server's face workers do.
 *
 * Runs on the agent's main thread, one frame at a time; every tensor of a frame is freed when
 * its analysis ends, and nothing about a face is kept here.
 */

export type DetectedFace = { box: FaceBox; score: number };
export type DescribedFace = { trackId: string; descriptor: Float32Array; crop: string };
export type FrameAnalysis = { faces: DetectedFace[]; described: DescribedFace[]; failedTrackIds: string[]; detectMs: number; describeMs: number };

/** Chooses, from a frame's faces, those to describe now (the tracker's descriptor requests). */
export type ChooseFaces = (faces: DetectedFace[]) => { trackId: string; box: FaceBox }[];

export class FrameDetector {
  private readonly options: FaceApi.TinyFaceDetectorOptions;

  private constructor(
    private readonly engine: FaceApiEngine,
    readonly settings: DetectorSettings,
  ) {
    this.options = new engine.faceapi.TinyFaceDetectorOptions(settings);
  }

  /** Loads the models (about a second) and warms the detector at this input size. */
  static async create(settings: DetectorSettings = DEFAULT_DETECTOR): Promise<FrameDetector> {
    const detector = new FrameDetector(await createFaceApiEngine(), settings);
    const { tf } = detector.engine;
    const blank = tf.zeros([240, 320, 3], 'int32') as unknown as FaceApi.tf.Tensor3D;
    try {
      await detector.engine.faceapi.detectAllFaces(blank, detector.options);
    } finally {
      tf.dispose(blank as unknown as Parameters<typeof tf.dispose>[0]);
    }
    return detector;
  }

  get backend(): string {
    return this.engine.tf.getBackend();
  }

  /** Detects the faces of one frame; describes and crops those `choose` picks, from the same frame. */
  async analyse(frame: RgbFrame, choose: ChooseFaces): Promise<FrameAnalysis> {
    const { faceapi, tf } = this.engine;
    const scope = tf.engine();
    scope.startScope();
    try {
      const started = performance.now();
      const tensor = tf.tensor3d(frame.rgb, [frame.height, frame.width, 3], 'int32') as unknown as FaceApi.tf.Tensor3D;
      const detections = await faceapi.detectAllFaces(tensor, this.options);
      const faces = detections.map((d) => ({ box: clampBox(d.box, frame.width, frame.height), score: d.score }));
      const detectMs = performance.now() - started;

      const wanted = choose(faces);
      const described: DescribedFace[] = [];
      const failedTrackIds: string[] = [];
      for (const face of wanted) {
        try {
          const descriptor = await describeFaceInTensor(faceapi, tensor, face.box);
          if (descriptor) described.push({ trackId: face.trackId, descriptor, crop: encodeCrop(this.engine.canvas, frame, face.box) });
          else failedTrackIds.push(face.trackId);
        } catch {
          failedTrackIds.push(face.trackId);
        }
      }
      return { faces, described, failedTrackIds, detectMs, describeMs: performance.now() - started - detectMs };
    } finally {
      scope.endScope();
    }
  }
}

function clampBox(box: { x: number; y: number; width: number; height: number }, width: number, height: number): FaceBox {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  return { x, y, width: Math.max(1, Math.min(width, box.x + box.width) - x), height: Math.max(1, Math.min(height, box.y + box.height) - y) };
}

const QUALITIES = [85, 70, 55, 40, 25];
const FALLBACK_SIDE = 160;

/**
 * The face at `box` as the browser crops it (lib/face/crop.ts encodeFaceCrop): padded by
 * CROP_PADDING, scaled to at most CROP_MAX_SIDE, JPEG of at most CROP_MAX_BYTES; base64 without a
 * data: prefix. Only the padded region is copied out of the frame.
 */
export function encodeCrop(canvasModule: typeof NapiCanvas, frame: RgbFrame, box: FaceBox): string {
  const region = padBox(box, frame.width, frame.height);
  const rgba = new Uint8ClampedArray(region.width * region.height * 4);
  for (let y = 0; y < region.height; y++) {
    let from = ((region.y + y) * frame.width + region.x) * 3;
    let to = y * region.width * 4;
    for (let x = 0; x < region.width; x++) {
      rgba[to] = frame.rgb[from]!;
      rgba[to + 1] = frame.rgb[from + 1]!;
      rgba[to + 2] = frame.rgb[from + 2]!;
      rgba[to + 3] = 255;
      from += 3;
      to += 4;
    }
  }
  const source = canvasModule.createCanvas(region.width, region.height);
  source.getContext('2d').putImageData(new canvasModule.ImageData(rgba, region.width, region.height), 0, 0);
  for (const side of [CROP_MAX_SIDE, FALLBACK_SIDE]) {
    const scale = Math.min(1, side / Math.max(region.width, region.height));
    const target = canvasModule.createCanvas(Math.max(1, Math.round(region.width * scale)), Math.max(1, Math.round(region.height * scale)));
    const context = target.getContext('2d');
    context.imageSmoothingQuality = 'high';
    context.drawImage(source, 0, 0, region.width, region.height, 0, 0, target.width, target.height);
    for (const quality of QUALITIES) {
      const jpeg = target.encodeSync('jpeg', quality);
      if (jpeg.length <= CROP_MAX_BYTES) return jpeg.toString('base64');
    }
  }
  throw new Error(`The face crop does not fit in ${CROP_MAX_BYTES / 1024} KB`);
}
