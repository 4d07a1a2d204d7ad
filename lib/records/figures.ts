import { OUTCOMES, type Outcome } from '@/lib/alerts/state';
import { rateInterval } from '@/lib/recognition/statistics';

/**
 * The arithmetic of a deployment's published figures: alert tallies, times to claim and to
 * decision, the observed false-alert rate against the forecast, live periods and camera coverage.
 * Pure: the record (lib/records/record.ts) and the dashboard feed it rows.
 */

export const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** What the figures need of an alert: times and decisions, never a face, name or reference. */
export type AlertFacts = {
  /** The alert's id: what an engagement or outcome recorded for it alone is counted by. */
  id?: string;
  createdAt: Date;
  firstClaimedAt: Date | null;
  firstDecidedAt: Date | null;
  /** The latest decision (false_alert | engage), null while awaiting one. */
  decision: string | null;
  outcome: string | null;
  /** The group call that recorded the latest decision, and the latest outcome; null when recorded for this alert alone. */
  decisionGroupId?: string | null;
  outcomeGroupId?: string | null;
};

export type AlertTally = {
  /** Per alert (each sighting group's alerts, one per camera and spell, count apiece). */
  raised: number;
  /** Per alert, as raised. */
  decided: number;
  /** Alerts with no decision recorded (still awaiting one, or never decided before the deployment ended). */
  undecided: number;
  /** Per alert: each false alert is a face wrongly matched, which the false-alert rate counts against faces. */
  falseAlerts: number;
  /** Per engagement: one decision to engage recorded for a group of alerts counts once. */
  engagements: number;
  /** Per outcome: one outcome recorded for a group (or for the alerts of one engagement) counts once. */
  outcomes: Record<Outcome, number>;
  /** Engagements with no outcome recorded yet. */
  outcomePending: number;
};

/**
 * Alerts with one decision and outcome, counted three ways: alerts, distinct engagements (the
 * decision's group, else the alert) and distinct outcomes (the outcome's group, else the
 * engagement). The record counts these from its alerts and the dashboard in the database, and
 * both tally them with tallyBuckets, so the two always agree.
 */
export type AlertBucket = { decision: string | null; outcome: string | null; alerts: number; engagements: number; outcomes: number };

/** The keys an alert's engagement and outcome are counted by (`index` stands in for a missing id). */
export function countingKeys(alert: AlertFacts, index: number): { engagement: string; outcome: string } {
  const engagement = alert.decisionGroupId ? `group:${alert.decisionGroupId}` : `alert:${alert.id ?? `#${index}`}`;
  return { engagement, outcome: alert.outcomeGroupId ? `group:${alert.outcomeGroupId}` : engagement };
}

export function bucketAlerts(alerts: readonly AlertFacts[]): AlertBucket[] {
  const buckets = new Map<string, { decision: string | null; outcome: string | null; alerts: number; engagements: Set<string>; outcomes: Set<string> }>();
  alerts.forEach((alert, index) => {
    const key = `${alert.decision}\u0000${alert.outcome}`;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { decision: alert.decision, outcome: alert.outcome, alerts: 0, engagements: new Set(), outcomes: new Set() }));
    const keys = countingKeys(alert, index);
    bucket.alerts++;
    bucket.engagements.add(keys.engagement);
    bucket.outcomes.add(keys.outcome);
  });
  return [...buckets.values()].map((b) => ({
    decision: b.decision,
    outcome: b.outcome,
    alerts: b.alerts,
    engagements: b.engagements.size,
    outcomes: b.outcomes.size,
  }));
}

export function tallyBuckets(buckets: readonly AlertBucket[]): AlertTally {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  let raised = 0;
  let decided = 0;
  let falseAlerts = 0;
  let engagements = 0;
  let outcomePending = 0;
  for (const bucket of buckets) {
    raised += bucket.alerts;
    if (bucket.decision === null) continue;
    decided += bucket.alerts;
    if (bucket.decision === 'false_alert') falseAlerts += bucket.alerts;
    if (bucket.decision === 'engage') {
      engagements += bucket.engagements;
      if (bucket.outcome !== null && bucket.outcome in outcomes) outcomes[bucket.outcome as Outcome] += bucket.outcomes;
      else outcomePending += bucket.engagements;
    }
  }
  return { raised, decided, undecided: raised - decided, falseAlerts, engagements, outcomes, outcomePending };
}

export function tallyAlerts(alerts: readonly AlertFacts[]): AlertTally {
  return tallyBuckets(bucketAlerts(alerts));
}

/** Median and 90th percentile of a set of durations (nearest rank: each is a duration that happened). */
export type DurationSummary = { count: number; medianMs: number; p90Ms: number };

/** The value at percentile `p` (0–100) of ascending `sorted`, by nearest rank. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('No values to take a percentile of.');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summariseDurations(durationsMs: readonly number[]): DurationSummary | null {
  if (durationsMs.length === 0) return null;
  const sorted = [...durationsMs].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: nearestRank(sorted, 50), p90Ms: nearestRank(sorted, 90) };
}

/** Time from each alert to its first claim and to its first decision (alerts without one are left out). */
export function responseTimes(alerts: readonly AlertFacts[]): { toClaim: DurationSummary | null; toDecision: DurationSummary | null } {
  const since = (alert: AlertFacts, at: Date | null) => (at === null ? [] : [Math.max(0, at.getTime() - alert.createdAt.getTime())]);
  return {
    toClaim: summariseDurations(alerts.flatMap((a) => since(a, a.firstClaimedAt))),
    toDecision: summariseDurations(alerts.flatMap((a) => since(a, a.firstDecidedAt))),
  };
}

/** The forecast a plan was authorised with: false alerts per face, point estimate and 95 % upper bound. */
export type ForecastRate = { estimate: number; upper: number };

/**
 * How the observed rate stands against the forecast: `within` its bound, `above` it (the observed
 * rate exceeds the forecast's upper bound), `clearly_above` (even the observed interval's lower end
 * does), or no comparison (`no_forecast`, `no_faces`).
 */
export type ForecastComparison = 'within' | 'above' | 'clearly_above' | 'no_forecast' | 'no_faces';

export type ObservedFalseAlertRate = {
  falseAlerts: number;
  faces: number;
  /** False alerts per face (0 with no faces). */
  perFace: number;
  /** Exact (Clopper–Pearson) two-sided 95 % interval of the rate; with no false alerts the lower end is 0. */
  lower: number;
  upper: number;
  forecast: ForecastRate | null;
  comparison: ForecastComparison;
};

export function observedFalseAlertRate(falseAlerts: number, faces: number, forecast: ForecastRate | null): ObservedFalseAlertRate {
  // More false alerts than faces counted happens only when counts were lost; the interval needs k ≤ n.
  const n = Math.max(faces, falseAlerts);
  const { lower, upper } = rateInterval(falseAlerts, n);
  const perFace = n === 0 ? 0 : falseAlerts / n;
  let comparison: ForecastComparison;
  if (faces === 0) comparison = 'no_faces';
  else if (!forecast) comparison = 'no_forecast';
  else if (lower > forecast.upper) comparison = 'clearly_above';
  else if (perFace > forecast.upper) comparison = 'above';
  else comparison = 'within';
  return { falseAlerts, faces, perFace, lower, upper, forecast, comparison };
}

/** A stretch of time the deployment was live; `end` null while it still is. */
export type LivePeriod = { start: Date; end: Date | null; endedBy: 'suspended' | 'ended' | 'cancelled' | null };

/**
 * The live periods from the deployment's lifecycle events in order: each go-live opens one, a
 * suspension, end or cancellation closes the open one.
 */
export function livePeriods(events: readonly { action: string; at: Date }[]): LivePeriod[] {
  const periods: LivePeriod[] = [];
  let open: LivePeriod | null = null;
  for (const { action, at } of events) {
    if (action === 'deployment.started') {
      if (open) open.end = at;
      open = { start: at, end: null, endedBy: null };
      periods.push(open);
    } else if (open && (action === 'deployment.suspended' || action === 'deployment.ended' || action === 'deployment.cancelled')) {
      open.end = at;
      open.endedBy = action.slice('deployment.'.length) as LivePeriod['endedBy'];
      open = null;
    }
  }
  return periods;
}

/**
 * The clock minutes the deployment was live in, counted as coverage is (a period still open runs
 * to `now`): a minute touched by a live period counts once, however little of it was live, so that
 * a camera analysed in every live minute has a coverage of exactly 1.
 */
export function liveMinutes(periods: readonly LivePeriod[], now: Date): number {
  const minutes = new Set<number>();
  for (const p of periods) {
    const end = (p.end ?? now).getTime();
    if (end <= p.start.getTime()) continue;
    const last = Math.floor((end - 1) / MINUTE_MS);
    for (let m = Math.floor(p.start.getTime() / MINUTE_MS); m <= last; m++) minutes.add(m);
  }
  return minutes.size;
}

export type CameraCoverage = {
  cameraId: string;
  /** Minutes in which the camera was analysed, whether or not it saw a face. */
  analysedMinutes: number;
  /** Minutes in which it processed at least one face. */
  minutesWithFaces: number;
  faces: number;
  /** analysedMinutes / live minutes (0–1), null when the deployment was never live. */
  coverage: number | null;
};

/**
 * Coverage per camera from its analysed minutes and its face counts. A camera's faces mark its
 * minutes as analysed too, so a camera never shows fewer analysed minutes than minutes with faces
 * (should a coverage mark have been lost, the faces plainly were analysed).
 */
export function cameraCoverage(
  cameraIds: readonly string[],
  analysed: readonly { cameraId: string; analysedMinutes: number }[],
  faces: readonly { cameraId: string; faces: number; minutesWithFaces: number }[],
  totalLiveMinutes: number,
): CameraCoverage[] {
  const analysedOf = new Map(analysed.map((a) => [a.cameraId, a.analysedMinutes]));
  const facesOf = new Map(faces.map((f) => [f.cameraId, f]));
  return cameraIds.map((cameraId) => {
    const seen = facesOf.get(cameraId) ?? { faces: 0, minutesWithFaces: 0 };
    const analysedMinutes = Math.max(analysedOf.get(cameraId) ?? 0, seen.minutesWithFaces);
    return {
      cameraId,
      analysedMinutes,
      minutesWithFaces: seen.minutesWithFaces,
      faces: seen.faces,
      coverage: totalLiveMinutes > 0 ? Math.min(1, analysedMinutes / totalLiveMinutes) : null,
    };
  });
}

/** Faces per hour (hour start, UTC), ascending, for the hours that had any. */
export function facesPerHour(faceMinutes: readonly { minute: Date; count: number }[]): { hour: Date; faces: number }[] {
  const hours = new Map<number, number>();
  for (const { minute, count } of faceMinutes) {
    const hour = Math.floor(minute.getTime() / HOUR_MS) * HOUR_MS;
    hours.set(hour, (hours.get(hour) ?? 0) + count);
  }
  return [...hours].sort((a, b) => a[0] - b[0]).map(([hour, faces]) => ({ hour: new Date(hour), faces }));
}
