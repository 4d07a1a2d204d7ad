import { getDb } from '@/lib/db/client';
import { HttpError, notFound } from '@/lib/http/errors';

/**
 * The reads behind a deployment's record. Each query selects figures only: times, counts,
 * decisions and camera names — never a crop, a template, or the name or reference of anyone on a
 * watchlist. Six indexed reads whatever the deployment's size, the per-minute tables summed in the
 * database: FaceCount and CoverageMinute by (deploymentId, minute), Alert by (deploymentId,
 * createdAt), AuditEvent by (subjectType, subjectId, seq).
 */

/** Lifecycle and snapshot events of a deployment that the record reports. */
export const RECORD_EVENT_ACTIONS = [
  'deployment.authorised',
  'deployment.started',
  'deployment.suspended',
  'deployment.ended',
  'deployment.cancelled',
  'snapshot.created',
  'snapshot.purged',
] as const;

export async function loadRecordRows(deploymentId: string) {
  const db = getDb();
  const deployment = await db.deployment.findUnique({
    where: { id: deploymentId },
    select: {
      id: true,
      name: true,
      status: true,
      zone: true,
      startsAt: true,
      endsAt: true,
      threshold: true,
      verifierId: true,
      verifyThreshold: true,
      authorisedForecast: true,
      decidedAt: true,
      wentLiveAt: true,
      endedAt: true,
      snapshotPurgedAt: true,
      facesProcessed: true,
      planner: { select: { name: true } },
      authoriser: { select: { name: true } },
      cameras: { select: { id: true, name: true, lat: true, lng: true }, orderBy: { name: 'asc' } },
    },
  });
  if (!deployment) throw notFound('No such deployment.');
  // A record is of what a deployment did: a plan that never went live did nothing yet.
  if (!deployment.wentLiveAt)
    throw new HttpError(409, 'never_live', 'This deployment has never gone live, so it has no record yet.', { status: deployment.status });
  const where = { deploymentId };
  const [alerts, faceByCamera, faceByMinute, coverageByCamera, events] = await Promise.all([
    db.alert.findMany({
      where,
      select: {
        id: true,
        createdAt: true,
        firstClaimedAt: true,
        firstDecidedAt: true,
        decision: true,
        outcome: true,
        // The group of the latest decision and outcome: a group's engagement and outcome count once.
        decisions: { select: { kind: true, groupId: true }, orderBy: [{ at: 'desc' }, { id: 'desc' }] },
      },
    }),
    // Sums in the database: a long deployment has thousands of camera-minutes.
    db.faceCount.groupBy({ by: ['cameraId'], where, _sum: { count: true }, _count: { _all: true } }),
    db.faceCount.groupBy({ by: ['minute'], where, _sum: { count: true } }),
    db.coverageMinute.groupBy({ by: ['cameraId'], where, _count: { _all: true } }),
    db.auditEvent.findMany({
      where: { subjectType: 'deployment', subjectId: deploymentId, action: { in: [...RECORD_EVENT_ACTIONS] } },
      select: { action: true, at: true, details: true, actor: { select: { name: true } } },
      orderBy: { seq: 'asc' },
    }),
  ]);
  return {
    deployment,
    alerts: alerts.map(({ decisions, ...alert }) => ({
      ...alert,
      decisionGroupId: decisions.find((d) => d.kind === 'decision')?.groupId ?? null,
      outcomeGroupId: decisions.find((d) => d.kind === 'outcome')?.groupId ?? null,
    })),
    // (a FaceCount row exists only for a minute with at least one face)
    faceByCamera: faceByCamera.map((r) => ({ cameraId: r.cameraId, faces: r._sum.count ?? 0, minutesWithFaces: r._count._all })),
    faceByMinute: faceByMinute.map((r) => ({ minute: r.minute, count: r._sum.count ?? 0 })),
    coverageByCamera: coverageByCamera.map((r) => ({ cameraId: r.cameraId, analysedMinutes: r._count._all })),
    events,
  };
}

export type RecordRows = Awaited<ReturnType<typeof loadRecordRows>>;
