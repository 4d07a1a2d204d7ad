import { getDb, type Prisma } from '@/lib/db/client';
import { deploymentsVisibleTo, parseStoredZone, type Viewer } from '@/lib/deployments/data';
import type { GeoPolygon } from '@/lib/geo/geometry';
import { forbidden, notFound } from '@/lib/http/errors';
import type { Metric } from '@/lib/recognition/manifest';
import type { Category } from '@/lib/watchlists/schema';
import type { AlertListQuery } from './schema';
import { CLAIM_TIMEOUT_MS, isAlertStatus, type AlertStatus, type Decision, type Outcome } from './state';

/**
 * Reads of alerts, for operators and senior officers (caller holds 'alert:read'). Crops are
 * never inlined: the view carries a URL, and the image route checks the role again.
 *
 * An alert is seen by whoever may see its deployment, and by nobody else: every read for a person
 * (list, view, crop, the reference image it matched) and every triage action narrows by the
 * deployments' own rule (deploymentsVisibleTo). So when a plan goes back to draft, operators lose
 * its alerts with it.
 */

/** Alerts of the deployments this viewer may see. */
export function alertsVisibleTo(viewer: Viewer): Prisma.AlertWhereInput {
  const deployments = deploymentsVisibleTo(viewer);
  return Object.keys(deployments).length > 0 ? { deployment: deployments } : {};
}

/** Whether the viewer may see the alert (its deployment) now. */
export async function alertVisibleTo(viewer: Viewer, alertId: string): Promise<boolean> {
  return (await getDb().alert.count({ where: { AND: [{ id: alertId }, alertsVisibleTo(viewer)] } })) > 0;
}

/** 404 when there is no such alert, 403 when its deployment is not one the viewer may see. */
export async function requireVisibleAlert(viewer: Viewer, alertId: string): Promise<void> {
  const db = getDb();
  if ((await db.alert.count({ where: { AND: [{ id: alertId }, alertsVisibleTo(viewer)] } })) > 0) return;
  if ((await db.alert.count({ where: { id: alertId } })) === 0) throw notFound('No such alert.');
  throw forbidden('This alert belongs to a deployment you may not see: operators see a deployment, and its alerts, once it has been authorised.');
}

/**
 * requireVisibleAlert for several alerts in one query (a group decision): 404 when one no longer
 * exists, 403 when one belongs to a deployment the viewer may not see.
 */
export async function requireVisibleAlerts(viewer: Viewer, alertIds: readonly string[]): Promise<void> {
  const db = getDb();
  const ids = [...new Set(alertIds)];
  if ((await db.alert.count({ where: { AND: [{ id: { in: ids } }, alertsVisibleTo(viewer)] } })) === ids.length) return;
  if ((await db.alert.count({ where: { id: { in: ids } } })) < ids.length) throw notFound('One of the alerts of the group no longer exists.');
  throw forbidden('An alert of the group belongs to a deployment you may not see: operators see a deployment, and its alerts, once it has been authorised.');
}

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
  /**
   * When the claim lapses unless its holder acts or extends it (last action + CLAIM_TIMEOUT_MS);
   * null when nobody holds the alert. The housekeeping job releases it within a beat after.
   */
  claimExpiresAt: string | null;
  /** Set while the holder claimed a decided alert to correct it: the reason they gave. */
  claimCorrection: string | null;
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
    claimExpiresAt: row.claimedById && row.claimActivityAt ? new Date(row.claimActivityAt.getTime() + CLAIM_TIMEOUT_MS).toISOString() : null,
    claimCorrection: row.claimCorrection,
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

/** An alert as stored, for the server's own use (publishing); people read through getAlertForViewer. */
export async function getAlertView(id: string): Promise<AlertView | null> {
  const row = await getDb().alert.findUnique({ where: { id }, include: alertInclude });
  return row ? toAlertView(row) : null;
}

/** One alert for a person: 404 if it does not exist, 403 if its deployment is not theirs to see. */
export async function getAlertForViewer(viewer: Viewer, id: string): Promise<AlertView> {
  await requireVisibleAlert(viewer, id);
  const view = await getAlertView(id);
  if (!view) throw notFound('No such alert.');
  return view;
}

/** Alerts of the deployments this viewer may see, newest first; with `since`, every one changed at or after it (reconnect resync). */
export async function listAlerts(viewer: Viewer, query: AlertListQuery) {
  const where: Prisma.AlertWhereInput = { ...alertsVisibleTo(viewer) };
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

/** An alert's face crop for a person who may see the alert (404/403 as getAlertForViewer); null once deleted by retention. */
export async function getAlertCropForViewer(viewer: Viewer, id: string): Promise<Uint8Array | null> {
  await requireVisibleAlert(viewer, id);
  const row = await getDb().alert.findUnique({ where: { id }, select: { crop: true } });
  if (!row) throw notFound('No such alert.');
  return row.crop;
}

/**
 * Whether this viewer may see an alert that matched this reference image and is still under
 * review (its crop not yet deleted by retention): only then may people who triage compare the
 * two faces. An alert of a deployment the viewer may not see does not count.
 */
export async function alertUsesReferenceImage(viewer: Viewer, referenceImageId: string): Promise<boolean> {
  return (await getDb().alert.count({ where: { AND: [{ referenceImageId, cropDeletedAt: null }, alertsVisibleTo(viewer)] } })) > 0;
}

/** At most this many earlier and later sightings are listed beside an alert (newest first). */
export const SIGHTINGS_LIMIT = 50;

/** One alert of the same watchlist entry in the same deployment, as the compare view lists it. */
export type SightingView = {
  alertId: string;
  camera: { id: string; name: string };
  firstSeenAt: string;
  lastSeenAt: string;
  sightings: number;
  status: AlertStatus;
  decision: Decision | null;
  outcome: Outcome | null;
};

/**
 * Where an alert happened and where else this person was seen: the deployment's zone and every
 * camera (names and positions only: no stream addresses), and the alerts of the same watchlist
 * entry in the same deployment with their camera, times and outcome. No image and no face data:
 * the list is for placing the person, the compare view shows the faces of this alert only.
 * 404/403 as getAlertForViewer.
 */
export type AlertContext = {
  alertId: string;
  deployment: { id: string; name: string; zone: GeoPolygon | null };
  cameras: { id: string; name: string; lat: number; lng: number }[];
  sightings: SightingView[];
  /** More alerts of this entry exist than SIGHTINGS_LIMIT: the oldest are left out. */
  truncated: boolean;
};

export async function getAlertContextForViewer(viewer: Viewer, id: string): Promise<AlertContext> {
  await requireVisibleAlert(viewer, id);
  const db = getDb();
  const alert = await db.alert.findUnique({ where: { id }, select: { deploymentId: true, entryId: true } });
  if (!alert) throw notFound('No such alert.');
  const [deployment, cameras, rows] = await Promise.all([
    db.deployment.findUniqueOrThrow({ where: { id: alert.deploymentId }, select: { id: true, name: true, zone: true } }),
    db.camera.findMany({ where: { deploymentId: alert.deploymentId }, select: { id: true, name: true, lat: true, lng: true }, orderBy: { name: 'asc' } }),
    db.alert.findMany({
      where: { deploymentId: alert.deploymentId, entryId: alert.entryId },
      select: {
        id: true,
        firstSeenAt: true,
        lastSeenAt: true,
        sightings: true,
        status: true,
        decision: true,
        outcome: true,
        camera: { select: { id: true, name: true } },
      },
      orderBy: [{ firstSeenAt: 'desc' }, { id: 'desc' }],
      take: SIGHTINGS_LIMIT + 1,
    }),
  ]);
  return {
    alertId: id,
    deployment: { id: deployment.id, name: deployment.name, zone: parseStoredZone(deployment.zone) },
    cameras,
    sightings: rows.slice(0, SIGHTINGS_LIMIT).map((row) => ({
      alertId: row.id,
      camera: row.camera,
      firstSeenAt: row.firstSeenAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
      sightings: row.sightings,
      status: isAlertStatus(row.status) ? row.status : 'new',
      decision: row.decision as Decision | null,
      outcome: row.outcome as Outcome | null,
    })),
    truncated: rows.length > SIGHTINGS_LIMIT,
  };
}
