import { describe, expect, it } from 'vitest';
import { FaceCounter, MINUTE_MS } from '@/lib/matching/face-counts';
import { hasOverview, needsAttention, overdueDeployments, overviewScope, type Overview } from '@/lib/overview/scope';
import { formatWaiting } from '@/lib/overview/words';

describe('what each role sees in "What needs attention now"', () => {
  it('gives each role only its own parts, written out from docs/rules.md#the-home-page', () => {
    const shown = (role: Parameters<typeof overviewScope>[0]) =>
      Object.entries(overviewScope(role))
        .filter(([, on]) => on)
        .map(([part]) => part)
        .sort();
    expect(shown('operator')).toEqual(['awaitingAlerts', 'liveDeployments', 'liveLinks']);
    expect(shown('senior_officer')).toEqual(['awaitingAlerts', 'escalations', 'liveDeployments', 'liveLinks', 'plansAwaitingAuthorisation']);
    // An admin sees no alerts and no live deployments: watchlists and retention only.
    expect(shown('admin')).toEqual(['overdueReviews', 'retention']);
    // An auditor sees figures (faces processed, retention), never the alerts themselves.
    expect(shown('auditor')).toEqual(['liveDeployments', 'retention']);
    expect(shown('camera_agent')).toEqual([]);
    expect(hasOverview('camera_agent')).toBe(false);
    expect(hasOverview('auditor')).toBe(true);
  });

  it('needs attention only when something is listed', () => {
    const base: Overview = { generatedAt: '2026-12-05T12:00:00.000Z', liveLinks: false, deployments: [], plansAwaitingAuthorisation: [], overdueReviews: [] };
    expect(needsAttention(base)).toBe(false);
    const retention = { retentionDays: 31, expiredCrops: 0, leftoverSnapshots: 0, cropsJobNextRunAt: null, snapshotsJobNextRunAt: null };
    expect(needsAttention({ ...base, retention })).toBe(false);
    expect(needsAttention({ ...base, retention: { ...retention, leftoverSnapshots: 1 } })).toBe(true);
    expect(needsAttention({ ...base, overdueReviews: [{ id: 'w', name: 'W', overdue: 2 }] })).toBe(true);
    expect(needsAttention({ ...base, deployments: [{ id: 'd', name: 'D', facesRecently: 0 }] })).toBe(true);
  });
});

describe('the age of the oldest alert awaiting a decision', () => {
  it('is said in seconds, minutes and seconds, then hours and minutes', () => {
    expect(formatWaiting(0)).toBe('0 s');
    expect(formatWaiting(14_999)).toBe('14 s');
    expect(formatWaiting(59_999)).toBe('59 s');
    expect(formatWaiting(60_000)).toBe('1 min 0 s');
    expect(formatWaiting(134_000)).toBe('2 min 14 s');
    expect(formatWaiting(3_600_000)).toBe('1 h');
    expect(formatWaiting(3_900_500)).toBe('1 h 5 min');
    // Clocks a little apart never show a negative age.
    expect(formatWaiting(-2_000)).toBe('0 s');
  });
});

describe('faces counted and not yet written', () => {
  it('are summed per deployment from the window start on, leaving older minutes and other deployments out', () => {
    const counter = new FaceCounter();
    const at = Date.UTC(2026, 11, 5, 12, 10, 30);
    counter.record('dep-1', 'cam-1', at);
    counter.record('dep-1', 'cam-2', at - MINUTE_MS, 2);
    counter.record('dep-1', 'cam-1', at - 6 * MINUTE_MS, 5);
    counter.record('dep-2', 'cam-9', at, 7);
    counter.record('dep-3', 'cam-3', at, 11);
    const since = Math.floor(at / MINUTE_MS) * MINUTE_MS - 4 * MINUTE_MS;
    expect(counter.pendingSince(new Set(['dep-1', 'dep-2']), since)).toEqual(
      new Map([
        ['dep-1', 3],
        ['dep-2', 7],
      ]),
    );
    // Reading leaves the counts to be written.
    expect(counter.size).toBe(5);
  });
});

describe('alerts waiting past the second escalation limit (senior officers)', () => {
  it('lists the deployments whose oldest awaiting alert has waited at least the limit, as the clock passes it', () => {
    const at = Date.UTC(2026, 11, 5, 12, 0, 0);
    const deployments = [
      { id: 'a', name: 'A', facesRecently: 0, awaiting: { count: 2, oldestSince: new Date(at).toISOString() } },
      { id: 'b', name: 'B', facesRecently: 0, awaiting: { count: 0, oldestSince: null } },
      { id: 'c', name: 'C', facesRecently: 0 },
    ];
    expect(overdueDeployments(deployments, 180, at + 179_999)).toEqual([]);
    expect(overdueDeployments(deployments, 180, at + 180_000).map((d) => d.id)).toEqual(['a']);
    expect(overdueDeployments(deployments, 30, at + 30_000).map((d) => d.id)).toEqual(['a']);
  });
});
