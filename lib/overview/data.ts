import { serverEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db/client';
import { deploymentsVisibleTo, findAuthorIdsOf, type Viewer } from '@/lib/deployments/data';
import { nextRunOf } from '@/lib/jobs/recurring';
import { pendingFaceCounts } from '@/lib/live/face-counts';
import { getEscalation } from '@/lib/settings/data';
import { MINUTE_MS } from '@/lib/matching/face-counts';
import {
  FACES_WINDOW_MINUTES,
  overviewScope,
  type Overview,
  type OverviewDeployment,
  type OverviewPlan,
  type OverviewRetention,
  type OverviewWatchlist,
} from './scope';

/**
 * Reads for the home page's "What needs attention now" (lib/overview/scope.ts decides which parts
 * a role gets; only those are read). Counts, names of deployments and watchlists, and times:
 * never a face, a crop, or anything about a person on a watchlist.
 */
export async function readOverview(viewer: Viewer, now = new Date()): Promise<Overview> {
  const scope = overviewScope(viewer.role);
  const [deployments, plans, reviews, retention, escalation] = await Promise.all([
    scope.liveDeployments ? liveDeployments(viewer, scope.awaitingAlerts, now) : undefined,
    scope.plansAwaitingAuthorisation ? plansAwaitingSecondOfficer(viewer) : undefined,
    scope.overdueReviews ? overdueReviews() : undefined,
    scope.retention ? retentionDue(now) : undefined,
    scope.escalations ? getEscalation().then(({ colourAfterSeconds, soundAfterSeconds }) => ({ colourAfterSeconds, soundAfterSeconds })) : undefined,
  ]);
  return {
    generatedAt: now.toISOString(),
    liveLinks: scope.liveLinks,
    ...(deployments && { deployments }),
    ...(plans && { plansAwaitingAuthorisation: plans }),
    ...(reviews && { overdueReviews: reviews }),
    ...(retention && { retention }),
    ...(escalation && { escalation }),
  };
}

/**
 * Live deployments the viewer may see, with faces processed in the last minutes — the stored
 * per-minute rows plus what the process has counted and not yet written — and, for those who read
 * alerts, the alerts awaiting a decision with when the oldest was raised.
 */
async function liveDeployments(viewer: Viewer, withAlerts: boolean, now: Date): Promise<OverviewDeployment[]> {
  const db = getDb();
  const live = await db.deployment.findMany({
    where: { AND: [{ status: 'live' }, deploymentsVisibleTo(viewer)] },
    select: { id: true, name: true },
    orderBy: { createdAt: 'asc' },
  });
  if (live.length === 0) return [];
  const ids = live.map((d) => d.id);
  const since = new Date((Math.floor(now.getTime() / MINUTE_MS) - (FACES_WINDOW_MINUTES - 1)) * MINUTE_MS);
  const [stored, awaiting] = await Promise.all([
    db.faceCount.groupBy({ by: ['deploymentId'], where: { deploymentId: { in: ids }, minute: { gte: since } }, _sum: { count: true } }),
    withAlerts
      ? db.alert.groupBy({ by: ['deploymentId'], where: { deploymentId: { in: ids }, status: 'new' }, _count: { _all: true }, _min: { createdAt: true } })
      : [],
  ]);
  const pending = pendingFaceCounts(new Set(ids), since);
  return live.map((deployment) => {
    const waiting = awaiting.find((a) => a.deploymentId === deployment.id);
    const facesRecently = (stored.find((s) => s.deploymentId === deployment.id)?._sum.count ?? 0) + (pending.get(deployment.id) ?? 0);
    return {
      id: deployment.id,
      name: deployment.name,
      facesRecently,
      ...(withAlerts && { awaiting: { count: waiting?._count._all ?? 0, oldestSince: waiting?._min.createdAt?.toISOString() ?? null } }),
    };
  });
}

/**
 * Submitted plans this senior officer may decide: not those they wrote (the two-person rule,
 * lib/deployments/data.ts findAuthorIdsOf), nor those written by whoever created their account.
 */
async function plansAwaitingSecondOfficer(viewer: Viewer): Promise<OverviewPlan[]> {
  const db = getDb();
  const [submitted, account] = await Promise.all([
    db.deployment.findMany({
      where: { AND: [{ status: 'submitted' }, deploymentsVisibleTo(viewer)] },
      select: { id: true, name: true, plannerId: true, submittedAt: true, updatedAt: true, planner: { select: { name: true } } },
      orderBy: { submittedAt: 'asc' },
    }),
    db.user.findUnique({ where: { id: viewer.id }, select: { createdById: true } }),
  ]);
  const authorsOf = await findAuthorIdsOf(db, submitted);
  const open: OverviewPlan[] = [];
  for (const plan of submitted) {
    const authors = authorsOf.get(plan.id)!;
    if (authors.has(viewer.id) || (account?.createdById && authors.has(account.createdById))) continue;
    open.push({ id: plan.id, name: plan.name, plannerName: plan.planner.name, submittedAt: (plan.submittedAt ?? plan.updatedAt).toISOString() });
  }
  return open;
}

/** Entries past their review date, per watchlist: "overdue" as the watchlist page counts it (before today, UTC). */
async function overdueReviews(): Promise<OverviewWatchlist[]> {
  const db = getDb();
  const startOfToday = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
  const overdue = await db.watchlistEntry.groupBy({ by: ['watchlistId'], where: { reviewBy: { lt: startOfToday } }, _count: { _all: true } });
  if (overdue.length === 0) return [];
  const watchlists = await db.watchlist.findMany({
    where: { id: { in: overdue.map((o) => o.watchlistId) } },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  return watchlists.map((w) => ({ id: w.id, name: w.name, overdue: overdue.find((o) => o.watchlistId === w.id)?._count._all ?? 0 }));
}

/**
 * What the retention jobs have yet to do, by their own rules (lib/alerts/mutations.ts
 * deleteExpiredCrops, lib/deployments/data.ts findLeftoverSnapshotDeploymentIds), and when each
 * next runs: the alert job every 30 s, the deployment job every minute.
 */
async function retentionDue(now: Date): Promise<OverviewRetention> {
  const db = getDb();
  const retentionDays = serverEnv().ALERT_RETENTION_DAYS;
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const [expiredCrops, leftoverSnapshots] = await Promise.all([
    db.alert.count({ where: { cropDeletedAt: null, retained: false, createdAt: { lt: cutoff } } }),
    db.watchlistSnapshot.count({ where: { deployment: { status: { not: 'live' } } } }),
  ]);
  return {
    retentionDays,
    expiredCrops,
    leftoverSnapshots,
    cropsJobNextRunAt: nextRunOf('alerts')?.toISOString() ?? null,
    snapshotsJobNextRunAt: nextRunOf('deployments')?.toISOString() ?? null,
  };
}
