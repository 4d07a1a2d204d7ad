import { auditedTransaction, type Audit, type AuditInput } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import type { Prisma, Tx } from '@/lib/db/client';
import { isInsideZone } from '@/lib/geo/geometry';
import { forgetLiveContext } from '@/lib/live/probes';
import { formatWindow, londonMoment } from '@/lib/time/london';
import { flushDeploymentCounts } from '@/lib/live/face-counts';
import { narrowDeploymentRoom, publishAttentionChanged } from '@/lib/realtime/publish';
import { conflict, forbidden, HttpError, notFound, unprocessable } from '@/lib/http/errors';
import { candidateEngine, verifyingEngine } from '@/lib/recognition/engines';
import { distinctPerThousand, oneIn, pointEstimateWords, verifyThresholdProblem, type Forecast, type StageForecast } from '@/lib/recognition/forecast';
import { forecastForPlan, planVerifier } from '@/lib/recognition/forecasts';
import type { Metric } from '@/lib/recognition/manifest';
import {
  findAuthorIds,
  getDeploymentForViewer,
  isDeploymentVisibleTo,
  parseStoredForecast,
  parseStoredList,
  parseStoredZone,
  planFieldsOf,
  toCameraView,
  type CameraView,
  type DeploymentView,
} from './data';
import {
  MAX_CAMERAS,
  problemsBeforeSubmission,
  windowProblem,
  type AuthoriseInput,
  type CameraInput,
  type CreateDeploymentInput,
  type EndInput,
  type PlanProblem,
  type ReasonInput,
  type SubmitInput,
  type UpdateCameraInput,
  type UpdateDeploymentInput,
} from './schema';
import { createSnapshot, purgeSnapshot } from './snapshot-hooks';
import { isDeploymentStatus, transition, type DeploymentAction, type DeploymentStatus } from './state-machine';

/**
 * Audited writes of the deployment lifecycle (lib/deployments/state-machine.ts has the table).
 * Every function runs in one auditedTransaction: the state check, the change and its audit
 * records land together or not at all, and concurrent decisions are serialised, so two
 * officers cannot both act on the same state. Route handlers check the permission named in
 * ACTION_PERMISSIONS before calling; the rules that depend on the deployment (two-person rule,
 * window, completeness) are checked here. All audit records of a deployment — including its
 * cameras' — have subjectType 'deployment' and subjectId the deployment id.
 */

export type Context = { actor: SessionUser; ip: string | null };

/** What an edit did to the plan's standing, said in the response as in the audit trail. */
export type EditOutcome = { status: DeploymentStatus; authorisationWithdrawn: boolean; notice: string | null };

const PLAN_FIELDS = [
  'name',
  'zone',
  'startsAt',
  'endsAt',
  'locationRationale',
  'intelligenceCase',
  'necessityProportionality',
  'watchlistIds',
  'categories',
  'threshold',
  'verifierId',
  'verifyThreshold',
  'signageConfirmed',
] as const;
type PlanField = (typeof PLAN_FIELDS)[number];
type PlanValues = Partial<Record<PlanField, unknown>>;

type DeploymentRow = Prisma.DeploymentGetPayload<{ include: { cameras: true } }>;
type CameraRow = DeploymentRow['cameras'][number];

// ─── helpers ──────────────────────────────────────────────────────────────────────────────

async function loadDeployment(tx: Tx, id: string): Promise<DeploymentRow & { status: DeploymentStatus }> {
  const row = await tx.deployment.findUnique({ where: { id }, include: { cameras: { orderBy: { createdAt: 'asc' } } } });
  if (!row) throw notFound('No such deployment.');
  if (!isDeploymentStatus(row.status)) throw new Error(`Deployment ${id} has an unknown status "${row.status}"`);
  return row as DeploymentRow & { status: DeploymentStatus };
}

/** The target state of `action`, or a 409 naming the current state. */
function requireTransition(status: DeploymentStatus, action: DeploymentAction): DeploymentStatus {
  const result = transition(status, action);
  if (!result.ok) throw new HttpError(409, 'invalid_transition', result.message, { status, action });
  return result.to;
}

/** Audit records written by `ctx`'s actor (or by the system when ctx is null) about one deployment. */
function auditFor(audit: Audit, ctx: Context | null, deploymentId: string) {
  const by = { actorId: ctx?.actor.id ?? null, ip: ctx?.ip ?? null, subjectType: 'deployment', subjectId: deploymentId };
  const record = (action: AuditInput['action'], details: Record<string, unknown> = {}) => audit({ ...by, action, details });
  // For the watchlist module's snapshot events: same actor, its own details.
  const passOn: Audit = (event) => audit({ ...event, ...by });
  return { record, passOn };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A plan back in draft keeps no forecast from a submission or authorisation that no longer stands. */
const NO_RECORDED_FORECASTS = { submittedForecast: null, submitOverrideReason: null, authorisedForecast: null, authoriseOverrideReason: null };

/** A plan's fields as the API shows them: what is compared for changes and written to the audit trail. */
function storedPlan(row: DeploymentRow): Record<PlanField, unknown> {
  return planFieldsOf(row);
}

function inputPlan(input: UpdateDeploymentInput): PlanValues {
  const out: PlanValues = {};
  for (const field of PLAN_FIELDS) {
    if (field === 'verifierId') continue;
    const value = input[field];
    if (value === undefined) continue;
    out[field] = value instanceof Date ? value.toISOString() : value;
  }
  // A verification threshold is in the verifying recogniser's own metric: it is recorded with
  // the recogniser it was chosen for, and must lie in that recogniser's range.
  if (input.verifyThreshold !== undefined) {
    const verifier = verifyingEngine().manifest;
    if (input.verifyThreshold !== null) requireVerifyThresholdInRange(input.verifyThreshold, verifier);
    out.verifierId = input.verifyThreshold === null ? null : verifier.id;
  }
  return out;
}

/**
 * 422 `invalid_input` naming the range when a verification threshold lies outside the verifying
 * recogniser's range. Saving a plan and previewing its forecast refuse the same values.
 */
export function requireVerifyThresholdInRange(value: number, verifier: { id: string; metric: Metric }) {
  const message = verifyThresholdProblem(value, verifier);
  if (message) throw unprocessable('invalid_input', message, { issues: [{ path: 'verifyThreshold', message }] });
}

/** A forecast as the audit trail and the deployment record keep it: figures and provenance, no more. */
function forecastRecord(forecast: Forecast) {
  if (!forecast.complete) return { complete: false, problems: forecast.problems };
  const stage = (s: StageForecast) => ({ engineId: s.engineId, threshold: s.threshold, calibrationId: s.calibrationId, fmrUpper: s.fmr.upperOneSided });
  return {
    complete: true,
    falseAlertsPerFace: forecast.falseAlertsPerFace,
    targetPerFace: forecast.targetPerFace,
    meetsTarget: forecast.meetsTarget,
    watchlist: forecast.watchlist,
    candidate: stage(forecast.candidate),
    verification: stage(forecast.verification),
  };
}

type CompleteForecast = Extract<Forecast, { complete: true }>;

/** "at most 0.52 false alerts per 1,000 faces …, over the force's target of 0.17 per 1,000 faces (1 in 6,000 faces)": never two equal figures. */
function overTargetWords(forecast: CompleteForecast): string {
  const [upper, target] = distinctPerThousand(forecast.falseAlertsPerFace.upper, forecast.targetPerFace);
  return (
    `at most ${upper} false alerts per 1,000 faces (${pointEstimateWords(forecast.falseAlertsPerFace.estimate)}) ` +
    `with ${forecast.watchlist.templates} reference images, over the force's target of ${target} per 1,000 faces (${oneIn(forecast.targetPerFace)})`
  );
}

/** The highest false-alert bound a recorded reason accepted: the forecast recorded with it, when complete. */
function acceptedUpper(recorded: string | null, reason: string | null): number | null {
  const forecast = parseStoredForecast(recorded);
  return reason && forecast?.complete ? forecast.falseAlertsPerFace.upper : null;
}

/** Whether a forecast is no worse than one accepted (a hair of tolerance: the same figures recomputed must not fail on floating-point noise). */
const noWorseThan = (upper: number, accepted: number | null) => accepted !== null && upper <= accepted * (1 + 1e-9);

/**
 * The plan's forecast, checked before it moves on (docs/rules.md#accuracy: going over the target
 * needs a recorded reason): 422 `incomplete_plan` when there is none (no calibration, no threshold, no
 * reference images), 422 `forecast_over_target` naming the figures when it is over the force's
 * target and no reason was given. At authorisation (`submitted` given), a forecast over the target
 * must also rest on the planner's reason for figures at least this high, or it is 409
 * `resubmission_needed`: the authorising officer cannot accept, on the planner's behalf, figures
 * the planner never gave a reason for. Reads through the caller's transaction.
 */
async function checkForecast(
  tx: Tx,
  row: DeploymentRow,
  { verb, overrideReason, submitted }: { verb: string; overrideReason?: string; submitted?: { forecast: string | null; reason: string | null } },
): Promise<{ forecast: Forecast; overrideReason: string | null }> {
  const { forecast } = await forecastForPlan({ ...planFieldsOf(row) }, { db: tx, checkOnly: true });
  if (!forecast.complete) {
    throw unprocessable('incomplete_plan', `This plan cannot be ${verb} yet: it has no false-alert forecast. It needs ${forecast.problems.join('; ')}.`, {
      missing: forecast.problems.map((message) => ({ field: 'forecast', message })),
    });
  }
  if (forecast.meetsTarget) return { forecast, overrideReason: null };
  if (submitted) {
    const plannerAccepted = acceptedUpper(submitted.forecast, submitted.reason);
    if (!noWorseThan(forecast.falseAlertsPerFace.upper, plannerAccepted)) {
      const planner =
        plannerAccepted === null
          ? 'the planner recorded no reason for going ahead over the target'
          : `the planner's reason was given for a forecast of at most ${distinctPerThousand(plannerAccepted, forecast.falseAlertsPerFace.upper)[0]} per 1,000 faces`;
      throw new HttpError(
        409,
        'resubmission_needed',
        `The forecast is now ${overTargetWords(forecast)}, and ${planner}. ` +
          'Reject the plan back to the planner, to submit it again with a reason for these figures.',
        { forecast: forecastRecord(forecast), submittedUpper: plannerAccepted },
      );
    }
  }
  if (!overrideReason) {
    throw unprocessable(
      'forecast_over_target',
      `The forecast is ${overTargetWords(forecast)}. Change the plan, or record why it should be ${verb} anyway (overrideReason).`,
      { forecast: forecastRecord(forecast) },
    );
  }
  return { forecast, overrideReason };
}

/**
 * Go-live's check of the forecast made with the frozen snapshot. It passes when the forecast meets
 * the force's target now, or when the authorising officer recorded a reason to accept a forecast
 * over the target and this one is no higher than what they accepted. Otherwise 409
 * `reauthorisation_needed`: the plan goes back to an authorising officer, with these figures.
 */
function requireGoLiveForecast(forecast: Forecast, row: { authorisedForecast: string | null; authoriseOverrideReason: string | null }) {
  if (!forecast.complete) {
    throw unprocessable('incomplete_plan', `This plan cannot be taken live: it has no false-alert forecast. It needs ${forecast.problems.join('; ')}.`, {
      missing: forecast.problems.map((message) => ({ field: 'forecast', message })),
    });
  }
  if (forecast.meetsTarget) return;
  const accepted = acceptedUpper(row.authorisedForecast, row.authoriseOverrideReason);
  if (noWorseThan(forecast.falseAlertsPerFace.upper, accepted)) return;
  const [upper, target] = distinctPerThousand(forecast.falseAlertsPerFace.upper, forecast.targetPerFace);
  throw new HttpError(
    409,
    'reauthorisation_needed',
    `With the watchlist as it stands (${forecast.watchlist.templates} reference images), the forecast is at most ` +
      `${upper} false alerts per 1,000 faces, over the force's target of ${target} per 1,000 faces (${oneIn(forecast.targetPerFace)})` +
      (accepted !== null
        ? ` and above the ${distinctPerThousand(accepted, forecast.falseAlertsPerFace.upper)[0]} per 1,000 the authorising officer accepted`
        : ', and no authorising officer accepted a forecast over it') +
      '. Edit the plan (it returns to draft) and submit it again, so an authorising officer can decide on these figures.',
    { forecast: forecastRecord(forecast) },
  );
}

/** Columns to write for the given (API-form) plan values. */
function planColumns(values: PlanValues): Prisma.DeploymentUncheckedUpdateInput {
  const data: Prisma.DeploymentUncheckedUpdateInput = {};
  for (const [field, value] of Object.entries(values) as [PlanField, unknown][]) {
    switch (field) {
      case 'zone':
        data.zone = value === null ? null : JSON.stringify(value);
        break;
      case 'startsAt':
      case 'endsAt':
        data[field] = value === null ? null : new Date(value as string);
        break;
      case 'watchlistIds':
      case 'categories':
        data[field] = JSON.stringify(value);
        break;
      default:
        (data as Record<string, unknown>)[field] = value;
    }
  }
  return data;
}

/**
 * A camera as the audit trail records it: its place and aim and the kind of source, but not the
 * stream's address — auditors read the trail, and a live feed of faces is not theirs to open.
 */
function cameraPlan(camera: CameraRow | CameraInput): Record<string, unknown> {
  const kind = 'source' in camera ? camera.source.kind : camera.sourceKind;
  return { name: camera.name, lat: camera.lat, lng: camera.lng, heading: camera.heading, fov: camera.fov, rangeM: camera.rangeM, source: { kind } };
}

function cameraColumns(input: UpdateCameraInput) {
  const { source, ...rest } = input;
  return { ...rest, ...(source ? { sourceKind: source.kind, sourceUrl: source.url } : {}) };
}

function changesBetween(before: Record<string, unknown>, after: Record<string, unknown>) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, to] of Object.entries(after)) {
    if (JSON.stringify(before[field]) !== JSON.stringify(to)) changes[field] = { from: before[field], to };
  }
  return changes;
}

/**
 * After a change to the plan or its cameras has been written: a plan that was submitted,
 * authorised or suspended becomes a draft again (docs/rules.md#changes-withdraw-authorisation:
 * any change to an authorised plan withdraws the authorisation). A withdrawn authorisation is audited on its own and
 * said in the answer; a withdrawn submission is part of the change's record.
 */
async function returnToDraft(
  tx: Tx,
  record: ReturnType<typeof auditFor>['record'],
  row: DeploymentRow & { status: DeploymentStatus },
  cause: string,
): Promise<EditOutcome> {
  if (row.status === 'draft') return { status: 'draft', authorisationWithdrawn: false, notice: null };

  const wasAuthorised = row.status === 'authorised' || row.status === 'suspended';
  const statusReason = wasAuthorised
    ? 'Authorisation withdrawn: the plan was changed after it was authorised.'
    : 'Submission withdrawn: the plan was changed while it awaited a decision.';
  await tx.deployment.update({
    where: { id: row.id },
    data: { status: 'draft', authoriserId: null, decidedAt: null, decisionNotes: null, submittedAt: null, statusReason, ...NO_RECORDED_FORECASTS },
  });
  if (!wasAuthorised) {
    return {
      status: 'draft',
      authorisationWithdrawn: false,
      notice: 'The plan was awaiting a decision; the change returned it to draft. Submit it again when ready.',
    };
  }
  const authoriser = row.authoriserId ? await tx.user.findUnique({ where: { id: row.authoriserId }, select: { name: true, email: true } }) : null;
  await record('deployment.authorisation_withdrawn', {
    cause,
    from: row.status,
    authorisedBy: authoriser?.email ?? null,
    authorisedAt: iso(row.decidedAt),
  });
  return {
    status: 'draft',
    authorisationWithdrawn: true,
    notice:
      `The change withdrew the authorisation${authoriser ? ` given by ${authoriser.name}` : ''}: ` +
      'the plan is a draft again and must be submitted and authorised anew by another senior officer.',
  };
}

function outsideZoneNotice(row: DeploymentRow, camera: { name: string; lat: number; lng: number }): string | null {
  const zone = parseStoredZone(row.zone);
  if (!zone || isInsideZone(camera, zone)) return null;
  return `Camera "${camera.name}" is outside the zone; the plan cannot be submitted until it is inside.`;
}

const joinNotices = (...notices: (string | null)[]) => notices.filter(Boolean).join(' ') || null;

function problemMessage(lead: string, problems: PlanProblem[]): string {
  // Each problem is a sentence of its own (lib/deployments/schema.ts); the same one is said once.
  return [lead, ...new Set(problems.map((p) => p.message))].join(' ');
}

async function existingWatchlistIds(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.watchlist.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

async function planProblems(tx: Tx, row: DeploymentRow, now: Date): Promise<PlanProblem[]> {
  const watchlistIds = parseStoredList(row.watchlistIds);
  return problemsBeforeSubmission(
    {
      zone: parseStoredZone(row.zone),
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      locationRationale: row.locationRationale,
      intelligenceCase: row.intelligenceCase,
      necessityProportionality: row.necessityProportionality,
      watchlistIds,
      categories: parseStoredList(row.categories),
      threshold: row.threshold,
      verifyThreshold: row.verifyThreshold,
      signageConfirmed: row.signageConfirmed,
      cameras: row.cameras,
    },
    { now, existingWatchlistIds: await existingWatchlistIds(tx, watchlistIds) },
  );
}

/** The two-person rule: nobody who wrote or changed a plan may decide on it. */
async function requireSecondOfficer(tx: Tx, row: DeploymentRow, actor: SessionUser, verb: string): Promise<Set<string>> {
  const authors = await findAuthorIds(tx, row.id, row.plannerId);
  if (authors.has(actor.id)) {
    throw forbidden(
      `You ${row.plannerId === actor.id ? 'planned' : 'changed or submitted'} this deployment, so you cannot ${verb} it: ` +
        'another senior officer must decide (two-person rule).',
    );
  }
  return authors;
}

/**
 * The two-person rule would mean little if the second person's account belonged to the first:
 * whoever created an account chose its first password. So an account never authorises a plan
 * written (planned, changed or submitted) by the person who created that account.
 */
async function requireAccountNotCreatedByAuthor(tx: Tx, row: DeploymentRow, authors: Set<string>, actor: SessionUser) {
  const account = await tx.user.findUnique({ where: { id: actor.id }, select: { createdBy: { select: { id: true, name: true } } } });
  const creator = account?.createdBy;
  if (!creator || !authors.has(creator.id)) return;
  throw new HttpError(
    409,
    'account_created_by_author',
    `Your account was created by ${creator.name}, who ${creator.id === row.plannerId ? 'planned' : 'changed or submitted'} this deployment, ` +
      'so you cannot authorise it: a senior officer whose account someone else created must decide.',
  );
}

async function purgeIfPresent(tx: Tx, deploymentId: string, passOn: Audit): Promise<boolean> {
  const snapshot = await tx.watchlistSnapshot.findUnique({ where: { deploymentId }, select: { id: true } });
  if (!snapshot) return false;
  return (await purgeSnapshot(tx, deploymentId, passOn)).purged;
}

/**
 * A change to an existing deployment: one audited transaction and, once it has committed (or
 * failed), the probe pipeline forgets what it had cached of the deployment — its live state and
 * the matcher of its snapshot — so the very next probe sees the change: a suspension or end
 * refuses faces at once, a start accepts them at once. (Probes already past that check meet the
 * state again in the transaction that would write their alert.)
 */
async function changeDeployment<T>(id: string, work: (tx: Tx, audit: Audit) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await auditedTransaction(work);
  } finally {
    forgetLiveContext(id);
  }
  // What its cameras counted so far is written now, so that the record of a deployment that has
  // just been suspended or ended is complete when it is opened.
  await flushDeploymentCounts(id).catch((error: unknown) =>
    console.error('[deployments] face counts of', id, 'not written yet (the next flush retries):', error instanceof Error ? error.message : error),
  );
  // Who may see it may have changed (a plan back in draft is hidden from operators): their
  // sockets leave its room, so its alerts stop reaching them.
  await narrowDeploymentRoom(id, (viewer) => isDeploymentVisibleTo(viewer, id)).catch((error: unknown) =>
    console.error('[deployments] could not narrow the room of', id, error instanceof Error ? error.message : error),
  );
  // Live deployments and plans awaiting a second officer are on the home pages.
  publishAttentionChanged();
  return result;
}

/** The answer to an action: the deployment as the actor now sees it. */
const viewFor = (ctx: Context, id: string) => getDeploymentForViewer(ctx.actor, id);

// ─── planning ─────────────────────────────────────────────────────────────────────────────

/** Creates a draft planned by the actor. Caller holds 'deployment:plan'. */
export async function createDeployment(ctx: Context, input: CreateDeploymentInput): Promise<DeploymentView> {
  const id = await auditedTransaction(async (tx, audit) => {
    const values = inputPlan(input);
    const row = await tx.deployment.create({
      data: { ...(planColumns(values) as Prisma.DeploymentUncheckedCreateInput), name: input.name, plannerId: ctx.actor.id },
      select: { id: true },
    });
    await auditFor(audit, ctx, row.id).record('deployment.created', values);
    return row.id;
  });
  return viewFor(ctx, id);
}

/**
 * Changes any of a plan's fields. Caller holds 'deployment:plan'. Allowed before going live;
 * a submitted, authorised or suspended plan becomes a draft again (and says so). Sending the
 * values the plan already has changes nothing and withdraws nothing.
 */
export async function updateDeployment(ctx: Context, id: string, input: UpdateDeploymentInput): Promise<DeploymentView & EditOutcome> {
  const outcome = await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'edit');

    const startsAt = input.startsAt !== undefined ? input.startsAt : row.startsAt;
    const endsAt = input.endsAt !== undefined ? input.endsAt : row.endsAt;
    const problem = startsAt && endsAt ? windowProblem(startsAt, endsAt) : null;
    if (problem) throw unprocessable('invalid_input', `endsAt: ${problem}`, { issues: [{ path: 'endsAt', message: problem }] });

    const changes = changesBetween(storedPlan(row), inputPlan(input));
    if (Object.keys(changes).length === 0) {
      return { status: row.status, authorisationWithdrawn: false, notice: 'Nothing changed.' } satisfies EditOutcome;
    }
    await tx.deployment.update({
      where: { id },
      data: planColumns(Object.fromEntries(Object.entries(changes).map(([f, c]) => [f, c.to]))),
    });
    const { record } = auditFor(audit, ctx, id);
    await record('deployment.changed', { changes, ...(row.status !== 'draft' ? { statusFrom: row.status, statusTo: 'draft' } : {}) });
    return returnToDraft(tx, record, row, 'deployment.changed');
  });
  return { ...(await viewFor(ctx, id)), ...outcome };
}

export type CameraOutcome = CameraView & EditOutcome;

/** Places a camera. Caller holds 'deployment:plan'. Same standing rules as updateDeployment. */
export async function addCamera(ctx: Context, deploymentId: string, input: CameraInput): Promise<CameraOutcome> {
  return changeDeployment(deploymentId, async (tx, audit) => {
    const row = await loadDeployment(tx, deploymentId);
    requireTransition(row.status, 'edit');
    if (row.cameras.length >= MAX_CAMERAS) {
      throw unprocessable('too_many_cameras', `A deployment may have at most ${MAX_CAMERAS} cameras.`);
    }
    const camera = await tx.camera.create({ data: { deploymentId, ...cameraColumns(input) } as Prisma.CameraUncheckedCreateInput });
    const { record } = auditFor(audit, ctx, deploymentId);
    await record('camera.added', { cameraId: camera.id, ...cameraPlan(camera) });
    const outcome = await returnToDraft(tx, record, row, 'camera.added');
    return { ...toCameraView(camera), ...outcome, notice: joinNotices(outcome.notice, outsideZoneNotice(row, camera)) };
  });
}

/** Moves, turns or renames a camera. Caller holds 'deployment:plan'. */
export async function updateCamera(ctx: Context, deploymentId: string, cameraId: string, input: UpdateCameraInput): Promise<CameraOutcome> {
  return changeDeployment(deploymentId, async (tx, audit) => {
    const row = await loadDeployment(tx, deploymentId);
    const before = row.cameras.find((c) => c.id === cameraId);
    if (!before) throw notFound('No such camera in this deployment.');
    requireTransition(row.status, 'edit');

    const changes = changesBetween(cameraPlan(before), input);
    if (Object.keys(changes).length === 0) {
      return { ...toCameraView(before), status: row.status, authorisationWithdrawn: false, notice: 'Nothing changed.' };
    }
    const camera = await tx.camera.update({ where: { id: cameraId }, data: cameraColumns(input) });
    const { record } = auditFor(audit, ctx, deploymentId);
    await record('camera.changed', { cameraId, name: camera.name, changes });
    const outcome = await returnToDraft(tx, record, row, 'camera.changed');
    return { ...toCameraView(camera), ...outcome, notice: joinNotices(outcome.notice, outsideZoneNotice(row, camera)) };
  });
}

/** Removes a camera. Caller holds 'deployment:plan'. */
export async function removeCamera(ctx: Context, deploymentId: string, cameraId: string): Promise<{ id: string; removed: true } & EditOutcome> {
  return changeDeployment(deploymentId, async (tx, audit) => {
    const row = await loadDeployment(tx, deploymentId);
    const camera = row.cameras.find((c) => c.id === cameraId);
    if (!camera) throw notFound('No such camera in this deployment.');
    requireTransition(row.status, 'edit');
    // A camera that raised alerts is part of the record of what happened: it stays.
    if ((await tx.alert.count({ where: { cameraId } })) > 0) {
      throw conflict('This camera raised alerts, so it stays on the record of this deployment; point it elsewhere or rename it instead.');
    }
    await tx.camera.delete({ where: { id: cameraId } });
    const { record } = auditFor(audit, ctx, deploymentId);
    await record('camera.removed', { cameraId, ...cameraPlan(camera) });
    return { id: cameraId, removed: true as const, ...(await returnToDraft(tx, record, row, 'camera.removed')) };
  });
}

// ─── decisions ────────────────────────────────────────────────────────────────────────────

/**
 * Submits a complete plan for authorisation (also how a suspended deployment asks to resume).
 * Caller holds 'deployment:plan'. 422 listing every gap when incomplete.
 */
export async function submitDeployment(ctx: Context, id: string, input: SubmitInput = {}, now = new Date()): Promise<DeploymentView> {
  await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'submit');
    const problems = await planProblems(tx, row, now);
    if (problems.length) {
      throw unprocessable('incomplete_plan', problemMessage('This plan cannot be submitted yet.', problems), { missing: problems });
    }
    const { forecast, overrideReason } = await checkForecast(tx, row, { verb: 'submitted', overrideReason: input.overrideReason });
    await tx.deployment.update({
      where: { id },
      data: {
        status: 'submitted',
        submittedAt: now,
        authoriserId: null,
        decidedAt: null,
        decisionNotes: null,
        statusReason: null,
        ...NO_RECORDED_FORECASTS,
        submittedForecast: JSON.stringify(forecast),
        submitOverrideReason: overrideReason,
      },
    });
    await auditFor(audit, ctx, id).record('deployment.submitted', { from: row.status, forecast: forecastRecord(forecast), overrideReason });
  });
  return viewFor(ctx, id);
}

/**
 * Authorises a submitted plan. Caller holds 'deployment:authorise' and must not be one of its
 * authors (403 otherwise), nor hold an account one of its authors created (409
 * `account_created_by_author`). The plan is checked again: a watchlist may have been deleted or the
 * window may have passed since it was submitted.
 */
export async function authoriseDeployment(ctx: Context, id: string, input: AuthoriseInput, now = new Date()): Promise<DeploymentView> {
  await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'authorise');
    const authors = await requireSecondOfficer(tx, row, ctx.actor, 'authorise');
    await requireAccountNotCreatedByAuthor(tx, row, authors, ctx.actor);
    const problems = await planProblems(tx, row, now);
    if (problems.length) {
      throw unprocessable('incomplete_plan', problemMessage('This plan can no longer be authorised as it stands; reject it with reasons.', problems), {
        missing: problems,
      });
    }
    // Over the target, the planner's reason must cover these figures, and the authorising officer gives their own.
    const { forecast, overrideReason } = await checkForecast(tx, row, {
      verb: 'authorised',
      overrideReason: input.overrideReason,
      submitted: { forecast: row.submittedForecast, reason: row.submitOverrideReason },
    });
    await tx.deployment.update({
      where: { id },
      data: {
        status: 'authorised',
        authoriserId: ctx.actor.id,
        decidedAt: now,
        decisionNotes: input.notes || null,
        statusReason: null,
        authorisedForecast: JSON.stringify(forecast),
        authoriseOverrideReason: overrideReason,
      },
    });
    await auditFor(audit, ctx, id).record('deployment.authorised', { notes: input.notes || null, forecast: forecastRecord(forecast), overrideReason });
  });
  return viewFor(ctx, id);
}

/**
 * Rejects a submitted plan with reasons: it goes back to draft with the reasons in
 * decisionNotes (and `rejection` in the view) until resubmitted, keeping no recorded forecast or
 * reason from the submission (a resubmission records its own). Caller holds
 * 'deployment:authorise' and must not be one of its authors.
 */
export async function rejectDeployment(ctx: Context, id: string, input: ReasonInput, now = new Date()): Promise<DeploymentView> {
  await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'reject');
    await requireSecondOfficer(tx, row, ctx.actor, 'reject');
    await tx.deployment.update({
      where: { id },
      data: {
        status: 'draft',
        authoriserId: null,
        decidedAt: now,
        decisionNotes: input.reason,
        submittedAt: null,
        statusReason: null,
        ...NO_RECORDED_FORECASTS,
      },
    });
    await auditFor(audit, ctx, id).record('deployment.rejected', { reason: input.reason });
  });
  return viewFor(ctx, id);
}

// ─── running ──────────────────────────────────────────────────────────────────────────────

/**
 * Takes an authorised deployment live inside its window and freezes its watchlist snapshot.
 * Caller holds 'deployment:plan'. Refused (nothing changes) outside the window (409) or when
 * the snapshot would be empty (422): a deployment with nobody to look for would scan faces
 * for nothing, which cannot be necessary or proportionate.
 */
export async function startDeployment(ctx: Context, id: string, now = new Date()): Promise<DeploymentView> {
  await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'start');
    const { startsAt, endsAt } = row;
    if (!startsAt || !endsAt) throw new HttpError(409, 'outside_window', 'This deployment has no window.');
    if (now < startsAt) {
      throw new HttpError(
        409,
        'outside_window',
        `It cannot go live yet: its window opens at ${londonMoment(startsAt.toISOString(), now)} (window ${formatWindow(startsAt.toISOString(), endsAt.toISOString())}).`,
      );
    }
    if (now >= endsAt) {
      throw new HttpError(
        409,
        'outside_window',
        `Its window closed at ${londonMoment(endsAt.toISOString(), now)}. Plan a new window (editing returns it to draft).`,
      );
    }

    const { record, passOn } = auditFor(audit, ctx, id);
    const { engine: verifier, unavailable } = planVerifier(row.verifierId);
    if (unavailable) {
      throw new HttpError(
        409,
        'verifier_unavailable',
        `This plan's verification threshold was chosen for ${unavailable}; this server verifies with ${verifier.manifest.id}: ` +
          'choose a new one (editing returns the plan to draft, to be submitted and authorised again).',
      );
    }
    const candidate = candidateEngine().manifest;
    const engines = [candidate, verifier.manifest].map((m) => ({ engineId: m.id, engineVersion: m.version }));
    // A snapshot left from an earlier live period is never reused: each go-live freezes afresh.
    await purgeIfPresent(tx, id, passOn);
    const snapshot = await createSnapshot(
      tx,
      id,
      engines.filter((e, i) => engines.findIndex((o) => o.engineId === e.engineId) === i),
      passOn,
    );
    if (snapshot.imageCount === 0) {
      throw unprocessable(
        'empty_snapshot',
        'The watchlist snapshot would be empty: the chosen watchlists have no entries with reference images in the ' +
          'chosen categories. It cannot go live with nobody to look for.',
      );
    }
    // The forecast again, with the snapshot's true size: the watchlist may have grown, or the
    // force's target tightened, since it was authorised. Going live needs the forecast to meet the
    // target now, or an authorising officer's recorded decision to accept one at least this high.
    // The planner cannot make that decision at go-live: that would undo the two-person rule.
    const watchlist = { entries: snapshot.entryCount, templates: snapshot.imageCount };
    const { forecast } = await forecastForPlan({ ...planFieldsOf(row) }, { db: tx, watchlist, checkOnly: true });
    requireGoLiveForecast(forecast, row);
    await tx.deployment.update({ where: { id }, data: { status: 'live', wentLiveAt: now, endedAt: null, statusReason: null } });
    await record('deployment.started', {
      entryCount: snapshot.entryCount,
      imageCount: snapshot.imageCount,
      forecast: forecastRecord(forecast),
      acceptedBy: forecast.complete && forecast.meetsTarget ? 'target' : 'authorisation',
    });
  });
  return viewFor(ctx, id);
}

/**
 * Suspends an authorised or live deployment with a reason. Caller holds 'deployment:suspend'.
 * The snapshot goes at once: resuming means submitting again for a fresh authorisation, and
 * going live again takes a fresh snapshot.
 */
export async function suspendDeployment(ctx: Context, id: string, input: ReasonInput): Promise<DeploymentView> {
  await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'suspend');
    await tx.deployment.update({ where: { id }, data: { status: 'suspended', statusReason: input.reason } });
    const { record, passOn } = auditFor(audit, ctx, id);
    await record('deployment.suspended', { reason: input.reason, from: row.status });
    await purgeIfPresent(tx, id, passOn);
  });
  return viewFor(ctx, id);
}

/**
 * Ends a live deployment by hand. Caller holds 'deployment:suspend'. The snapshot is purged in
 * the same transaction (docs/rules.md#snapshots allows up to 24 h; sooner is better); the housekeeping job
 * ends deployments whose window closes (endExpiredDeployment).
 */
export async function endDeployment(ctx: Context, id: string, input: EndInput, now = new Date()): Promise<DeploymentView> {
  await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'end');
    const reason = input.reason ?? 'ended by hand';
    await tx.deployment.update({ where: { id }, data: { status: 'ended', endedAt: now, statusReason: reason } });
    const { record, passOn } = auditFor(audit, ctx, id);
    await record('deployment.ended', { reason, automatic: false });
    await purgeIfPresent(tx, id, passOn);
  });
  return viewFor(ctx, id);
}

/** Cancels a deployment for good, with a reason. Caller holds 'deployment:suspend'. */
export async function cancelDeployment(ctx: Context, id: string, input: ReasonInput, now = new Date()): Promise<DeploymentView> {
  await changeDeployment(id, async (tx, audit) => {
    const row = await loadDeployment(tx, id);
    requireTransition(row.status, 'cancel');
    // A deployment that had been live stops now; the published record needs that time.
    const endedAt = row.wentLiveAt && !row.endedAt ? now : row.endedAt;
    await tx.deployment.update({ where: { id }, data: { status: 'cancelled', statusReason: input.reason, endedAt } });
    const { record, passOn } = auditFor(audit, ctx, id);
    await record('deployment.cancelled', { reason: input.reason, from: row.status });
    await purgeIfPresent(tx, id, passOn);
  });
  return viewFor(ctx, id);
}

// ─── housekeeping (system, no actor) ──────────────────────────────────────────────────────

/**
 * Ends one live deployment whose window has closed, as the system (actor null). Called only by
 * the housekeeping job. Returns false when someone else already moved it on.
 */
export async function endExpiredDeployment(id: string, now: Date): Promise<boolean> {
  return changeDeployment(id, async (tx, audit) => {
    const row = await tx.deployment.findUnique({ where: { id }, select: { status: true, endsAt: true } });
    if (!row || row.status !== 'live' || !row.endsAt || row.endsAt > now) return false;
    await tx.deployment.update({ where: { id }, data: { status: 'ended', endedAt: now, statusReason: 'window closed' } });
    const { record, passOn } = auditFor(audit, null, id);
    await record('deployment.ended', { reason: 'window closed', automatic: true, endsAt: row.endsAt.toISOString() });
    await purgeIfPresent(tx, id, passOn);
    return true;
  });
}

/**
 * Purges the snapshot of a deployment that is no longer live, as the system. Called only by the
 * housekeeping job (a safety net: every way out of live already purges). Returns whether
 * anything was purged.
 */
export async function purgeLeftoverSnapshot(id: string): Promise<boolean> {
  return changeDeployment(id, async (tx, audit) => {
    const row = await tx.deployment.findUnique({ where: { id }, select: { status: true } });
    if (!row || row.status === 'live') return false;
    return purgeIfPresent(tx, id, auditFor(audit, null, id).passOn);
  });
}
