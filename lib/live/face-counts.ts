import { FaceCounter } from '@/lib/matching/face-counts';
import { processState } from '@/lib/process-state';
import { addFaceCounts } from './mutations';

/**
 * The process's face counter (on globalThis: the socket server and Next's route handlers both
 * record into it) and its persistence into FaceCount rows, one per camera and minute.
 */
const counter = processState('faceCounter', () => new FaceCounter());

/** Counts one face processed by a camera (whatever the match result). */
export function recordFaceProcessed(deploymentId: string, cameraId: string, at: Date): void {
  counter.record(deploymentId, cameraId, at.getTime());
}

/** Faces counted in memory and not yet written, per deployment, in minutes from `since` on (lib/overview). */
export function pendingFaceCounts(deploymentIds: ReadonlySet<string>, since: Date): Map<string, number> {
  return counter.pendingSince(deploymentIds, since.getTime());
}

/**
 * Writes every completed minute to the database, adding to rows already there (a late face can
 * reach a minute that was flushed). Pass a time after the current minute to flush everything.
 */
export async function flushFaceCounts(now = new Date()): Promise<number> {
  const buckets = counter.drain(now.getTime());
  if (buckets.length === 0) return 0;
  try {
    await addFaceCounts(buckets);
  } catch (error) {
    counter.restore(buckets);
    throw error;
  }
  return buckets.length;
}
