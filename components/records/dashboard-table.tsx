import Link from 'next/link';
import { formatWindow } from '@/components/deployments/london-time';
import { StatusBadge } from '@/components/deployments/status-badge';
import type { DashboardData } from '@/lib/dashboard/data';
import { formatCount, formatDuration, formatRate } from './dashboard-format';
import styles from './dashboard.module.css';
import { plural } from '@/lib/format/plural';

/**
 * The dashboard's table: one row per deployment with its published figures, and the totals
 * (from sums: false alerts over all faces, one median over all decided alerts). Server-rendered.
 */

const OUTCOME_COLUMNS = [
  ['arrest', 'Arrest'],
  ['safeguarding', 'Safe­guarding'],
  ['other_action', 'Other action'],
  ['not_subject', 'Not the subject'],
  ['not_engaged', 'Not engaged'],
] as const;

export function DashboardTable({ data }: { data: DashboardData }) {
  const t = data.totals;
  return (
    <div className={`panel table-wrap ${styles.tableScroll}`}>
      <table className="table" data-testid="records-table">
        <caption className="visually-hidden">Deployments and their figures, with totals in the last row</caption>
        <thead>
          <tr>
            <th scope="col">Deployment</th>
            <th scope="col">Status</th>
            <th scope="col">Borough</th>
            <th scope="col">Planned window (London)</th>
            <th scope="col" className={styles.num}>
              Cameras
            </th>
            <th scope="col" className={styles.num}>
              Faces processed
            </th>
            <th scope="col" className={styles.num}>
              Alerts
            </th>
            <th scope="col" className={styles.num}>
              Decided
            </th>
            <th scope="col" className={styles.num}>
              False alerts
            </th>
            <th scope="col" className={styles.num}>
              Engaged
            </th>
            {OUTCOME_COLUMNS.map(([key, label]) => (
              <th scope="col" key={key} className={styles.num}>
                {label}
              </th>
            ))}
            <th scope="col" className={styles.num}>
              False per 1,000 faces
            </th>
            <th scope="col" className={styles.num}>
              Median to decision
            </th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r) => (
            <tr key={r.id} data-deployment-id={r.id}>
              <th scope="row">
                <Link href={`/deployments/${r.id}/record`}>{r.name}</Link>
              </th>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.borough ?? <span className="muted">Outside London</span>}</td>
              <td className="small">{formatWindow(r.startsAt, r.endsAt)}</td>
              <td className={styles.num}>{formatCount(r.cameras)}</td>
              <td className={styles.num}>{formatCount(r.facesProcessed)}</td>
              <td className={styles.num}>{formatCount(r.alertsRaised)}</td>
              <td className={styles.num}>{formatCount(r.alertsDecided)}</td>
              <td className={styles.num}>{formatCount(r.falseAlerts)}</td>
              <td className={styles.num}>{formatCount(r.engagements)}</td>
              {OUTCOME_COLUMNS.map(([key]) => (
                <td key={key} className={styles.num}>
                  {formatCount(r.outcomes[key])}
                </td>
              ))}
              <td className={`${styles.num} ${r.falseAlertsPer1000 !== null && r.falseAlertsPer1000 > data.target.per1000 ? 'danger-text' : ''}`}>
                {formatRate(r.falseAlertsPer1000)}
                {r.falseAlertsPer1000 !== null && r.falseAlertsPer1000 > data.target.per1000 && <span className="visually-hidden"> (above the target)</span>}
              </td>
              <td className={styles.num}>{formatDuration(r.medianDecisionMs)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className={styles.totals} data-testid="records-totals">
            <th scope="row" colSpan={4}>
              Total, {plural(t.deployments, 'deployment')}
            </th>
            <td className={styles.num}>{formatCount(t.cameras)}</td>
            <td className={styles.num}>{formatCount(t.facesProcessed)}</td>
            <td className={styles.num}>{formatCount(t.alertsRaised)}</td>
            <td className={styles.num}>{formatCount(t.alertsDecided)}</td>
            <td className={styles.num}>{formatCount(t.falseAlerts)}</td>
            <td className={styles.num}>{formatCount(t.engagements)}</td>
            {OUTCOME_COLUMNS.map(([key]) => (
              <td key={key} className={styles.num}>
                {formatCount(t.outcomes[key])}
              </td>
            ))}
            <td className={styles.num}>{formatRate(t.falseAlertsPer1000)}</td>
            <td className={styles.num}>{formatDuration(t.medianDecisionMs)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
