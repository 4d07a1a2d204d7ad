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
 * faces. It lives in this process's memory (processState); with several instances, each keeps its
 * own and lib/live/cluster-leases.ts tells it which cameras another instance holds
 * (setHeldElsewhere), so a camera is analysed through one instance.
 *
 * Rules:
 * - A free camera goes at once to an eligible candidate: agents before browsers, then those that
 *   have not reported it down lately, then the earliest offer.
 * - An agent offering a camera held by a browser or an HTTP sender takes it (agents read sources
 *   browsers cannot, and keep analysing when nobody is looking), unless it reported the camera
 *   down lately; the sweep and renewals do the same for agents already offering.
 * - A holder renews about once a second, naming the cameras it holds. A camera not renewed for
 *   LEASE_TTL_MS (a frozen tab, an HTTP sender that stopped sending) is lost at the next sweep; a
 *   holder that disconnects, or withdraws the camera from its offer, loses it at once.
 * - A holder reporting `source_down`, or not yet `analysing` CONNECT_TIMEOUT_MS after it took the
 *   camera, hands it to a candidate that has not itself reported it down in the last
 *   SOURCE_DOWN_MEMORY_MS; with none, it keeps it.
 * - Health: `no_analyser` when a camera has had no holder analysing it for NO_ANALYSER_WARN_MS,
 *   `source_down` while its holder reports its source down, `slow_analysis` when its holder has
 *   been analysing for SLOW_GRACE_MS and reports fewer than SLOW_ANALYSIS_PER_SECOND detections a second.
 * - Offers of one analyser in one deployment are applied in the order they were sent (`seq`).
 * - A deployment forgotten (no longer live) is not tracked again by a read older than that,
 *   unless it went live again since.
 * - Several instances (lib/live/cluster-leases.ts): a camera another instance holds ("held
 *   elsewhere") goes to no local candidate but an agent when the remote holder is not one; a local
 *   holder of it loses it, unless it is an agent and the remote holder is not; viewers see the
 *   remote holder (kind and name, no id). When the remote hold ends the camera is free here again.
 */

export const LEASE_TTL_MS = 3000;
/** How often leases are checked for frozen holders and new warnings (≤ 500 ms keeps failover well under 5 s). */
export const LEASE_SWEEP_MS = 500;
export const NO_ANALYSER_WARN_MS = 60_000;
export const SOURCE_DOWN_MEMORY_MS = 30_000;
export const SLOW_ANALYSIS_PER_SECOND = 1;
/** A holder's rate is judged once it has been analysing this long (its first seconds ramp up). */
export const SLOW_GRACE_MS = 5000;
/** A holder not analysing this long after taking a camera (stuck connecting) is treated as finding it down. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long a forgotten deployment's tombstone is kept (the periodic check catches anything later). */
const TOMBSTONE_MS = 10 * 60_000;
/** The longest reason text kept from a holder. */
export const MAX_REASON_CHARS = 200;

export type Analyser = { analyserId: string; kind: AnalyserKind; name: string; userId: string };

export type CameraReport = { cameraId: string; state: CameraAnalysisState; reason?: string; detectionsPerSecond: number };

/**
 * A probe's claim: refused when another analyser holds the camera (`held`), when the sender's own
 * offer in this deployment leaves the camera out (`not_offered`), or when its socket is gone (`gone`).
 */
export type LeaseClaim =
  | { ok: true }
  | { ok: false; refusal: 'held'; holder: Analyser }
  | { ok: false; refusal: 'not_offered' }
  | { ok: false; refusal: 'gone' };

/** Who holds a camera on another instance (as its shared row says). */
/**
 * A camera's holder on another instance. `senderId` names an HTTP sender (its analyser id is the
 * same on every instance): a balancer spreads its requests, and it stays one holder wherever they land.
 */
export type RemoteHolder = { kind: AnalyserKind; name: string; senderId?: string };

/** A camera this instance's table gives to one of its own analysers. */
export type LocalHolding = { deploymentId: string; cameraId: string; holder: Analyser };

/** An agent took a camera from a browser or an HTTP sender. */
export type Takeover = { deploymentId: string; cameraId: string; agent: Analyser; from: Analyser };

/** What the rest of the code may ask of the lease table (this instance's; cameras held by others are marked with setHeldElsewhere). */
export interface LeaseStore {
  /**
   * Makes the table know a live deployment's cameras (idempotent); `liveSince` dates "no analyser" for
   * cameras never held. False (nothing tracked) for a deployment forgotten after it last went live.
   */
  track(deploymentId: string, cameraIds: readonly string[], liveSince: Date | null): boolean;
  knows(deploymentId: string): boolean;
  /**
   * The analyser's offer for these cameras replaces its earlier one in this deployment (an empty list
   * withdraws). `seq` numbers one analyser's offers as they were sent: an older one arriving after a
   * newer one is ignored (false).
   */
  offer(deploymentId: string, analyser: Analyser, cameraIds: readonly string[], seq?: number): boolean;
  /** The cameras this analyser's latest offer in the deployment named, or null when it has none. */
  offeredBy(deploymentId: string, analyserId: string): ReadonlySet<string> | null;
  /** A heartbeat with the state of the cameras it holds (only those named are renewed); false when it is not known in this deployment. */
  renew(deploymentId: string, analyserId: string, reports: readonly CameraReport[]): boolean;
  /**
   * A probe's sender: ok if it holds the camera or the camera was free (it takes it), else why not.
   * `connected` says whether a socket sender is still there: a gone one takes nothing.
   */
  claimForProbe(deploymentId: string, cameraId: string, analyser: Analyser, connected?: () => boolean): LeaseClaim;
  holderOf(deploymentId: string, cameraId: string): Analyser | null;
  /** The analyser is gone (disconnected): its leases move at once. */
  release(analyserId: string): void;
  /** Moves the leases of frozen holders, and notices warnings that time has raised. */
  sweep(): void;
  view(deploymentId: string): CameraLeaseView[];
  /**
   * The deployment stopped being live (as read at `asOf`, default now): everything about it goes,
   * and a later `track` from an older read does not bring it back.
   */
  forget(deploymentId: string, asOf?: number): void;
  deploymentIds(): string[];
  /**
   * The cameras of this deployment another instance holds now (all others: none). Local holders of
   * them lose them (but an agent over a remote non-agent), and cameras no longer held elsewhere are
   * given out here again.
   */
  setHeldElsewhere(deploymentId: string, heldElsewhere: ReadonlyMap<string, RemoteHolder>): void;
  /** Every camera held by one of this table's own analysers. */
  localHoldings(): LocalHolding[];
  /** Called with a deployment's id whenever what its viewers see changes. Returns the unsubscribe function. */
  onChange(listener: (deploymentId: string) => void): () => void;
  /** Called when an agent takes a camera from a browser or HTTP sender (synchronously: do no slow work in it). */
  onTakeover(listener: (takeover: Takeover) => void): () => void;
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
  /** Since when no holder has been analysing the camera (for `no_analyser`), or null while one is. */
  unanalysedSince: number | null;
  /** Since when the current holder has not been analysing (connect timeout), or null. */
  holderIdleSince: number | null;
  candidates: Map<string, Candidate>;
  /** Analysers that reported this camera's source down, and when. */
  downReports: Map<string, number>;
  /** Who holds the camera on another instance, or null. */
  elsewhere: RemoteHolder | null;
};

type DeploymentLeases = {
  cameras: Map<string, CameraLease>;
  signature: string;
  /** Each analyser's latest offer here: the cameras it named, and its sequence number. */
  offers: Map<string, { seq: number; cameraIds: Set<string> }>;
};

const AGENT_FIRST: Record<AnalyserKind, number> = { agent: 0, browser: 1, http: 2 };

export class LeaseTable implements LeaseStore {
  private readonly deployments = new Map<string, DeploymentLeases>();
  /** Last time each analyser was heard from (offer, renewal, probe). */
  private readonly lastSeen = new Map<string, number>();
  private readonly listeners = new Set<(deploymentId: string) => void>();
  private readonly takeoverListeners = new Set<(takeover: Takeover) => void>();
  /** Deployments forgotten, and as of when (track ignores reads of them from before). */
  private readonly tombstones = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    /** When this table started: cameras never held count "no analyser" from then at the earliest. */
    private readonly startedAt = now(),
  ) {}

  track(deploymentId: string, cameraIds: readonly string[], liveSince: Date | null): boolean {
    let deployment = this.deployments.get(deploymentId);
    if (!deployment) {
      const forgottenAt = this.tombstones.get(deploymentId);
      // A read from before the deployment stopped being live must not bring it back; going live again does.
      if (forgottenAt !== undefined && !(liveSince && liveSince.getTime() > forgottenAt)) return false;
      this.tombstones.delete(deploymentId);
      deployment = { cameras: new Map(), signature: '', offers: new Map() };
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
    return true;
  }

  knows(deploymentId: string): boolean {
    return this.deployments.has(deploymentId);
  }

  offer(deploymentId: string, analyser: Analyser, cameraIds: readonly string[], seq?: number): boolean {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return false;
    const earlierOffer = deployment.offers.get(analyser.analyserId);
    if (seq !== undefined && earlierOffer && seq < earlierOffer.seq) return false;
    const now = this.now();
    this.lastSeen.set(analyser.analyserId, now);
    const offered = new Set(cameraIds);
    deployment.offers.set(analyser.analyserId, { seq: seq ?? earlierOffer?.seq ?? 0, cameraIds: offered });
    for (const lease of deployment.cameras.values()) {
      if (offered.has(lease.cameraId)) {
        const earlier = lease.candidates.get(analyser.analyserId);
        lease.candidates.set(analyser.analyserId, { analyser, offeredAt: earlier?.offeredAt ?? now });
        // An agent takes a camera from a browser or an HTTP sender (nobody else takes a held camera),
        // unless it found the camera down lately.
        if (lease.holder && analyser.kind === 'agent' && lease.holder.kind !== 'agent' && !downLately(lease, analyser.analyserId, now)) {
          this.takeOver(deploymentId, lease, analyser, now);
        }
      } else {
        lease.candidates.delete(analyser.analyserId);
        if (lease.holder?.analyserId === analyser.analyserId) this.vacate(lease, now);
      }
    }
    this.assignFree(deployment, now);
    this.settle(deploymentId);
    return true;
  }

  offeredBy(deploymentId: string, analyserId: string): ReadonlySet<string> | null {
    return this.deployments.get(deploymentId)?.offers.get(analyserId)?.cameraIds ?? null;
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
      // Only the cameras named are renewed: one the holder no longer speaks of lapses after the TTL.
      const report = byCamera.get(lease.cameraId);
      if (!report) continue;
      lease.renewedAt = now;
      if (report.state === 'analysing') {
        if (lease.state !== 'analysing') lease.analysingSince = now;
        lease.unanalysedSince = null;
        lease.holderIdleSince = null;
      } else {
        lease.analysingSince = null;
        lease.unanalysedSince ??= now;
        lease.holderIdleSince ??= now;
      }
      lease.state = report.state;
      lease.reason = report.state === 'source_down' ? sanitiseReason(report.reason) || 'The source cannot be read.' : null;
      lease.detectionsPerSecond = report.detectionsPerSecond;
      if (report.state === 'source_down') {
        lease.downReports.set(analyserId, now);
        const other = this.best(lease, now, analyserId, true);
        if (other) this.hand(lease, other.analyser, now);
      }
    }
    // A frozen analyser coming back, or a camera freed meanwhile: free cameras find a holder.
    this.assignFree(deployment, now);
    this.preferAgents(deploymentId, deployment, now);
    this.settle(deploymentId);
    return true;
  }

  claimForProbe(deploymentId: string, cameraId: string, analyser: Analyser, connected?: () => boolean): LeaseClaim {
    const deployment = this.deployments.get(deploymentId);
    const lease = deployment?.cameras.get(cameraId);
    // A camera the table does not know (should not happen: the caller tracks the deployment first) is not refused.
    if (!deployment || !lease) return { ok: true };
    const now = this.now();
    if (lease.holder?.analyserId === analyser.analyserId) {
      // A probe renews its own camera's lease (an HTTP sender has no other heartbeat), not the
      // analyser's standing as a candidate: only renewals and offers say a socket is alive. A face
      // sent shows the camera is being analysed (an HTTP sender reports no state).
      lease.renewedAt = now;
      lease.holderIdleSince = null;
      lease.unanalysedSince = null;
      return { ok: true };
    }
    // A socket that closed while its probe was on its way would hold the camera as a ghost.
    if (connected && !connected()) return { ok: false, refusal: 'gone' };
    if (lease.holder) return { ok: false, refusal: 'held', holder: lease.holder };
    if (lease.elsewhere && !mayTake(lease, analyser)) return { ok: false, refusal: 'held', holder: { analyserId: '', userId: '', ...lease.elsewhere } };
    // A socket whose offer here leaves this camera out has said it does not analyse it.
    const offered = deployment.offers.get(analyser.analyserId);
    if (offered && !offered.cameraIds.has(cameraId)) return { ok: false, refusal: 'not_offered' };
    this.hand(lease, { analyserId: analyser.analyserId, kind: analyser.kind, name: analyser.name, userId: analyser.userId }, now);
    lease.holderIdleSince = null;
    lease.unanalysedSince = null;
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
      let touched = deployment.offers.delete(analyserId);
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
      /** Cameras that lapsed this sweep, and whose they were: not handed straight back to the same analyser. */
      const lapsed = new Map<string, string>();
      for (const lease of deployment.cameras.values()) {
        for (const [analyserId, at] of lease.downReports) if (now - at >= SOURCE_DOWN_MEMORY_MS) lease.downReports.delete(analyserId);
        if (!lease.holder) continue;
        const holderId = lease.holder.analyserId;
        if (now - lease.renewedAt >= LEASE_TTL_MS) {
          // Frozen: the camera goes to someone else, or stays free until its holder renews again.
          this.vacate(lease, now);
          lapsed.set(lease.cameraId, holderId);
          const next = this.best(lease, now, holderId);
          if (next) this.hand(lease, next.analyser, now);
          continue;
        }
        if (lease.holderIdleSince !== null && now - lease.holderIdleSince >= CONNECT_TIMEOUT_MS) {
          // Stuck connecting (or down) too long: as if it reported the source down; it keeps the camera if nobody else is fit.
          lease.downReports.set(holderId, now);
          const next = this.best(lease, now, holderId, true);
          if (next) this.hand(lease, next.analyser, now);
          else lease.holderIdleSince = now;
        }
      }
      this.assignFree(deployment, now, lapsed);
      this.preferAgents(deploymentId, deployment, now);
      // Also raises warnings that only time has changed.
      this.settle(deploymentId);
    }
    for (const [analyserId, at] of this.lastSeen) {
      // HTTP senders are never told to leave: forget one long silent.
      if (analyserId.startsWith('http:') && now - at >= SOURCE_DOWN_MEMORY_MS) this.lastSeen.delete(analyserId);
    }
    for (const [deploymentId, at] of this.tombstones) if (now - at >= TOMBSTONE_MS) this.tombstones.delete(deploymentId);
  }

  view(deploymentId: string): CameraLeaseView[] {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return [];
    const now = this.now();
    return [...deployment.cameras.values()].map((lease) => viewOf(lease, now));
  }

  forget(deploymentId: string, asOf: number = this.now()): void {
    this.tombstones.set(deploymentId, Math.max(asOf, this.tombstones.get(deploymentId) ?? -Infinity));
    if (!this.deployments.delete(deploymentId)) return;
    this.emit(deploymentId);
  }

  deploymentIds(): string[] {
    return [...this.deployments.keys()];
  }

  setHeldElsewhere(deploymentId: string, heldElsewhere: ReadonlyMap<string, RemoteHolder>): void {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return;
    const now = this.now();
    for (const lease of deployment.cameras.values()) {
      const remote = heldElsewhere.get(lease.cameraId) ?? null;
      if (remote) {
        // Two holders at once: ours gives way, unless it is an agent and theirs is not (then ours takes the shared row).
        if (lease.holder && !mayTake({ elsewhere: remote }, lease.holder)) this.vacate(lease, now);
        // Another instance analyses it: "no analyser" is not for this one to say.
        if (!lease.holder) lease.unanalysedSince = null;
      } else if (lease.elsewhere && !lease.holder) {
        lease.unanalysedSince = now;
      }
      lease.elsewhere = remote && { kind: remote.kind, name: remote.name, ...(remote.senderId ? { senderId: remote.senderId } : {}) };
    }
    this.assignFree(deployment, now);
    this.settle(deploymentId);
  }

  localHoldings(): LocalHolding[] {
    const holdings: LocalHolding[] = [];
    for (const [deploymentId, deployment] of this.deployments) {
      for (const lease of deployment.cameras.values()) if (lease.holder) holdings.push({ deploymentId, cameraId: lease.cameraId, holder: lease.holder });
    }
    return holdings;
  }

  onChange(listener: (deploymentId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onTakeover(listener: (takeover: Takeover) => void): () => void {
    this.takeoverListeners.add(listener);
    return () => this.takeoverListeners.delete(listener);
  }

  // ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The candidate a free camera should go to now, other than `except`; null when none is eligible.
   * With `fromReporter`, `except` found the source down: a candidate that found it down too is no better.
   */
  private best(lease: CameraLease, now: number, except?: string, fromReporter = false): Candidate | null {
    const eligible = [...lease.candidates.values()].filter(
      (c) => c.analyser.analyserId !== except && now - (this.lastSeen.get(c.analyser.analyserId) ?? -Infinity) < LEASE_TTL_MS && mayTake(lease, c.analyser),
    );
    const down = (c: Candidate) => (downLately(lease, c.analyser.analyserId, now) ? 1 : 0);
    eligible.sort((a, b) => down(a) - down(b) || AGENT_FIRST[a.analyser.kind] - AGENT_FIRST[b.analyser.kind] || a.offeredAt - b.offeredAt);
    const first = eligible[0] ?? null;
    // Moving a camera off its reporter only helps if the next one has not found it down too.
    if (fromReporter && first && down(first)) return null;
    return first;
  }

  private assignFree(deployment: DeploymentLeases, now: number, except?: ReadonlyMap<string, string>): void {
    for (const lease of deployment.cameras.values()) {
      if (lease.holder) continue;
      const next = this.best(lease, now, except?.get(lease.cameraId));
      if (next) this.hand(lease, next.analyser, now);
    }
  }

  /** A camera a browser or HTTP sender holds goes to a fresh agent candidate that has not found it down lately. */
  private preferAgents(deploymentId: string, deployment: DeploymentLeases, now: number): void {
    for (const lease of deployment.cameras.values()) {
      if (!lease.holder || lease.holder.kind === 'agent') continue;
      const next = this.best(lease, now, lease.holder.analyserId);
      if (next && next.analyser.kind === 'agent' && !downLately(lease, next.analyser.analyserId, now)) this.takeOver(deploymentId, lease, next.analyser, now);
    }
  }

  private takeOver(deploymentId: string, lease: CameraLease, agent: Analyser, now: number): void {
    const from = lease.holder;
    this.hand(lease, agent, now);
    if (!from) return;
    for (const listener of this.takeoverListeners) {
      try {
        listener({ deploymentId, cameraId: lease.cameraId, agent, from });
      } catch (error) {
        console.error('[leases] a takeover listener failed', error);
      }
    }
  }

  private hand(lease: CameraLease, analyser: Analyser, now: number): void {
    this.reassign(lease, analyser, now);
    lease.renewedAt = now;
  }

  private vacate(lease: CameraLease, now: number): void {
    this.reassign(lease, null, now);
  }

  /** A new holder (or none): what the last one reported goes; time unanalysed keeps counting from before. */
  private reassign(lease: CameraLease, holder: Analyser | null, now: number): void {
    lease.holder = holder;
    lease.since = now;
    lease.state = 'connecting';
    lease.reason = null;
    lease.detectionsPerSecond = 0;
    lease.analysingSince = null;
    lease.unanalysedSince ??= now;
    lease.holderIdleSince = holder ? now : null;
  }

  /** Tells the listeners when what viewers see has changed (the rate only when it moves by a whole detection a second). */
  private settle(deploymentId: string): void {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return;
    const now = this.now();
    const signature = JSON.stringify(
      [...deployment.cameras.values()].map((lease) => {
        const view = viewOf(lease, now);
        return [
          view.cameraId,
          view.holder?.analyserId ?? null,
          view.holder?.kind ?? null,
          view.holder?.name ?? null,
          view.since,
          view.state,
          view.reason,
          Math.round(view.detectionsPerSecond),
          view.warnings,
        ];
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
    unanalysedSince: since,
    holderIdleSince: null,
    candidates: new Map(),
    downReports: new Map(),
    elsewhere: null,
  };
}

/** Whether this analyser may hold a camera, given who holds it on another instance (agents before the others there too). */
function mayTake(lease: Pick<CameraLease, 'elsewhere'>, analyser: Pick<Analyser, 'kind' | 'analyserId'>): boolean {
  if (!lease.elsewhere) return true;
  // The same HTTP sender, its request having reached this instance this time.
  if (lease.elsewhere.senderId !== undefined && lease.elsewhere.senderId === analyser.analyserId) return true;
  return analyser.kind === 'agent' && lease.elsewhere.kind !== 'agent';
}

function downLately(lease: CameraLease, analyserId: string, now: number): boolean {
  const at = lease.downReports.get(analyserId);
  return at !== undefined && now - at < SOURCE_DOWN_MEMORY_MS;
}

/**
 * A holder's words for a source that is down, fit to show every viewer: no addresses (they may
 * carry credentials), no `key=value` secrets, no control characters, at most MAX_REASON_CHARS.
 */
export function sanitiseReason(reason: string | undefined): string {
  if (!reason) return '';
  const cleaned = reason
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi, '[address]')
    .replace(/\b[^\s:/@]+:[^\s/@]+@[^\s/]+/g, '[address]')
    .replace(/\b(password|passwd|pwd|token|secret|key|auth|authorization|api[_-]?key|access[_-]?token)\s*[=:]\s*\S+/gi, '$1=[hidden]')
    .replace(/\bbearer\s+\S+/gi, 'Bearer [hidden]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_REASON_CHARS ? `${cleaned.slice(0, MAX_REASON_CHARS - 1)}…` : cleaned;
}

function viewOf(lease: CameraLease, now: number): CameraLeaseView {
  const warnings: CameraLeaseView['warnings'] = [];
  if (lease.unanalysedSince !== null && now - lease.unanalysedSince >= NO_ANALYSER_WARN_MS) warnings.push('no_analyser');
  if (lease.holder && lease.state === 'source_down') warnings.push('source_down');
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
    // A camera another instance holds shows that holder, with no id (it is no socket here).
    holder: lease.holder
      ? { kind: lease.holder.kind, analyserId: lease.holder.analyserId, name: lease.holder.name }
      : lease.elsewhere && { kind: lease.elsewhere.kind, analyserId: '', name: lease.elsewhere.name },
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
