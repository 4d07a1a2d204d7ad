import { randomUUID } from 'node:crypto';
import { auditedTransaction, joinAuditChain } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import { can, isRole } from '@/lib/auth/permissions';
import { getDb, type Tx } from '@/lib/db/client';
import { lockSightingKey } from '@/lib/db/locks';
import { processState } from '@/lib/process-state';
import { lockDeploymentState } from '@/lib/deployments/data';
import { acceptsFaces } from '@/lib/deployments/state-machine';
import type { Metric } from '@/lib/recognition/manifest';
import { closer } from '@/lib/recognition/vectors';
import { conflict, forbidden, HttpError, notFound } from '@/lib/http/errors';
import { publishAttentionChanged, publishToDeployment, publishToUser } from '@/lib/realtime/publish';
import type { AlertEventName } from '@/lib/realtime/events';
import { alertVisibleTo, getAlertView, requireVisibleAlert, requireVisibleAlerts, type AlertView } from './data';
import type { ClaimInput } from './schema';
import {
  acceptsOutcome,
  claimableWithoutCorrection,
  CLAIM_TIMEOUT_MS,
  COALESCE_WINDOW_MS,
  isAlertStatus,
  isDecided,
  mayDecide,
  mayRecordOutcome,
  statusAfterDecision,
  type AlertStatus,
  type Decision,
  type Outcome,
} from './state';

/**
 * Writes to alerts. Persist first, then publish: every change is committed (with its audit
 * record) before `alert:*` goes to the deployment's room, so a client that sees an event can
 * always fetch what it describes.
 */
type Context = { actor: SessionUser; ip: string | null };

async function publish(event: AlertEventName, alertId: string): Promise<AlertView> {
  const view = (await getAlertView(alertId))!;
  publishToDeployment(view.deploymentId, event, view);
  return view;
}

// ─── raised by the matcher ──────────────────────────────────────────────────────────────

export type MatchedFace = {
  deploymentId: string;
  cameraId: string;
  entryId: string;
  referenceImageId: string;
  watchlistId: string;
  reference: string;
  name: string;
  category: string;
  /** First stage: face-api distance, and the candidate distance it was within. */
  distance: number;
  candidateThreshold: number;
  /** Second stage: the verifier's score from the crop, in its own metric. */
  verification: { engineId: string; engineVersion: string; metric: Metric; score: number; threshold: number };
  crop: Uint8Array;
  /** The user whose tile (or integration) sent the face: recorded as the actor of the alert. */
  submittedBy: { id: string; email: string };
  seenAt: Date;
};

/**
 * Refuses (409 `deployment_not_live`) inside the transaction writing an alert when the deployment
 * no longer accepts faces. The probe pipeline checked a cached copy of its state before matching;
 * a suspension or end may have committed since (the verification alone takes a while), and no
 * alert may be raised or updated on a deployment that has stopped. The row is share-locked on
 * PostgreSQL, so a lifecycle change waits for this write or is seen by it — never in between.
 */
async function requireStillLive(tx: Tx, deploymentId: string): Promise<void> {
  const state = await lockDeploymentState(tx, deploymentId);
  if (!state || !acceptsFaces(state, new Date())) {
    const now = state ? (state.status === 'live' ? 'its window has closed' : `it is ${state.status}`) : 'it no longer exists';
    throw new HttpError(409, 'deployment_not_live', `This deployment stopped accepting faces while this one was being checked (${now}); no alert was raised.`);
  }
}

function verificationColumns(face: MatchedFace) {
  const v = face.verification;
  return { verifierId: v.engineId, verifierVersion: v.engineVersion, verifyMetric: v.metric, verifyScore: v.score, verifyThreshold: v.threshold };
}

/**
 * Sightings of one key at this instance wait here, in memory, one at a time: a burst of one face
 * then holds one pooled connection, not one per sighting all waiting inside transactions (and
 * Prisma's transaction time-outs) for the same advisory lock. Only an economy: the lock in the
 * transaction decides, between instances too. Kept per database client, so two clients in one
 * process (tests playing two instances) queue apart, as two processes would. On globalThis:
 * probes arrive both through server.ts (socket) and Next's route bundle (HTTP).
 */
const queues = processState('sightingQueues', () => new WeakMap<object, Map<string, Promise<unknown>>>());
async function queued<T>(client: object, key: string, work: () => Promise<T>): Promise<T> {
  let keyLocks = queues.get(client);
  if (!keyLocks) queues.set(client, (keyLocks = new Map()));
  const previous = keyLocks.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  keyLocks.set(key, tail);
  void tail.then(() => keyLocks.get(key) === tail && keyLocks.delete(key));
  return run;
}

/**
 * Raises an alert for a match, or — for the same entry on the same camera within
 * COALESCE_WINDOW_MS of the last sighting — updates the open one (sightings, last seen, and
 * the best crop and distance). Called by the probe handler only, after the match.
 *
 * The database decides, in one transaction, so that two probes of the same face arriving
 * together — at one instance or at two — update one alert instead of raising two. On PostgreSQL
 * the transaction first takes an advisory lock on (deployment, camera, entry), held until it
 * commits; the next sighting of that key then reads what this one wrote. SQLite runs one
 * transaction at a time (lib/db/serialised-sqlite.ts) and serves one process, so the transaction
 * alone does it there.
 */
export async function raiseOrUpdateAlert(face: MatchedFace): Promise<{ alertId: string; created: boolean }> {
  const key = `${face.deploymentId}|${face.cameraId}|${face.entryId}`;
  const db = getDb();
  const result = await queued(db, key, () =>
    db.$transaction(async (tx) => {
      await lockSightingKey(tx, key);
      const open = await tx.alert.findFirst({
        where: {
          deploymentId: face.deploymentId,
          cameraId: face.cameraId,
          entryId: face.entryId,
          lastSeenAt: { gte: new Date(face.seenAt.getTime() - COALESCE_WINDOW_MS) },
          // Only an alert still awaiting a decision: once decided, a new sighting is a new alert.
          status: 'new',
        },
        orderBy: { lastSeenAt: 'desc' },
        select: { id: true, distance: true, verifyScore: true, verifyMetric: true, cropDeletedAt: true, claimedById: true },
      });
      if (open) {
        // Better evidence is the verifier's closer score (the stronger recogniser's judgement); the
        // face-api distance decides only for alerts raised before verification existed. The crop a
        // person is looking at (claimed) is the evidence they judge: it is not replaced.
        const closerMatch =
          open.verifyScore !== null && open.verifyMetric === face.verification.metric
            ? closer(face.verification.score, open.verifyScore, face.verification.metric)
            : face.distance < open.distance;
        const better = closerMatch && !open.cropDeletedAt && !open.claimedById;
        // Triage does not take the sighting lock: both writes are conditional on the alert still
        // awaiting a decision (and the crop on nobody holding it, and retention not having deleted
        // it), so a claim or a decision made since the read above is never changed by a sighting —
        // which then becomes a new alert, as after any decision.
        const { count } = await tx.alert.updateMany({
          where: { id: open.id, status: 'new' },
          data: { sightings: { increment: 1 }, lastSeenAt: face.seenAt, version: { increment: 1 } },
        });
        if (count === 1) {
          // The deployment's row is locked after the alert's (lifecycle changes lock it after the
          // audit chain, never an alert); when nothing was updated it is not locked yet, and the new
          // alert below can still join the audit chain first, as every audited writer does.
          await requireStillLive(tx, face.deploymentId);
          if (better) {
            await tx.alert.updateMany({
              where: { id: open.id, status: 'new', claimedById: null, cropDeletedAt: null },
              data: { distance: face.distance, ...verificationColumns(face), crop: Buffer.from(face.crop) },
            });
          }
          return { alertId: open.id, created: false };
        }
      }
      const audit = await joinAuditChain(tx);
      await requireStillLive(tx, face.deploymentId);
      const alert = await tx.alert.create({
        data: {
          deploymentId: face.deploymentId,
          cameraId: face.cameraId,
          entryId: face.entryId,
          referenceImageId: face.referenceImageId,
          watchlistId: face.watchlistId,
          reference: face.reference,
          name: face.name,
          category: face.category,
          distance: face.distance,
          candidateThreshold: face.candidateThreshold,
          ...verificationColumns(face),
          firstSeenAt: face.seenAt,
          lastSeenAt: face.seenAt,
          crop: Buffer.from(face.crop),
        },
        select: { id: true },
      });
      await audit({
        action: 'alert.raised',
        actorId: face.submittedBy.id,
        actorEmail: face.submittedBy.email,
        subjectType: 'alert',
        subjectId: alert.id,
        details: {
          deploymentId: face.deploymentId,
          cameraId: face.cameraId,
          entryId: face.entryId,
          reference: face.reference,
          distance: Math.round(face.distance * 1000) / 1000,
          verifier: face.verification.engineId,
          verifyScore: Math.round(face.verification.score * 1000) / 1000,
        },
      });
      return { alertId: alert.id, created: true };
    }),
  );
  await publish(result.created ? 'alert:created' : 'alert:updated', result.alertId);
  return result;
}

// ─── triage by people ───────────────────────────────────────────────────────────────────

/** The alert as triage needs it, once the actor is known to be allowed to see it (404/403 otherwise). */
async function loadForTriage(actor: SessionUser, alertId: string) {
  await requireVisibleAlert(actor, alertId);
  const alert = await getDb().alert.findUnique({
    where: { id: alertId },
    select: { id: true, status: true, claimedById: true, claimCorrection: true, version: true, deploymentId: true, claimedBy: { select: { name: true } } },
  });
  if (!alert) throw notFound('No such alert.');
  return { ...alert, status: (isAlertStatus(alert.status) ? alert.status : 'new') as AlertStatus };
}

function alreadyDecided() {
  return new HttpError(
    409,
    'alert_decided',
    'This alert has been decided already. To change the decision, claim it as a correction and give the reason (correction: true, reason).',
  );
}

/**
 * Claims an alert for the caller (holds 'alert:triage'). Exactly one of several concurrent
 * claims wins: the update only matches while nobody holds the alert — and while it is in the
 * state the claim was made for, so a claim from a list that has not caught up with a decision
 * cannot slip in after it. A decided alert is claimed only as a correction with a reason
 * (`alert_decided` otherwise), except an engagement awaiting its outcome; the reason is kept with
 * the claim and audited.
 */
export async function claimAlert({ actor, ip }: Context, alertId: string, input: ClaimInput = {}): Promise<AlertView> {
  const before = await loadForTriage(actor, alertId);
  const correction = input.correction ? input.reason! : null;
  if (correction !== null && !isDecided(before.status)) {
    throw new HttpError(409, 'not_decided', 'This alert has no decision to correct yet: claim it without a correction.');
  }
  if (correction === null && !claimableWithoutCorrection(before.status)) throw alreadyDecided();
  if (before.claimedById === actor.id) {
    // Already held: a correction given now turns the claim into a correction claim.
    if (correction === null || before.claimCorrection !== null) return (await getAlertView(alertId))!;
  }
  const now = new Date();
  await auditedTransaction(async (tx, audit) => {
    const { count } = await tx.alert.updateMany({
      where: { id: alertId, status: before.status, claimedById: before.claimedById === actor.id ? actor.id : null },
      data: { claimedById: actor.id, claimedAt: now, claimActivityAt: now, claimCorrection: correction, version: { increment: 1 } },
    });
    if (count !== 1) {
      const current = await tx.alert.findUnique({ where: { id: alertId }, select: { status: true, claimedBy: { select: { name: true } } } });
      if (current?.claimedBy) {
        throw conflict(`${current.claimedBy.name} is already handling this alert.`, { holder: current.claimedBy.name });
      }
      // Nobody holds it, so its state moved on: decided meanwhile.
      if (correction === null) throw alreadyDecided();
      throw conflict('The alert changed meanwhile; look at it again before correcting it.');
    }
    // Kept through releases and corrections: the record's time to first claim.
    await tx.alert.updateMany({ where: { id: alertId, firstClaimedAt: null }, data: { firstClaimedAt: now } });
    await audit({
      action: 'alert.claimed',
      actorId: actor.id,
      ip,
      subjectType: 'alert',
      subjectId: alertId,
      details: correction === null ? {} : { correction: true, reason: correction, status: before.status },
    });
  });
  return publish('alert:claimed', alertId);
}

/** Releases a claim: by its holder, or by a senior officer ('alert:release-any'). */
export async function releaseAlert({ actor, ip }: Context, alertId: string): Promise<AlertView> {
  const before = await loadForTriage(actor, alertId);
  if (!before.claimedById) throw conflict('Nobody holds this alert.');
  if (before.claimedById !== actor.id && !can(actor.role, 'alert:release-any')) {
    throw forbidden(`${before.claimedBy?.name ?? 'Another operator'} holds this alert; only they or a senior officer can release it.`);
  }
  await auditedTransaction(async (tx, audit) => {
    const { count } = await tx.alert.updateMany({
      where: { id: alertId, claimedById: before.claimedById },
      data: { claimedById: null, claimedAt: null, claimActivityAt: null, claimCorrection: null, version: { increment: 1 } },
    });
    if (count !== 1) throw conflict('The claim changed meanwhile; reload the alert.');
    await audit({ action: 'alert.released', actorId: actor.id, ip, subjectType: 'alert', subjectId: alertId, details: { holderId: before.claimedById } });
  });
  const view = await publish('alert:released', alertId);
  // The holder is told in words, not only by the row changing: they may be mid-comparison.
  if (before.claimedById !== actor.id) await tellHolder(before.claimedById, view, 'released', { id: actor.id, name: actor.name });
  return view;
}

/** Whether the holder (still enabled) may see the alert's deployment now. */
async function holderSees(holderId: string, alertId: string): Promise<boolean> {
  const holder = await getDb().user.findUnique({ where: { id: holderId }, select: { id: true, role: true, disabled: true } });
  return holder !== null && !holder.disabled && isRole(holder.role) && (await alertVisibleTo({ id: holder.id, role: holder.role }, alertId));
}

/**
 * Tells a former holder (their sockets only) that their claim was taken away or lapsed. Who and
 * where (the entry's name, the camera) only while they may still see the deployment: a plan sent
 * back to draft, say, is no longer theirs to see, so its alert is not named to them.
 */
async function tellHolder(holderId: string, view: AlertView, reason: 'released' | 'lapsed', by: { id: string; name: string } | null): Promise<void> {
  // Should the check fail, the notice still goes, naming nothing: the release itself is done.
  const sees = await holderSees(holderId, view.id).catch(() => false);
  publishToUser(holderId, 'claim:lost', {
    alertId: view.id,
    deploymentId: view.deploymentId,
    name: sees ? view.name : null,
    camera: sees ? view.camera.name : null,
    reason,
    by,
    at: new Date().toISOString(),
  });
}

/**
 * Extends the caller's claim by CLAIM_TIMEOUT_MS from now (docs/rules.md#triage): only its holder,
 * only while they hold it and the alert still awaits them (a decision, an engagement's outcome,
 * or a correction they claimed). Refused with 409 naming the problem otherwise: nobody holds it
 * (`not_claimed`, e.g. it lapsed or was released), someone else does (`not_claim_holder`), or it
 * was decided and is not held for a correction (`alert_decided`). Audited.
 */
export async function extendClaim({ actor, ip }: Context, alertId: string): Promise<AlertView> {
  const before = await loadForTriage(actor, alertId);
  if (before.claimedById === null) {
    if (!claimableWithoutCorrection(before.status)) {
      throw new HttpError(409, 'alert_decided', 'This alert has been decided and nobody holds it: there is no claim to extend.');
    }
    throw new HttpError(409, 'not_claimed', 'You no longer hold this alert (it was released or lapsed): claim it again to work on it.');
  }
  if (before.claimedById !== actor.id) {
    throw new HttpError(409, 'not_claim_holder', `${before.claimedBy?.name ?? 'Another operator'} holds this alert; only the holder can extend the claim.`);
  }
  const now = new Date();
  await auditedTransaction(async (tx, audit) => {
    const { count } = await tx.alert.updateMany({
      where: { id: alertId, claimedById: actor.id, status: before.status },
      data: { claimActivityAt: now, version: { increment: 1 } },
    });
    if (count !== 1) throw conflict('The claim changed meanwhile (released, lapsed or decided); look at the alert again.');
    await audit({
      action: 'alert.claim_extended',
      actorId: actor.id,
      ip,
      subjectType: 'alert',
      subjectId: alertId,
      details: { until: new Date(now.getTime() + CLAIM_TIMEOUT_MS).toISOString() },
    });
  });
  return publish('alert:claim-extended', alertId);
}

function changedMeanwhile() {
  return new HttpError(409, 'alert_changed', 'The alert changed since you looked at it; look again before deciding.');
}

function notHolder(holderName: string | undefined) {
  return holderName
    ? new HttpError(409, 'not_claim_holder', `${holderName} holds this alert; claim it before deciding.`)
    : new HttpError(409, 'not_claimed', 'Claim the alert before deciding, so two people cannot decide at once.');
}

/**
 * Records a decision by the claim holder (holds 'alert:triage'). The update is conditional on
 * the caller still holding the alert at the version the person looked at (`version`, required),
 * so two decisions made at once cannot both be recorded, and a decision about an alert that has
 * changed since is refused. A decided alert is decided again only under a correction claim.
 * A false alert ends the holder's part (claim released); an engagement keeps the claim for the
 * outcome.
 */
export async function decideAlert(
  { actor, ip }: Context,
  alertId: string,
  { decision, note = '', version }: { decision: Decision; note?: string; version: number },
): Promise<AlertView> {
  const before = await loadForTriage(actor, alertId);
  if (before.claimedById !== actor.id) throw notHolder(before.claimedBy?.name);
  if (version !== before.version) throw changedMeanwhile();
  if (!mayDecide(before)) throw alreadyDecided();
  const status = statusAfterDecision(decision);
  const now = new Date();
  await auditedTransaction(async (tx, audit) => {
    const keepClaim = decision === 'engage';
    const { count } = await tx.alert.updateMany({
      where: { id: alertId, claimedById: actor.id, version: before.version },
      data: {
        status,
        decision,
        outcome: null,
        claimCorrection: null,
        version: { increment: 1 },
        ...(keepClaim ? { claimActivityAt: now } : { claimedById: null, claimedAt: null, claimActivityAt: null }),
      },
    });
    if (count !== 1) throw changedMeanwhile();
    await tx.alertDecision.create({ data: { alertId, kind: 'decision', value: decision, note, byId: actor.id, at: now } });
    await tx.alert.updateMany({ where: { id: alertId, firstDecidedAt: null }, data: { firstDecidedAt: now } });
    const correction = isDecided(before.status) ? { correction: true, reason: before.claimCorrection, from: before.status } : { correction: false };
    await audit({ action: 'alert.decided', actorId: actor.id, ip, subjectType: 'alert', subjectId: alertId, details: { decision, note, ...correction } });
  });
  return publish('alert:decided', alertId);
}

/**
 * Records the outcome of an engagement, by the claim holder at the version they looked at;
 * closes the alert and releases it. Changing a closed alert's outcome takes a correction claim.
 */
export async function recordOutcome(
  { actor, ip }: Context,
  alertId: string,
  { outcome, note = '', version }: { outcome: Outcome; note?: string; version: number },
): Promise<AlertView> {
  const before = await loadForTriage(actor, alertId);
  if (before.claimedById !== actor.id) throw notHolder(before.claimedBy?.name);
  if (version !== before.version) throw changedMeanwhile();
  if (!acceptsOutcome(before.status)) {
    throw new HttpError(409, 'not_engaged', 'An outcome follows a decision to engage; this alert has not been engaged.');
  }
  if (!mayRecordOutcome(before)) throw alreadyDecided();
  const now = new Date();
  await auditedTransaction(async (tx, audit) => {
    const { count } = await tx.alert.updateMany({
      where: { id: alertId, claimedById: actor.id, version: before.version },
      data: { status: 'closed', outcome, claimedById: null, claimedAt: null, claimActivityAt: null, claimCorrection: null, version: { increment: 1 } },
    });
    if (count !== 1) throw changedMeanwhile();
    await tx.alertDecision.create({ data: { alertId, kind: 'outcome', value: outcome, note, byId: actor.id, at: now } });
    const correction = before.status === 'closed' ? { correction: true, reason: before.claimCorrection } : {};
    await audit({
      action: 'alert.outcome_recorded',
      actorId: actor.id,
      ip,
      subjectType: 'alert',
      subjectId: alertId,
      details: { outcome, note, ...correction },
    });
  });
  return publish('alert:decided', alertId);
}

// ─── one decision for a group of sightings ───────────────────────────────────────────────

const londonClock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Europe/London' });

type GroupRow = {
  id: string;
  status: AlertStatus;
  version: number;
  claimedById: string | null;
  deploymentId: string;
  entryId: string;
  firstSeenAt: Date;
  camera: { name: string };
  claimedBy: { name: string } | null;
};

/** "The alert from Camera 3 at 21:14:05 London time": how a refusal names the alert that blocked a group. */
function nameOf(row: GroupRow): string {
  return `The alert from ${row.camera.name} at ${londonClock.format(row.firstSeenAt)} London time`;
}

function blocked(row: GroupRow, code: string, why: string): HttpError {
  return new HttpError(409, code, `${nameOf(row)} ${why} Nothing was recorded for the group.`, { alertId: row.id });
}

/**
 * A group's writes (up to MAX_GROUP_ALERTS alerts, several statements each) take longer than
 * Prisma's default 5 s transaction time-out allows on a busy database: given room, but bounded.
 */
const GROUP_TRANSACTION = { timeout: 15_000 };

/**
 * Loads a group for one decision and checks every alert before anything is written: each is
 * visible to the actor, all are of one watchlist entry in one deployment, each is held by the
 * actor, unchanged since they looked (version), and in `status`. The first that fails refuses
 * the whole group with 409, naming it (camera and time) and giving its id.
 */
async function loadGroup(actor: SessionUser, members: readonly { id: string; version: number }[], status: AlertStatus): Promise<GroupRow[]> {
  await requireVisibleAlerts(
    actor,
    members.map((m) => m.id),
  );
  const found = await getDb().alert.findMany({
    where: { id: { in: members.map((m) => m.id) } },
    select: {
      id: true,
      status: true,
      version: true,
      claimedById: true,
      deploymentId: true,
      entryId: true,
      firstSeenAt: true,
      camera: { select: { name: true } },
      claimedBy: { select: { name: true } },
    },
  });
  const byId = new Map(found.map((row) => [row.id, { ...row, status: (isAlertStatus(row.status) ? row.status : 'new') as AlertStatus }]));
  const rows = members.map((m) => byId.get(m.id)).filter((row): row is GroupRow => row !== undefined);
  if (rows.length !== members.length) throw notFound('One of the alerts of the group no longer exists.');
  const first = rows[0]!;
  const stranger = rows.find((row) => row.deploymentId !== first.deploymentId || row.entryId !== first.entryId);
  if (stranger) {
    throw new HttpError(400, 'not_one_group', `${nameOf(stranger)} is of another person or deployment: a group is one watchlist entry in one deployment.`, {
      alertId: stranger.id,
    });
  }
  for (const [i, row] of rows.entries()) {
    if (row.claimedById !== actor.id) {
      throw row.claimedBy
        ? blocked(row, 'not_claim_holder', `is held by ${row.claimedBy.name}, not you.`)
        : blocked(row, 'not_claimed', 'is not claimed by you: claim the whole group before deciding.');
    }
    if (row.version !== members[i]!.version) throw blocked(row, 'alert_changed', 'changed since you looked at it; look again before deciding.');
    if (row.status !== status) {
      throw status === 'new'
        ? blocked(row, 'alert_decided', 'has been decided already: correct it on its own, with a reason.')
        : blocked(row, 'not_engaged', 'is not awaiting an outcome: an outcome follows a decision to engage.');
    }
  }
  return rows;
}

/**
 * One human decision for every alert of a group of sightings ('alert:triage'): all alerts
 * awaiting a decision, all held by the actor at the versions they looked at. Each alert gets its
 * own recorded decision and audit record (naming the group's size and its first alert), in one
 * transaction: all or nothing. As for one alert, a false alert releases the claims; an engagement
 * keeps them for the outcome.
 */
export async function decideAlertGroup(
  { actor, ip }: Context,
  { alerts, decision, note = '' }: { alerts: readonly { id: string; version: number }[]; decision: Decision; note?: string },
): Promise<AlertView[]> {
  const rows = await loadGroup(actor, alerts, 'new');
  const status = statusAfterDecision(decision);
  const keepClaim = decision === 'engage';
  const now = new Date();
  const groupId = randomUUID();
  const group = { id: groupId, size: rows.length, firstAlertId: rows[0]!.id };
  await auditedTransaction(async (tx, audit) => {
    for (const row of rows) {
      const { count } = await tx.alert.updateMany({
        where: { id: row.id, claimedById: actor.id, version: row.version, status: 'new' },
        data: {
          status,
          decision,
          outcome: null,
          claimCorrection: null,
          version: { increment: 1 },
          ...(keepClaim ? { claimActivityAt: now } : { claimedById: null, claimedAt: null, claimActivityAt: null }),
        },
      });
      if (count !== 1) throw blocked(row, 'alert_changed', 'changed while the decision was being recorded; look again.');
      await tx.alertDecision.create({ data: { alertId: row.id, kind: 'decision', value: decision, note, byId: actor.id, at: now, groupId } });
      await tx.alert.updateMany({ where: { id: row.id, firstDecidedAt: null }, data: { firstDecidedAt: now } });
      await audit({
        action: 'alert.decided',
        actorId: actor.id,
        ip,
        subjectType: 'alert',
        subjectId: row.id,
        details: { decision, note, correction: false, group },
      });
    }
  }, GROUP_TRANSACTION);
  const views: AlertView[] = [];
  for (const row of rows) views.push(await publish('alert:decided', row.id));
  return views;
}

/** The outcome of a group's engagement, once, for every alert of it (all engaged, held by the actor): all or nothing. */
export async function recordGroupOutcome(
  { actor, ip }: Context,
  { alerts, outcome, note = '' }: { alerts: readonly { id: string; version: number }[]; outcome: Outcome; note?: string },
): Promise<AlertView[]> {
  const rows = await loadGroup(actor, alerts, 'engaged');
  const now = new Date();
  const groupId = randomUUID();
  const group = { id: groupId, size: rows.length, firstAlertId: rows[0]!.id };
  await auditedTransaction(async (tx, audit) => {
    for (const row of rows) {
      const { count } = await tx.alert.updateMany({
        where: { id: row.id, claimedById: actor.id, version: row.version, status: 'engaged' },
        data: { status: 'closed', outcome, claimedById: null, claimedAt: null, claimActivityAt: null, claimCorrection: null, version: { increment: 1 } },
      });
      if (count !== 1) throw blocked(row, 'alert_changed', 'changed while the outcome was being recorded; look again.');
      await tx.alertDecision.create({ data: { alertId: row.id, kind: 'outcome', value: outcome, note, byId: actor.id, at: now, groupId } });
      await audit({ action: 'alert.outcome_recorded', actorId: actor.id, ip, subjectType: 'alert', subjectId: row.id, details: { outcome, note, group } });
    }
  }, GROUP_TRANSACTION);
  const views: AlertView[] = [];
  for (const row of rows) views.push(await publish('alert:decided', row.id));
  return views;
}

/** Keeps an alert's image past the retention period, with a recorded reason ('alert:retain'). */
export async function retainAlert({ actor, ip }: Context, alertId: string, reason: string): Promise<AlertView> {
  const before = await loadForTriage(actor, alertId);
  const { cropDeletedAt } = await getDb().alert.findUniqueOrThrow({ where: { id: alertId }, select: { cropDeletedAt: true } });
  if (cropDeletedAt) throw conflict('This image was already deleted at the end of the retention period; there is nothing to keep.');
  await auditedTransaction(async (tx, audit) => {
    await tx.alert.update({ where: { id: before.id }, data: { retained: true, retainReason: reason, retainedById: actor.id, version: { increment: 1 } } });
    await audit({ action: 'alert.retained', actorId: actor.id, ip, subjectType: 'alert', subjectId: alertId, details: { reason } });
  });
  return publish('alert:updated', alertId);
}

// ─── scheduled jobs ─────────────────────────────────────────────────────────────────────

/** Releases claims whose holder did nothing for CLAIM_TIMEOUT_MS (system action, audited). */
export async function releaseLapsedClaims(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - CLAIM_TIMEOUT_MS);
  const lapsed = await getDb().alert.findMany({
    where: { claimedById: { not: null }, claimActivityAt: { lt: cutoff } },
    select: { id: true, claimedById: true },
  });
  let released = 0;
  for (const alert of lapsed) {
    const done = await auditedTransaction(async (tx, audit) => {
      const { count } = await tx.alert.updateMany({
        where: { id: alert.id, claimedById: alert.claimedById, claimActivityAt: { lt: cutoff } },
        data: { claimedById: null, claimedAt: null, claimActivityAt: null, claimCorrection: null, version: { increment: 1 } },
      });
      if (count === 1) await audit({ action: 'alert.claim_lapsed', subjectType: 'alert', subjectId: alert.id, details: { holderId: alert.claimedById } });
      return count === 1;
    });
    if (done) {
      released += 1;
      const view = await publish('alert:released', alert.id);
      await tellHolder(alert.claimedById!, view, 'lapsed', null);
    }
  }
  return released;
}

/**
 * Deletes alert crops older than the retention period unless retained with a reason. The alert
 * keeps its decision and outcome for the deployment record. Each deletion is audited.
 */
export async function deleteExpiredCrops(retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const expired = await getDb().alert.findMany({
    where: { cropDeletedAt: null, retained: false, createdAt: { lt: cutoff } },
    select: { id: true, createdAt: true },
  });
  for (const alert of expired) {
    await auditedTransaction(async (tx, audit) => {
      await tx.alert.update({ where: { id: alert.id }, data: { crop: null, cropDeletedAt: now, version: { increment: 1 } } });
      await audit({
        action: 'alert.crop_deleted',
        subjectType: 'alert',
        subjectId: alert.id,
        details: { retentionDays, raisedAt: alert.createdAt.toISOString() },
      });
    });
  }
  // The retention work due on the admins' and auditors' home pages.
  if (expired.length > 0) publishAttentionChanged();
  return expired.length;
}
