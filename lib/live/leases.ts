import { processState } from '@/lib/process-state';
import type { AnalyserKind, CameraAnalysisState, CameraLeaseView } from '@/lib/realtime/events';

/**
 * Camera leases (docs/architecture.md#camera-leases): each camera of a live deployment is
 * analysed by one analyser at a time — a camera-wall page, a camera agent, or an HTTP sender —
 * so each face is analysed, sent and counted once however many screens are open.
 *
 * This module is the state machine alone: no sockets, no database, a clock passed in. The
 * realtime server (lib/realtime/server.ts) feeds it offers, renewals and disconnections and
 * publishes its changes; the probe pipeline (lib/live/probes.ts) asks it who may send a camera's
 * faces. It lives in this process's memory (processState); the `LeaseStore` interface is what the
 * rest of the code uses, so a shared store can take its place when several processes serve one
 * control room.
 *
 * Rules:
 * - A free camera goes at once to an eligible candidate: agents before browsers, then those that
 *   have not reported it down lately, then the earliest offer.
 * - An agent offering a camera held by a browser or an HTTP sender takes it (agents read sources
 *   browsers cannot, and keep analysing when nobody is looking).
 * - A holder renews about once a second. One that has not for LEASE_TTL_MS (a frozen tab, an HTTP
 *   sender that stopped sending) loses its leases at the next sweep; one that disconnects loses
 *   them at once.
 * - A holder reporting `source_down` hands the camera to a candidate that has not itself reported
 *   it down in the last SOURCE_DOWN_MEMORY_MS; with none, the reporter keeps it.
 * - Health: `no_analyser` when a camera has had no holder for NO_ANALYSER_WARN_MS,
 *   `slow_analysis` when its holder has been analysing for SLOW_GRACE_MS and reports fewer than
 *   SLOW_ANALYSIS_PER_SECOND detections a second.
 */

export const LEASE_TTL_MS = 3000;
/** How often leases are checked for frozen holders and new warnings (≤ 500 ms keeps failover well under 5 s). */
export const LEASE_SWEEP_MS = 500;
export const NO_ANALYSER_WARN_MS = 60_000;
export const SOURCE_DOWN_MEMORY_MS = 30_000;
export const SLOW_ANALYSIS_PER_SECOND = 1;
/** A holder's rate is judged once it has been analysing this long (its first seconds ramp up). */
export const SLOW_GRACE_MS = 5000;

export type Analyser = { analyserId: string; kind: AnalyserKind; name: string; userId: string };

export type CameraReport = { cameraId: string; state: CameraAnalysisState; reason?: string; detectionsPerSecond: number };

export type LeaseClaim = { ok: true } | { ok: false; holder: Analyser };

/** What the rest of the code may ask of the lease table (one process now; shared storage later). */
export interface LeaseStore {
  /** Makes the table know a live deployment's cameras (idempotent); `liveSince` dates "no analyser" for cameras never held. */
  track(deploymentId: string, cameraIds: readonly string[], liveSince: Date | null): void;
  knows(deploymentId: string): boolean;
  /** The analyser's offer for these cameras replaces its earlier one in this deployment (an empty list withdraws). */
  offer(deploymentId: string, analyser: Analyser, cameraIds: readonly string[]): void;
  /** A heartbeat with the state of the cameras it holds; false when it is not known in this deployment. */
  renew(deploymentId: string, analyserId: string, reports: readonly CameraReport[]): boolean;
  /** A probe's sender: ok if it holds the camera or the camera was free (it takes it), else who holds it. */
  claimForProbe(deploymentId: string, cameraId: string, analyser: Analyser): LeaseClaim;
  holderOf(deploymentId: string, cameraId: string): Analyser | null;
  /** The analyser is gone (disconnected): its leases move at once. */
  release(analyserId: string): void;
  /** Moves the leases of frozen holders, and notices warnings that time has raised. */
  sweep(): void;
  view(deploymentId: string): CameraLeaseView[];
  /** The deployment stopped being live: everything about it goes. */
  forget(deploymentId: string): void;
  deploymentIds(): string[];
  /** Called with a deployment's id whenever what its viewers see changes. Returns the unsubscribe function. */
  onChange(listener: (deploymentId: string) => void): () => void;
}

type Candidate = { analyser: Analyser; offeredAt: number };

type CameraLease = {
  cameraId: string;
  holder: Analyser | null;
  since: number;
  /** The holder's last heartbeat (renewal, or probe for an HTTP sender). */
  renewedAt: number;
  state: CameraAnalysisState;
  reason: string | null;
  detectionsPerSecond: number;
  /** When the holder's reports turned to 'analysing' (for the slow-analysis grace), or null. */
  analysingSince: number | null;
  candidates: Map<string, Candidate>;
  /** Analysers that reported this camera's source down, and when. */
  downReports: Map<string, number>;
};

type DeploymentLeases = { cameras: Map<string, CameraLease>; signature: string };

const AGENT_FIRST: Record<AnalyserKind, number> = { agent: 0, browser: 1, http: 2 };

export class LeaseTable implements LeaseStore {
  private readonly deployments = new Map<string, DeploymentLeases>();
  /** Last time each analyser was heard from (offer, renewal, probe). */
  private readonly lastSeen = new Map<string, number>();
  private readonly listeners = new Set<(deploymentId: string) => void>();

  constructor(
    private readonly now: () => number = Date.now,
    /** When this table started: cameras never held count "no analyser" from then at the earliest. */
    private readonly startedAt = now(),
  ) {}

  track(deploymentId: string, cameraIds: readonly string[], liveSince: Date | null): void {
    let deployment = this.deployments.get(deploymentId);
    if (!deployment) {
      deployment = { cameras: new Map(), signature: '' };
      this.deployments.set(deploymentId, deployment);
    }
    const since = Math.max(this.startedAt, liveSince?.getTime() ?? this.now());
    const wanted = new Set(cameraIds);
    let changed = false;
    for (const cameraId of wanted) {
      if (deployment.cameras.has(cameraId)) continue;
      deployment.cameras.set(cameraId, freeLease(cameraId, since));
      changed = true;
    }
    for (const cameraId of deployment.cameras.keys()) {
      if (!wanted.has(cameraId)) {
        deployment.cameras.delete(cameraId);
        changed = true;
      }
    }
    if (changed) this.settle(deploymentId);
  }

  knows(deploymentId: string): boolean {
    return this.deployments.has(deploymentId);
  }

  offer(deploymentId: string, analyser: Analyser, cameraIds: readonly string[]): void {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return;
    const now = this.now();
    this.lastSeen.set(analyser.analyserId, now);
    const offered = new Set(cameraIds);
    for (const lease of deployment.cameras.values()) {
      if (offered.has(lease.cameraId)) {
        const earlier = lease.candidates.get(analyser.analyserId);
        lease.candidates.set(analyser.analyserId, { analyser, offeredAt: earlier?.offeredAt ?? now });
        // An agent takes a camera from a browser or an HTTP sender (nobody else takes a held camera).
        if (lease.holder && analyser.kind === 'agent' && lease.holder.kind !== 'agent') this.hand(lease, analyser, now);
      } else {
        lease.candidates.delete(analyser.analyserId);
        if (lease.holder?.analyserId === analyser.analyserId) this.vacate(lease, now);
      }
    }
    this.assignFree(deployment, now);
    this.settle(deploymentId);
  }

  renew(deploymentId: string, analyserId: string, reports: readonly CameraReport[]): boolean {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return false;
    const now = this.now();
    const known = [...deployment.cameras.values()].some((lease) => lease.candidates.has(analyserId) || lease.holder?.analyserId === analyserId);
    if (!known) return false;
    this.lastSeen.set(analyserId, now);
    const byCamera = new Map(reports.map((report) => [report.cameraId, report]));
    for (const lease of deployment.cameras.values()) {
      if (lease.holder?.analyserId !== analyserId) continue;
      lease.renewedAt = now;
      const report = byCamera.get(lease.cameraId);
      if (!report) continue;
      if (report.state === 'analysing' && lease.state !== 'analysing') lease.analysingSince = now;
      if (report.state !== 'analysing') lease.analysingSince = null;
      lease.state = report.state;
      lease.reason = report.state === 'source_down' ? report.reason?.trim() || 'The source cannot be read.' : null;
      lease.detectionsPerSecond = report.detectionsPerSecond;
      if (report.state === 'source_down') {
        lease.downReports.set(analyserId, now);
        const other = this.best(lease, now, analyserId, true);
        if (other) this.hand(lease, other.analyser, now);
      }
    }
    // A frozen analyser coming back, or a camera freed meanwhile: free cameras find a holder.
    this.assignFree(deployment, now);
    this.settle(deploymentId);
    return true;
  }

  claimForProbe(deploymentId: string, cameraId: string, analyser: Analyser): LeaseClaim {
    const lease = this.deployments.get(deploymentId)?.cameras.get(cameraId);
    // A camera the table does not know (should not happen: the caller tracks the deployment first) is not refused.
    if (!lease) return { ok: true };
    const now = this.now();
    if (lease.holder?.analyserId === analyser.analyserId) {
      // A probe renews its own camera's lease (an HTTP sender has no other heartbeat), not the
      // analyser's standing as a candidate: only renewals and offers say a socket is alive.
      lease.renewedAt = now;
      return { ok: true };
    }
    if (lease.holder) return { ok: false, holder: lease.holder };
    this.hand(lease, analyser, now);
    this.settle(deploymentId);
    return { ok: true };
  }

  holderOf(deploymentId: string, cameraId: string): Analyser | null {
    return this.deployments.get(deploymentId)?.cameras.get(cameraId)?.holder ?? null;
  }

  release(analyserId: string): void {
    this.lastSeen.delete(analyserId);
    const now = this.now();
    for (const [deploymentId, deployment] of this.deployments) {
      let touched = false;
      for (const lease of deployment.cameras.values()) {
        if (lease.candidates.delete(analyserId)) touched = true;
        lease.downReports.delete(analyserId);
        if (lease.holder?.analyserId === analyserId) {
          this.vacate(lease, now);
          touched = true;
        }
      }
      if (!touched) continue;
      this.assignFree(deployment, now);
      this.settle(deploymentId);
    }
  }

  sweep(): void {
    const now = this.now();
    for (const [deploymentId, deployment] of this.deployments) {
      for (const lease of deployment.cameras.values()) {
        for (const [analyserId, at] of lease.downReports) if (now - at >= SOURCE_DOWN_MEMORY_MS) lease.downReports.delete(analyserId);
        if (!lease.holder || now - lease.renewedAt < LEASE_TTL_MS) continue;
        // Frozen: the camera goes to someone else, or stays free until its holder renews again.
        const frozen = lease.holder.analyserId;
        this.vacate(lease, now);
        const next = this.best(lease, now, frozen);
        if (next) this.hand(lease, next.analyser, now);
      }
      this.assignFree(deployment, now);
      // Also raises warnings that only time has changed.
      this.settle(deploymentId);
    }
    for (const [analyserId, at] of this.lastSeen) {
      // HTTP senders are never told to leave: forget one long silent.
      if (analyserId.startsWith('http:') && now - at >= SOURCE_DOWN_MEMORY_MS) this.lastSeen.delete(analyserId);
    }
  }

  view(deploymentId: string): CameraLeaseView[] {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return [];
    const now = this.now();
    return [...deployment.cameras.values()].map((lease) => viewOf(lease, now));
  }

  forget(deploymentId: string): void {
    if (!this.deployments.delete(deploymentId)) return;
    this.emit(deploymentId);
  }

  deploymentIds(): string[] {
    return [...this.deployments.keys()];
  }

  onChange(listener: (deploymentId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The candidate a free camera should go to now, other than `except`; null when none is eligible.
   * With `fromReporter`, `except` found the source down: a candidate that found it down too is no better.
   */
  private best(lease: CameraLease, now: number, except?: string, fromReporter = false): Candidate | null {
    const eligible = [...lease.candidates.values()].filter(
      (c) => c.analyser.analyserId !== except && now - (this.lastSeen.get(c.analyser.analyserId) ?? -Infinity) < LEASE_TTL_MS,
    );
    const downLately = (c: Candidate) => {
      const at = lease.downReports.get(c.analyser.analyserId);
      return at !== undefined && now - at < SOURCE_DOWN_MEMORY_MS ? 1 : 0;
    };
    eligible.sort((a, b) => downLately(a) - downLately(b) || AGENT_FIRST[a.analyser.kind] - AGENT_FIRST[b.analyser.kind] || a.offeredAt - b.offeredAt);
    const first = eligible[0] ?? null;
    // Moving a camera off its reporter only helps if the next one has not found it down too.
    if (fromReporter && first && downLately(first)) return null;
    return first;
  }

  private assignFree(deployment: DeploymentLeases, now: number): void {
    for (const lease of deployment.cameras.values()) {
      if (lease.holder) continue;
      const next = this.best(lease, now);
      if (next) this.hand(lease, next.analyser, now);
    }
  }

  private hand(lease: CameraLease, analyser: Analyser, now: number): void {
    lease.holder = analyser;
    lease.since = now;
    lease.renewedAt = now;
    lease.state = 'connecting';
    lease.reason = null;
    lease.detectionsPerSecond = 0;
    lease.analysingSince = null;
  }

  private vacate(lease: CameraLease, now: number): void {
    lease.holder = null;
    lease.since = now;
    lease.state = 'connecting';
    lease.reason = null;
    lease.detectionsPerSecond = 0;
    lease.analysingSince = null;
  }

  /** Tells the listeners when what viewers see has changed (the rate only when it moves by a whole detection a second). */
  private settle(deploymentId: string): void {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return;
    const now = this.now();
    const signature = JSON.stringify(
      [...deployment.cameras.values()].map((lease) => {
        const view = viewOf(lease, now);
        return [view.cameraId, view.holder?.analyserId ?? null, view.since, view.state, view.reason, Math.round(view.detectionsPerSecond), view.warnings];
      }),
    );
    if (signature === deployment.signature) return;
    deployment.signature = signature;
    this.emit(deploymentId);
  }

  private emit(deploymentId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(deploymentId);
      } catch (error) {
        console.error('[leases] a change listener failed', error);
      }
    }
  }
}

function freeLease(cameraId: string, since: number): CameraLease {
  return {
    cameraId,
    holder: null,
    since,
    renewedAt: since,
    state: 'connecting',
    reason: null,
    detectionsPerSecond: 0,
    analysingSince: null,
    candidates: new Map(),
    downReports: new Map(),
  };
}

function viewOf(lease: CameraLease, now: number): CameraLeaseView {
  const warnings: CameraLeaseView['warnings'] = [];
  if (!lease.holder && now - lease.since >= NO_ANALYSER_WARN_MS) warnings.push('no_analyser');
  if (
    lease.holder &&
    lease.state === 'analysing' &&
    lease.analysingSince !== null &&
    now - lease.analysingSince >= SLOW_GRACE_MS &&
    lease.detectionsPerSecond < SLOW_ANALYSIS_PER_SECOND
  ) {
    warnings.push('slow_analysis');
  }
  return {
    cameraId: lease.cameraId,
    holder: lease.holder ? { kind: lease.holder.kind, analyserId: lease.holder.analyserId, name: lease.holder.name } : null,
    since: new Date(lease.since).toISOString(),
    state: lease.state,
    reason: lease.reason,
    detectionsPerSecond: lease.detectionsPerSecond,
    warnings,
  };
}

/** The process's lease table (shared by server.ts and Next's route handlers). */
export function leaseTable(): LeaseStore {
  return processState<LeaseStore>('cameraLeases', () => new LeaseTable());
}
