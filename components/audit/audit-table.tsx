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

const TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/London' });

function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

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
    // Focusable and named: when the table is wider than the window, keyboard users scroll it with the arrow keys.
    <div className="table-wrap panel" tabIndex={0} role="region" aria-label="Audit events">
      <table className="table" data-testid="audit-table">
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
            <tr key={event.id}>
              <td className="mono">{event.id}</td>
              <td className="nowrap">{TIME.format(new Date(event.at))}</td>
              <td>{event.actorEmail ?? <span className="muted">system</span>}</td>
              <td>
                <span className={`action-chip action-${event.action.split('.')[0]}`}>{event.action}</span>
              </td>
              <td className="mono small">{event.subjectType ? `${event.subjectType}:${event.subjectId}` : '—'}</td>
              <td className="small">{describeDetails(event.details) || '—'}</td>
              <td className="mono small">{event.ip ?? '—'}</td>
              <td className="mono small" title={event.hash}>
                {event.hash.slice(0, 10)}…
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
