import { describe, expect, it } from 'vitest';
import {
  DESCRIPTOR_INTERVAL_MS,
  DESCRIPTOR_RETRY_MS,
  FaceTracker,
  MAX_DESCRIPTORS_PER_FRAME,
  MAX_MISSED_FRAMES,
  MAX_UNSEEN_MS,
  iou,
  type Detection,
} from '@/lib/face/tracker';

const face = (x: number, y: number, size = 100, score = 0.9): Detection => ({ box: { x, y, width: size, height: size }, score });

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint ones, and symmetric', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 20, y: 20, width: 10, height: 10 })).toBe(0);
    expect(iou(a, { x: 10, y: 0, width: 10, height: 10 })).toBe(0); // touching edges
    const b = { x: 5, y: 0, width: 10, height: 10 };
    expect(iou(a, b)).toBeCloseTo(50 / 150);
    expect(iou(b, a)).toBe(iou(a, b));
  });

  it('is 0 for empty boxes rather than NaN', () => {
    expect(iou({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 0, width: 0, height: 0 })).toBe(0);
  });
});

describe('FaceTracker', () => {
  it('keeps one id for a face that moves a little between frames, and numbers new faces', () => {
    const tracker = new FaceTracker();
    const first = tracker.update([face(100, 100)], 0);
    expect(first.created).toEqual([1]);
    const second = tracker.update([face(110, 105)], 100);
    expect(second.created).toEqual([]);
    expect(second.visible.map((t) => t.id)).toEqual([1]);
    expect(second.visible[0]!.box.x).toBe(110);
    expect(second.visible[0]!.hits).toBe(2);
    const third = tracker.update([face(115, 105), face(400, 100)], 200);
    expect(third.created).toEqual([2]);
    expect(third.visible.map((t) => t.id)).toEqual([1, 2]);
  });

  it('does not continue a track from a box that barely overlaps it', () => {
    const tracker = new FaceTracker();
    tracker.update([face(0, 0)], 0);
    const jump = tracker.update([face(90, 90)], 100); // IoU ≈ 0.003
    expect(jump.created).toEqual([2]);
  });

  it('gives each detection to the track it overlaps most, one to one', () => {
    const tracker = new FaceTracker();
    tracker.update([face(0, 0), face(120, 0)], 0);
    // Both faces shift right; the first new box overlaps track 1 most, the second track 2.
    const next = tracker.update([face(130, 0), face(10, 0)], 100);
    expect(next.visible.map((t) => t.id)).toEqual([2, 1]);
    expect(next.created).toEqual([]);
  });

  it('survives a few missed frames but not too many, nor too long', () => {
    const tracker = new FaceTracker();
    tracker.update([face(100, 100)], 0);
    for (let i = 1; i <= MAX_MISSED_FRAMES; i++) expect(tracker.update([], i * 10).lost).toEqual([]);
    expect(tracker.update([face(100, 100)], 50).created).toEqual([]); // found again: same track
    for (let i = 1; i <= MAX_MISSED_FRAMES; i++) tracker.update([], 50 + i * 10);
    expect(tracker.update([], 200).lost).toEqual([1]);
    expect(tracker.all()).toEqual([]);

    const slow = new FaceTracker();
    slow.update([face(100, 100)], 0);
    expect(slow.update([], MAX_UNSEEN_MS + 1).lost).toEqual([1]); // one miss, but too long ago
  });

  it('uses an injected numbering, so tiles of one grid never reuse a number', () => {
    let counter = 40;
    const next = () => ++counter;
    const a = new FaceTracker({}, next);
    const b = new FaceTracker({}, next);
    expect(a.update([face(0, 0)], 0).created).toEqual([41]);
    expect(b.update([face(0, 0)], 0).created).toEqual([42]);
  });
});

describe('descriptor requests', () => {
  it('asks once for a new face, then not again until the interval has passed', () => {
    const tracker = new FaceTracker();
    let { visible } = tracker.update([face(100, 100)], 0);
    expect(tracker.takeDescriptorRequests(visible, 0).map((t) => t.id)).toEqual([1]);
    tracker.markChecking(1);
    expect(tracker.get(1)!.state).toBe('checking');
    tracker.markAnswered(1, { matched: false });
    expect(tracker.get(1)!.state).toBe('detected');

    for (let now = 100; now < DESCRIPTOR_INTERVAL_MS; now += 100) {
      ({ visible } = tracker.update([face(100, 100)], now));
      expect(tracker.takeDescriptorRequests(visible, now)).toEqual([]);
    }
    ({ visible } = tracker.update([face(100, 100)], DESCRIPTOR_INTERVAL_MS));
    expect(tracker.takeDescriptorRequests(visible, DESCRIPTOR_INTERVAL_MS).map((t) => t.id)).toEqual([1]);
  });

  it('never asks twice while a describe or probe is under way', () => {
    const tracker = new FaceTracker();
    const { visible } = tracker.update([face(100, 100)], 0);
    expect(tracker.takeDescriptorRequests(visible, 0)).toHaveLength(1);
    const later = tracker.update([face(100, 100)], DESCRIPTOR_INTERVAL_MS * 3).visible;
    expect(tracker.takeDescriptorRequests(later, DESCRIPTOR_INTERVAL_MS * 3)).toEqual([]);
  });

  it('keeps a match for the life of the track and stops probing it', () => {
    const tracker = new FaceTracker();
    let { visible } = tracker.update([face(100, 100)], 0);
    tracker.takeDescriptorRequests(visible, 0);
    tracker.markChecking(1);
    tracker.markAnswered(1, { matched: true, alertId: 'alert-1' });
    expect(tracker.get(1)).toMatchObject({ state: 'matched', alertId: 'alert-1', pending: false });
    ({ visible } = tracker.update([face(102, 100)], DESCRIPTOR_INTERVAL_MS * 2));
    expect(tracker.takeDescriptorRequests(visible, DESCRIPTOR_INTERVAL_MS * 2)).toEqual([]);
    tracker.markAnswered(1, { matched: false }); // a late, older answer must not undo the match
    expect(tracker.get(1)!.state).toBe('matched');
  });

  it('retries soon after a failure, not after the full interval', () => {
    const tracker = new FaceTracker();
    let { visible } = tracker.update([face(100, 100)], 0);
    tracker.takeDescriptorRequests(visible, 0);
    tracker.markChecking(1);
    tracker.markFailed(1, 500);
    expect(tracker.get(1)!.state).toBe('detected');
    ({ visible } = tracker.update([face(100, 100)], 500 + DESCRIPTOR_RETRY_MS - 1));
    expect(tracker.takeDescriptorRequests(visible, 500 + DESCRIPTOR_RETRY_MS - 1)).toEqual([]);
    ({ visible } = tracker.update([face(100, 100)], 500 + DESCRIPTOR_RETRY_MS));
    expect(tracker.takeDescriptorRequests(visible, 500 + DESCRIPTOR_RETRY_MS)).toHaveLength(1);
  });

  it('backs off after repeated failures, never waiting longer than the interval, and resets on an answer', () => {
    const tracker = new FaceTracker();
    const dueAfter = (failedAt: number) => {
      for (let now = failedAt; now <= failedAt + DESCRIPTOR_INTERVAL_MS; now += 50) {
        const { visible } = tracker.update([face(100, 100)], now);
        if (tracker.takeDescriptorRequests(visible, now).length) return now - failedAt;
      }
      return Infinity;
    };
    let { visible } = tracker.update([face(100, 100)], 0);
    tracker.takeDescriptorRequests(visible, 0);
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      tracker.markFailed(1, now);
      const wait = dueAfter(now);
      waits.push(wait);
      now += wait;
    }
    expect(waits).toEqual([DESCRIPTOR_RETRY_MS, DESCRIPTOR_RETRY_MS * 2, DESCRIPTOR_INTERVAL_MS, DESCRIPTOR_INTERVAL_MS]);
    tracker.markAnswered(1, { matched: false });
    expect(tracker.get(1)!.failures).toBe(0);
    ({ visible } = tracker.update([face(100, 100)], now));
    expect(visible[0]!.state).toBe('detected');
  });

  it('skips faces too small or too uncertain to compare fairly', () => {
    const tracker = new FaceTracker();
    const { visible } = tracker.update([face(0, 0, 20), face(200, 0, 100, 0.3), face(400, 0)], 0);
    expect(tracker.takeDescriptorRequests(visible, 0).map((t) => t.id)).toEqual([3]);
  });

  it('limits requests per frame, new faces first, then the longest waiting, larger faces breaking ties', () => {
    const tracker = new FaceTracker();
    const crowd = [face(0, 0, 60), face(200, 0, 120), face(400, 0, 90)];
    let { visible } = tracker.update(crowd, 0);
    const first = tracker.takeDescriptorRequests(visible, 0);
    expect(first.map((t) => t.id)).toEqual([2, 3].slice(0, MAX_DESCRIPTORS_PER_FRAME));
    for (const t of first) tracker.markAnswered(t.id, { matched: false });
    ({ visible } = tracker.update(crowd, 100));
    expect(tracker.takeDescriptorRequests(visible, 100).map((t) => t.id)).toEqual([1]);
  });

  it('does not describe a face that was not found in this frame', () => {
    const tracker = new FaceTracker();
    tracker.update([face(100, 100)], 0);
    const { visible } = tracker.update([], 100);
    expect(visible).toEqual([]);
    expect(tracker.takeDescriptorRequests(tracker.all(), 100)).toEqual([]);
  });

  it('holds no descriptors or images, only boxes and states', () => {
    const tracker = new FaceTracker();
    const { visible } = tracker.update([face(100, 100)], 0);
    expect(Object.keys(visible[0]!).sort()).toEqual(
      ['alertId', 'box', 'failures', 'firstSeenAt', 'hits', 'id', 'lastDescriptorAt', 'lastSeenAt', 'misses', 'pending', 'score', 'state'].sort(),
    );
  });
});
