import type * as FaceApiModule from '@vladmandic/face-api';

/**
 * face-api in the browser, loaded on demand from the app's own /vendor folder (copied from
 * node_modules at install: scripts/copy-browser-assets.ts) so it works air-gapped and never
 * weighs on pages that do not detect faces. The wasm backend is the default: on machines
 * without a GPU it is 10× faster than webgl (docs/architecture.md#face-detection-in-the-browser).
 */
export type FaceApi = typeof FaceApiModule;

export const BUNDLE_URL = '/vendor/face-api/face-api.esm.js';
export const MODELS_URL = '/vendor/face-models';
export const WASM_URL = '/vendor/tfjs-wasm/';

type TfWithWasm = { setWasmPaths(prefix: string): void; setBackend(name: string): Promise<boolean>; ready(): Promise<void> };

let loading: Promise<FaceApi> | null = null;

export function loadFaceApi(): Promise<FaceApi> {
  loading ??= (async () => {
    const url = BUNDLE_URL;
    const faceapi = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ url)) as FaceApi;
    const tf = faceapi.tf as unknown as TfWithWasm;
    tf.setWasmPaths(WASM_URL);
    if (!(await tf.setBackend('wasm'))) await tf.setBackend('webgl');
    await tf.ready();
    await faceapi.nets.tinyFaceDetector.loadFromUri(MODELS_URL);
    return faceapi;
  })().catch((error: unknown) => {
    loading = null; // allow a retry
    throw error;
  });
  return loading;
}

export type DetectedBox = { x: number; y: number; width: number; height: number; score: number };

/** Faces in a still image (the enrolment preview); boxes in the image's own pixels. */
export async function detectFacesInImage(image: HTMLImageElement | HTMLCanvasElement): Promise<DetectedBox[]> {
  const faceapi = await loadFaceApi();
  const detections = await faceapi.detectAllFaces(image, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.4 }));
  return detections.map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score }));
}
