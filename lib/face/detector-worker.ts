/**
 * The face detector, off the page's main thread: a module worker that loads face-api from the
 * app's own /vendor folder, detects faces in frames the page transfers to it (tiny face detector),
 * and — only for the faces the tracker asks about — computes landmarks, the 128-number descriptor
 * and a small JPEG crop. Protocol: lib/face/worker-protocol.ts.
 *
 * The recipe that was measured (docs/architecture.md#face-detection-in-the-browser): face-api.esm.js with
 * env.setEnv on OffscreenCanvas (monkeyPatch fails in workers), tf.setWasmPaths + wasm backend,
 * frames drawn into one reused OffscreenCanvas.
 *
 * What it keeps: the latest frame only (the canvas and its tensor), overwritten by the next frame
 * and needed for a describe that follows its detect. Descriptors and crops are posted and dropped.
 */
import type * as FaceApiModule from '@vladmandic/face-api';
import { encodeFaceCrop } from '@/lib/face/crop';
import { describeFaceInTensor } from '@/lib/face/describe-face';
import type {
  BackendChoice,
  BackendName,
  BackendPreference,
  DescribeMessage,
  DescribedFace,
  DetectMessage,
  FaceBox,
  FromWorker,
  InitMessage,
  ToWorker,
} from '@/lib/face/worker-protocol';

type FaceApi = typeof FaceApiModule;
type Tensor3D = FaceApiModule.tf.Tensor3D;
// face-api's .d.ts omits these parts of its bundled tfjs.
type TfExtras = {
  setWasmPaths(prefix: string): void;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  browser: { fromPixels(pixels: OffscreenCanvas): Tensor3D };
};

/** The parts of DedicatedWorkerGlobalScope used here (the project compiles against the DOM lib only). */
type WorkerScope = {
  location: { origin: string };
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer: Transferable[]): void;
};
const scope = globalThis as unknown as WorkerScope;

/** Frames larger than this are scaled down: detection runs at 320 px anyway, crops at ≤ 224 px. */
const MAX_FRAME_SIDE = 1280;

let faceapi: FaceApi | null = null;
let detectorOptions: FaceApiModule.TinyFaceDetectorOptions | null = null;

/** The latest frame: kept only so that a describe can follow its detect. */
const frame = {
  jobId: -1,
  canvas: null as OffscreenCanvas | null,
  context: null as OffscreenCanvasRenderingContext2D | null,
  tensor: null as Tensor3D | null,
  /** canvas pixels per frame pixel (≤ 1). */
  scale: 1,
};

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      void init(message);
      break;
    case 'detect':
      void detect(message);
      break;
    case 'describe':
      void describe(message);
      break;
  }
};

async function init(message: InitMessage): Promise<void> {
  try {
    const url = new URL(message.bundleUrl, scope.location.origin).href;
    const api = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ url)) as FaceApi;
    // No DOM here: face-api draws and creates canvases through this environment.
    api.env.setEnv({
      Canvas: OffscreenCanvas as unknown as typeof HTMLCanvasElement,
      CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D as unknown as typeof CanvasRenderingContext2D,
      Image: class {} as unknown as typeof HTMLImageElement,
      ImageData,
      Video: class {} as unknown as typeof HTMLVideoElement,
      createCanvasElement: () => new OffscreenCanvas(1, 1) as unknown as HTMLCanvasElement,
      createImageElement: () => {
        throw new Error('No images in the detector worker');
      },
      createVideoElement: () => {
        throw new Error('No video elements in the detector worker');
      },
      readFile: () => Promise.reject(new Error('No file system in the detector worker')),
      fetch: (input, init) => fetch(input, init),
    });
    const tf = api.tf as unknown as TfExtras;
    tf.setWasmPaths(new URL(message.wasmUrl, scope.location.origin).href);
    if (!(await tf.setBackend('wasm'))) throw new Error('The WebAssembly backend could not start');
    await tf.ready();
    const modelsUrl = new URL(message.modelsUrl, scope.location.origin).href;
    await Promise.all([
      api.nets.tinyFaceDetector.loadFromUri(modelsUrl),
      api.nets.faceLandmark68Net.loadFromUri(modelsUrl),
      api.nets.faceRecognitionNet.loadFromUri(modelsUrl),
    ]);
    faceapi = api;
    detectorOptions = new api.TinyFaceDetectorOptions(message.detector);
    const choice = await chooseBackend(api, message.backend);
    post({ type: 'ready', choice });
  } catch (error) {
    post({ type: 'init-failed', message: describeError(error) });
  }
}

// ---------------------------------------------------------------------------------------------
// Backend choice: wasm unless webgl measures faster on this machine's real GPU.

/** Software WebGL (no GPU): 10× slower than wasm (docs/architecture.md#face-detection-in-the-browser), not worth measuring. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|mesa offscreen/i;

function webglRenderer(): string | null {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return null;
  }
}

/** Median ms of a few tiny-detector passes on a blank 640×480 frame, after a warm-up (shader/kernels). */
async function timeDetector(api: FaceApi): Promise<number> {
  const input = api.tf.zeros([480, 640, 3]) as Tensor3D;
  const options = detectorOptions!;
  try {
    await api.detectAllFaces(input, options);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await api.detectAllFaces(input, options);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[1]!;
  } finally {
    input.dispose();
  }
}

async function chooseBackend(api: FaceApi, preference: BackendPreference): Promise<BackendChoice> {
  const tf = api.tf as unknown as TfExtras;
  const wasmMs = await timeDetector(api); // also warms the wasm kernels before the first real frame
  if (preference === 'wasm') return { backend: 'wasm', wasmMs, webglMs: null, reason: 'wasm requested' };
  const renderer = webglRenderer();
  if (!renderer) return { backend: 'wasm', wasmMs, webglMs: null, reason: 'WebGL is not available in workers here' };
  if (preference === 'auto' && SOFTWARE_RENDERER.test(renderer)) {
    return { backend: 'wasm', wasmMs, webglMs: null, reason: `WebGL is software-rendered (${renderer})` };
  }
  let webglMs: number | null = null;
  try {
    if (await tf.setBackend('webgl')) {
      await tf.ready();
      webglMs = await timeDetector(api);
    }
  } catch {
    webglMs = null;
  }
  const useWebgl = webglMs !== null && (preference === 'webgl' || webglMs < wasmMs);
  const backend: BackendName = useWebgl ? 'webgl' : 'wasm';
  if (tf.getBackend() !== backend) {
    await tf.setBackend(backend);
    await tf.ready();
  }
  const reason =
    webglMs === null
      ? 'WebGL failed to start'
      : preference === 'webgl'
        ? 'webgl requested'
        : `measured ${backend} faster (wasm ${wasmMs.toFixed(0)} ms, webgl ${webglMs.toFixed(0)} ms)`;
  return { backend, wasmMs, webglMs, reason };
}

// ---------------------------------------------------------------------------------------------
// Jobs

function releaseFrameTensor(): void {
  frame.tensor?.dispose();
  frame.tensor = null;
}

/** Draws the transferred frame into the reused canvas (scaled to MAX_FRAME_SIDE) and closes it. */
function drawFrame(source: VideoFrame | ImageBitmap, width: number, height: number): OffscreenCanvas {
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  if (!frame.canvas) {
    frame.canvas = new OffscreenCanvas(w, h);
    // Read back on every frame by tfjs: keep it in CPU memory.
    frame.context = frame.canvas.getContext('2d', { willReadFrequently: true });
  } else if (frame.canvas.width !== w || frame.canvas.height !== h) {
    frame.canvas.width = w; // resizing keeps the context
    frame.canvas.height = h;
  }
  try {
    frame.context!.drawImage(source, 0, 0, w, h);
  } finally {
    source.close();
  }
  frame.scale = scale;
  return frame.canvas;
}

async function detect(message: DetectMessage): Promise<void> {
  const api = faceapi;
  if (!api || !detectorOptions) {
    message.frame.close();
    post({ type: 'job-failed', jobId: message.jobId, message: 'The detector is not ready' });
    return;
  }
  try {
    releaseFrameTensor();
    frame.jobId = -1;
    const start = performance.now();
    const canvas = drawFrame(message.frame, message.width, message.height);
    const tf = api.tf as unknown as TfExtras;
    frame.tensor = tf.browser.fromPixels(canvas);
    frame.jobId = message.jobId;
    const detections = await api.detectAllFaces(frame.tensor, detectorOptions);
    const k = 1 / frame.scale;
    const faces = detections.map((d) => ({
      box: clampBox({ x: d.box.x * k, y: d.box.y * k, width: d.box.width * k, height: d.box.height * k }, message.width, message.height),
      score: d.score,
    }));
    post({ type: 'detected', jobId: message.jobId, faces, detectMs: performance.now() - start });
  } catch (error) {
    releaseFrameTensor();
    post({ type: 'job-failed', jobId: message.jobId, message: describeError(error) });
  }
}

function clampBox(box: FaceBox, width: number, height: number): FaceBox {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  return {
    x,
    y,
    width: Math.max(1, Math.min(width, box.x + box.width) - x),
    height: Math.max(1, Math.min(height, box.y + box.height) - y),
  };
}

async function describe(message: DescribeMessage): Promise<void> {
  const api = faceapi;
  const tensor = frame.tensor;
  if (!api || !tensor || !frame.canvas || frame.jobId !== message.frameJobId) {
    post({ type: 'job-failed', jobId: message.jobId, message: 'That frame is gone' });
    return;
  }
  const start = performance.now();
  const faces: DescribedFace[] = [];
  const failedTrackIds: string[] = [];
  for (const face of message.faces) {
    try {
      const described = await describeFace(api, tensor, frame.canvas, face.box);
      if (described) faces.push({ trackId: face.trackId, ...described });
      else failedTrackIds.push(face.trackId);
    } catch {
      failedTrackIds.push(face.trackId);
    }
  }
  // The frame has served its purpose; drop its tensor now rather than at the next frame.
  releaseFrameTensor();
  frame.jobId = -1;
  post(
    { type: 'described', jobId: message.jobId, faces, failedTrackIds, describeMs: performance.now() - start },
    faces.map((f) => f.descriptor.buffer as ArrayBuffer),
  );
}

/** The face's descriptor (lib/face/describe-face.ts) and its crop, from the current frame. */
async function describeFace(
  api: FaceApi,
  tensor: Tensor3D,
  canvas: OffscreenCanvas,
  frameBox: FaceBox,
): Promise<{ descriptor: Float32Array; crop: string } | null> {
  const s = frame.scale;
  const box = { x: frameBox.x * s, y: frameBox.y * s, width: frameBox.width * s, height: frameBox.height * s };
  const descriptor = await describeFaceInTensor(api, tensor, box);
  if (!descriptor) return null;
  const crop = await encodeFaceCrop(canvas, { x: box.x, y: box.y, width: box.width, height: box.height });
  return { descriptor, crop };
}
