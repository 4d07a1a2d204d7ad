import { getDb, type Prisma } from '@/lib/db/client';
import type { Metric } from '@/lib/recognition/manifest';
import type { Category } from '@/lib/watchlists/schema';
import type { AlertListQuery } from './schema';
import { isAlertStatus, type AlertStatus, type Decision, type Outcome } from './state';

/**
 * Reads of alerts, for operators and senior officers (caller holds 'alert:read'). Crops are
 * never inlined: the view carries a URL, and the image route checks the role again.
 */

export const alertInclude = {
  camera: { select: { id: true, name: true, lat: true, lng: true } },
  deployment: { select: { id: true, name: true } },
  claimedBy: { select: { id: true, name: true } },
  decisions: { orderBy: { at: 'asc' }, include: { by: { select: { id: true, name: true } } } },
} satisfies Prisma.AlertInclude;

type AlertRow = Prisma.AlertGetPayload<{ include: typeof alertInclude }>;

export type AlertView = {
  id: string;
  deploymentId: string;
  deploymentName: string;
  camera: { id: string; name: string; lat: number; lng: number };
  entryId: string;
  referenceImageId: string;
  reference: string;
  name: string;
  category: Category;
  /** First stage: face-api distance, and the candidate distance it was within (null on old alerts). */
  distance: number;
  candidateThreshold: number | null;
  /** Second stage, from the probe's crop; null on alerts raised before verification existed. */
  verification: { engineId: string; engineVersion: string | null; metric: Metric; score: number; threshold: number | null } | null;
  firstSeenAt: string;
  lastSeenAt: string;
  sightings: number;
  cropUrl: string | null;
  cropDeletedAt: string | null;
  status: AlertStatus;
  claimedBy: { id: string; name: string } | null;
  claimedAt: string | null;
  decision: Decision | null;
  outcome: Outcome | null;
  retained: boolean;
  retainReason: string | null;
  history: { kind: 'decision' | 'outcome'; value: string; note: string; by: { id: string; name: string }; at: string }[];
  version: number;
  createdAt: string;
  updatedAt: string;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAlertView(row: AlertRow): AlertView {
  return {
    id: row.id,
    deploymentId: row.deploymentId,
    deploymentName: row.deployment.name,
    camera: row.camera,
    entryId: row.entryId,
    referenceImageId: row.referenceImageId,
    reference: row.reference,
    name: row.name,
    category: row.category as Category,
    distance: row.distance,
    candidateThreshold: row.candidateThreshold,
    verification:
      row.verifierId && row.verifyScore !== null && (row.verifyMetric === 'cosine' || row.verifyMetric === 'euclidean')
        ? { engineId: row.verifierId, engineVersion: row.verifierVersion, metric: row.verifyMetric, score: row.verifyScore, threshold: row.verifyThreshold }
        : null,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    sightings: row.sightings,
    cropUrl: row.cropDeletedAt ? null : `/api/alerts/${row.id}/crop?v=${row.version}`,
    cropDeletedAt: iso(row.cropDeletedAt),
    status: isAlertStatus(row.status) ? row.status : 'new',
    claimedBy: row.claimedBy,
    claimedAt: iso(row.claimedAt),
    decision: row.decision as Decision | null,
    outcome: row.outcome as Outcome | null,
    retained: row.retained,
    retainReason: row.retainReason,
    history: row.decisions.map((d) => ({ kind: d.kind as 'decision' | 'outcome', value: d.value, note: d.note, by: d.by, at: d.at.toISOString() })),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getAlertView(id: string): Promise<AlertView | null> {
  const row = await getDb().alert.findUnique({ where: { id }, include: alertInclude });
  return row ? toAlertView(row) : null;
}

/** Alerts newest first; with `since`, every alert changed at or after it (reconnect resync). */
export async function listAlerts(query: AlertListQuery) {
  const where: Prisma.AlertWhereInput = {};
  if (query.deploymentId) where.deploymentId = query.deploymentId;
  if (query.cameraId) where.cameraId = query.cameraId;
  if (query.since) where.updatedAt = { gte: query.since };
  if (query.state === 'claimed') where.claimedById = { not: null };
  else if (query.state === 'unhandled') where.status = 'new';
  else if (query.state) where.status = query.state;
  const db = getDb();
  const [total, rows] = await Promise.all([
    db.alert.count({ where }),
    db.alert.findMany({
      where,
      include: alertInclude,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }),
  ]);
  return { total, page: query.page, pageSize: query.pageSize, alerts: rows.map(toAlertView), serverTime: new Date().toISOString() };
}

export async function getAlertCrop(id: string) {
  return getDb().alert.findUnique({ where: { id }, select: { crop: true, deploymentId: true } });
}

/**
 * Whether an alert that matched this reference image is still under review (its crop not yet
 * deleted by retention): only then may people who triage compare the two faces.
 */
export async function alertUsesReferenceImage(referenceImageId: string): Promise<boolean> {
  return (await getDb().alert.count({ where: { referenceImageId, cropDeletedAt: null } })) > 0;
}
