/**
 * A face worker thread: owns face-api (TensorFlow.js on WebAssembly) and the configured ONNX
 * recogniser, and analyses one image at a time so the server's event loop never waits on a
 * model. Started by lib/recognition/pool.ts; speaks lib/recognition/worker/protocol.ts.
 *
 * Nothing is logged or kept here: an image and its vectors exist only while their task runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyseCrop, analyseImage, createFaceApiEngine, type Embedder, type FaceApiEngine } from '@/lib/face/node-engine';
import { FACEAPI_ENGINE_ID } from '../manifest';
import { openOnnxRecogniser, type OnnxRecogniser } from '../onnx-engine';
import type { FromWorker, ToWorker, WorkerConfig, WorkerTask } from './protocol';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

type Loaded = { engine: FaceApiEngine; onnx: OnnxRecogniser | null; embedders: Record<string, Embedder> };

/**
 * Loads face-api and the ONNX recogniser (which reads its model once and checks it against the
 * manifest's SHA-256). Both are waited for even when one fails, so nothing is still loading when
 * the thread is asked to exit, and an ONNX session opened for nothing is released.
 */
async function load(config: WorkerConfig): Promise<Loaded> {
  const [engine, onnx] = await Promise.allSettled([
    createFaceApiEngine(),
    config.onnx ? openOnnxRecogniser(config.onnx.modelPath, config.onnx.manifest) : Promise.resolve(null),
  ]);
  if (engine.status === 'rejected' || onnx.status === 'rejected') {
    if (onnx.status === 'fulfilled') await onnx.value?.release().catch(() => undefined);
    // The recogniser's complaint first: a wrong model or manifest is what an operator can fix.
    throw onnx.status === 'rejected' ? onnx.reason : (engine as PromiseRejectedResult).reason;
  }
  const recogniser = onnx.value;
  const embedders: Record<string, Embedder> = recogniser ? { [recogniser.manifest.id]: (image, landmarks) => recogniser.embed(image, landmarks) } : {};
  return { engine: engine.value, onnx: recogniser, embedders };
}

const loading = load(workerData as WorkerConfig);

async function runTask(task: WorkerTask & { id: number }) {
  try {
    const { engine, embedders } = await loading;
    if (task.kind === 'analyse') {
      post({ kind: 'done', id: task.id, result: await analyseImage(engine, task.bytes, embedders) });
    } else {
      const wanted = Object.fromEntries(Object.entries(embedders).filter(([id]) => task.engineIds.includes(id)));
      const faceApiId = task.engineIds.includes(FACEAPI_ENGINE_ID) ? FACEAPI_ENGINE_ID : undefined;
      post({ kind: 'done', id: task.id, result: await analyseCrop(engine, task.bytes, { embedders: wanted, faceApiId }) });
    }
  } catch (error) {
    // The name crosses too: callers branch on it (UndecodableImageError, RangeError).
    const e = error instanceof Error ? error : new Error(String(error));
    post({ kind: 'error', id: task.id, name: e.name, message: e.message });
  }
}

// One task at a time, in arrival order: the WASM backend is single-threaded anyway, and a queue
// here keeps memory to one image.
let queue: Promise<void> = Promise.resolve();

/**
 * Lets the task in hand (or a start-up in progress) finish, frees the native session, then ends
 * the thread cleanly. The pool asks this at shutdown and of a thread it abandons (timed out,
 * failed or late to start); only a thread that cannot get here in time is terminated.
 */
async function exitCleanly() {
  await queue;
  const loaded = await loading.catch(() => null);
  await loaded?.onnx?.release().catch(() => undefined);
  port.close();
  process.exit(0);
}

// Listening from the start, so that 'close' is heard while the models are still loading.
port.on('message', (message: ToWorker) => {
  if (message.kind === 'close') void exitCleanly();
  else queue = queue.then(() => runTask(message));
});

loading.then(
  ({ embedders }) => post({ kind: 'ready', engines: [FACEAPI_ENGINE_ID, ...Object.keys(embedders)] }),
  (error: unknown) => post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
