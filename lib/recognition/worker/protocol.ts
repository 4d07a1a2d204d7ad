import type { CropFace, FaceAnalysis } from '@/lib/face/node-engine';
import type { RecogniserManifest } from '../manifest';

/**
 * Messages between the server's threads and the face worker threads. Images go in as bytes;
 * faces come out as boxes, scores and vectors. Shared by lib/recognition/pool.ts (main side) and
 * worker/face-worker.ts.
 */

/** What every face worker is started with: the ONNX recogniser to open, if one is configured. */
export type WorkerConfig = { onnx: { modelPath: string; manifest: RecogniserManifest } | null };

export type WorkerTask =
  /** Every face in an image (SSD), with face-api's descriptor and each ONNX vector: enrolment, calibration. */
  | { kind: 'analyse'; bytes: Uint8Array }
  /** The face of a probe crop (tiny detector), with the vectors of the engines named: verification. */
  | { kind: 'crop'; bytes: Uint8Array; engineIds: string[] };

export type WorkerResult<T extends WorkerTask> = T extends { kind: 'analyse' } ? FaceAnalysis : CropFace | null;

export type ToWorker =
  | (WorkerTask & { id: number })
  /** Finish the task in hand (or the start-up in progress), release the models and exit. Heard at any time. */
  | { kind: 'close' };

export type FromWorker =
  /** The models are loaded: tasks may come. */
  | { kind: 'ready'; engines: string[] }
  /** The models could not be loaded; the message says why (e.g. a model that does not match its manifest). */
  | { kind: 'failed'; message: string }
  | { kind: 'done'; id: number; result: FaceAnalysis | CropFace | null }
  /** A task failed; `name` is the error's class name (UndecodableImageError, RangeError), so the caller can branch on it. */
  | { kind: 'error'; id: number; name: string; message: string };
