import { boroughOfZone } from '@/lib/geo/boroughs';
import { parseStoredForecast } from '@/lib/deployments/data';
import { getAccuracyTarget, getForceName } from '@/lib/settings/data';
import { CATEGORIES } from '@/lib/watchlists/schema';
import { loadRecordRows, type RecordRows } from './data';
import {
  cameraCoverage,
  facesPerHour,
  liveMinutes,
  livePeriods,
  observedFalseAlertRate,
  responseTimes,
  tallyAlerts,
  type AlertTally,
  type DurationSummary,
  type ObservedFalseAlertRate,
} from './figures';

/**
 * The record of one deployment that a force publishes: where and when, who planned and
 * authorised it, the watchlist's size, what was processed and raised and decided, and the
 * observed false-alert rate beside the forecast it was authorised with. Figures only — no face,
 * crop, name or reference of anyone on a watchlist — so auditors may read it and a force may
 * publish it. Times are ISO 8601 (UTC); pages show them in London time.
 */
export type DeploymentRecord = {
  forceName: string;
  generatedAt: string;
  deployment: { id: string; name: string; status: string; statusReason: string | null };
  place: { borough: string | null; cameras: { id: string; name: string; lat: number; lng: number }[] };
  window: { startsAt: string | null; endsAt: string | null };
  livePeriods: { start: string; end: string | null; endedBy: 'suspended' | 'ended' | 'cancelled' | null }[];
  liveMinutes: number;
  people: { plannedBy: string; authorisedBy: string | null; authorisedAt: string | null };
  watchlist: {
    /** One per go-live: the snapshot frozen then (people per category; older records may lack the split). */
    snapshots: { takenAt: string; entries: number; byCategory: Record<string, number> | null }[];
    purgedAt: string | null;
  };
  accuracy: {
    candidateThreshold: number | null;
    verifierId: string | null;
    verifyThreshold: number | null;
    /** The forecast the plan was authorised with (false alerts per face), or null if none was recorded. */
    forecast: { estimate: number; upper: number; meetsTarget: boolean; summary: string } | null;
    overrideReason: string | null;
    targetFacesPerFalseAlert: number;
  };
  faces: {
    total: number;
    perCamera: { cameraId: string; name: string; faces: number; analysedMinutes: number; minutesWithFaces: number; coverage: number | null }[];
    perHour: { hour: string; faces: number }[];
  };
  alerts: AlertTally;
  falseAlertRate: ObservedFalseAlertRate;
  responseTimes: { toClaim: DurationSummary | null; toDecision: DurationSummary | null };
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function snapshotsOf(events: RecordRows['events']): DeploymentRecord['watchlist']['snapshots'] {
  return events
    .filter((e) => e.action === 'snapshot.created')
    .map((e) => {
      const details = safeJson(e.details);
      const entries = typeof details.entryCount === 'number' ? details.entryCount : 0;
      const raw = details.entriesByCategory;
      // Only the lawful categories, in their fixed order: the record is published as it stands.
      const byCategory =
        raw && typeof raw === 'object' ? Object.fromEntries(CATEGORIES.map((c) => [c, Number((raw as Record<string, unknown>)[c] ?? 0) || 0])) : null;
      return { takenAt: e.at.toISOString(), entries, byCategory };
    });
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Assembles the record from its rows (pure apart from the clock passed in). */
export function buildRecord(rows: RecordRows, context: { forceName: string; targetFacesPerFalseAlert: number; now: Date }): DeploymentRecord {
  const { deployment: d, alerts, faceByCamera, faceByMinute, coverageByCamera, events } = rows;
  const periods = livePeriods(events);
  const minutes = liveMinutes(periods, context.now);
  const stored = parseStoredForecast(d.authorisedForecast);
  const forecast = stored?.complete
    ? { estimate: stored.falseAlertsPerFace.estimate, upper: stored.falseAlertsPerFace.upper, meetsTarget: stored.meetsTarget, summary: stored.summary }
    : null;
  const tally = tallyAlerts(alerts);
  const faces = faceByMinute.reduce((sum, m) => sum + m.count, 0);
  const names = new Map(d.cameras.map((c) => [c.id, c.name]));
  const authorisedAt = [...events].reverse().find((e) => e.action === 'deployment.authorised')?.at ?? d.decidedAt;
  return {
    forceName: context.forceName,
    generatedAt: context.now.toISOString(),
    deployment: { id: d.id, name: d.name, status: d.status, statusReason: d.statusReason },
    // Named fields only: a camera's stream address (which may hold credentials) never enters a record.
    place: { borough: boroughOfZone(d.zone), cameras: d.cameras.map(({ id, name, lat, lng }) => ({ id, name, lat, lng })) },
    window: { startsAt: iso(d.startsAt), endsAt: iso(d.endsAt) },
    livePeriods: periods.map((p) => ({ start: p.start.toISOString(), end: iso(p.end), endedBy: p.endedBy })),
    liveMinutes: minutes,
    people: { plannedBy: d.planner.name, authorisedBy: d.authoriser?.name ?? null, authorisedAt: d.authoriser ? iso(authorisedAt) : null },
    watchlist: { snapshots: snapshotsOf(events), purgedAt: iso(d.snapshotPurgedAt) },
    accuracy: {
      candidateThreshold: d.threshold,
      verifierId: d.verifierId,
      verifyThreshold: d.verifyThreshold,
      forecast,
      overrideReason: d.authoriseOverrideReason,
      targetFacesPerFalseAlert: context.targetFacesPerFalseAlert,
    },
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
    falseAlertRate: observedFalseAlertRate(tally.falseAlerts, faces, forecast),
    responseTimes: responseTimes(alerts),
  };
}

/** The record of a deployment now. Caller holds 'report:read' (lib/records/access.ts). */
export async function deploymentRecord(deploymentId: string, now = new Date()): Promise<DeploymentRecord> {
  const [rows, target, forceName] = await Promise.all([loadRecordRows(deploymentId), getAccuracyTarget(), getForceName()]);
  return buildRecord(rows, { forceName, targetFacesPerFalseAlert: target.facesPerFalseAlert, now });
}
