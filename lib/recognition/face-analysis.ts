import { UndecodableImageError, type CropFace, type FaceAnalysis } from '@/lib/face/node-engine';
import { faceLane } from './engines';

/**
 * Face analysis for the server's own threads: every call runs in a face worker thread
 * (lib/recognition/pool.ts), so the event loop stays free. Server only.
 */

/**
 * Every face in an image, with face-api's descriptor and the vector of each enabled ONNX
 * recogniser (enrolment, template backfill, calibration). Rejects with UndecodableImageError for
 * bytes that are not a whole JPEG, PNG or WebP image, and with 503 when the analyser is busy.
 */
export async function analyseFaces(bytes: Uint8Array): Promise<FaceAnalysis> {
  try {
    return await faceLane('analyse').run({ kind: 'analyse', bytes: own(bytes) });
  } catch (error) {
    throw restoreError(error);
  }
}

/**
 * The face in a probe's crop with the vectors of `engineIds`, or null when the crop shows no
 * face (verification of a live candidate). Runs on its own lane, ahead of any enrolment.
 */
export async function analyseProbeCrop(bytes: Uint8Array, engineIds: string[]): Promise<CropFace | null> {
  try {
    return await faceLane('verify').run({ kind: 'crop', bytes: own(bytes), engineIds });
  } catch (error) {
    throw restoreError(error);
  }
}

/**
 * The bytes in a buffer of their own. Posting a view to a thread copies the whole buffer behind it
 * (a photo's view of a 100 MB request body would cost 100 MB), so a view is copied first.
 */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/**
 * A recogniser gave no usable vector for a face (NaN or infinite output, lib/recognition/onnx-engine.ts):
 * the image's fault, not the server's. Only errors from the analyser become this.
 */
export class UnusableFaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableFaceError';
  }
}

/** Errors cross the thread boundary as name and message; the ones callers branch on get their class back. */
function restoreError(error: unknown): unknown {
  if (error instanceof Error && error.name === 'UndecodableImageError' && !(error instanceof UndecodableImageError)) {
    return new UndecodableImageError(error.message);
  }
  if (error instanceof RangeError) return new UnusableFaceError(error.message);
  return error;
}
