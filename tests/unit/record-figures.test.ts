import { describe, expect, it } from 'vitest';
import {
  cameraCoverage,
  facesPerHour,
  liveMinutes,
  livePeriods,
  nearestRank,
  observedFalseAlertRate,
  responseTimes,
  tallyAlerts,
  type AlertFacts,
} from '@/lib/records/figures';

const at = (iso: string) => new Date(`2026-12-01T${iso}Z`);
const alert = (over: Partial<AlertFacts>): AlertFacts => ({
  createdAt: at('10:00:00'),
  firstClaimedAt: null,
  firstDecidedAt: null,
  decision: null,
  outcome: null,
  ...over,
});

describe('the observed false-alert rate', () => {
  it('with no false alerts: rate 0, lower bound 0, upper bound 1 − 0.025^(1/n) (exact), within any forecast', () => {
    const rate = observedFalseAlertRate(0, 12_000, { estimate: 1e-4, upper: 2e-4 });
    expect(rate.perFace).toBe(0);
    expect(rate.lower).toBe(0);
    expect(rate.upper).toBeCloseTo(1 - 0.025 ** (1 / 12_000), 12);
    expect(rate.comparison).toBe('within');
  });

  it('one false alert in 12,120 faces (the Oxford Circus deployment): its exact interval brackets 1/12,120', () => {
    const rate = observedFalseAlertRate(1, 12_120, null);
    expect(rate.perFace).toBeCloseTo(1 / 12_120, 15);
    // Clopper–Pearson for k = 1: the lower end solves 1 − (1 − p)^n = 0.025.
    expect(rate.lower).toBeCloseTo(1 - 0.975 ** (1 / 12_120), 12);
    expect(rate.upper).toBeGreaterThan(4.5e-4);
    expect(rate.upper).toBeLessThan(4.7e-4);
    expect(rate.comparison).toBe('no_forecast');
  });

  it('flags a rate above the forecast bound, and "clearly" when even its lower end is above', () => {
    const forecast = { estimate: 5e-5, upper: 1e-4 };
    expect(observedFalseAlertRate(2, 10_000, forecast).comparison).toBe('above'); // 2e-4 > 1e-4, interval reaches below
    expect(observedFalseAlertRate(20, 10_000, forecast).comparison).toBe('clearly_above');
    expect(observedFalseAlertRate(1, 10_000, forecast).comparison).toBe('within'); // exactly the bound is not above it
    expect(observedFalseAlertRate(0, 0, forecast).comparison).toBe('no_faces');
  });

  it('never fails when more false alerts than faces were counted (lost counts): the rate is capped at 1', () => {
    const rate = observedFalseAlertRate(3, 1, null);
    expect(rate.perFace).toBe(1);
    expect(rate.upper).toBe(1);
  });
});

describe('alert tallies and response times', () => {
  it('counts decisions, engagements, outcomes and the alerts never decided', () => {
    const tally = tallyAlerts([
      alert({ decision: 'false_alert' }),
      alert({ decision: 'engage', outcome: 'arrest' }),
      alert({ decision: 'engage', outcome: 'not_subject' }),
      alert({ decision: 'engage' }),
      alert({}),
    ]);
    expect(tally).toEqual({
      raised: 5,
      decided: 4,
      undecided: 1,
      falseAlerts: 1,
      engagements: 3,
      outcomes: { arrest: 1, safeguarding: 0, other_action: 0, not_subject: 1, not_engaged: 0 },
      outcomePending: 1,
    });
  });

  it("counts a group call's engagement and outcome once, its alerts apiece; an alert corrected on its own counts alone", () => {
    const nine = Array.from({ length: 9 }, (_, i) =>
      alert({ id: `g${i}`, decision: 'engage', outcome: 'arrest', decisionGroupId: 'G1', outcomeGroupId: 'G2' }),
    );
    // One of another group engaged as a group but its outcome recorded alert by alert: still one engagement, one outcome.
    const split = [0, 1].map((i) => alert({ id: `h${i}`, decision: 'engage', outcome: 'safeguarding', decisionGroupId: 'H1' }));
    // One sighting of the first group later corrected to a false alert on its own.
    const corrected = alert({ id: 'c', decision: 'false_alert', decisionGroupId: null });
    const tally = tallyAlerts([...nine, ...split, corrected, alert({ id: 'x', decision: 'engage' }), alert({ id: 'y', decision: 'engage' })]);
    expect(tally).toMatchObject({ raised: 14, decided: 14, undecided: 0, falseAlerts: 1, engagements: 4, outcomePending: 2 });
    expect(tally.outcomes).toEqual({ arrest: 1, safeguarding: 1, other_action: 0, not_subject: 0, not_engaged: 0 });
  });

  it('median and 90th percentile by nearest rank, leaving out alerts never claimed or decided', () => {
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([7], 90)).toBe(7);
    const times = responseTimes([
      alert({ firstClaimedAt: at('10:00:10'), firstDecidedAt: at('10:01:00') }),
      alert({ firstClaimedAt: at('10:00:20'), firstDecidedAt: at('10:02:00') }),
      alert({ firstClaimedAt: at('10:00:30') }),
      alert({}),
    ]);
    expect(times.toClaim).toEqual({ count: 3, medianMs: 20_000, p90Ms: 30_000 });
    expect(times.toDecision).toEqual({ count: 2, medianMs: 60_000, p90Ms: 120_000 });
    expect(responseTimes([alert({})])).toEqual({ toClaim: null, toDecision: null });
  });
});

describe('live periods and coverage', () => {
  const events = [
    { action: 'deployment.authorised', at: at('09:00:00') },
    { action: 'deployment.started', at: at('10:00:30') },
    { action: 'deployment.suspended', at: at('10:02:00') },
    { action: 'deployment.started', at: at('10:30:00') },
    { action: 'deployment.ended', at: at('10:32:10') },
  ];

  it('a go-live opens a period, a suspension or end closes it; an open period runs to now', () => {
    expect(livePeriods(events)).toEqual([
      { start: at('10:00:30'), end: at('10:02:00'), endedBy: 'suspended' },
      { start: at('10:30:00'), end: at('10:32:10'), endedBy: 'ended' },
    ]);
    const open = livePeriods(events.slice(0, 4));
    expect(open[1]).toEqual({ start: at('10:30:00'), end: null, endedBy: null });
    // Clock minutes touched: 10:00, 10:01 (the period ends on the dot at 10:02) and 10:30–10:32.
    expect(liveMinutes(livePeriods(events), at('12:00:00'))).toBe(5);
    expect(liveMinutes(open, at('10:31:59'))).toBe(2 + 2);
  });

  it('coverage is analysed minutes over live minutes, faces or not; faces imply analysis; a camera never analysed has 0', () => {
    const coverage = cameraCoverage(
      ['a', 'b', 'c'],
      [
        { cameraId: 'a', analysedMinutes: 2 },
        { cameraId: 'b', analysedMinutes: 1 },
        { cameraId: 'elsewhere', analysedMinutes: 9 },
      ],
      [
        { cameraId: 'a', faces: 4, minutesWithFaces: 1 },
        { cameraId: 'b', faces: 5, minutesWithFaces: 2 },
      ],
      5,
    );
    expect(coverage).toEqual([
      // two minutes analysed, one of them with faces: the other saw nobody, and still counts
      { cameraId: 'a', analysedMinutes: 2, minutesWithFaces: 1, faces: 4, coverage: 0.4 },
      // a lost coverage mark: the two minutes with faces were analysed
      { cameraId: 'b', analysedMinutes: 2, minutesWithFaces: 2, faces: 5, coverage: 0.4 },
      { cameraId: 'c', analysedMinutes: 0, minutesWithFaces: 0, faces: 0, coverage: 0 },
    ]);
    expect(cameraCoverage(['a'], [], [], 0)[0]!.coverage).toBeNull();
  });

  it('faces per hour add up the minutes of each clock hour', () => {
    expect(
      facesPerHour([
        { minute: at('10:59:00'), count: 3 },
        { minute: at('10:00:00'), count: 2 },
        { minute: at('11:00:00'), count: 5 },
      ]),
    ).toEqual([
      { hour: at('10:00:00'), faces: 5 },
      { hour: at('11:00:00'), faces: 5 },
    ]);
  });
});
