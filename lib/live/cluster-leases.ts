import { randomBytes } from 'node:crypto';
import { readCameraLeases } from './data';
import { LEASE_SWEEP_MS, LEASE_TTL_MS, type LeaseStore, type RemoteHolder } from './leases';
import { claimCameraLease, deleteCameraLeasesOf, releaseCameraLeases, renewCameraLeases } from './mutations';

/**
 * Camera leases across several instances behind one balancer (docs/architecture.md#camera-leases).
 * Each instance keeps its own lease table for its own analysers (lib/live/leases.ts); this module
 * keeps one row a camera in the database (CameraLease) naming the INSTANCE whose analyser holds it,
 * so two screens connected to different instances never both analyse one camera.
 *
 * Every LEASE_SWEEP_MS, one step:
 * - each camera this instance's table gives to one of its analysers takes or renews its row: free,
 *   already ours, lapsed (not renewed for LEASE_TTL_MS), or held for a non-agent while ours is an
 *   agent (agents first, across instances too);
 * - rows of cameras no longer held here are deleted, and every row of a deployment the table
 *   forgot (no longer live);
 * - the rows of the deployments tracked here are read, and the table is told which cameras another
 *   instance holds now: those go to no local analyser (bar an agent over a remote non-agent) and
 *   viewers here see the remote holder.
 *
 * A camera let go on one instance is free on another within about two steps (~1 s); an instance that
 * dies leaves rows that lapse after LEASE_TTL_MS. Only started with an adapter (several instances):
 * a single process writes nothing.
 */

/** This process's name in the rows: the instance's name and a suffix per start, so a restarted instance is a new holder. */
export function clusterLeaseInstance(instanceName: string): string {
  return `${instanceName}#${randomBytes(4).toString('hex')}`;
}

/** One step of the shared leases for this table. Exported for tests; the upkeep runs it. */
export class ClusterLeases {
  /** Cameras whose row this instance wrote last, with the holder it named. */
  private readonly mine = new Map<string, { kind: string; name: string }>();
  private tracked = new Set<string>();

  constructor(
    private readonly table: LeaseStore,
    readonly instance: string,
  ) {}

  async step(now = new Date()): Promise<void> {
    const staleBefore = new Date(now.getTime() - LEASE_TTL_MS);
    const holdings = this.table.localHoldings();
    const held = new Set(holdings.map((h) => h.cameraId));

    // (a) Our holders' rows: renewals of rows we already hold in one write, the others claimed one by one.
    const renewals: string[] = [];
    for (const { deploymentId, cameraId, holder } of holdings) {
      const written = this.mine.get(cameraId);
      if (written && written.kind === holder.kind && written.name === holder.name) {
        renewals.push(cameraId);
        continue;
      }
      const holderId = holder.kind === 'http' ? holder.analyserId : '';
      const claim = { cameraId, deploymentId, instance: this.instance, holderKind: holder.kind, holderName: holder.name, holderId, now, staleBefore };
      if (await claimCameraLease(claim)) this.mine.set(cameraId, { kind: holder.kind, name: holder.name });
      else this.mine.delete(cameraId);
    }
    await renewCameraLeases(this.instance, renewals, now);

    // (c) Rows of cameras let go here, and of deployments no longer tracked (no longer live).
    const letGo = [...this.mine.keys()].filter((cameraId) => !held.has(cameraId));
    await releaseCameraLeases(this.instance, letGo);
    for (const cameraId of letGo) this.mine.delete(cameraId);
    const tracking = new Set(this.table.deploymentIds());
    await deleteCameraLeasesOf([...this.tracked].filter((deploymentId) => !tracking.has(deploymentId)));
    this.tracked = tracking;

    // (b) Who holds what elsewhere, now.
    const elsewhere = new Map<string, Map<string, RemoteHolder>>([...tracking].map((deploymentId) => [deploymentId, new Map()]));
    for (const row of await readCameraLeases([...tracking])) {
      if (row.instance === this.instance) continue;
      // A row another instance took from us (lapsed, or an agent's there) is no longer ours to renew.
      this.mine.delete(row.cameraId);
      if (row.renewedAt < staleBefore) continue;
      const kind = analyserKind(row.holderKind);
      elsewhere
        .get(row.deploymentId)
        ?.set(row.cameraId, { kind, name: row.holderName, ...(kind === 'http' && row.holderId ? { senderId: row.holderId } : {}) });
    }
    for (const [deploymentId, cameras] of elsewhere) this.table.setHeldElsewhere(deploymentId, cameras);
  }
}

function analyserKind(kind: string): RemoteHolder['kind'] {
  return kind === 'agent' || kind === 'http' ? kind : 'browser';
}

/**
 * Runs the steps every LEASE_SWEEP_MS (never two at once; a failed step, e.g. the database
 * unreachable, is logged and the next one tries again). Returns the function that stops it.
 */
export function startClusterLeases(table: LeaseStore, instance: string): () => void {
  const cluster = new ClusterLeases(table, instance);
  let running = false;
  let failing = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    cluster
      .step()
      .then(() => {
        if (failing) console.info('[leases] shared camera leases are read and written again');
        failing = false;
      })
      .catch((error: unknown) => {
        // Once per outage: the step runs twice a second.
        if (!failing) console.error('[leases] could not share camera leases with the other instances:', error instanceof Error ? error.message : error);
        failing = true;
      })
      .finally(() => {
        running = false;
      });
  }, LEASE_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
