/**
 * Faces processed, per camera and minute: the only trace a face that matches nothing may leave
 * (docs/rules.md#non-matches: only counts survive). The deployment record reports faces processed from these.
 *
 * Nothing about a face is taken in — no descriptor, crop, track or time finer than its minute —
 * only which deployment and camera saw it. Counts live in memory until `drain` hands over the
 * minutes that are over, for the caller to persist. Designed for that persistence:
 * - a bucket is one row (deploymentId, cameraId, minuteStart, count);
 * - a face that arrives late, after its minute was drained, starts a second bucket for that
 *   minute, so persisting must ADD to the stored count (upsert with increment), never overwrite;
 * - if persisting fails, `restore` puts the buckets back to be drained again next time.
 * Memory is bounded by the caller draining regularly (say once a minute): at most one bucket per
 * live camera per minute in between.
 */

export const MINUTE_MS = 60_000;

export type FaceCountBucket = {
  deploymentId: string;
  cameraId: string;
  /** Start of the minute (UTC, whole minute). */
  minuteStart: Date;
  count: number;
};

type Bucket = { deploymentId: string; cameraId: string; minuteStart: number; count: number };

export class FaceCounter {
  private readonly buckets = new Map<string, Bucket>();

  /** Counts `count` faces (default one) processed by a camera of a deployment at `at` (epoch ms, server time). */
  record(deploymentId: string, cameraId: string, at: number, count = 1): void {
    // A NaN time would make a bucket that never drains; a fractional count is a bug upstream.
    if (!Number.isFinite(at)) throw new RangeError('`at` must be a time in epoch milliseconds.');
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('`count` must be a whole number of faces, at least 1.');
    const minuteStart = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const key = `${minuteStart}\u0000${deploymentId}\u0000${cameraId}`;
    const bucket = this.buckets.get(key);
    if (bucket) bucket.count += count;
    else this.buckets.set(key, { deploymentId, cameraId, minuteStart, count });
  }

  /**
   * Removes and returns the buckets of every minute that ended at or before `olderThan` (epoch
   * ms) — `drain(Date.now())` gives all completed minutes and keeps the current one counting —
   * of every deployment, or of `onlyDeploymentId`.
   * Sorted by minute, then deployment and camera, so persisted rows come in a stable order.
   */
  drain(olderThan: number, onlyDeploymentId?: string): FaceCountBucket[] {
    const drained: Bucket[] = [];
    for (const [key, bucket] of this.buckets) {
      if (onlyDeploymentId !== undefined && bucket.deploymentId !== onlyDeploymentId) continue;
      if (bucket.minuteStart + MINUTE_MS <= olderThan) {
        drained.push(bucket);
        this.buckets.delete(key);
      }
    }
    drained.sort((a, b) => a.minuteStart - b.minuteStart || compare(a.deploymentId, b.deploymentId) || compare(a.cameraId, b.cameraId));
    return drained.map((b) => ({ ...b, minuteStart: new Date(b.minuteStart) }));
  }

  /** Puts drained buckets back (their persistence failed), adding to any counted since. */
  restore(buckets: readonly FaceCountBucket[]): void {
    for (const b of buckets) this.record(b.deploymentId, b.cameraId, b.minuteStart.getTime(), b.count);
  }

  /**
   * Faces counted but not yet drained, per deployment, in minutes starting at or after `since`
   * (epoch ms): added to the stored rows, they make "faces in the last minutes" current.
   */
  pendingSince(deploymentIds: ReadonlySet<string>, since: number): Map<string, number> {
    const totals = new Map<string, number>();
    for (const bucket of this.buckets.values()) {
      if (bucket.minuteStart < since || !deploymentIds.has(bucket.deploymentId)) continue;
      totals.set(bucket.deploymentId, (totals.get(bucket.deploymentId) ?? 0) + bucket.count);
    }
    return totals;
  }

  /** Buckets held (minutes not yet drained). */
  get size(): number {
    return this.buckets.size;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
