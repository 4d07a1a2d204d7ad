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
  // Rows in one order on every instance (camera and minute, then deployments by id): two instances
  // flushing at once wait for each other instead of deadlocking.
  const ordered = [...buckets].sort((x, y) => x.cameraId.localeCompare(y.cameraId) || x.minuteStart.getTime() - y.minuteStart.getTime());
  await db.$transaction([
    ...ordered.map((b) =>
      db.faceCount.upsert({
        where: { cameraId_minute: { cameraId: b.cameraId, minute: b.minuteStart } },
        create: { deploymentId: b.deploymentId, cameraId: b.cameraId, minute: b.minuteStart, count: b.count },
        update: { count: { increment: b.count } },
      }),
    ),
    // Raw, so that counting faces does not touch the deployment's updatedAt (lists order by it).
    ...[...perDeployment]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([id, count]) => db.$executeRaw`UPDATE "Deployment" SET "facesProcessed" = "facesProcessed" + ${count} WHERE "id" = ${id}`),
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

/**
 * Shared camera leases (lib/live/cluster-leases.ts). Not audited: a row says which instance's
 * screen or agent analyses a camera for the next few seconds, and changes every second or so.
 */
export type CameraLeaseClaim = {
  cameraId: string;
  deploymentId: string;
  instance: string;
  holderKind: string;
  holderName: string;
  /** An HTTP sender's analyser id ('' for others): the same sender through another instance may adopt the row. */
  holderId: string;
  now: Date;
  /** A row renewed before this has lapsed: anyone may take it. */
  staleBefore: Date;
};

/**
 * Takes or renews a camera's row for this instance if it is free, already this instance's, lapsed,
 * or (agents first) held for a non-agent while this holder is an agent. True when this instance
 * holds it now. The update is one conditional write; a camera with no row is created, and a
 * creation that loses the race to another instance's (unique cameraId) answers false.
 */
export async function claimCameraLease(claim: CameraLeaseClaim): Promise<boolean> {
  const db = getDb();
  const { cameraId, deploymentId, instance, holderKind, holderName, holderId, now, staleBefore } = claim;
  const data = { deploymentId, instance, holderKind, holderName, holderId, renewedAt: now };
  const takeable = [
    { instance },
    { renewedAt: { lt: staleBefore } },
    ...(holderKind === 'agent' ? [{ holderKind: { not: 'agent' } }] : []),
    // An HTTP sender whose requests a balancer spreads over the instances is one holder wherever they land.
    ...(holderKind === 'http' && holderId ? [{ holderKind: 'http', holderId }] : []),
  ];
  const { count } = await db.cameraLease.updateMany({ where: { cameraId, OR: takeable }, data });
  if (count > 0) return true;
  try {
    await db.cameraLease.create({ data: { cameraId, ...data } });
    return true;
  } catch (error) {
    // The row exists (another instance holds the camera, or created it a moment ago).
    if ((error as { code?: unknown }).code === 'P2002') return false;
    throw error;
  }
}

/** Renews this instance's rows for these cameras in one write (rows another instance took meanwhile are left alone). */
export async function renewCameraLeases(instance: string, cameraIds: readonly string[], now: Date): Promise<void> {
  if (cameraIds.length === 0) return;
  await getDb().cameraLease.updateMany({ where: { instance, cameraId: { in: [...cameraIds] } }, data: { renewedAt: now } });
}

/** Lets go of this instance's rows for these cameras (only its own). */
export async function releaseCameraLeases(instance: string, cameraIds: readonly string[]): Promise<void> {
  if (cameraIds.length === 0) return;
  await getDb().cameraLease.deleteMany({ where: { instance, cameraId: { in: [...cameraIds] } } });
}

/** Every instance's rows of deployments that are no longer live. */
export async function deleteCameraLeasesOf(deploymentIds: readonly string[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  await getDb().cameraLease.deleteMany({ where: { deploymentId: { in: [...deploymentIds] } } });
}
