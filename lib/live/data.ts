import { getDb } from '@/lib/db/client';
import { deploymentsVisibleTo, type Viewer } from '@/lib/deployments/data';

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
      wentLiveAt: true,
      snapshot: { select: { id: true } },
      cameras: { select: { id: true } },
    },
  });
}

const leaseSelect = {
  id: true,
  name: true,
  status: true,
  startsAt: true,
  endsAt: true,
  wentLiveAt: true,
  cameras: { select: { id: true, name: true, sourceKind: true, sourceUrl: true }, orderBy: { createdAt: 'asc' } },
} as const;

/** What camera leases need of a deployment (its state and cameras with their sources), or null when there is none. */
export async function readLeaseDeployment(deploymentId: string) {
  return getDb().deployment.findUnique({ where: { id: deploymentId }, select: leaseSelect });
}

/** Of these deployments, those live and inside their window at `now` (the lease table's periodic check). */
export async function readLiveDeploymentIds(deploymentIds: readonly string[], now: Date) {
  return getDb().deployment.findMany({
    where: { id: { in: [...deploymentIds] }, status: 'live', startsAt: { lte: now }, endsAt: { gt: now } },
    select: { id: true },
  });
}

/** The live deployments this viewer may see (lib/deployments/data.ts's rule), with their cameras. */
export async function readLiveDeploymentsVisibleTo(viewer: Viewer) {
  return getDb().deployment.findMany({
    where: { AND: [{ status: 'live' }, deploymentsVisibleTo(viewer)] },
    select: leaseSelect,
    orderBy: { createdAt: 'asc' },
  });
}

/** The snapshot's copy of a matched entry's details, or null if the snapshot no longer has it. */
export async function readSnapshotTemplate(snapshotId: string, referenceImageId: string) {
  return getDb().snapshotImage.findFirst({
    where: { snapshotId, referenceImageId },
    select: { watchlistId: true, reference: true, name: true, category: true },
  });
}

/** The shared camera leases of these deployments (every instance's; lib/live/cluster-leases.ts). */
export async function readCameraLeases(deploymentIds: readonly string[]) {
  if (deploymentIds.length === 0) return [];
  return getDb().cameraLease.findMany({
    where: { deploymentId: { in: [...deploymentIds] } },
    select: { cameraId: true, deploymentId: true, instance: true, holderKind: true, holderName: true, holderId: true, renewedAt: true },
  });
}
