import { can, type Role } from '@/lib/auth/permissions';
import { dbProvider, getDb, type Prisma, type Tx } from '@/lib/db/client';
import { forbidden, notFound } from '@/lib/http/errors';
import type { CameraPlacement, GeoPolygon } from '@/lib/geo/geometry';
import type { Forecast } from '@/lib/recognition/forecast';
import { forecastForPlan, type PlanForecast } from '@/lib/recognition/forecasts';
import type { CameraSourceKind } from './schema';
import { ACTION_PERMISSIONS, allowedActions, isDeploymentStatus, type DeploymentAction, type DeploymentStatus } from './state-machine';

/**
 * Reads of deployments. Callers hold 'deployment:read' (checked in the route or page); what
 * each viewer may see beyond that is decided here:
 * - senior officers (who plan) and auditors (who read all records) see every deployment;
 * - operators see a deployment only once it has been authorised — never drafts or plans
 *   awaiting a decision — so a live tile does not vanish when it is suspended or ends.
 */

export type Viewer = { id: string; role: Role };

export type PersonRef = { id: string; name: string; email: string };

export type CameraView = CameraPlacement & { source: { kind: CameraSourceKind; url: string } };

export type DeploymentSummary = {
  id: string;
  name: string;
  status: DeploymentStatus;
  zone: GeoPolygon | null;
  startsAt: string | null;
  endsAt: string | null;
  categories: string[];
  /** First stage: the face-api candidate distance (null until chosen). */
  threshold: number | null;
  /** Second stage: the verifying recogniser and its threshold in that recogniser's metric. */
  verifierId: string | null;
  verifyThreshold: number | null;
  planner: PersonRef;
  authoriser: PersonRef | null;
  cameraCount: number;
  /** Where the cameras stand and look (for the overview map's cones); no stream addresses. */
  cameras: CameraPlacement[];
  updatedAt: string;
};

export type HistoryItem = {
  at: string;
  action: string;
  actor: { name: string | null; email: string | null } | null;
  details: Record<string, unknown>;
};

export type DeploymentView = Omit<DeploymentSummary, 'cameraCount' | 'cameras'> & {
  locationRationale: string;
  intelligenceCase: string;
  necessityProportionality: string;
  watchlistIds: string[];
  signageConfirmed: boolean;
  /** Authoriser's notes after authorisation; the reasons after a rejection. */
  decisionNotes: string | null;
  /** Set while a rejected plan is back in draft and not yet resubmitted. */
  rejection: { at: string; reason: string } | null;
  submittedAt: string | null;
  decidedAt: string | null;
  wentLiveAt: string | null;
  endedAt: string | null;
  /** Why the deployment is in its current state (suspension, cancellation, end, withdrawal). */
  statusReason: string | null;
  snapshot: { createdAt: string; entryCount: number; imageCount: number } | null;
  snapshotPurgedAt: string | null;
  cameras: CameraView[];
  createdAt: string;
  /** The false-alert forecast as things stand now (watchlist size, calibrations, target). */
  accuracy: PlanForecast;
  /** The forecasts recorded when the plan was submitted and authorised, with any reasons for going ahead over the target. */
  submittedForecast: Forecast | null;
  submitOverrideReason: string | null;
  authorisedForecast: Forecast | null;
  authoriseOverrideReason: string | null;
  /** What this viewer may do now (a courtesy for the UI; the server checks again). */
  actions: DeploymentAction[];
  /** The deployment's audit history, oldest first; omitted for operators. */
  history?: HistoryItem[];
};

/** Whether a role sees plans before authorisation (drafts, submissions). */
export function seesUnauthorisedPlans(role: Role): boolean {
  return can(role, 'deployment:plan') || can(role, 'audit:read');
}

/** Statuses an operator may see: the plan has been authorised at some point. */
const OPERATIONAL_STATUSES: DeploymentStatus[] = ['authorised', 'live', 'suspended', 'ended'];

/**
 * The one visibility rule of deployments, as a filter: every read of a deployment — and of what
 * belongs to one (its alerts, their crops, the reference images they matched) — narrows by it.
 */
export function deploymentsVisibleTo(viewer: Viewer): Prisma.DeploymentWhereInput {
  if (seesUnauthorisedPlans(viewer.role)) return {};
  // A cancelled plan keeps its authoriser only if it had been authorised before it was cancelled.
  return { OR: [{ status: { in: OPERATIONAL_STATUSES } }, { status: 'cancelled', authoriserId: { not: null } }] };
}

const person = { select: { id: true, name: true, email: true } } as const;

const summaryInclude = {
  planner: person,
  authoriser: person,
  _count: { select: { cameras: true } },
  cameras: { select: { id: true, name: true, lat: true, lng: true, heading: true, fov: true, rangeM: true }, orderBy: { createdAt: 'asc' } },
} as const;

const viewInclude = {
  planner: person,
  authoriser: person,
  cameras: { orderBy: { createdAt: 'asc' } },
  snapshot: { select: { createdAt: true, entryCount: true, imageCount: true } },
} as const;

type SummaryRow = Prisma.DeploymentGetPayload<{ include: typeof summaryInclude }>;
type ViewRow = Prisma.DeploymentGetPayload<{ include: typeof viewInclude }>;
type CameraRow = ViewRow['cameras'][number];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function statusOf(row: { id: string; status: string }): DeploymentStatus {
  if (!isDeploymentStatus(row.status)) throw new Error(`Deployment ${row.id} has an unknown status "${row.status}"`);
  return row.status;
}

/** For this module and mutations.ts: the JSON text columns, which only mutations.ts writes. */
export function parseStoredList(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function parseStoredZone(text: string | null): GeoPolygon | null {
  return text ? (JSON.parse(text) as GeoPolygon) : null;
}

/** A camera row as the API shows it (for this module and mutations.ts). */
export function toCameraView(row: CameraRow): CameraView {
  return {
    id: row.id,
    name: row.name,
    lat: row.lat,
    lng: row.lng,
    heading: row.heading,
    fov: row.fov,
    rangeM: row.rangeM,
    source: { kind: row.sourceKind as CameraSourceKind, url: row.sourceUrl },
  };
}

function toSummary(row: SummaryRow): DeploymentSummary {
  return {
    id: row.id,
    name: row.name,
    status: statusOf(row),
    zone: parseStoredZone(row.zone),
    startsAt: iso(row.startsAt),
    endsAt: iso(row.endsAt),
    categories: parseStoredList(row.categories),
    threshold: row.threshold,
    verifierId: row.verifierId,
    verifyThreshold: row.verifyThreshold,
    planner: row.planner,
    authoriser: row.authoriser,
    cameraCount: row._count.cameras,
    cameras: row.cameras,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Deployments this viewer may see, newest first, optionally of one status. Caller holds 'deployment:read'. */
export async function listDeployments(viewer: Viewer, filter: { status?: DeploymentStatus } = {}): Promise<DeploymentSummary[]> {
  const where: Prisma.DeploymentWhereInput = { AND: [deploymentsVisibleTo(viewer), filter.status ? { status: filter.status } : {}] };
  const rows = await getDb().deployment.findMany({ where, include: summaryInclude, orderBy: { createdAt: 'desc' } });
  return rows.map(toSummary);
}

/** Whether this viewer may see the deployment (false when there is none). */
export async function isDeploymentVisibleTo(viewer: Viewer, id: string): Promise<boolean> {
  return (await getDb().deployment.count({ where: { AND: [{ id }, deploymentsVisibleTo(viewer)] } })) > 0;
}

/**
 * One deployment as this viewer may see it: 404 if it does not exist, 403 if it is not yet
 * authorised and the viewer is an operator. Caller holds 'deployment:read'.
 */
export async function getDeploymentForViewer(viewer: Viewer, id: string): Promise<DeploymentView> {
  const db = getDb();
  const row = await db.deployment.findUnique({ where: { id }, include: viewInclude });
  if (!row) throw notFound('No such deployment.');
  const visible = await db.deployment.count({ where: { AND: [{ id }, deploymentsVisibleTo(viewer)] } });
  if (!visible) throw forbidden('Operators see a deployment once it has been authorised; this one has not been.');

  const status = statusOf(row);
  const authors = await findAuthorIds(db, id, row.plannerId);
  // An account whose creator wrote the plan may not authorise it (lib/deployments/mutations.ts).
  const creatorId =
    status === 'submitted' && can(viewer.role, 'deployment:authorise')
      ? (await db.user.findUnique({ where: { id: viewer.id }, select: { createdById: true } }))?.createdById
      : null;
  const actions = allowedActions(status).filter(
    (action) =>
      can(viewer.role, ACTION_PERMISSIONS[action]) &&
      !((action === 'authorise' || action === 'reject') && authors.has(viewer.id)) &&
      !(action === 'authorise' && creatorId && authors.has(creatorId)),
  );
  // Live: the snapshot's size is the truth; before and after, the watchlists as they stand.
  const accuracy = await forecastForPlan(
    { ...planFieldsOf(row), verifierId: row.verifierId },
    { db, watchlist: row.snapshot ? { entries: row.snapshot.entryCount, templates: row.snapshot.imageCount } : undefined },
  );
  const view = toView(row, actions, accuracy);
  // A stream's address opens a live feed of faces: only for those who plan or watch the cameras.
  if (!can(viewer.role, 'live:view') && !can(viewer.role, 'deployment:plan')) {
    view.cameras = view.cameras.map((camera) => ({ ...camera, source: { kind: camera.source.kind, url: '' } }));
  }
  if (seesUnauthorisedPlans(viewer.role)) view.history = await deploymentHistory(db, id);
  return view;
}

type StoredPlanColumns = Pick<
  ViewRow,
  | 'name'
  | 'zone'
  | 'startsAt'
  | 'endsAt'
  | 'locationRationale'
  | 'intelligenceCase'
  | 'necessityProportionality'
  | 'watchlistIds'
  | 'categories'
  | 'threshold'
  | 'verifierId'
  | 'verifyThreshold'
  | 'signageConfirmed'
>;

/** A plan's fields as the API shows them — also what mutations compare for changes and audit. */
export function planFieldsOf(row: StoredPlanColumns) {
  return {
    name: row.name,
    zone: parseStoredZone(row.zone),
    startsAt: iso(row.startsAt),
    endsAt: iso(row.endsAt),
    locationRationale: row.locationRationale,
    intelligenceCase: row.intelligenceCase,
    necessityProportionality: row.necessityProportionality,
    watchlistIds: parseStoredList(row.watchlistIds),
    categories: parseStoredList(row.categories),
    threshold: row.threshold,
    verifierId: row.verifierId,
    verifyThreshold: row.verifyThreshold,
    signageConfirmed: row.signageConfirmed,
  };
}

/** A stored forecast (JSON written by mutations.ts), or null. */
export function parseStoredForecast(text: string | null): Forecast | null {
  return text ? (JSON.parse(text) as Forecast) : null;
}

function toView(row: ViewRow, actions: DeploymentAction[], accuracy: PlanForecast): DeploymentView {
  const status = statusOf(row);
  const rejected = status === 'draft' && row.decidedAt !== null && row.authoriserId === null;
  return {
    id: row.id,
    ...planFieldsOf(row),
    status,
    planner: row.planner,
    authoriser: row.authoriser,
    decisionNotes: row.decisionNotes,
    rejection: rejected ? { at: row.decidedAt!.toISOString(), reason: row.decisionNotes ?? '' } : null,
    submittedAt: iso(row.submittedAt),
    decidedAt: iso(row.decidedAt),
    wentLiveAt: iso(row.wentLiveAt),
    endedAt: iso(row.endedAt),
    statusReason: row.statusReason,
    snapshot: row.snapshot
      ? { createdAt: row.snapshot.createdAt.toISOString(), entryCount: row.snapshot.entryCount, imageCount: row.snapshot.imageCount }
      : null,
    snapshotPurgedAt: iso(row.snapshotPurgedAt),
    cameras: row.cameras.map(toCameraView),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    accuracy,
    submittedForecast: parseStoredForecast(row.submittedForecast),
    submitOverrideReason: row.submitOverrideReason,
    authorisedForecast: parseStoredForecast(row.authorisedForecast),
    authoriseOverrideReason: row.authoriseOverrideReason,
    actions,
  };
}

/** Audited actions that make someone an author of a plan (for the two-person rule). */
const AUTHORING_ACTIONS = ['deployment.created', 'deployment.changed', 'deployment.submitted', 'camera.added', 'camera.changed', 'camera.removed'];

/**
 * Everyone who wrote this plan: its planner and anyone who changed or submitted it, read from
 * the audit trail (every such change is recorded there in the same transaction). None of
 * them may authorise or reject it. Pass the transaction when deciding inside one.
 */
export async function findAuthorIds(db: Tx, deploymentId: string, plannerId: string): Promise<Set<string>> {
  const events = await db.auditEvent.findMany({
    where: { subjectType: 'deployment', subjectId: deploymentId, action: { in: AUTHORING_ACTIONS }, actorId: { not: null } },
    select: { actorId: true },
    distinct: ['actorId'],
  });
  return new Set([plannerId, ...events.map((e) => e.actorId!)]);
}

/** findAuthorIds for many plans in one read (the home page lists every plan awaiting a second officer). */
export async function findAuthorIdsOf(db: Tx, plans: readonly { id: string; plannerId: string }[]): Promise<Map<string, Set<string>>> {
  const authors = new Map(plans.map((p) => [p.id, new Set([p.plannerId])]));
  if (plans.length === 0) return authors;
  const events = await db.auditEvent.findMany({
    where: { subjectType: 'deployment', subjectId: { in: plans.map((p) => p.id) }, action: { in: AUTHORING_ACTIONS }, actorId: { not: null } },
    select: { subjectId: true, actorId: true },
    distinct: ['subjectId', 'actorId'],
  });
  for (const e of events) authors.get(e.subjectId!)?.add(e.actorId!);
  return authors;
}

async function deploymentHistory(db: Tx, deploymentId: string): Promise<HistoryItem[]> {
  const events = await db.auditEvent.findMany({
    where: { subjectType: 'deployment', subjectId: deploymentId },
    orderBy: { seq: 'asc' },
    include: { actor: { select: { name: true, email: true } } },
  });
  return events.map((e) => ({
    at: e.at.toISOString(),
    action: e.action,
    actor: e.actor ? { name: e.actor.name, email: e.actor.email } : e.actorEmail ? { name: null, email: e.actorEmail } : null,
    details: JSON.parse(e.details) as Record<string, unknown>,
  }));
}

// ─── for the alert writer ─────────────────────────────────────────────────────────────────

/**
 * A deployment's state as the caller's transaction will commit against: on PostgreSQL the row is
 * share-locked first (SELECT … FOR SHARE), so a lifecycle change — which updates the row — either
 * waits for the caller's commit, or has committed and is what the read then sees (each statement
 * reads the latest commits at read-committed). SQLite runs one transaction at a time. Called inside
 * the transaction that writes an alert, so none is written for a deployment no longer live.
 */
export async function lockDeploymentState(tx: Tx, deploymentId: string) {
  if (dbProvider() === 'postgresql') await tx.$queryRaw`SELECT 1 FROM "Deployment" WHERE id = ${deploymentId} FOR SHARE`;
  return tx.deployment.findUnique({ where: { id: deploymentId }, select: { status: true, startsAt: true, endsAt: true } });
}

// ─── for the housekeeping job ─────────────────────────────────────────────────────────────

/** Live deployments whose window has closed by `now`. For the housekeeping job only. */
export async function findExpiredLiveDeploymentIds(now: Date): Promise<string[]> {
  const rows = await getDb().deployment.findMany({ where: { status: 'live', endsAt: { lte: now } }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** Deployments holding a snapshot although not live (a snapshot exists only while live). For the housekeeping job only. */
export async function findLeftoverSnapshotDeploymentIds(): Promise<string[]> {
  const rows = await getDb().watchlistSnapshot.findMany({
    where: { deployment: { status: { not: 'live' } } },
    select: { deploymentId: true },
  });
  return rows.map((r) => r.deploymentId);
}

/**
 * The thresholds of plans awaiting a decision, authorised or live: the operating points the
 * Recognition page marks on the calibration curves. Names and figures only.
 */
export async function thresholdsInUse(): Promise<
  { id: string; name: string; status: string; threshold: number | null; verifierId: string | null; verifyThreshold: number | null }[]
> {
  return getDb().deployment.findMany({
    where: { status: { in: ['submitted', 'authorised', 'live'] } },
    select: { id: true, name: true, status: true, threshold: true, verifierId: true, verifyThreshold: true },
    orderBy: { updatedAt: 'desc' },
    take: 50,
  });
}
