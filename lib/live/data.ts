import { getDb } from '@/lib/db/client';

/** Reads of the live pipeline (lib/live/probes.ts). Server only; no permission check here. */

/** What the probe pipeline needs to know about a deployment, or null when there is none. */
export async function readLiveDeployment(deploymentId: string) {
  return getDb().deployment.findUnique({
    where: { id: deploymentId },
    select: {
      status: true,
      startsAt: true,
      endsAt: true,
      threshold: true,
      verifierId: true,
      verifyThreshold: true,
      snapshot: { select: { id: true } },
      cameras: { select: { id: true } },
    },
  });
}

/** The snapshot's copy of a matched entry's details, or null if the snapshot no longer has it. */
export async function readSnapshotTemplate(snapshotId: string, referenceImageId: string) {
  return getDb().snapshotImage.findFirst({
    where: { snapshotId, referenceImageId },
    select: { watchlistId: true, reference: true, name: true, category: true },
  });
}
