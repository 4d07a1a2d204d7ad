/**
 * A face worker thread: owns face-api (TensorFlow.js on WebAssembly) and the configured ONNX
 * recogniser, and analyses one image at a time so the server's event loop never waits on a
 * model. Started by lib/recognition/pool.ts; speaks lib/recognition/worker/protocol.ts.
 *
 * Nothing is logged or kept here: an image and its vectors exist only while their task runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyseCrop, analyseImage, createFaceApiEngine, type Embedder } from '@/lib/face/node-engine';
import { FACEAPI_ENGINE_ID } from '../manifest';
import { openOnnxRecogniser } from '../onnx-engine';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

async function start() {
  const config = workerData as WorkerConfig;
  const [engine, onnx] = await Promise.all([
    createFaceApiEngine(),
    config.onnx ? openOnnxRecogniser(config.onnx.modelPath, config.onnx.manifest) : Promise.resolve(null),
  ]);
  const embedders: Record<string, Embedder> = onnx ? { [onnx.manifest.id]: (image, landmarks) => onnx.embed(image, landmarks) } : {};

  // One task at a time, in arrival order: the WASM backend is single-threaded anyway, and a
  // queue here keeps memory to one image.
  let queue = Promise.resolve();
  port.on('message', (task: ToWorker) => {
    if (task.kind === 'close') {
      // Let the task in hand finish, free the native session, then end the thread cleanly.
      void queue.then(async () => {
        await onnx?.release().catch(() => undefined);
        port.close();
        process.exit(0);
      });
      return;
    }
    queue = queue.then(async () => {
      try {
        if (task.kind === 'analyse') {
          post({ kind: 'done', id: task.id, result: await analyseImage(engine, task.bytes, embedders) });
        } else {
          const wanted = Object.fromEntries(Object.entries(embedders).filter(([id]) => task.engineIds.includes(id)));
          const faceApiId = task.engineIds.includes(FACEAPI_ENGINE_ID) ? FACEAPI_ENGINE_ID : undefined;
          post({ kind: 'done', id: task.id, result: await analyseCrop(engine, task.bytes, { embedders: wanted, faceApiId }) });
        }
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        post({ kind: 'error', id: task.id, name: e.name, message: e.message });
      }
    });
  });
  post({ kind: 'ready', engines: [FACEAPI_ENGINE_ID, ...Object.keys(embedders)] });
}

start().catch((error: unknown) => post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }));
