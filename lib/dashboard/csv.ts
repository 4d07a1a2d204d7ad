import { OUTCOMES } from '@/lib/alerts/state';
import type { DashboardData } from './data';
import { plural } from '@/lib/format/plural';

/**
 * The dashboard's table as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it
 * holds a comma, a quote or a line break, quotes doubled). Figures only: deployment names and
 * places, never anything about a watchlist person. Times in UTC (ISO 8601), so a spreadsheet in
 * any zone reads the same instant; the header says so. Pure.
 */

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const round = (value: number | null, places: number) => (value === null ? null : Number(value.toFixed(places)));
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

const HEADER = [
  'deployment_id',
  'name',
  'status',
  'borough',
  'planned_start_utc',
  'planned_end_utc',
  'went_live_utc',
  'ended_utc',
  'cameras',
  'faces_processed',
  'alerts_raised',
  'alerts_decided',
  'false_alerts',
  'engagements',
  ...OUTCOMES.map((o) => `outcome_${o}`),
  'false_alerts_per_1000_faces',
  'median_seconds_to_decision',
];

export function dashboardCsv(data: DashboardData): string {
  const lines = [HEADER];
  for (const r of data.rows) {
    lines.push(
      [
        r.id,
        r.name,
        r.status,
        r.borough,
        r.startsAt,
        r.endsAt,
        r.wentLiveAt,
        r.endedAt,
        r.cameras,
        r.facesProcessed,
        r.alertsRaised,
        r.alertsDecided,
        r.falseAlerts,
        r.engagements,
        ...OUTCOMES.map((o) => r.outcomes[o]),
        round(r.falseAlertsPer1000, 4),
        seconds(r.medianDecisionMs),
      ].map(csvField),
    );
  }
  const t = data.totals;
  lines.push(
    [
      'TOTAL',
      plural(t.deployments, 'deployment'),
      data.filter.status,
      data.filter.borough,
      null,
      null,
      null,
      null,
      t.cameras,
      t.facesProcessed,
      t.alertsRaised,
      t.alertsDecided,
      t.falseAlerts,
      t.engagements,
      ...OUTCOMES.map((o) => t.outcomes[o]),
      round(t.falseAlertsPer1000, 4),
      seconds(t.medianDecisionMs),
    ].map(csvField),
  );
  return `${lines.map((fields) => fields.join(',')).join('\r\n')}\r\n`;
}

/** The file's name: the range it covers, and the filters when set. */
export function dashboardCsvName(filter: DashboardData['filter']): string {
  const parts = ['sightline-deployments', filter.from, 'to', filter.to, filter.borough, filter.status].filter(Boolean) as string[];
  return `${parts.join('_').replace(/[^A-Za-z0-9_.-]+/g, '-')}.csv`;
}
