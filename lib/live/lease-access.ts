import { createHash } from 'node:crypto';
import { recordAuditEvent } from '@/lib/audit/mutations';
import { can, type Role } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/session-user';
import { isDeploymentVisibleTo, type Viewer } from '@/lib/deployments/data';
import type { CameraSourceKind } from '@/lib/deployments/schema';
import { acceptsFaces } from '@/lib/deployments/state-machine';
import { forbidden, HttpError, notFound } from '@/lib/http/errors';
import type { AnalysableCamera, CameraLeaseView, LiveOverviewDeployment } from '@/lib/realtime/events';
import { serviceMayUseDeployment } from '@/lib/service-accounts/auth';
import { readLeaseDeployment, readLiveDeploymentIds, readLiveDeploymentsVisibleTo } from './data';
import { leaseTable, type Analyser, type Takeover } from './leases';

/**
 * The server's side of camera leases around the lease table (lib/live/leases.ts): who an
 * analyser is, which cameras it may take, and the checks every lease request passes — the
 * deployment exists, is visible to the user (lib/deployments/data.ts's rule) and is live inside
 * its window. Callers check the role (probe:submit to analyse; live:view or deployment:read to
 * read the table) before calling.
 */

/** Whether a user is a camera agent's service account (role `camera_agent`, lib/service-accounts). */
export function isCameraAgent(user: { role: string }): boolean {
  return user.role === 'camera_agent';
}

/** The analyser behind a socket: an agent for a service account, else a camera-wall page. */
export function socketAnalyser(user: SessionUser, socketId: string): Analyser {
  return { analyserId: socketId, kind: isCameraAgent(user) ? 'agent' : 'browser', name: user.name, userId: user.id };
}

/**
 * The analyser behind an HTTP request, named by what authenticated it (a session, an API key).
 * Viewers see analyser ids, so a session's id is hashed: it must never reach a client.
 */
export function httpAnalyser(user: SessionUser, credentialId: string): Analyser {
  const digest = createHash('sha256').update(credentialId).digest('base64url').slice(0, 16);
  return { analyserId: `http:${digest}`, kind: 'http', name: user.name, userId: user.id };
}

type LeaseDeployment = NonNullable<Awaited<ReturnType<typeof readLeaseDeployment>>>;

/**
 * Kinds a browser can play (an MJPEG stream only from its own origin, which the page decides when
 * it lists its cameras). Named here rather than taken from the schema's list: a kind added later
 * (RTSP) is for agents until a browser is known to read it.
 */
const BROWSER_KINDS = new Set<CameraSourceKind>(['device', 'file', 'hls', 'mjpeg']);

/** The cameras an analyser of this kind can read, of those asked for (all when none are named). */
function takeable(deployment: LeaseDeployment, analyser: Analyser, cameraIds: readonly string[] | undefined): string[] {
  const asked = cameraIds ? new Set(cameraIds) : null;
  return deployment.cameras
    .filter((camera) => (asked ? asked.has(camera.id) : true))
    .filter((camera) => (analyser.kind === 'agent' ? camera.sourceKind !== 'device' : BROWSER_KINDS.has(camera.sourceKind as CameraSourceKind)))
    .map((camera) => camera.id);
}

/**
 * Puts a live deployment's cameras in the lease table (nothing when it is not live, or when it was
 * forgotten after this read's picture of it: it has just stopped being live).
 */
function track(deployment: LeaseDeployment): boolean {
  if (!acceptsFaces(deployment)) return false;
  return leaseTable().track(
    deployment.id,
    deployment.cameras.map((c) => c.id),
    deployment.wentLiveAt,
  );
}

// ─── what each reader of the table may see ─────────────────────────────────────────────────────

/**
 * The table as a role sees it. Roles without live:view (auditors with deployment:read) get no
 * socket ids (an analyserId is a live socket's id) and no holder's reasons (free text from a device).
 */
export function leasesForRole(role: Role, deploymentId: string): CameraLeaseView[] {
  const leases = leaseTable().view(deploymentId);
  return can(role, 'live:view') ? leases : leases.map(redacted);
}

export function redacted(lease: CameraLeaseView): CameraLeaseView {
  return { ...lease, holder: lease.holder ? { ...lease.holder, analyserId: '' } : null, reason: null };
}

/**
 * The table as a camera agent sees it: only the cameras it offered or holds, and of another
 * holder only its kind (an agent has no business with officers' names or their sockets).
 */
export function leasesForAgent(deploymentId: string, analyserId: string): CameraLeaseView[] {
  const offered = leaseTable().offeredBy(deploymentId, analyserId);
  return leaseTable()
    .view(deploymentId)
    .filter((lease) => lease.holder?.analyserId === analyserId || offered?.has(lease.cameraId))
    .map((lease) =>
      lease.holder?.analyserId === analyserId
        ? lease
        : { ...lease, holder: lease.holder ? { kind: lease.holder.kind, analyserId: '', name: '' } : null, reason: null },
    );
}

/** The deployment if it exists and this viewer may see it (404, 403 like the deployment's own page otherwise). */
async function visibleDeployment(viewer: Viewer, deploymentId: string): Promise<LeaseDeployment> {
  const deployment = await readLeaseDeployment(deploymentId);
  if (!deployment) throw notFound('No such deployment.');
  if (!(await isDeploymentVisibleTo(viewer, deploymentId))) throw forbidden('This deployment is not open to you.');
  return deployment;
}

const notLive = () => new HttpError(409, 'deployment_not_live', 'This deployment is not live, so its cameras are not analysed.');

/**
 * An analyser offers to analyse cameras of a deployment (`lease:offer`). Caller holds probe:submit.
 * Answers the deployment's cameras (with their sources, for an agent to read) and the lease table.
 */
export async function offerCameras(
  user: SessionUser,
  analyser: Analyser,
  deploymentId: string,
  cameraIds: readonly string[] | undefined,
  /** The socket's count of offers when this one arrived: an older one finishing after a newer one changes nothing. */
  seq?: number,
  ip: string | null = null,
): Promise<{ cameras: AnalysableCamera[]; leases: CameraLeaseView[]; superseded?: true }> {
  // A camera agent analyses only the deployments it was given, like its probes (lib/live/probes.ts).
  if (!(await serviceMayUseDeployment(user, deploymentId, ip))) throw notFound('No such deployment.');
  const deployment = await visibleDeployment(user, deploymentId);
  if (!track(deployment)) throw notLive();
  const applied = leaseTable().offer(deploymentId, analyser, takeable(deployment, analyser, cameraIds), seq);
  return {
    cameras: deployment.cameras.map((c) => ({ id: c.id, name: c.name, source: { kind: c.sourceKind, url: c.sourceUrl } })),
    leases: leasesForAnalyser(user, analyser, deploymentId),
    ...(applied ? {} : { superseded: true as const }),
  };
}

/** What an analyser is told of the table (answers to its offers and renewals, and `lease:changed`). */
export function leasesForAnalyser(user: { role: Role }, analyser: Analyser, deploymentId: string): CameraLeaseView[] {
  return analyser.kind === 'agent' ? leasesForAgent(deploymentId, analyser.analyserId) : leasesForRole(user.role, deploymentId);
}

/** A deployment's lease table for a viewer (GET /api/deployments/:id/leases). Caller holds live:view or deployment:read. */
export async function leasesForViewer(viewer: Viewer, deploymentId: string): Promise<{ deploymentId: string; live: boolean; leases: CameraLeaseView[] }> {
  const deployment = await visibleDeployment(viewer, deploymentId);
  const live = track(deployment);
  return { deploymentId, live, leases: live ? leasesForRole(viewer.role, deploymentId) : [] };
}

/** Every live deployment this viewer may see, with its cameras' leases (the home page's "cameras needing attention"). */
export async function liveOverview(viewer: Viewer): Promise<LiveOverviewDeployment[]> {
  if (!can(viewer.role, 'live:view') && !can(viewer.role, 'deployment:read')) return [];
  const deployments = await readLiveDeploymentsVisibleTo(viewer);
  return deployments.filter(track).map((deployment) => ({
    id: deployment.id,
    name: deployment.name,
    cameras: deployment.cameras.map((c) => ({ id: c.id, name: c.name })),
    leases: leasesForRole(viewer.role, deployment.id),
  }));
}

/**
 * After a lifecycle change has committed: a deployment no longer live loses its leases (viewers
 * are told by the table's change listener). Called from forgetLiveContext.
 */
export async function forgetLeasesUnlessLive(deploymentId: string): Promise<void> {
  if (!leaseTable().knows(deploymentId)) return;
  const readAt = Date.now();
  const deployment = await readLeaseDeployment(deploymentId);
  if (!deployment || !acceptsFaces(deployment)) leaseTable().forget(deploymentId, readAt);
}

/**
 * Drops the table's deployments that are no longer live (ended by a path that did not call
 * forgetLiveContext, run out of their window, deleted): one query for the ids still live. Run by
 * the realtime server's upkeep every LIVE_CHECK_MS.
 */
export async function forgetEndedDeployments(): Promise<void> {
  const known = leaseTable().deploymentIds();
  if (known.length === 0) return;
  const readAt = Date.now();
  const live = new Set((await readLiveDeploymentIds(known, new Date(readAt))).map((d) => d.id));
  for (const deploymentId of known) if (!live.has(deploymentId)) leaseTable().forget(deploymentId, readAt);
}

/** How often forgetEndedDeployments runs. */
export const LIVE_CHECK_MS = 30_000;

/** (agent user, camera) pairs whose takeover was audited since this process started: each is audited once. */
const auditedTakeovers = new Set<string>();
const MAX_AUDITED_TAKEOVERS = 10_000;

/**
 * Audits an agent taking a camera from a browser or HTTP sender, once per agent and camera in the
 * life of this process (an agent that keeps coming back would otherwise fill the trail). Called
 * from the table's takeover listener: the write is not awaited, so the sweep never waits on it.
 */
export function auditTakeover({ deploymentId, cameraId, agent, from }: Takeover): void {
  const key = `${agent.userId}/${cameraId}`;
  if (auditedTakeovers.has(key) || auditedTakeovers.size >= MAX_AUDITED_TAKEOVERS) return;
  auditedTakeovers.add(key);
  recordAuditEvent({
    action: 'camera_lease.taken_by_agent',
    actorId: agent.userId,
    subjectType: 'deployment',
    subjectId: deploymentId,
    details: { cameraId, agent: agent.name, from: { kind: from.kind, name: from.name } },
  }).catch((error: unknown) => console.error('[leases] could not audit a takeover', error instanceof Error ? error.message : error));
}
