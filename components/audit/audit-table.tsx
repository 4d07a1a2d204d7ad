import { actionLabel, subjectLabel } from './action-words';
import styles from './audit.module.css';
import { auditTime } from './audit-time';

type AuditRow = {
  id: number;
  at: string;
  action: string;
  actorEmail: string | null;
  actorName: string | null;
  subjectType: string | null;
  subjectId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  hash: string;
};

function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

/**
 * The audit events in words: actions and subjects are named for a person, with the stored code
 * and record id on hover; long values wrap, and the hash opens in full from its first characters.
 */
export function AuditTable({ events }: { events: AuditRow[] }) {
  if (events.length === 0) {
    return (
      <div className="panel empty-state">
        <h2>No events match</h2>
        <p className="muted">Widen the time range or clear the filters.</p>
      </div>
    );
  }
  return (
    <div className="table-wrap panel" role="region" aria-label="Audit events" tabIndex={0}>
      <table className={`table ${styles.table}`} data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time (London)</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Subject</th>
            <th scope="col">Details</th>
            <th scope="col">Address</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id} data-action={event.action}>
              <td className="mono">{event.id}</td>
              <td>{auditTime(event.at)}</td>
              <td>{event.actorEmail ?? <span className="muted">system</span>}</td>
              <td>
                <span className={`action-chip action-${event.action.split('.')[0]} ${styles.action}`} title={`Recorded as ${event.action}`}>
                  {actionLabel(event.action)}
                </span>
              </td>
              <td className="small">
                {event.subjectType ? <span title={`${event.subjectType}:${event.subjectId ?? ''}`}>{subjectLabel(event.subjectType)}</span> : '—'}
              </td>
              <td className="small">{describeDetails(event.details) || '—'}</td>
              <td className="mono small">{event.ip ?? '—'}</td>
              <td className="small">
                <details className={styles.hash}>
                  <summary title={event.hash}>{event.hash.slice(0, 10)}…</summary>
                  <code>{event.hash}</code>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
