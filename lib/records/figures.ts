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
  createdAt: Date;
  firstClaimedAt: Date | null;
  firstDecidedAt: Date | null;
  /** The latest decision (false_alert | engage), null while awaiting one. */
  decision: string | null;
  outcome: string | null;
};

export type AlertTally = {
  raised: number;
  decided: number;
  /** Alerts with no decision recorded (still awaiting one, or never decided before the deployment ended). */
  undecided: number;
  falseAlerts: number;
  engagements: number;
  outcomes: Record<Outcome, number>;
  /** Engagements with no outcome recorded yet. */
  outcomePending: number;
};

export function tallyAlerts(alerts: readonly AlertFacts[]): AlertTally {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  let decided = 0;
  let falseAlerts = 0;
  let engagements = 0;
  let outcomePending = 0;
  for (const alert of alerts) {
    if (alert.decision === null) continue;
    decided++;
    if (alert.decision === 'false_alert') falseAlerts++;
    if (alert.decision === 'engage') {
      engagements++;
      if (alert.outcome !== null && alert.outcome in outcomes) outcomes[alert.outcome as Outcome]++;
      else outcomePending++;
    }
  }
  return { raised: alerts.length, decided, undecided: alerts.length - decided, falseAlerts, engagements, outcomes, outcomePending };
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
