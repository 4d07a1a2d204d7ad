import { FaceCounter, MINUTE_MS } from '@/lib/matching/face-counts';
import { processState } from '@/lib/process-state';
import { addCoverageMinutes, addFaceCounts } from './mutations';

/**
 * The process's face counter (on globalThis: the socket server and Next's route handlers both
 * record into it) and its persistence into FaceCount rows, one per camera and minute.
 */
const counter = processState('faceCounter', () => new FaceCounter());
/**
 * Coverage: the minutes in which each camera was analysed, whether or not it saw a face. The same
 * per-minute buckets, of which only the existence is persisted (CoverageMinute rows).
 */
const coverage = processState('coverageMinutes', () => new FaceCounter());

/** Counts one face processed by a camera (whatever the match result); the camera was analysed that minute. */
export function recordFaceProcessed(deploymentId: string, cameraId: string, at: Date): void {
  counter.record(deploymentId, cameraId, at.getTime());
  coverage.record(deploymentId, cameraId, at.getTime());
}

/** Marks a minute in which the holder of a camera's lease reported analysing it (faces or not). */
export function recordCameraAnalysed(deploymentId: string, cameraId: string, at: Date): void {
  coverage.record(deploymentId, cameraId, at.getTime());
}

/**
 * Writes everything counted for one deployment, the current minute included: once it stops being
 * live its record is complete at once (a later face for the same minute would add to the row).
 */
export function flushDeploymentCounts(deploymentId: string): Promise<number> {
  return flushFaceCounts(new Date(Date.now() + MINUTE_MS), deploymentId);
}

/** Faces counted in memory and not yet written, per deployment, in minutes from `since` on (lib/overview). */
export function pendingFaceCounts(deploymentIds: ReadonlySet<string>, since: Date): Map<string, number> {
  return counter.pendingSince(deploymentIds, since.getTime());
}

/**
 * Writes every completed minute to the database, adding to rows already there (a late face can
 * reach a minute that was flushed). Pass a time after the current minute to flush everything.
 */
export async function flushFaceCounts(now = new Date(), onlyDeploymentId?: string): Promise<number> {
  const buckets = counter.drain(now.getTime(), onlyDeploymentId);
  const covered = coverage.drain(now.getTime(), onlyDeploymentId);
  try {
    if (buckets.length > 0) await addFaceCounts(buckets);
  } catch (error) {
    counter.restore(buckets);
    coverage.restore(covered);
    throw error;
  }
  try {
    if (covered.length > 0) await addCoverageMinutes(covered);
  } catch (error) {
    coverage.restore(covered);
    throw error;
  }
  return buckets.length;
}
