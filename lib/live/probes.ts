import { raiseOrUpdateAlert } from '@/lib/alerts/mutations';
import { can } from '@/lib/auth/permissions';
import { announce, onAnnouncement } from '@/lib/cluster/bus';
import type { SessionUser } from '@/lib/auth/session-user';
import { acceptsFaces } from '@/lib/deployments/state-machine';
import { UndecodableImageError } from '@/lib/face/node-engine';
import { ProbeSchema, type Probe, type ProbeAnswer } from '@/lib/face/probe';
import { forbidden, HttpError, notFound } from '@/lib/http/errors';
import { parseInput } from '@/lib/http/route';
import { MAX_CANDIDATES, type NearestTemplate } from '@/lib/matching/index';
import { dropIndex } from '@/lib/matching/registry';
import { processState } from '@/lib/process-state';
import { candidateEngine, engineById } from '@/lib/recognition/engines';
import { UnusableFaceError } from '@/lib/recognition/face-analysis';
import { issueTicket, reserveTicket, tallyUnverified } from './candidate-tickets';
import { readLiveDeployment, readSnapshotTemplate } from './data';
import { recordFaceProcessed } from './face-counts';
import { forgetLeasesUnlessLive } from './lease-access';
import { leaseTable, type Analyser } from './leases';
import { takeUserProbe } from './limits';
import { snapshotMatcher, SnapshotVersionError, type SnapshotMatcher, type VerifierSpec } from './matcher';
import { verifyCandidates, type VerificationOutcome } from './verification';
import { withVerificationSlot } from './verification-slots';
import { serviceMayUseDeployment } from '@/lib/service-accounts/auth';

/**
 * The probe pipeline (docs/rules.md#non-matches, docs/rules.md#alerts): a face seen by a live tile is
 * compared with the deployment's frozen snapshot in two stages — the browser's face-api
 * descriptor finds candidates within the plan's candidate distance, and the verifying recogniser
 * checks each from the probe's own crop on the server (lib/live/verification.ts). Only a face that
 * passes both becomes an alert. A non-match is dropped here — its descriptor, crop and verifier
 * vector are never written to the database, files or logs; only the per-camera per-minute count of
 * faces processed survives.
 *
 * Shared by the socket handler (`probe:submit`) and POST /api/deployments/:id/probes.
 */

type LiveContext = {
  status: string;
  startsAt: Date | null;
  endsAt: Date | null;
  /** First stage: face-api distance. */
  threshold: number | null;
  verifierId: string | null;
  verifyThreshold: number | null;
  snapshotId: string | null;
  cameraIds: Set<string>;
  wentLiveAt: Date | null;
};

// Probes arrive many times a second; the deployment's state is re-read at most this often.
// Probes arriving while it is being read share that read, so an expired entry cannot send a burst
// of reads at once. The cache is only a first check: every lifecycle change forgets it as soon as
// it commits (forgetLiveContext), and the transaction that writes an alert reads the state again
// (lib/alerts/mutations.ts), so no alert lands on a deployment that has stopped.
const CONTEXT_TTL_MS = 1000;
type CachedContext = { loading: Promise<LiveContext>; loaded: LiveContext | null; loadedAt: number };
const contexts = processState('liveContexts', () => new Map<string, CachedContext>());

function liveContext(deploymentId: string): Promise<LiveContext> {
  const cached = contexts.get(deploymentId);
  if (cached && Date.now() - cached.loadedAt < CONTEXT_TTL_MS) return cached.loading;
  const entry: CachedContext = { loading: readLiveContext(deploymentId), loaded: null, loadedAt: Date.now() };
  contexts.set(deploymentId, entry);
  entry.loading.then(
    (context) => {
      entry.loaded = context;
      // A deployment whose snapshot changed: the old matcher goes (and what was known of it).
      const previous = cached?.loaded?.snapshotId;
      if (previous && previous !== context.snapshotId) {
        dropIndex(previous);
        unmatchable.delete(previous);
      }
    },
    // Not kept: an unknown id is not worth remembering (nor a failed read).
    () => {
      if (contexts.get(deploymentId) === entry) contexts.delete(deploymentId);
    },
  );
  return entry.loading;
}

/**
 * Forgets what is cached about a deployment — its live context and the matcher of the snapshot it
 * named — so the next probe reads its state afresh. Called by the deployment lifecycle right after
 * a change commits (lib/deployments/mutations.ts). A read already under way is not kept either:
 * it is no longer the map's entry, so the next probe starts its own.
 */
export function forgetLiveContext(deploymentId: string): void {
  // Every instance forgets it (lib/cluster/bus.ts): a probe may arrive at any of them.
  announce('deployment:changed', { deploymentId });
}

onAnnouncement('deployment:changed', 'live-context', ({ deploymentId }) => forgetLocalLiveContext(deploymentId));

function forgetLocalLiveContext(deploymentId: string): void {
  const cached = contexts.get(deploymentId);
  contexts.delete(deploymentId);
  const snapshotId = cached?.loaded?.snapshotId;
  if (snapshotId) {
    dropIndex(snapshotId);
    unmatchable.delete(snapshotId);
  }
  // A deployment that stopped being live drops its camera leases (lib/live/leases.ts).
  forgetLeasesUnlessLive(deploymentId).catch((error: unknown) =>
    console.error('[leases] could not check whether', deploymentId, 'is still live:', error instanceof Error ? error.message : error),
  );
}

async function readLiveContext(deploymentId: string): Promise<LiveContext> {
  const row = await readLiveDeployment(deploymentId);
  if (!row) throw notFound('No such deployment.');
  return {
    status: row.status,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    threshold: row.threshold,
    verifierId: row.verifierId,
    verifyThreshold: row.verifyThreshold,
    snapshotId: row.snapshot?.id ?? null,
    cameraIds: new Set(row.cameras.map((c) => c.id)),
    wentLiveAt: row.wentLiveAt,
  };
}

/** The deployment's verifier as running here, or a 409 saying why it cannot verify. */
function verifierOf(context: LiveContext): VerifierSpec & { threshold: number } {
  const engine = context.verifierId ? engineById(context.verifierId) : null;
  if (!engine || context.verifyThreshold === null || context.threshold === null) {
    throw new HttpError(
      409,
      'verifier_unavailable',
      `This deployment's verifying recogniser (${context.verifierId ?? 'none chosen'}) is not running on this server, so no face can be verified. ` +
        'Suspend it and plan again with the recognisers enabled now.',
    );
  }
  const { manifest } = engine;
  return {
    engineId: manifest.id,
    engineVersion: manifest.version,
    metric: manifest.metric,
    dims: manifest.descriptorLength,
    threshold: context.verifyThreshold,
  };
}

/**
 * Verifies a candidate's crop; a crop the analyser cannot use is the sender's problem (422), not
 * the server's: undecodable bytes, or an image whose face yields no finite vector.
 */
async function verifyCrop(crop: Uint8Array, candidates: NearestTemplate[], matcher: SnapshotMatcher, threshold: number): Promise<VerificationOutcome> {
  try {
    return await verifyCandidates(crop, candidates, matcher.verification, threshold);
  } catch (error) {
    if (error instanceof UndecodableImageError) throw new HttpError(422, 'unreadable_crop', `crop: ${error.message}`);
    if (error instanceof UnusableFaceError)
      throw new HttpError(422, 'unverifiable_crop', 'crop: the recogniser could not compute a usable vector from this image.');
    throw error;
  }
}

// A snapshot whose templates cannot be matched (another recogniser version than the one running)
// stays unmatchable until it is replaced: the answer is remembered for a while instead of
// reloading every template on every probe to find it out again.
const UNMATCHABLE_FOR_MS = 30_000;
const unmatchable = processState('unmatchableSnapshots', () => new Map<string, { error: HttpError; until: number }>());

async function matcherOf(snapshotId: string, verifier: VerifierSpec): Promise<SnapshotMatcher> {
  const known = unmatchable.get(snapshotId);
  if (known && known.until > Date.now()) throw known.error;
  try {
    return await snapshotMatcher(snapshotId, candidateEngine().manifest.id, verifier);
  } catch (error) {
    if (!(error instanceof SnapshotVersionError)) throw error;
    const refusal = new HttpError(
      409,
      'verifier_unavailable',
      `${error.message} No face can be verified against this snapshot: suspend the deployment and plan it again with the recognisers enabled now.`,
    );
    for (const [id, entry] of unmatchable) if (entry.until <= Date.now()) unmatchable.delete(id);
    unmatchable.set(snapshotId, { error: refusal, until: Date.now() + UNMATCHABLE_FOR_MS });
    throw refusal;
  }
}

/**
 * Who sent a probe: the analyser that must hold the camera's lease (lib/live/lease-access.ts builds
 * it), and for a socket whether it is still connected (a closed one takes no camera).
 */
export type ProbeSender = Analyser & { connected?: () => boolean };

/**
 * Handles one probe from a user holding 'probe:submit', within the user's probe rate (429
 * `rate_limited` beyond it, lib/live/limits.ts). Refuses (4xx with a code) probes for a
 * deployment that is not live and inside its window, for a camera of another deployment, or
 * that do not parse. Only the holder of the camera's lease is heard (lib/live/leases.ts): a
 * sender probing a camera nobody holds takes it; one probing a camera another analyser holds
 * is refused with 409 `not_lease_holder`, so a face is analysed and counted once. A ticketed
 * follow-up is let through even if the lease moved meanwhile: its face was already counted. Answers only whether it matched, and the alert id — or, for a candidate sent
 * without its crop, that the crop is needed and the ticket to send it with — nothing else about
 * the face. A follow-up whose ticket is unknown, lapsed or another face's is refused (409).
 */
export async function submitProbe(
  user: SessionUser,
  deploymentId: string,
  input: unknown,
  sender: ProbeSender,
  ip: string | null = null,
): Promise<ProbeAnswer> {
  if (!can(user.role, 'probe:submit')) throw forbidden(`Your role (${user.role}) does not allow probe:submit.`);
  // Before any work on it, parsing and the scope check included: a flood (out of scope too) is
  // refused at the cost of a counter.
  takeUserProbe(user.id);
  // A service account outside its deployments learns nothing of others: as for an unknown one (audited with its address).
  if (!(await serviceMayUseDeployment(user, deploymentId, ip))) throw notFound('No such deployment.');
  const probe = parseInput(ProbeSchema, input);
  const context = await liveContext(deploymentId);
  const now = new Date();
  if (!acceptsFaces(context, now)) {
    const reason = context.status !== 'live' ? `it is ${context.status}, not live` : 'it is outside its authorised window';
    throw new HttpError(409, 'deployment_not_live', `This deployment does not accept faces: ${reason}.`);
  }
  if (!context.cameraIds.has(probe.cameraId)) {
    throw new HttpError(422, 'unknown_camera', 'This camera does not belong to the deployment.');
  }
  if (probe.ticket === undefined) checkLease(deploymentId, context, probe.cameraId, sender);
  if (!context.snapshotId) throw new HttpError(409, 'no_snapshot', 'This deployment has no watchlist snapshot.');
  const verifier = verifierOf(context);

  const answer = await matchProbe(user, deploymentId, probe, { ...context, snapshotId: context.snapshotId }, verifier, now);
  // A face is counted once, when its first sending is answered: the ticketed follow-up with its
  // crop is the same face, and a probe refused with an error was not processed.
  if (probe.ticket === undefined) recordFaceProcessed(deploymentId, probe.cameraId, now);
  return answer;
}

const HOLDER_WORDS = { browser: 'another screen', agent: 'the camera agent', http: 'another system' } as const;

/** The sender holds the camera's lease, or takes it if free; else 409 `not_lease_holder` naming who analyses it. */
function checkLease(deploymentId: string, context: LiveContext, cameraId: string, sender: ProbeSender): void {
  const leases = leaseTable();
  if (!leases.knows(deploymentId)) leases.track(deploymentId, [...context.cameraIds], context.wentLiveAt);
  const claim = leases.claimForProbe(deploymentId, cameraId, sender, sender.connected);
  if (claim.ok) return;
  if (claim.refusal === 'not_offered') {
    throw new HttpError(
      409,
      'not_lease_holder',
      'This connection did not offer this camera (lease:offer): offer it first, and send its faces once it is yours.',
    );
  }
  if (claim.refusal === 'gone') throw new HttpError(409, 'not_lease_holder', 'This connection has closed, so it analyses no camera.');
  throw new HttpError(
    409,
    'not_lease_holder',
    `This camera is analysed by ${HOLDER_WORDS[claim.holder.kind]} (${claim.holder.name}); its faces are sent from there only, so each is counted once.`,
    { holder: { kind: claim.holder.kind, name: claim.holder.name } },
  );
}

/** Both stages for a probe that passed every check: candidates, then (with its crop) verification and the alert. */
async function matchProbe(
  user: SessionUser,
  deploymentId: string,
  probe: Probe,
  context: LiveContext & { snapshotId: string },
  verifier: VerifierSpec & { threshold: number },
  now: Date,
): Promise<ProbeAnswer> {
  const scope = { userId: user.id, userEmail: user.email, deploymentId, cameraId: probe.cameraId, trackId: probe.trackId };
  const matcher = await matcherOf(context.snapshotId, verifier);
  const candidates = matcher.candidates.candidates(Float32Array.from(probe.descriptor), { within: context.threshold!, limit: MAX_CANDIDATES });
  const entryIds = [...new Set(candidates.map((c) => c.entryId))];
  if (probe.ticket === undefined) {
    if (candidates.length === 0) return { matched: false };
    // A candidate is verified from its crop: a tile sends the crop only when asked, with the ticket.
    if (probe.crop === undefined) return { matched: false, cropNeeded: true, ticket: issueTicket(scope, entryIds) };
  }
  const crop = Buffer.from(probe.crop!, 'base64');
  return withVerificationSlot(user.id, async () => {
    // Reserved inside the slot, so a follow-up refused a slot keeps its ticket to try again with.
    const reservation = probe.ticket === undefined ? null : reserveTicket(probe.ticket, scope, entryIds);
    try {
      const answer = await verifyAndAlert({ user, deploymentId, probe, context, verifier, now, crop, candidates, matcher });
      if (answer === 'no face') {
        if (reservation) reservation.unverified('no face in the crop');
        else tallyUnverified(scope, 'no face in the crop');
        return { matched: false };
      }
      reservation?.verified();
      return answer;
    } catch (error) {
      // The crop's own fault uses the ticket up (and is recorded); the server's leaves it to send again.
      if (error instanceof HttpError && error.status === 422) {
        if (reservation) reservation.unverified('crop unusable');
        else tallyUnverified(scope, 'crop unusable');
      } else reservation?.release();
      throw error;
    }
  });
}

/** The second stage on a candidate's crop, and the alert when it passes; 'no face' when the crop shows none. */
async function verifyAndAlert({
  user,
  deploymentId,
  probe,
  context,
  verifier,
  now,
  crop,
  candidates,
  matcher,
}: {
  user: SessionUser;
  deploymentId: string;
  probe: Probe;
  context: LiveContext & { snapshotId: string };
  verifier: VerifierSpec & { threshold: number };
  now: Date;
  crop: Buffer;
  candidates: NearestTemplate[];
  matcher: SnapshotMatcher;
}): Promise<ProbeAnswer | 'no face'> {
  const outcome = await verifyCrop(crop, candidates, matcher, verifier.threshold);
  if (!outcome.faceFound) return 'no face';
  const verified = outcome.verified;
  if (!verified) return { matched: false };

  const template = await readSnapshotTemplate(context.snapshotId, verified.referenceImageId);
  if (!template) return { matched: false }; // the snapshot was replaced between the two reads
  const { alertId } = await raiseOrUpdateAlert({
    deploymentId,
    cameraId: probe.cameraId,
    entryId: verified.entryId,
    referenceImageId: verified.referenceImageId,
    ...template,
    distance: verified.candidateDistance,
    candidateThreshold: context.threshold!,
    verification: {
      engineId: verifier.engineId,
      engineVersion: verifier.engineVersion,
      metric: verifier.metric,
      score: verified.score,
      threshold: verifier.threshold,
    },
    crop,
    // Who sent the face: the server cannot check that a crop came from a camera, so an alert
    // names the user whose tile sent it.
    submittedBy: { id: user.id, email: user.email },
    // The server's clock, not the browser's: a workstation with a wrong clock must not merge a
    // new sighting into an old alert or move an alert's times.
    seenAt: now,
  });
  return { matched: true, alertId };
}
