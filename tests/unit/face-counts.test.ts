import { describe, expect, it } from 'vitest';
import { FaceCounter, MINUTE_MS } from '@/lib/matching/face-counts';

const minute = (m: number) => Date.UTC(2026, 0, 15, 10, m, 0);

describe('faces processed per camera and minute', () => {
  it('counts per deployment, camera and minute', () => {
    const counter = new FaceCounter();
    counter.record('dep-1', 'cam-1', minute(0) + 1_000);
    counter.record('dep-1', 'cam-1', minute(0) + 59_999);
    counter.record('dep-1', 'cam-2', minute(0) + 5_000);
    counter.record('dep-2', 'cam-1', minute(0) + 5_000, 3);
    counter.record('dep-1', 'cam-1', minute(1));
    expect(counter.drain(minute(2))).toEqual([
      { deploymentId: 'dep-1', cameraId: 'cam-1', minuteStart: new Date(minute(0)), count: 2 },
      { deploymentId: 'dep-1', cameraId: 'cam-2', minuteStart: new Date(minute(0)), count: 1 },
      { deploymentId: 'dep-2', cameraId: 'cam-1', minuteStart: new Date(minute(0)), count: 3 },
      { deploymentId: 'dep-1', cameraId: 'cam-1', minuteStart: new Date(minute(1)), count: 1 },
    ]);
    expect(counter.size).toBe(0);
  });

  it('drains only minutes that are over, and keeps counting the current one', () => {
    const counter = new FaceCounter();
    counter.record('dep-1', 'cam-1', minute(0) + 30_000);
    counter.record('dep-1', 'cam-1', minute(1) + 10_000);
    const now = minute(1) + 30_000;
    expect(counter.drain(now).map((b) => b.minuteStart.getTime())).toEqual([minute(0)]);
    expect(counter.drain(now)).toEqual([]);
    counter.record('dep-1', 'cam-1', minute(1) + 40_000);
    expect(counter.drain(minute(1) + MINUTE_MS)).toEqual([{ deploymentId: 'dep-1', cameraId: 'cam-1', minuteStart: new Date(minute(1)), count: 2 }]);
  });

  it('a late face after its minute was drained makes a second bucket (persisting adds)', () => {
    const counter = new FaceCounter();
    counter.record('dep-1', 'cam-1', minute(0) + 1_000);
    expect(counter.drain(minute(1))).toHaveLength(1);
    counter.record('dep-1', 'cam-1', minute(0) + 59_000);
    expect(counter.drain(minute(1))).toEqual([{ deploymentId: 'dep-1', cameraId: 'cam-1', minuteStart: new Date(minute(0)), count: 1 }]);
  });

  it('restore puts back buckets whose persistence failed, merging with newer counts', () => {
    const counter = new FaceCounter();
    counter.record('dep-1', 'cam-1', minute(0));
    counter.record('dep-1', 'cam-1', minute(0));
    const drained = counter.drain(minute(1));
    counter.record('dep-1', 'cam-1', minute(0) + 10);
    counter.restore(drained);
    expect(counter.drain(minute(1))).toEqual([{ deploymentId: 'dep-1', cameraId: 'cam-1', minuteStart: new Date(minute(0)), count: 3 }]);
  });

  it('keeps nothing about a face but the count', () => {
    const counter = new FaceCounter();
    counter.record('dep-1', 'cam-1', minute(0) + 12_345);
    const [bucket] = counter.drain(minute(1));
    expect(Object.keys(bucket!).sort()).toEqual(['cameraId', 'count', 'deploymentId', 'minuteStart']);
    expect(bucket!.minuteStart.getTime() % MINUTE_MS).toBe(0);
  });

  it('refuses a time or count that would corrupt the counters', () => {
    const counter = new FaceCounter();
    expect(() => counter.record('dep-1', 'cam-1', Number.NaN)).toThrow(RangeError);
    expect(() => counter.record('dep-1', 'cam-1', minute(0), 0)).toThrow(RangeError);
    expect(() => counter.record('dep-1', 'cam-1', minute(0), 1.5)).toThrow(RangeError);
    expect(counter.size).toBe(0);
  });
});
