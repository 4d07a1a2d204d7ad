import { describe, expect, it } from 'vitest';
import { csvField, dashboardCsv } from '@/lib/dashboard/csv';
import type { DashboardData } from '@/lib/dashboard/data';
import { londonDayStart } from '@/lib/dashboard/london-days';
import { parseDashboardFilter } from '@/lib/dashboard/schema';
import { summariseDashboard, tallyGroups, type AlertGroup, type DeploymentFacts } from '@/lib/dashboard/summary';

const BOROUGHS = ['Camden', 'Westminster'];
const NOW = new Date('2026-12-05T15:00:00Z');

describe('the dashboard filter', () => {
  it('defaults to the last 90 London days up to today, and reads London days in summer and winter', () => {
    const parsed = parseDashboardFilter({}, BOROUGHS, NOW);
    expect(parsed).toMatchObject({ ok: true, filter: { from: '2026-09-07', to: '2026-12-05', borough: null, status: null } });
    // 7 September is in British Summer Time: the day starts at 23:00 UTC the day before.
    expect(parsed.ok && parsed.filter.start.toISOString()).toBe('2026-09-06T23:00:00.000Z');
    expect(parsed.ok && parsed.filter.end.toISOString()).toBe('2026-12-06T00:00:00.000Z');
    // The day the clocks go back (25 Oct 2026) still starts at midnight British Summer Time.
    expect(londonDayStart('2026-10-25').toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(londonDayStart('2026-10-26').toISOString()).toBe('2026-10-26T00:00:00.000Z');
  });

  it('names the bad field: a date that is not one, a reversed range, an unknown borough or status', () => {
    const bad = (params: Record<string, string>) => parseDashboardFilter(params, BOROUGHS, NOW);
    expect(bad({ from: '05/12/2026' })).toMatchObject({ ok: false, field: 'from', message: expect.stringMatching(/^from: .*YYYY-MM-DD/) });
    expect(bad({ to: '2026-02-30' })).toMatchObject({ ok: false, field: 'to', message: expect.stringMatching(/^to: /) });
    expect(bad({ from: '2026-12-05', to: '2026-12-01' })).toMatchObject({ ok: false, field: 'from', message: expect.stringContaining('after') });
    expect(bad({ borough: 'Atlantis' })).toMatchObject({ ok: false, field: 'borough', message: expect.stringContaining('Atlantis') });
    expect(bad({ status: 'finished' })).toMatchObject({ ok: false, field: 'status', message: expect.stringContaining('status must be one of') });
    expect(bad({ from: '2010-01-01', to: '2026-01-01' })).toMatchObject({ ok: false, field: 'to' });
    // Empty form fields mean "not set"; unknown parameters are ignored.
    expect(bad({ from: '', borough: '', status: '', utm: 'x' })).toMatchObject({ ok: true, filter: { from: '2026-09-07' } });
    expect(bad({ from: '2026-12-01', to: '2026-12-01', borough: 'Camden', status: 'ended' })).toMatchObject({
      ok: true,
      filter: { from: '2026-12-01', to: '2026-12-01', borough: 'Camden', status: 'ended' },
    });
  });
});

describe('the dashboard figures', () => {
  const deployment = (id: string, facesProcessed: number): DeploymentFacts => ({
    id,
    name: `Deployment ${id}`,
    status: 'ended',
    borough: 'Camden',
    startsAt: new Date('2026-12-01T09:00:00Z'),
    endsAt: new Date('2026-12-01T13:00:00Z'),
    wentLiveAt: null,
    endedAt: null,
    cameras: 2,
    facesProcessed,
  });
  const group = (
    deploymentId: string,
    decision: string | null,
    outcome: string | null,
    decisionMs: number[],
    count = decisionMs.length,
    distinct = count,
  ): AlertGroup => ({
    deploymentId,
    decision,
    outcome,
    count,
    engagements: distinct,
    outcomes: distinct,
    decisionMs,
  });

  it('tallies grouped alerts as the record does (an engagement without an outcome is pending)', () => {
    const tally = tallyGroups([
      group('a', 'false_alert', null, [1, 2, 3]),
      group('a', 'engage', 'arrest', [4]),
      group('a', 'engage', null, [5, 6]),
      group('a', null, null, [], 4),
    ]);
    expect(tally).toMatchObject({ raised: 10, decided: 6, undecided: 4, falseAlerts: 3, engagements: 3, outcomePending: 2 });
    expect(tally.outcomes).toEqual({ arrest: 1, safeguarding: 0, other_action: 0, not_subject: 0, not_engaged: 0 });
  });

  it("counts a group decision's engagement and outcome once, its alerts apiece", () => {
    // Nine sightings engaged and closed as one arrest by one group call.
    const tally = tallyGroups([group('a', 'engage', 'arrest', [1, 2, 3, 4, 5, 6, 7, 8, 9], 9, 1)]);
    expect(tally).toMatchObject({ raised: 9, decided: 9, engagements: 1, outcomePending: 0 });
    expect(tally.outcomes.arrest).toBe(1);
  });

  it('totals come from sums, not from averaging the rows’ rates', () => {
    const groups = new Map([
      ['a', [group('a', 'false_alert', null, [10_000])]],
      ['b', [group('b', 'false_alert', null, [20_000, 30_000, 40_000]), group('b', 'engage', 'safeguarding', [50_000])]],
    ]);
    const { rows, totals } = summariseDashboard([deployment('a', 100), deployment('b', 9_900), deployment('c', 0)], groups);
    expect(rows.map((r) => r.falseAlertsPer1000)).toEqual([10, (3 * 1000) / 9_900, null]);
    expect(rows.map((r) => r.medianDecisionMs)).toEqual([10_000, 30_000, null]);
    // 4 false alerts in 10,000 faces is 0.4 per 1,000 — the rows' average would be about 5.15.
    expect(totals).toMatchObject({
      deployments: 3,
      cameras: 6,
      facesProcessed: 10_000,
      alertsRaised: 5,
      falseAlerts: 4,
      engagements: 1,
      falseAlertsPer1000: 0.4,
    });
    // One median over the five decided alerts (nearest rank), not a median of medians.
    expect(totals.medianDecisionMs).toBe(30_000);
    expect(totals.outcomes.safeguarding).toBe(1);
  });

  it('writes RFC 4180 CSV: quoted commas, quotes and line breaks, CRLF line ends, a totals row', () => {
    expect([csvField('plain'), csvField('a,b'), csvField('say "hi"'), csvField('two\nlines'), csvField(null), csvField(3)]).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '',
      '3',
    ]);
    const { rows, totals } = summariseDashboard(
      [{ ...deployment('a', 2_000), name: 'Oxford Circus, "north"' }],
      new Map([['a', [group('a', 'false_alert', null, [90_400])]]]),
    );
    const data: DashboardData = {
      filter: { from: '2026-12-01', to: '2026-12-05', borough: null, status: null },
      rows,
      totals,
      target: { facesPerFalseAlert: 1000, per1000: 1, isDefault: true },
    };
    const lines = dashboardCsv(data).split('\r\n');
    expect(lines).toHaveLength(4); // header, one deployment, totals, and the empty string after the last CRLF
    expect(lines[1]).toBe('a,"Oxford Circus, ""north""",ended,Camden,2026-12-01T09:00:00.000Z,2026-12-01T13:00:00.000Z,,,2,2000,1,1,1,0,0,0,0,0,0,0.5,90');
    expect(lines[2]).toBe('TOTAL,1 deployment,,,,,,,2,2000,1,1,1,0,0,0,0,0,0,0.5,90');
  });
});
