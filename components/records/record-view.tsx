import { formatLondon, formatLondonTime, formatWindow } from '@/components/deployments/london-time';
import { OUTCOME_LABELS, OUTCOMES } from '@/lib/alerts/state';
import { perThousandFaces, percent } from '@/lib/recognition/forecast';
import type { DeploymentRecord } from '@/lib/records/record';
import { CATEGORY_LABELS, CATEGORIES } from '@/lib/watchlists/schema';
import styles from './record.module.css';

/**
 * A deployment's record, laid out to be read on screen and printed on A4 (record.module.css).
 * Figures only: nothing here is about a face or a person on a watchlist.
 */

const number = (n: number) => n.toLocaleString('en-GB');

/** "45 s", "2 min 05 s", "1 h 04 min". */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const LONDON_NOTE = 'London time';

const COMPARISON_WORDS: Record<DeploymentRecord['falseAlertRate']['comparison'], string> = {
  within: 'Within the forecast: the observed rate is not above the forecast’s upper bound.',
  above: 'Above the forecast: the observed rate is higher than the forecast’s upper bound. Review the threshold.',
  clearly_above:
    'Clearly above the forecast: even the lower end of the observed interval is higher than the forecast’s upper bound. Review the threshold before the next deployment.',
  no_forecast: 'No forecast was recorded when this plan was authorised, so there is nothing to compare with.',
  no_faces: 'No faces were processed, so no rate can be observed.',
};

const SHORT_COMPARISON: Record<DeploymentRecord['falseAlertRate']['comparison'], string> = {
  within: 'within',
  above: 'above',
  clearly_above: 'clearly above',
  no_forecast: 'no forecast',
  no_faces: 'no faces',
};

const ENDED_BY: Record<string, string> = { suspended: 'suspended', ended: 'ended', cancelled: 'cancelled' };

export function RecordView({ record }: { record: DeploymentRecord }) {
  const { alerts, falseAlertRate: rate, responseTimes: times } = record;
  const flagged = rate.comparison === 'above' || rate.comparison === 'clearly_above';
  const maxHour = Math.max(1, ...record.faces.perHour.map((h) => h.faces));
  return (
    <div className={styles.record} data-testid="deployment-record">
      <section className={`panel ${styles.section}`} aria-labelledby="record-place">
        <h2 id="record-place">Place and time</h2>
        <dl className={styles.facts}>
          <dt>Borough</dt>
          <dd>{record.place.borough ?? 'Outside the mapped boroughs, or no zone drawn'}</dd>
          <dt>Cameras</dt>
          <dd>{record.place.cameras.length === 0 ? 'None' : record.place.cameras.map((c) => c.name).join(', ')}</dd>
          <dt>Authorised window</dt>
          <dd>
            {formatWindow(record.window.startsAt, record.window.endsAt)} <span className="muted">({LONDON_NOTE})</span>
          </dd>
          <dt>Live</dt>
          <dd>
            {record.livePeriods.length === 0 ? (
              'Never taken live'
            ) : (
              <ul className={styles.plain} data-testid="live-periods">
                {record.livePeriods.map((p) => (
                  <li key={p.start}>
                    {formatLondon(p.start)} – {p.end ? formatLondonTime(p.end) : 'still live'}
                    {p.endedBy ? ` (${ENDED_BY[p.endedBy]})` : ''}
                  </li>
                ))}
              </ul>
            )}
            <span className="muted small">
              Live for {formatSeconds(record.liveSeconds * 1000)} in all, across {number(record.liveMinutes)} clock minutes
            </span>
          </dd>
          <dt>Planned by</dt>
          <dd>{record.people.plannedBy}</dd>
          <dt>Authorised by</dt>
          <dd>
            {record.people.authorisedBy
              ? `${record.people.authorisedBy}${record.people.authorisedAt ? `, ${formatLondon(record.people.authorisedAt)}` : ''}`
              : 'Not recorded'}
            {record.accuracy.goLives.length > 1 ? <span className="muted small"> (the latest go-live; each is listed under the false-alert rate)</span> : null}
          </dd>
        </dl>
      </section>

      <section className={`panel ${styles.section}`} aria-labelledby="record-watchlist">
        <h2 id="record-watchlist">Watchlist</h2>
        {record.watchlist.snapshots.length === 0 ? (
          <p className="muted">No watchlist was frozen: the deployment never went live.</p>
        ) : (
          <table className={styles.table}>
            <caption className="visually-hidden">People on the watchlist at each go-live, by category</caption>
            <thead>
              <tr>
                <th scope="col">Frozen at go-live</th>
                <th scope="col" className={styles.num}>
                  People
                </th>
                {CATEGORIES.map((c) => (
                  <th scope="col" key={c} className={styles.num}>
                    {CATEGORY_LABELS[c]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {record.watchlist.snapshots.map((s) => (
                <tr key={s.takenAt}>
                  <td>{formatLondon(s.takenAt)}</td>
                  <td className={styles.num}>{number(s.entries)}</td>
                  {CATEGORIES.map((c) => (
                    <td key={c} className={styles.num}>
                      {s.byCategory ? number(s.byCategory[c] ?? 0) : <span title="Not recorded for snapshots taken before Sightline kept the split">—</span>}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted small">
          {record.watchlist.purgedAt
            ? `The frozen copy was deleted ${formatLondon(record.watchlist.purgedAt)} (${LONDON_NOTE}).`
            : record.watchlist.snapshots.length > 0
              ? 'The frozen copy is still held: it is deleted when the deployment stops being live.'
              : ''}
        </p>
      </section>

      <section className={`panel ${styles.section}`} aria-labelledby="record-alerts">
        <h2 id="record-alerts">Faces, alerts and outcomes</h2>
        <div className={styles.tiles}>
          <Figure label="Faces processed" value={number(record.faces.total)} testId="figure-faces" />
          <Figure label="Alerts raised" value={number(alerts.raised)} testId="figure-alerts" />
          <Figure label="Alerts decided" value={number(alerts.decided)} />
          <Figure label="False alerts" value={number(alerts.falseAlerts)} testId="figure-false-alerts" />
          <Figure label="Engagements" value={number(alerts.engagements)} />
          <Figure label="Never decided" value={number(alerts.undecided)} warn={alerts.undecided > 0 && record.deployment.status !== 'live'} />
        </div>
        <table className={styles.table}>
          <caption>Outcomes of engagements</caption>
          <tbody>
            {OUTCOMES.map((o) => (
              <tr key={o}>
                <th scope="row">{OUTCOME_LABELS[o]}</th>
                <td className={styles.num}>{number(alerts.outcomes[o])}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">No outcome recorded yet</th>
              <td className={styles.num}>{number(alerts.outcomePending)}</td>
            </tr>
          </tbody>
        </table>
      </section>

      <section className={`panel ${styles.section} ${flagged ? styles.flagged : ''}`} aria-labelledby="record-rate" data-testid="false-alert-rate">
        <h2 id="record-rate">False-alert rate: observed against forecast</h2>
        <dl className={styles.facts}>
          <dt>Observed</dt>
          <dd>
            {rate.faces === 0 ? (
              'No faces processed'
            ) : (
              <>
                {perThousandFaces(rate.perFace)} ({number(rate.falseAlerts)} in {number(rate.faces)} faces); 95 % interval {perThousandFaces(rate.lower)} to{' '}
                {perThousandFaces(rate.upper)}
              </>
            )}
          </dd>
          <dt>Forecast</dt>
          <dd>
            {rate.forecast
              ? `at most ${perThousandFaces(rate.forecast.upper)} (95 % upper bound${record.accuracy.goLives.length > 1 ? ', the most lenient go-live' : ''})`
              : 'None recorded'}
          </dd>
          <dt>Force’s target</dt>
          <dd>1 false alert in {number(record.accuracy.targetFacesPerFalseAlert)} faces</dd>
        </dl>
        <p className={flagged ? styles.flag : 'muted'} role={flagged ? 'alert' : undefined} data-testid="rate-verdict">
          {COMPARISON_WORDS[rate.comparison]}
        </p>
        {record.accuracy.goLives.length > 0 && (
          <table className={styles.table} data-testid="go-lives">
            <caption>Each go-live: what it was accepted with, and what it observed</caption>
            <thead>
              <tr>
                <th scope="col">Live from</th>
                <th scope="col">Authorised by</th>
                <th scope="col">Thresholds</th>
                <th scope="col" className={styles.num}>
                  Forecast (at most)
                </th>
                <th scope="col" className={styles.num}>
                  Faces
                </th>
                <th scope="col" className={styles.num}>
                  False alerts
                </th>
                <th scope="col">Against the forecast</th>
              </tr>
            </thead>
            <tbody>
              {record.accuracy.goLives.map((g) => (
                <tr key={g.start}>
                  <td>{formatLondon(g.start)}</td>
                  <td>{g.authorisedBy ?? '—'}</td>
                  <td>
                    candidate {g.candidateThreshold ?? '—'}
                    {g.verifierId ? `; ${g.verifierId} ${g.verifyThreshold ?? '—'}` : ''}
                  </td>
                  <td className={styles.num}>{g.forecast ? perThousandFaces(g.forecast.upper) : '—'}</td>
                  <td className={styles.num}>{number(g.falseAlertRate.faces)}</td>
                  <td className={styles.num}>{number(g.falseAlertRate.falseAlerts)}</td>
                  <td>{SHORT_COMPARISON[g.falseAlertRate.comparison]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className={`panel ${styles.section}`} aria-labelledby="record-times">
        <h2 id="record-times">How quickly alerts were handled</h2>
        <table className={styles.table}>
          <thead>
            <tr>
              <th scope="col">From alert to</th>
              <th scope="col" className={styles.num}>
                Median
              </th>
              <th scope="col" className={styles.num}>
                90th percentile
              </th>
              <th scope="col" className={styles.num}>
                Alerts
              </th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                ['first claim', times.toClaim],
                ['first decision', times.toDecision],
              ] as const
            ).map(([label, t]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td className={styles.num}>{t ? formatSeconds(t.medianMs) : '—'}</td>
                <td className={styles.num}>{t ? formatSeconds(t.p90Ms) : '—'}</td>
                <td className={styles.num}>{t ? number(t.count) : 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className={`panel ${styles.section}`} aria-labelledby="record-cameras">
        <h2 id="record-cameras">Cameras: faces and coverage</h2>
        <p className="muted small">
          Coverage is the share of the live minutes in which the camera was being analysed, whether or not it saw anyone. A minute nobody analysed is not a
          minute with no faces.
        </p>
        <table className={styles.table} data-testid="camera-coverage">
          <thead>
            <tr>
              <th scope="col">Camera</th>
              <th scope="col" className={styles.num}>
                Faces
              </th>
              <th scope="col" className={styles.num}>
                Minutes analysed
              </th>
              <th scope="col" className={styles.num}>
                Minutes with faces
              </th>
              <th scope="col" className={styles.num}>
                Coverage
              </th>
            </tr>
          </thead>
          <tbody>
            {record.faces.perCamera.map((c) => (
              <tr key={c.cameraId}>
                <th scope="row">{c.name}</th>
                <td className={styles.num}>{number(c.faces)}</td>
                <td className={styles.num}>{number(c.analysedMinutes)}</td>
                <td className={styles.num}>{number(c.minutesWithFaces)}</td>
                <td className={styles.num}>{c.coverage === null ? '—' : percent(c.coverage)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {record.faces.perHour.length > 0 && (
          <>
            <h3 className={styles.subhead}>Faces per hour ({LONDON_NOTE})</h3>
            <ol className={styles.hours} data-testid="faces-per-hour">
              {record.faces.perHour.map((h) => (
                <li key={h.hour}>
                  <span className={styles.hourLabel}>{formatLondonTime(h.hour)}</span>
                  <span className={styles.bar} style={{ width: `${(h.faces / maxHour) * 100}%` }} aria-hidden="true" />
                  <span className={styles.num}>{number(h.faces)}</span>
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
    </div>
  );
}

function Figure({ label, value, warn = false, testId }: { label: string; value: string; warn?: boolean; testId?: string }) {
  return (
    <div className={`${styles.figure} ${warn ? styles.flagged : ''}`} data-testid={testId}>
      <span className={styles.figureValue}>{value}</span>
      <span className={styles.figureLabel}>{label}</span>
    </div>
  );
}
