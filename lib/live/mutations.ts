import { getDb } from '@/lib/db/client';
import type { FaceCountBucket } from '@/lib/matching/face-counts';

/**
 * Writes of the live pipeline. Face counts are the one write without an audit record: they say
 * how many faces a camera processed in a minute and nothing about any face, and a record per
 * camera and minute would bury the trail.
 */

/**
 * Adds drained buckets to the stored counts, one row per camera and minute, in one transaction.
 * Adds rather than overwrites: a late face can reach a minute that was already written.
 */
export async function addFaceCounts(buckets: readonly FaceCountBucket[]): Promise<void> {
  const db = getDb();
  await db.$transaction(
    buckets.map((b) =>
      db.faceCount.upsert({
        where: { cameraId_minute: { cameraId: b.cameraId, minute: b.minuteStart } },
        create: { deploymentId: b.deploymentId, cameraId: b.cameraId, minute: b.minuteStart, count: b.count },
        update: { count: { increment: b.count } },
      }),
    ),
  );
}
