import { describe, expect, it } from 'vitest';
import { KeyedBuckets, TokenBucket } from '@/lib/live/token-bucket';

describe('TokenBucket', () => {
  it('lets a burst through at once, then the rate, and refills to the burst at most', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 5 }, 0);
    const taken = Array.from({ length: 8 }, () => bucket.take(0));
    expect(taken).toEqual([true, true, true, true, true, false, false, false]);
    expect(bucket.waitMs(0)).toBe(100);
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(150)).toBe(false);
    // An hour of silence refills only to the burst.
    expect(bucket.isFull(3_600_000)).toBe(true);
    expect(Array.from({ length: 6 }, () => bucket.take(3_600_000)).filter(Boolean)).toHaveLength(5);
  });

  it('holds a steady sender below the rate at no refusal, and one above it to the rate', () => {
    const steady = new TokenBucket({ perSecond: 300, burst: 600 }, 0);
    // 220 a second for a minute (bench/alerts.ts' pace): never refused.
    let refused = 0;
    for (let i = 0; i < 220 * 60; i++) if (!steady.take((i * 1000) / 220)) refused++;
    expect(refused).toBe(0);
    // 1,000 a second for ten seconds: the burst, then 300 a second.
    const flood = new TokenBucket({ perSecond: 300, burst: 600 }, 0);
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) if (flood.take(i)) accepted++;
    expect(accepted).toBeGreaterThanOrEqual(600 + 300 * 10 - 2);
    expect(accepted).toBeLessThanOrEqual(600 + 300 * 10 + 1);
  });

  it('takes nothing back when the clock goes backwards', () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(5_000)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });
});

describe('KeyedBuckets', () => {
  it('keeps a bucket per key, so one busy key does not starve another, and holds at most maxKeys', () => {
    const buckets = new KeyedBuckets({ perSecond: 3, burst: 6 }, 2);
    const t = 1_000_000;
    for (let i = 0; i < 6; i++) expect(buckets.take('dep-1', t)).toBe(true);
    expect(buckets.take('dep-1', t)).toBe(false);
    expect(buckets.take('dep-2', t)).toBe(true);
    // A third key while both are in use: refused, the map stays bounded.
    expect(buckets.take('dep-3', t)).toBe(false);
    expect(buckets.size).toBe(2);
    // Once a key's bucket has refilled (idle), it makes room.
    expect(buckets.take('dep-3', t + 3000)).toBe(true);
    expect(buckets.size).toBeLessThanOrEqual(2);
  });
});
