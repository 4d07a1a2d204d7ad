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
  // The deployment's total moves in the same transaction as its minutes, so the two never disagree.
  const perDeployment = new Map<string, number>();
  for (const b of buckets) perDeployment.set(b.deploymentId, (perDeployment.get(b.deploymentId) ?? 0) + b.count);
  await db.$transaction([
    ...buckets.map((b) =>
      db.faceCount.upsert({
        where: { cameraId_minute: { cameraId: b.cameraId, minute: b.minuteStart } },
        create: { deploymentId: b.deploymentId, cameraId: b.cameraId, minute: b.minuteStart, count: b.count },
        update: { count: { increment: b.count } },
      }),
    ),
    // Raw, so that counting faces does not touch the deployment's updatedAt (lists order by it).
    ...[...perDeployment].map(([id, count]) => db.$executeRaw`UPDATE "Deployment" SET "facesProcessed" = "facesProcessed" + ${count} WHERE "id" = ${id}`),
  ]);
}

/**
 * Records the minutes in which cameras were analysed (coverage). Only that a minute was covered
 * is kept: a minute already recorded stays as it is.
 */
export async function addCoverageMinutes(minutes: readonly Pick<FaceCountBucket, 'deploymentId' | 'cameraId' | 'minuteStart'>[]): Promise<void> {
  const db = getDb();
  await db.$transaction(
    minutes.map((m) =>
      db.coverageMinute.upsert({
        where: { cameraId_minute: { cameraId: m.cameraId, minute: m.minuteStart } },
        create: { deploymentId: m.deploymentId, cameraId: m.cameraId, minute: m.minuteStart },
        // Not empty: an upsert with nothing to update is a read then an insert, which two
        // instances covering the same minute at once would both attempt (a unique violation).
        // With something to write it is one INSERT … ON CONFLICT DO UPDATE; the value is the one
        // already there (a camera belongs to one deployment).
        update: { deploymentId: m.deploymentId },
      }),
    ),
  );
}
