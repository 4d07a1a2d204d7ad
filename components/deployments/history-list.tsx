import { formatLondon } from './london-time';
import { FIELD_LABELS } from './plan-draft';
import type { HistoryItem } from './types';
import styles from './deployments.module.css';
import { plural } from '@/lib/format/plural';

type Line = { title: string; detail?: string; tone?: 'ok' | 'warn' | 'danger' };

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

const CAMERA_FIELDS: Record<string, string> = {
  name: 'name',
  lat: 'position',
  lng: 'position',
  heading: 'heading',
  fov: 'field of view',
  rangeM: 'range',
  source: 'source',
};

function changedFields(details: Record<string, unknown>, labels: Record<string, string>): string {
  const changes = details.changes;
  if (!changes || typeof changes !== 'object') return '';
  const names = [...new Set(Object.keys(changes).map((k) => labels[k] ?? k))];
  return names.join(', ');
}

/** One audit record of a deployment in words an officer reads. */
function describe(item: HistoryItem): Line {
  const d = item.details;
  switch (item.action) {
    case 'deployment.created':
      return { title: 'Plan created' };
    case 'deployment.changed': {
      const fields = changedFields(d, Object.fromEntries(Object.entries(FIELD_LABELS).map(([k, v]) => [k, v.toLowerCase()])));
      const back = str(d.statusFrom) ? ` (was ${str(d.statusFrom)}; now a draft)` : '';
      return { title: 'Plan changed', detail: fields ? `Changed: ${fields}${back}.` : back.trim() || undefined };
    }
    case 'deployment.authorisation_withdrawn':
      return {
        title: 'Authorisation withdrawn by a change',
        detail: str(d.authorisedBy) ? `It had been authorised by ${str(d.authorisedBy)}.` : undefined,
        tone: 'warn',
      };
    case 'deployment.submitted':
      return { title: d.from === 'suspended' ? 'Submitted again after suspension' : 'Submitted for authorisation' };
    case 'deployment.authorised':
      return { title: 'Authorised', detail: str(d.notes) ?? undefined, tone: 'ok' };
    case 'deployment.rejected':
      return { title: 'Rejected', detail: str(d.reason) ?? undefined, tone: 'danger' };
    case 'deployment.started':
      return {
        title: 'Went live',
        detail:
          num(d.entryCount) !== null ? `Snapshot of ${plural(num(d.entryCount) ?? 0, 'person')} (${plural(num(d.imageCount) ?? 0, 'image')}).` : undefined,
        tone: 'ok',
      };
    case 'deployment.suspended':
      return { title: 'Suspended', detail: str(d.reason) ?? undefined, tone: 'warn' };
    case 'deployment.ended':
      return { title: d.automatic ? 'Ended: the window closed' : 'Ended', detail: d.automatic ? undefined : (str(d.reason) ?? undefined) };
    case 'deployment.cancelled':
      return { title: 'Cancelled', detail: str(d.reason) ?? undefined, tone: 'danger' };
    case 'deployment.service_account_given':
      return { title: `Camera agent “${str(d.name) ?? '?'}” given this deployment`, detail: 'It may analyse this deployment’s cameras and send their faces.' };
    case 'camera.added':
      return { title: `Camera “${str(d.name) ?? '?'}” placed` };
    case 'camera.changed': {
      const fields = changedFields(d, CAMERA_FIELDS);
      return { title: `Camera “${str(d.name) ?? '?'}” changed`, detail: fields ? `Changed: ${fields}.` : undefined };
    }
    case 'camera.removed':
      return { title: `Camera “${str(d.name) ?? '?'}” removed` };
    case 'snapshot.created':
      return {
        title: 'Watchlist snapshot frozen',
        detail: num(d.entryCount) !== null ? `${plural(num(d.entryCount) ?? 0, 'person')}, ${plural(num(d.imageCount) ?? 0, 'image')}.` : undefined,
      };
    case 'snapshot.purged':
      return { title: 'Watchlist snapshot deleted' };
    default:
      return { title: item.action };
  }
}

/**
 * The deployment's own history from the audit trail, newest first: who did what, when (London
 * time), and the reasons they gave. Senior officers and auditors see it; operators do not.
 */
export function HistoryList({ history }: { history: HistoryItem[] }) {
  const items = [...history].reverse();
  return (
    <section className="panel" aria-labelledby="history-heading" data-testid="deployment-history">
      <h2 id="history-heading">History</h2>
      <p className="small muted">From the audit trail, newest first. Times are London time.</p>
      {items.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className={styles.history}>
          {items.map((item, i) => {
            const line = describe(item);
            const who = item.actor ? (item.actor.name ?? item.actor.email ?? 'Unknown') : 'Sightline (automatic)';
            return (
              <li key={`${item.at}-${i}`} className={`${styles.historyItem} ${line.tone ? styles[`history_${line.tone}`] : ''}`} data-action={item.action}>
                <time dateTime={item.at} className={`mono small ${styles.historyTime}`}>
                  {formatLondon(item.at)}
                </time>
                <div>
                  <p className={styles.historyTitle}>
                    {line.title} <span className="muted small">· {who}</span>
                  </p>
                  {line.detail ? <p className={styles.historyDetail}>{line.detail}</p> : null}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
