import type { CameraLeaseView } from '@/lib/realtime/events';

/** First wait after a refused offer; doubled at each further refusal, up to the cap. */
export const OFFER_RETRY_MS = 1000;
export const OFFER_RETRY_MAX_MS = 30_000;
/** A deployment that is not live is asked again at most this often (it may be resumed). */
export const OFFER_STOPPED_MS = 15_000;
/** A screen the table shows holding a camera it does not offer offers again at most this often. */
export const OFFER_MISMATCH_MS = 5000;

/**
 * When a live page sends `lease:offer` (docs/architecture.md#camera-leases). Pure: the page owns
 * the socket and asks here, at each second's tick, whether to offer. An offer the server refused,
 * or that got no answer, is sent again with a growing wait rather than dropped; a refusal because
 * the deployment is not live waits longer still; and an offer is due again when the table shows
 * this screen holding a camera it no longer offers (the server missed a withdrawal).
 */
export class OfferState {
  private inFlight = false;
  private refusals = 0;
  /** A further offer is needed, not before this time. */
  private dueAt: number | null = null;
  private mismatchOfferAt = -Infinity;

  /** An offer goes now (connect, the cameras shown changed, the tab became visible): no waiting. */
  sending(): void {
    this.inFlight = true;
    this.dueAt = null;
  }

  accepted(): void {
    this.inFlight = false;
    this.refusals = 0;
    this.dueAt = null;
  }

  /** Refused, or unanswered. `stopped`: the server said the deployment is not live. */
  refused(now: number, stopped: boolean): void {
    this.inFlight = false;
    this.refusals += 1;
    const wait = Math.min(OFFER_RETRY_MAX_MS, OFFER_RETRY_MS * 2 ** (this.refusals - 1));
    this.dueAt = now + (stopped ? Math.max(wait, OFFER_STOPPED_MS) : wait);
  }

  /** Something says the server does not know this screen's offer (a renewal was refused): offer when allowed. */
  needed(now: number): void {
    if (this.dueAt === null) this.dueAt = now;
  }

  /** Waiting to offer again: renewals would only be refused meanwhile. */
  get waiting(): boolean {
    return this.dueAt !== null;
  }

  /** Whether to offer at this tick. */
  due(now: number, offered: readonly string[], leases: readonly CameraLeaseView[] | null, socketId: string | null): boolean {
    if (this.inFlight) return false;
    if (this.dueAt !== null) return now >= this.dueAt;
    const offering = new Set(offered);
    const mismatch = (leases ?? []).some((lease) => lease.holder !== null && lease.holder.analyserId === socketId && !offering.has(lease.cameraId));
    if (!mismatch || now - this.mismatchOfferAt < OFFER_MISMATCH_MS) return false;
    this.mismatchOfferAt = now;
    return true;
  }
}

/** Whether an offer's refusal says the deployment is not live (lib/live/lease-access.ts: `deployment_not_live`). */
export function isNotLiveRefusal(answer: { error: string; code?: string }): boolean {
  return answer.code === 'deployment_not_live';
}
