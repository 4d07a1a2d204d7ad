import { describe, expect, it } from 'vitest';
import { AlertCoalescer, COALESCE_WINDOW_MS } from '@/lib/matching/coalesce';

const key = { deploymentId: 'dep-1', cameraId: 'cam-1', entryId: 'entry-1' };
const t0 = Date.UTC(2026, 0, 15, 10, 0, 0);

describe('alert coalescing', () => {
  it('the window is 30 seconds', () => {
    expect(COALESCE_WINDOW_MS).toBe(30_000);
  });

  it('raises an alert for a first sighting, then updates it within the window (inclusive)', () => {
    const c = new AlertCoalescer();
    expect(c.decide(key, t0)).toEqual({ kind: 'new' });
    c.remember(key, 'alert-1', t0);
    expect(c.decide(key, t0 + 10_000)).toEqual({ kind: 'update', alertId: 'alert-1' });
    expect(c.decide(key, t0 + 30_000)).toEqual({ kind: 'update', alertId: 'alert-1' });
    expect(c.decide(key, t0 + 30_001)).toEqual({ kind: 'new' });
  });

  it('slides with each sighting: a person who stays in view stays one alert', () => {
    const c = new AlertCoalescer();
    c.remember(key, 'alert-1', t0);
    for (let t = t0 + 20_000; t <= t0 + 300_000; t += 20_000) {
      expect(c.decide(key, t)).toEqual({ kind: 'update', alertId: 'alert-1' });
      c.remember(key, 'alert-1', t);
    }
    // Out of view for longer than the window: the next sighting is a new alert.
    expect(c.decide(key, t0 + 300_000 + 30_001)).toEqual({ kind: 'new' });
  });

  it('keeps deployments, cameras and entries apart', () => {
    const c = new AlertCoalescer();
    c.remember(key, 'alert-1', t0);
    expect(c.decide({ ...key, cameraId: 'cam-2' }, t0 + 1000)).toEqual({ kind: 'new' });
    expect(c.decide({ ...key, entryId: 'entry-2' }, t0 + 1000)).toEqual({ kind: 'new' });
    expect(c.decide({ ...key, deploymentId: 'dep-2' }, t0 + 1000)).toEqual({ kind: 'new' });
  });

  it('decide changes nothing; a new alert replaces the expired one for its key', () => {
    const c = new AlertCoalescer();
    expect(c.decide(key, t0)).toEqual({ kind: 'new' });
    expect(c.decide(key, t0)).toEqual({ kind: 'new' });
    c.remember(key, 'alert-1', t0);
    expect(c.decide(key, t0 + 40_000)).toEqual({ kind: 'new' });
    c.remember(key, 'alert-2', t0 + 40_000);
    expect(c.decide(key, t0 + 50_000)).toEqual({ kind: 'update', alertId: 'alert-2' });
  });

  it('a late-arriving older sighting does not pull the window back', () => {
    const c = new AlertCoalescer();
    c.remember(key, 'alert-1', t0 + 100_000);
    c.remember(key, 'alert-1', t0 + 90_000);
    expect(c.decide(key, t0 + 125_000)).toEqual({ kind: 'update', alertId: 'alert-1' });
  });

  it('forgets a key (alert decided) and a whole deployment (ended)', () => {
    const c = new AlertCoalescer();
    const other = { ...key, deploymentId: 'dep-2' };
    c.remember(key, 'alert-1', t0);
    c.remember({ ...key, cameraId: 'cam-2' }, 'alert-2', t0);
    c.remember(other, 'alert-3', t0);
    c.forget({ ...key, cameraId: 'cam-2' });
    expect(c.decide({ ...key, cameraId: 'cam-2' }, t0 + 1)).toEqual({ kind: 'new' });
    c.forgetDeployment('dep-1');
    expect(c.decide(key, t0 + 1)).toEqual({ kind: 'new' });
    expect(c.decide(other, t0 + 1)).toEqual({ kind: 'update', alertId: 'alert-3' });
    // A deployment id that is a prefix of another is not confused with it.
    c.remember({ ...key, deploymentId: 'dep' }, 'alert-4', t0);
    c.forgetDeployment('dep');
    expect(c.decide(other, t0 + 1)).toEqual({ kind: 'update', alertId: 'alert-3' });
  });

  it('bounds its memory: expired keys go, and past maxKeys the stalest go first', () => {
    const c = new AlertCoalescer(COALESCE_WINDOW_MS, 1000);
    for (let i = 0; i < 500; i++) c.remember({ ...key, entryId: `e${i}` }, `a${i}`, t0 + i);
    expect(c.size).toBe(500);
    c.remember({ ...key, entryId: 'late' }, 'a-late', t0 + 60_000);
    expect(c.size).toBe(1);

    const small = new AlertCoalescer(COALESCE_WINDOW_MS, 3);
    for (let i = 0; i < 5; i++) small.remember({ ...key, entryId: `e${i}` }, `a${i}`, t0 + i);
    expect(small.size).toBe(3);
    expect(small.decide({ ...key, entryId: 'e0' }, t0 + 10)).toEqual({ kind: 'new' });
    expect(small.decide({ ...key, entryId: 'e4' }, t0 + 10)).toEqual({ kind: 'update', alertId: 'a4' });
    // A key seen again moves to the back and survives the next eviction.
    small.remember({ ...key, entryId: 'e2' }, 'a2', t0 + 20);
    small.remember({ ...key, entryId: 'e5' }, 'a5', t0 + 21);
    expect(small.decide({ ...key, entryId: 'e2' }, t0 + 30)).toEqual({ kind: 'update', alertId: 'a2' });
    expect(small.decide({ ...key, entryId: 'e3' }, t0 + 30)).toEqual({ kind: 'new' });
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => new AlertCoalescer(-1)).toThrow(RangeError);
    expect(() => new AlertCoalescer(COALESCE_WINDOW_MS, 0)).toThrow(RangeError);
  });
});
