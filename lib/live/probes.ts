import { raiseOrUpdateAlert } from '@/lib/alerts/mutations';
import { can } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/session-user';
import { getDb } from '@/lib/db/client';
import { acceptsFaces } from '@/lib/deployments/state-machine';
import { ProbeSchema, type ProbeAnswer } from '@/lib/face/probe';
import { forbidden, HttpError, notFound } from '@/lib/http/errors';
import { parseInput } from '@/lib/http/route';
import { isMatch } from '@/lib/matching/index';
import { dropIndex, getIndex } from '@/lib/matching/registry';
import { recordFaceProcessed } from './face-counts';

/**
 * The probe pipeline (DOMAIN.md, "Faces, matches and alerts"): a face seen by a live tile is
 * compared with the deployment's frozen snapshot. A non-match is dropped here — its
 * descriptor and crop are never written to the database, files or logs; only the per-camera
 * per-minute count of faces processed survives. A match becomes an alert.
 *
 * Shared by the socket handler (`probe:submit`) and POST /api/deployments/:id/probes.
 */

type LiveContext = {
  status: string;
  startsAt: Date | null;
  endsAt: Date | null;
  threshold: number;
  snapshotId: string | null;
  cameraIds: Set<string>;
  loadedAt: number;
};

// Probes arrive many times a second; the deployment's state is re-read at most this often,
// so a suspension or the end of the window stops matching within a second.
const CONTEXT_TTL_MS = 1000;
const holder = globalThis as typeof globalThis & { __sightlineLiveContexts?: Map<string, LiveContext> };
const contexts = (holder.__sightlineLiveContexts ??= new Map());

async function liveContext(deploymentId: string): Promise<LiveContext> {
  const cached = contexts.get(deploymentId);
  if (cached && Date.now() - cached.loadedAt < CONTEXT_TTL_MS) return cached;
  const row = await getDb().deployment.findUnique({
    where: { id: deploymentId },
    select: { status: true, startsAt: true, endsAt: true, threshold: true, snapshot: { select: { id: true } }, cameras: { select: { id: true } } },
  });
  if (!row) throw notFound('No such deployment.');
  const context: LiveContext = {
    status: row.status,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    threshold: row.threshold,
    snapshotId: row.snapshot?.id ?? null,
    cameraIds: new Set(row.cameras.map((c) => c.id)),
    loadedAt: Date.now(),
  };
  contexts.set(deploymentId, context);
  if (cached?.snapshotId && cached.snapshotId !== context.snapshotId) dropIndex(cached.snapshotId);
  return context;
}

function loadTemplates(snapshotId: string) {
  return getDb().snapshotImage.findMany({
    where: { snapshotId },
    select: { entryId: true, referenceImageId: true, descriptor: true },
    orderBy: { id: 'asc' },
  });
}

/**
 * Handles one probe from a user holding 'probe:submit'. Refuses (4xx with a code) probes for a
 * deployment that is not live and inside its window, for a camera of another deployment, or
 * that do not parse. Answers only whether it matched, and the alert id — nothing else about
 * the face.
 */
export async function submitProbe(user: SessionUser, deploymentId: string, input: unknown): Promise<ProbeAnswer> {
  if (!can(user.role, 'probe:submit')) throw forbidden(`Your role (${user.role}) does not allow probe:submit.`);
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
  if (!context.snapshotId) throw new HttpError(409, 'no_snapshot', 'This deployment has no watchlist snapshot.');

  recordFaceProcessed(deploymentId, probe.cameraId, now);
  const snapshotId = context.snapshotId;
  const index = await getIndex(snapshotId, () => loadTemplates(snapshotId));
  const nearest = index.nearest(Float32Array.from(probe.descriptor), { within: context.threshold });
  if (!nearest || !isMatch(nearest.distance, context.threshold)) return { matched: false };

  const template = await getDb().snapshotImage.findFirst({
    where: { snapshotId, referenceImageId: nearest.referenceImageId },
    select: { watchlistId: true, reference: true, name: true, category: true },
  });
  if (!template) return { matched: false }; // the snapshot was replaced between the two reads
  const { alertId } = await raiseOrUpdateAlert({
    deploymentId,
    cameraId: probe.cameraId,
    entryId: nearest.entryId,
    referenceImageId: nearest.referenceImageId,
    ...template,
    distance: nearest.distance,
    crop: Buffer.from(probe.crop, 'base64'),
    // The server's clock, not the browser's: a workstation with a wrong clock must not merge a
    // new sighting into an old alert or move an alert's times.
    seenAt: now,
  });
  return { matched: true, alertId };
}
