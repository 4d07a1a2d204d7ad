/**
 * A token bucket: it holds at most `burst` tokens and refills continuously at `perSecond`; each
 * request takes one, and none is left means "too many". A client sending steadily below the rate
 * never notices it; one sending a burst gets `burst` through at once, then the rate.
 *
 * Pure: time (milliseconds, any monotonic clock) is passed in, so tests need no timers.
 */
export type BucketSettings = { perSecond: number; burst: number };

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly settings: BucketSettings,
    now: number,
  ) {
    this.tokens = settings.burst;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    // A clock that went backwards refills nothing (and takes nothing back).
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.settings.burst, this.tokens + (elapsed * this.settings.perSecond) / 1000);
    this.updatedAt = Math.max(this.updatedAt, now);
  }

  /** Takes a token if there is one; false when the bucket is empty. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.settings.perSecond);
  }

  /** Refilled to the brim: indistinguishable from a new bucket, so it may be forgotten. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.settings.burst;
  }
}

/**
 * One bucket per key (a socket's deployments, its cameras), at most `maxKeys` of them: a key
 * beyond that is refused while full buckets (idle keys) are dropped to make room, so the map stays
 * bounded whatever a client names.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly settings: BucketSettings,
    readonly maxKeys: number,
  ) {}

  take(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) {
        for (const [k, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(k);
        if (this.buckets.size >= this.maxKeys) return false;
      }
      this.buckets.set(key, (bucket = new TokenBucket(this.settings, now)));
    }
    return bucket.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }

  clear(): void {
    this.buckets.clear();
  }
}
