/**
 * Messages between the page and the face detector worker (lib/face/detector-worker.ts).
 *
 * One job at a time per worker: `detect` a frame, then — only when the tracker asks — `describe`
 * some of the faces found in that same frame (the worker keeps only its latest frame, so a
 * describe must follow its detect before the next frame is sent). Boxes are always in the pixels
 * of the frame as captured (the video's intrinsic size), whatever the worker scales internally.
 */

export type FaceBox = { x: number; y: number; width: number; height: number };

/** 'auto' measures both on start-up where webgl runs on a real GPU; otherwise wasm. */
export type BackendPreference = 'auto' | 'wasm' | 'webgl';
export type BackendName = 'wasm' | 'webgl';

export type DetectorSettings = {
  /** Tiny face detector input (multiple of 32). 320 is ~2× faster than 416 (docs/architecture.md#face-detection-in-the-browser). */
  inputSize: number;
  scoreThreshold: number;
};

export type InitMessage = {
  type: 'init';
  bundleUrl: string;
  modelsUrl: string;
  wasmUrl: string;
  backend: BackendPreference;
  detector: DetectorSettings;
};

export type DetectMessage = {
  type: 'detect';
  jobId: number;
  /** Transferred: the worker closes it. */
  frame: VideoFrame | ImageBitmap;
  /** The frame's size as the page sees it (video intrinsic size); boxes come back in these pixels. */
  width: number;
  height: number;
};

export type DescribeFace = { trackId: string; box: FaceBox };

export type DescribeMessage = {
  type: 'describe';
  jobId: number;
  /** The detect job whose frame the faces were found in. */
  frameJobId: number;
  faces: DescribeFace[];
};

export type ToWorker = InitMessage | DetectMessage | DescribeMessage;

export type BackendChoice = {
  backend: BackendName;
  /** Median milliseconds per tiny-detector pass in the start-up micro-benchmark, when run. */
  wasmMs: number | null;
  webglMs: number | null;
  /** Why this backend: a person-readable sentence for the stats panel. */
  reason: string;
};

export type DetectedFace = { box: FaceBox; score: number };

export type DescribedFace = {
  trackId: string;
  /** 128 numbers; its buffer is transferred. */
  descriptor: Float32Array;
  /** JPEG, base64 without a data: prefix, ≤ PROBE_CROP_MAX_BYTES decoded. */
  crop: string;
};

export type FromWorker =
  | { type: 'ready'; choice: BackendChoice }
  | { type: 'init-failed'; message: string }
  | { type: 'detected'; jobId: number; faces: DetectedFace[]; detectMs: number }
  | {
      type: 'described';
      jobId: number;
      faces: DescribedFace[];
      /** Faces whose landmarks could not be found in the crop (turned away, blurred). */
      failedTrackIds: string[];
      describeMs: number;
    }
  | { type: 'job-failed'; jobId: number; message: string };
