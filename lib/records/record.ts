import { parseStoredForecast } from '@/lib/deployments/data';
import { boroughOfZone } from '@/lib/geo/boroughs';
import { flushDeploymentCounts } from '@/lib/live/face-counts';
import { getAccuracyTarget, getForceName } from '@/lib/settings/data';
import { CATEGORIES } from '@/lib/watchlists/schema';
import { loadRecordRows, type RecordRows } from './data';
import {
  cameraCoverage,
  facesPerHour,
  liveMinutes,
  livePeriods,
  MINUTE_MS,
  observedFalseAlertRate,
  responseTimes,
  tallyAlerts,
  type AlertTally,
  type DurationSummary,
  type ForecastRate,
  type LivePeriod,
  type ObservedFalseAlertRate,
} from './figures';

/**
 * The record of one deployment that a force publishes: where and when, who planned and
 * authorised it, the watchlist's size, what was processed and raised and decided, and the
 * observed false-alert rate beside the forecast each go-live was accepted with. Figures only — no
 * face, crop, name or reference of anyone on a watchlist, and none of the officers' free text
 * (reasons may name people or intelligence) — so auditors may read it and a force may publish it.
 * Times are ISO 8601 (UTC); pages show them in London time.
 */
export type DeploymentRecord = {
  forceName: string;
  generatedAt: string;
  deployment: { id: string; name: string; status: string };
  place: { borough: string | null; cameras: { id: string; name: string; lat: number; lng: number }[] };
  window: { startsAt: string | null; endsAt: string | null };
  livePeriods: { start: string; end: string | null; endedBy: 'suspended' | 'ended' | 'cancelled' | null }[];
  /** Time actually live, summed over the periods (a period still open runs to `generatedAt`). */
  liveSeconds: number;
  /** Clock minutes touched by a live period: what coverage is measured against. */
  liveMinutes: number;
  people: { plannedBy: string; authorisedBy: string | null; authorisedAt: string | null };
  watchlist: {
    /** One per go-live: the snapshot frozen then (people per category; older records may lack the split). */
    snapshots: { takenAt: string; entries: number; byCategory: Record<string, number> | null }[];
    purgedAt: string | null;
  };
  accuracy: {
    targetFacesPerFalseAlert: number;
    /**
     * Each go-live with what it was accepted with — who authorised it, the thresholds, the
     * forecast computed at go-live with the frozen watchlist — and what that period observed.
     */
    goLives: GoLive[];
  };
  faces: {
    total: number;
    perCamera: { cameraId: string; name: string; faces: number; analysedMinutes: number; minutesWithFaces: number; coverage: number | null }[];
    perHour: { hour: string; faces: number }[];
  };
  alerts: AlertTally;
  /** Over the whole deployment, against the most lenient forecast any go-live was accepted with. */
  falseAlertRate: ObservedFalseAlertRate;
  responseTimes: { toClaim: DurationSummary | null; toDecision: DurationSummary | null };
};

export type GoLive = {
  start: string;
  end: string | null;
  authorisedBy: string | null;
  authorisedAt: string | null;
  candidateThreshold: number | null;
  verifierId: string | null;
  verifyThreshold: number | null;
  forecast: ForecastRate | null;
  falseAlertRate: ObservedFalseAlertRate;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function safeJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const numberOr = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function snapshotsOf(events: RecordRows['events']): DeploymentRecord['watchlist']['snapshots'] {
  return events
    .filter((e) => e.action === 'snapshot.created')
    .map((e) => {
      const details = safeJson(e.details);
      const raw = details.entriesByCategory;
      // Only the lawful categories, in their fixed order: the record is published as it stands.
      const byCategory =
        raw && typeof raw === 'object' ? Object.fromEntries(CATEGORIES.map((c) => [c, numberOr((raw as Record<string, unknown>)[c]) ?? 0])) : null;
      return { takenAt: e.at.toISOString(), entries: numberOr(details.entryCount) ?? 0, byCategory };
    });
}

/** What a go-live was accepted with, from its 'deployment.started' record (the forecast with the frozen watchlist). */
function acceptedAt(started: RecordRows['events'][number]) {
  const forecast = safeJson(started.details).forecast as
    | {
        complete?: boolean;
        falseAlertsPerFace?: { estimate?: unknown; upper?: unknown };
        candidate?: { threshold?: unknown };
        verification?: { engineId?: unknown; threshold?: unknown };
      }
    | undefined;
  const estimate = numberOr(forecast?.falseAlertsPerFace?.estimate);
  const upper = numberOr(forecast?.falseAlertsPerFace?.upper);
  return {
    candidateThreshold: numberOr(forecast?.candidate?.threshold),
    verifierId: typeof forecast?.verification?.engineId === 'string' ? forecast.verification.engineId : null,
    verifyThreshold: numberOr(forecast?.verification?.threshold),
    forecast: forecast?.complete && estimate !== null && upper !== null ? { estimate, upper } : null,
  };
}

/** Faces and false alerts inside a period (minutes by their start; alerts by when they were raised). */
function periodCounts(period: LivePeriod, rows: RecordRows, now: Date) {
  const from = Math.floor(period.start.getTime() / MINUTE_MS) * MINUTE_MS;
  const to = (period.end ?? now).getTime();
  let faces = 0;
  for (const m of rows.faceByMinute) if (m.minute.getTime() >= from && m.minute.getTime() < to) faces += m.count;
  const falseAlerts = rows.alerts.filter((a) => a.decision === 'false_alert' && a.createdAt.getTime() >= from && a.createdAt.getTime() < to).length;
  return { faces, falseAlerts };
}

function goLivesOf(rows: RecordRows, periods: LivePeriod[], now: Date): GoLive[] {
  const started = rows.events.filter((e) => e.action === 'deployment.started');
  return periods.map((period, i) => {
    const event = started[i];
    // The authorisation this go-live rested on: the latest one before it.
    const authorised = [...rows.events].reverse().find((e) => e.action === 'deployment.authorised' && e.at.getTime() <= period.start.getTime());
    const accepted = event ? acceptedAt(event) : { candidateThreshold: null, verifierId: null, verifyThreshold: null, forecast: null as ForecastRate | null };
    const { faces, falseAlerts } = periodCounts(period, rows, now);
    return {
      start: period.start.toISOString(),
      end: iso(period.end),
      authorisedBy: authorised?.actor?.name ?? null,
      authorisedAt: iso(authorised?.at ?? null),
      ...accepted,
      falseAlertRate: observedFalseAlertRate(falseAlerts, faces, accepted.forecast),
    };
  });
}

/** Assembles the record from its rows (pure apart from the clock passed in). */
export function buildRecord(rows: RecordRows, context: { forceName: string; targetFacesPerFalseAlert: number; now: Date }): DeploymentRecord {
  const { deployment: d, alerts, faceByCamera, faceByMinute, coverageByCamera, events } = rows;
  const now = context.now;
  const periods = livePeriods(events);
  const minutes = liveMinutes(periods, now);
  const goLives = goLivesOf(rows, periods, now);
  // Records kept before go-lives carried their forecast: the one stored with the authorisation.
  const stored = parseStoredForecast(d.authorisedForecast);
  const fallback = stored?.complete ? { estimate: stored.falseAlertsPerFace.estimate, upper: stored.falseAlertsPerFace.upper } : null;
  const forecasts = goLives.flatMap((g) => (g.forecast ? [g.forecast] : []));
  const lenient = forecasts.length > 0 ? forecasts.reduce((a, b) => (b.upper > a.upper ? b : a)) : fallback;
  const tally = tallyAlerts(alerts);
  const faces = faceByMinute.reduce((sum, m) => sum + m.count, 0);
  const names = new Map(d.cameras.map((c) => [c.id, c.name]));
  const latest = goLives.at(-1);
  return {
    forceName: context.forceName,
    generatedAt: now.toISOString(),
    deployment: { id: d.id, name: d.name, status: d.status },
    // Named fields only: a camera's stream address (which may hold credentials) never enters a record.
    place: { borough: boroughOfZone(d.zone), cameras: d.cameras.map(({ id, name, lat, lng }) => ({ id, name, lat, lng })) },
    window: { startsAt: iso(d.startsAt), endsAt: iso(d.endsAt) },
    livePeriods: periods.map((p) => ({ start: p.start.toISOString(), end: iso(p.end), endedBy: p.endedBy })),
    liveSeconds: Math.round(periods.reduce((sum, p) => sum + Math.max(0, (p.end ?? now).getTime() - p.start.getTime()), 0) / 1000),
    liveMinutes: minutes,
    people: {
      plannedBy: d.planner.name,
      authorisedBy: latest?.authorisedBy ?? d.authoriser?.name ?? null,
      authorisedAt: latest?.authorisedAt ?? iso(d.authoriser ? d.decidedAt : null),
    },
    watchlist: { snapshots: snapshotsOf(events), purgedAt: iso(d.snapshotPurgedAt) },
    accuracy: { targetFacesPerFalseAlert: context.targetFacesPerFalseAlert, goLives },
    faces: {
      total: faces,
      perCamera: cameraCoverage(
        d.cameras.map((c) => c.id),
        coverageByCamera,
        faceByCamera,
        minutes,
      ).map((c) => ({ ...c, name: names.get(c.cameraId) ?? c.cameraId })),
      perHour: facesPerHour(faceByMinute).map((h) => ({ hour: h.hour.toISOString(), faces: h.faces })),
    },
    alerts: tally,
    falseAlertRate: observedFalseAlertRate(tally.falseAlerts, faces, lenient),
    responseTimes: responseTimes(alerts),
  };
}

/**
 * The record of a deployment now. Caller holds 'report:read'. For a live deployment, what this
 * process has counted is written first, so faces are as current as its alerts.
 */
export async function deploymentRecord(deploymentId: string, now = new Date()): Promise<DeploymentRecord> {
  await flushDeploymentCounts(deploymentId).catch((error: unknown) =>
    console.error(
      '[records] counts of',
      deploymentId,
      'not written before the record (it shows those written):',
      error instanceof Error ? error.message : error,
    ),
  );
  const [rows, target, forceName] = await Promise.all([loadRecordRows(deploymentId), getAccuracyTarget(), getForceName()]);
  return buildRecord(rows, { forceName, targetFacesPerFalseAlert: target.facesPerFalseAlert, now });
}
