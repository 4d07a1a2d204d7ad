import { OUTCOMES } from '@/lib/alerts/state';
import type { DeploymentRecord } from './record';

/**
 * A deployment's record as CSV (RFC 4180): one figure per row, `section,item,value`, so that a
 * spreadsheet or a script reads every figure by name. Times in UTC (ISO 8601), rates per face.
 */

/** Quotes a field when it needs it; a leading =, +, - or @ is prefixed so that spreadsheets never run it as a formula. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRows(rows: readonly (readonly (string | number | null)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function recordCsv(record: DeploymentRecord): string {
  const rows: (string | number | null)[][] = [['section', 'item', 'value']];
  const add = (section: string, item: string, value: string | number | null) => rows.push([section, item, value]);
  add('record', 'force', record.forceName);
  add('record', 'generated_at', record.generatedAt);
  add('deployment', 'id', record.deployment.id);
  add('deployment', 'name', record.deployment.name);
  add('deployment', 'status', record.deployment.status);
  add('place', 'borough', record.place.borough);
  add('place', 'cameras', record.place.cameras.length);
  add('window', 'starts_at', record.window.startsAt);
  add('window', 'ends_at', record.window.endsAt);
  record.livePeriods.forEach((p, i) => {
    add('live_period', `${i + 1}_start`, p.start);
    add('live_period', `${i + 1}_end`, p.end);
    add('live_period', `${i + 1}_ended_by`, p.endedBy);
  });
  add('window', 'live_seconds', record.liveSeconds);
  add('window', 'live_clock_minutes', record.liveMinutes);
  add('people', 'planned_by', record.people.plannedBy);
  add('people', 'authorised_by', record.people.authorisedBy);
  add('people', 'authorised_at', record.people.authorisedAt);
  record.watchlist.snapshots.forEach((s, i) => {
    add('watchlist', `snapshot_${i + 1}_taken_at`, s.takenAt);
    add('watchlist', `snapshot_${i + 1}_people`, s.entries);
    for (const [category, count] of Object.entries(s.byCategory ?? {})) add('watchlist', `snapshot_${i + 1}_${category}`, count);
  });
  add('watchlist', 'snapshot_purged_at', record.watchlist.purgedAt);
  add('accuracy', 'target_faces_per_false_alert', record.accuracy.targetFacesPerFalseAlert);
  record.accuracy.goLives.forEach((g, i) => {
    const n = `go_live_${i + 1}`;
    add('accuracy', `${n}_start`, g.start);
    add('accuracy', `${n}_authorised_by`, g.authorisedBy);
    add('accuracy', `${n}_candidate_threshold`, g.candidateThreshold);
    add('accuracy', `${n}_verifier`, g.verifierId);
    add('accuracy', `${n}_verify_threshold`, g.verifyThreshold);
    add('accuracy', `${n}_forecast_false_alerts_per_face`, g.forecast?.estimate ?? null);
    add('accuracy', `${n}_forecast_false_alerts_per_face_upper_95`, g.forecast?.upper ?? null);
    add('accuracy', `${n}_faces`, g.falseAlertRate.faces);
    add('accuracy', `${n}_false_alerts`, g.falseAlertRate.falseAlerts);
    add('accuracy', `${n}_against_forecast`, g.falseAlertRate.comparison);
  });
  add('faces', 'total', record.faces.total);
  for (const c of record.faces.perCamera) {
    add('faces_per_camera', c.name, c.faces);
    add('coverage_minutes_per_camera', c.name, c.analysedMinutes);
  }
  for (const h of record.faces.perHour) add('faces_per_hour', h.hour, h.faces);
  const a = record.alerts;
  add('alerts', 'raised', a.raised);
  add('alerts', 'decided', a.decided);
  add('alerts', 'never_decided', a.undecided);
  add('alerts', 'false_alerts', a.falseAlerts);
  add('alerts', 'engagements', a.engagements);
  for (const outcome of OUTCOMES) add('outcomes', outcome, a.outcomes[outcome]);
  add('outcomes', 'not_recorded', a.outcomePending);
  const r = record.falseAlertRate;
  add('false_alert_rate', 'per_face', r.perFace);
  add('false_alert_rate', 'lower_95', r.lower);
  add('false_alert_rate', 'upper_95', r.upper);
  add('false_alert_rate', 'against_forecast', r.comparison);
  const t = record.responseTimes;
  add('response_seconds', 'to_claim_median', t.toClaim ? t.toClaim.medianMs / 1000 : null);
  add('response_seconds', 'to_claim_p90', t.toClaim ? t.toClaim.p90Ms / 1000 : null);
  add('response_seconds', 'to_decision_median', t.toDecision ? t.toDecision.medianMs / 1000 : null);
  add('response_seconds', 'to_decision_p90', t.toDecision ? t.toDecision.p90Ms / 1000 : null);
  return csvRows(rows);
}
