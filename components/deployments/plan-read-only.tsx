'use client';

import { useState, type ReactNode } from 'react';
import { DeploymentPlanMap } from '@/components/map';
import type { Forecast } from '@/lib/recognition/forecast';
import { distinctPerThousand } from '@/lib/recognition/forecast';
import { ForecastView } from './forecast-view';
import { isInsideZone } from '@/lib/geo/geometry';
import { CATEGORY_LABELS, type Category } from '@/lib/watchlists/schema';
import { formatDuration, formatLondon, formatWindow } from './london-time';
import { SOURCE_HELP } from './plan-draft';
import type { DeploymentView, WatchlistOption } from './types';
import styles from './deployments.module.css';
import { plural } from '@/lib/format/plural';

type PlanReadOnlyProps = {
  view: DeploymentView;
  /** null: the viewer may not list watchlists; the plan then shows how many it uses. */
  watchlists: WatchlistOption[] | null;
  /** Beside the map, above the plan's statements: a note on the plan's standing. */
  before?: ReactNode;
  /** Beside the map, after the statements: the decision panel, so it is reached having read the plan. */
  after?: ReactNode;
};

/**
 * The whole plan, read-only: the map with the zone and every camera's view cone, the cameras'
 * settings, and every written statement in full — what a second officer reads before deciding,
 * and what everyone else sees of a plan they may not change.
 */
export function PlanReadOnly({ view, watchlists, before, after }: PlanReadOnlyProps) {
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <div className={styles.readGrid} data-testid="plan-read-only">
      <div className={styles.readMapColumn}>
        <DeploymentPlanMap
          zone={view.zone}
          cameras={view.cameras.map((c) => ({ id: c.id, name: c.name, lat: c.lat, lng: c.lng, heading: c.heading, fov: c.fov, rangeM: c.rangeM }))}
          editable={false}
          selectedCameraId={selected}
          onCameraSelect={setSelected}
          height={480}
          label={`Plan map of ${view.name}`}
        />
        {!view.zone ? <p className="small warn-text">No zone has been drawn.</p> : null}
        <CameraTable view={view} selected={selected} onSelect={setSelected} />
      </div>
      <div className={styles.readSide}>
        {before}
        <PlanStatements view={view} watchlists={watchlists} />
        {after}
      </div>
    </div>
  );
}

function CameraTable({ view, selected, onSelect }: { view: DeploymentView; selected: string | null; onSelect(id: string | null): void }) {
  if (view.cameras.length === 0) return <p className="small warn-text">No cameras have been placed.</p>;
  return (
    <div className="table-wrap panel">
      <table className={`table ${styles.compactTable}`} data-testid="camera-table">
        <caption className={styles.tableCaption}>Cameras ({view.cameras.length})</caption>
        <thead>
          <tr>
            <th scope="col">Camera</th>
            <th scope="col">Heading</th>
            <th scope="col">View</th>
            <th scope="col">Range</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {view.cameras.map((c) => {
            const outside = view.zone !== null && !isInsideZone(c, view.zone);
            return (
              <tr key={c.id} className={c.id === selected ? styles.rowSelected : undefined}>
                <th scope="row">
                  <button
                    type="button"
                    className={styles.linkButton}
                    aria-pressed={c.id === selected}
                    onClick={() => onSelect(c.id === selected ? null : c.id)}
                  >
                    {c.name}
                  </button>
                  <div className="mono small muted">
                    {c.lat.toFixed(5)}, {c.lng.toFixed(5)}
                  </div>
                  {outside ? <span className={styles.chipWarn}>Outside the zone</span> : null}
                </th>
                <td className="mono">{Math.round(c.heading)}°</td>
                <td className="mono">{Math.round(c.fov)}°</td>
                <td className="mono">{Math.round(c.rangeM)} m</td>
                <td>
                  <span className="small">{SOURCE_HELP[c.source.kind]?.label ?? c.source.kind}</span>
                  <div className={`mono small muted ${styles.breakAll}`}>{c.source.url}</div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Statement({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <div className={styles.statement} data-testid={testId}>
      <dt>{title}</dt>
      <dd>{text.trim() ? <p className={styles.prose}>{text}</p> : <p className="warn-text small">Not written yet.</p>}</dd>
    </div>
  );
}

export function PlanStatements({ view, watchlists }: { view: DeploymentView; watchlists: WatchlistOption[] | null }) {
  const duration = formatDuration(view.startsAt, view.endsAt);
  const chosen = view.watchlistIds.map((id) => ({ id, watchlist: watchlists?.find((w) => w.id === id) ?? null }));
  return (
    <section className="panel" aria-labelledby="plan-statements-heading" data-testid="plan-statements">
      <h2 id="plan-statements-heading">The plan</h2>
      <dl className={styles.statements}>
        <div className={styles.statement}>
          <dt>Window (London time)</dt>
          <dd>
            {formatWindow(view.startsAt, view.endsAt)}
            {duration ? <span className="muted"> · {duration}</span> : null}
          </dd>
        </div>
        <Statement title="Location rationale" text={view.locationRationale} testId="statement-location" />
        <Statement title="Intelligence case" text={view.intelligenceCase} testId="statement-intelligence" />
        <Statement title="Necessity and proportionality" text={view.necessityProportionality} testId="statement-necessity" />
        <div className={styles.statement}>
          <dt>Watchlists</dt>
          <dd>
            {chosen.length === 0 ? (
              <p className="warn-text small">None chosen.</p>
            ) : watchlists === null ? (
              <p>{plural(chosen.length, 'watchlist')}</p>
            ) : (
              <ul className={styles.plainList}>
                {chosen.map(({ id, watchlist }) => (
                  <li key={id}>
                    {watchlist ? (
                      <>
                        {watchlist.name} <span className="muted small">· {plural(watchlist.entryCount, 'person')}</span>
                      </>
                    ) : (
                      <span className="warn-text">A watchlist that no longer exists ({id})</span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div className={styles.statement}>
          <dt>Categories</dt>
          <dd>
            {view.categories.length === 0 ? (
              <p className="warn-text small">None chosen.</p>
            ) : (
              <ul className={styles.chipList}>
                {view.categories.map((c) => (
                  <li key={c}>
                    <span className={`category-chip category-${c}`}>{CATEGORY_LABELS[c as Category] ?? c}</span>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div className={styles.statement}>
          <dt>Matching</dt>
          <dd data-testid="plan-thresholds">
            <ul className={styles.plainList}>
              <li>
                Candidates: {view.accuracy.candidate.name} distance{' '}
                {view.threshold === null ? <span className="warn-text">not chosen</span> : <span className="mono">≤ {view.threshold.toFixed(2)}</span>}
              </li>
              <li>
                Verification: {view.verifierId ?? view.accuracy.verifier.id}{' '}
                {view.verifyThreshold === null ? (
                  <span className="warn-text">threshold not chosen</span>
                ) : (
                  <span className="mono">threshold {view.verifyThreshold.toFixed(2)}</span>
                )}
                {view.accuracy.verifierUnavailable ? (
                  <span className="warn-text" data-testid="verifier-superseded">
                    {' '}
                    — superseded: this server verifies with {view.accuracy.verifier.id}, so the plan needs a new verification threshold
                  </span>
                ) : null}
              </li>
            </ul>
          </dd>
        </div>
        <div className={styles.statement}>
          <dt>False alerts</dt>
          <dd>
            <ForecastView
              forecast={view.accuracy.forecast}
              heading={view.snapshot ? 'Forecast for the live snapshot' : 'Forecast as the watchlists stand now'}
            />
            {view.authorisedForecast ? (
              <RecordedForecast
                label="Authorised with"
                forecast={view.authorisedForecast}
                reason={view.authoriseOverrideReason}
                by={view.authoriser?.name ?? null}
              />
            ) : null}
            {view.submittedForecast ? (
              <RecordedForecast label="Submitted with" forecast={view.submittedForecast} reason={view.submitOverrideReason} by={view.planner.name} />
            ) : null}
          </dd>
        </div>
        <div className={styles.statement}>
          <dt>Public notice (signage)</dt>
          <dd>{view.signageConfirmed ? <span className="ok-text">✓ Confirmed in place</span> : <span className="warn-text">Not confirmed</span>}</dd>
        </div>
        {view.snapshot || view.snapshotPurgedAt ? (
          <div className={styles.statement}>
            <dt>Watchlist snapshot</dt>
            <dd>
              {view.snapshot
                ? `Frozen ${formatLondon(view.snapshot.createdAt)}: ${plural(view.snapshot.entryCount, 'person')}, ${plural(view.snapshot.imageCount, 'reference image')}.`
                : `Deleted ${formatLondon(view.snapshotPurgedAt)}.`}
            </dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

/** A forecast recorded at submission or authorisation, and the reason given for going over the target. */
function RecordedForecast({ label, forecast, reason, by }: { label: string; forecast: Forecast; reason: string | null; by: string | null }) {
  const [upper, target] = forecast.complete ? distinctPerThousand(forecast.falseAlertsPerFace.upper, forecast.targetPerFace) : ['', ''];
  return (
    <p className="small" data-testid="recorded-forecast">
      <strong>{label}</strong>{' '}
      {forecast.complete ? (
        <>
          a forecast of at most {upper} false alerts per 1,000 faces ({forecast.meetsTarget ? 'within' : 'over'} the target of {target}).
        </>
      ) : (
        'no complete forecast.'
      )}
      {reason ? (
        <>
          {' '}
          Reason{by ? ` given by ${by}` : ''}: <q>{reason}</q>
        </>
      ) : null}
    </p>
  );
}
