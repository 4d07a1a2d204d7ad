'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { callApi, messageOf } from '@/components/ui/api';
import { oneIn, perThousand } from '@/lib/recognition/forecast';
import type { CalibrationCurves, CalibrationSummary, RecognitionOverview } from '@/lib/recognition/overview';
import { DetChart } from './det-chart';
import styles from './recognition.module.css';
import { plural } from '@/lib/format/plural';
import { formatLondon } from '@/lib/time/london';

type Props = { overview: RecognitionOverview; curves: CalibrationCurves | null; manage: boolean };

/** A group with fewer people than this gives curves of those people rather than of the group. */
const FEW_PEOPLE = 5;
const GROUP_COLOURS = ['#4cc2ff', '#ffc857', '#3fd28a', '#ff8fa3', '#b79cff', '#7ee0d2', '#ffa95c'];

const when = (iso: string | null) => (iso ? formatLondon(iso) : '—');

/**
 * The Recognition page: the recognisers this installation runs and what is known about them
 * (licences, training data, how many reference images have their templates), the force's target,
 * and the calibrations that every forecast is computed from, with their DET curves overall and per
 * group and the thresholds plans use marked on them. Admins set the target, run calibrations on
 * their own labelled faces and choose which calibration forecasts use.
 */
export function RecognitionView({ overview, curves, manage }: Props) {
  const running = overview.calibrations.some((c) => c.status === 'running') || overview.engines.some((e) => e.backfill?.state === 'running');
  useRefreshWhile(running);
  return (
    <div className="page">
      <header className="page-header">
        <h1>Recognition</h1>
        <p className="muted lead">
          How faces are matched and how well: every deployment&rsquo;s false-alert forecast is computed from a calibration shown here and checked against the
          force&rsquo;s target before a plan can go forward.
        </p>
      </header>
      <TargetCard target={overview.target} manage={manage} />
      <section aria-labelledby="recognisers-heading" className={styles.grid2}>
        <h2 id="recognisers-heading" className="visually-hidden">
          Recognisers
        </h2>
        {overview.engines.map((engine) => (
          <EngineCard key={engine.manifest.id} engine={engine} calibrations={overview.calibrations} />
        ))}
      </section>
      <section aria-labelledby="calibrations-heading" className="panel">
        <h2 id="calibrations-heading">Calibrations</h2>
        <p className="muted small">
          A calibration scores every pair of faces in a labelled set: pairs of one person give the misses (FNMR), pairs of two people the false matches (FMR).
          Only these counts are kept, never the faces.
        </p>
        <div className={styles.grid2}>
          <CalibrationList calibrations={overview.calibrations} selected={curves?.calibration.id ?? null} engines={overview.engines} />
          {curves ? <CalibrationDetail curves={curves} engines={overview.engines} manage={manage} /> : <p className="muted">No calibration yet.</p>}
        </div>
      </section>
      {manage ? <CalibrationUpload /> : null}
    </div>
  );
}

/** While a calibration or template backfill runs, the page re-reads its data every couple of seconds. */
function useRefreshWhile(active: boolean) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [active, router]);
}

function TargetCard({ target, manage }: { target: RecognitionOverview['target']; manage: boolean }) {
  const router = useRouter();
  const [value, setValue] = useState(String(target.facesPerFalseAlert));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    setBusy(true);
    try {
      await callApi('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: Number(value) });
      setSaved(true);
      router.refresh();
    } catch (e) {
      setError(messageOf(e, 'The target could not be saved.'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="target-heading" data-testid="accuracy-target">
      <h2 id="target-heading">The force&rsquo;s target</h2>
      <p>
        At most <strong>{oneIn(target.perFace).replace(' faces', '')}</strong> faces raises a false alert ({perThousand(target.perFace)} per 1,000 faces)
        {target.isDefault ? ' — the default, the Metropolitan Police’s published figure' : ''}. A plan whose forecast is over it goes forward only with a
        recorded reason, from the planner and again from the authorising officer; it goes live only while its forecast is within the target or within what the
        authorising officer accepted.
      </p>
      {manage ? (
        <form className={styles.inline} onSubmit={(e) => void save(e)} noValidate>
          <div className="field">
            <label htmlFor="target-faces">One false alert in this many faces</label>
            <input id="target-faces" type="number" min={10} step={1} value={value} onChange={(e) => setValue(e.target.value)} className="mono" />
          </div>
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Saving…' : 'Save target'}
          </button>
          {saved ? <span className="ok-text small">Saved (recorded in the audit trail).</span> : null}
          {error ? <p className={styles.error}>{error}</p> : null}
        </form>
      ) : null}
    </section>
  );
}

function EngineCard({ engine, calibrations }: { engine: RecognitionOverview['engines'][number]; calibrations: CalibrationSummary[] }) {
  const { manifest } = engine;
  const active = calibrations.find((c) => c.id === engine.activeCalibrationId);
  const missing = engine.images - engine.templates;
  const input = manifest.input;
  return (
    <article className={`panel ${styles.engine}`} data-testid={`engine-${manifest.id}`}>
      <h3>{manifest.name}</h3>
      <div className={styles.roles}>
        {engine.roles.map((role) => (
          <span key={role} className={styles.role}>
            {role === 'first stage' ? 'First stage (in the browser)' : 'Verifies candidates of plans going live'}
          </span>
        ))}
      </div>
      <dl className={styles.facts}>
        <dt>Id and version</dt>
        <dd className="mono">
          {manifest.id} {manifest.version}
        </dd>
        <dt>Licence of the code</dt>
        <dd>{manifest.licence.code}</dd>
        <dt>Licence of the weights</dt>
        <dd>{manifest.licence.weights}</dd>
        <dt>Trained on</dt>
        <dd>{manifest.trainedOn}</dd>
        <dt>Input</dt>
        <dd>
          {input.width} × {input.height} {input.colourOrder}, aligned{' '}
          {input.alignment === 'arcface-5pt' ? 'on the 5-point ArcFace template' : 'on 68 landmarks (dlib)'}
        </dd>
        <dt>Output</dt>
        <dd>
          {manifest.descriptorLength} numbers, compared by{' '}
          {manifest.metric === 'cosine' ? 'cosine similarity (higher is closer)' : 'euclidean distance (lower is closer)'}
        </dd>
        <dt>Templates</dt>
        <dd data-testid="template-coverage">
          {engine.templates} of {engine.images} reference images
          {missing > 0 ? <span className={styles.warn}> · {missing} still to compute</span> : null}
          {engine.backfill?.state === 'running' ? (
            <>
              <br />
              <progress className={styles.progress} max={engine.backfill.computed + missing} value={engine.backfill.computed} /> computing…
            </>
          ) : null}
          {engine.backfill?.state === 'failed' ? (
            <span className={styles.warn} data-testid="backfill-failed">
              {' '}
              · computing them stopped ({engine.backfill.message}); it starts again when the server next starts
            </span>
          ) : null}
          {engine.backfill && engine.backfill.failed.length > 0 ? (
            <span className={styles.warn}>
              {' '}
              · {plural(engine.backfill.failed.length, 'photo')} could not be analysed again; replace them on their watchlist entries
            </span>
          ) : null}
        </dd>
        <dt>Forecasts use</dt>
        <dd>
          {active ? (
            <Link href={`/recognition?calibration=${encodeURIComponent(active.id)}`}>{active.name}</Link>
          ) : (
            <span className={styles.warn}>no calibration yet: plans cannot be forecast or submitted until an admin runs one</span>
          )}
        </dd>
        {manifest.notes ? (
          <>
            <dt>Notes</dt>
            <dd>{manifest.notes}</dd>
          </>
        ) : null}
      </dl>
    </article>
  );
}

function CalibrationList({
  calibrations,
  selected,
  engines,
}: {
  calibrations: CalibrationSummary[];
  selected: string | null;
  engines: RecognitionOverview['engines'];
}) {
  return (
    <ul className={styles.calibrationList} aria-label="Calibrations">
      {calibrations.map((c) => {
        const usedBy = engines.filter((e) => e.activeCalibrationId === c.id).map((e) => e.manifest.id);
        return (
          <li key={c.id} className={styles.calibrationItem} aria-current={c.id === selected ? 'true' : undefined} data-testid="calibration-item">
            <div className={styles.calibrationTop}>
              <Link href={`/recognition?calibration=${encodeURIComponent(c.id)}`}>{c.name}</Link>
              <span className="small muted">{c.builtIn ? 'built in' : when(c.createdAt)}</span>
            </div>
            {c.status === 'running' ? (
              <p className="small">
                <progress className={styles.progress} max={1} value={c.progress} aria-label={`Progress of ${c.name}`} /> {c.message}
              </p>
            ) : c.status === 'failed' ? (
              <p className={`small ${styles.warn}`}>Failed: {c.message}</p>
            ) : (
              <p className="small muted">
                {plural(c.identities ?? 0, 'person')}, {plural(c.images ?? 0, 'photo')} ·{' '}
                {c.engines.map((e) => `${e.engineId}: ${plural(e.impostorPairs, 'impostor pair')}`).join(' · ')}
              </p>
            )}
            {usedBy.length > 0 ? <p className="small ok-text">Forecasts of {usedBy.join(', ')} use this</p> : null}
          </li>
        );
      })}
    </ul>
  );
}

function CalibrationDetail({ curves, engines, manage }: { curves: CalibrationCurves; engines: RecognitionOverview['engines']; manage: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const { calibration } = curves;

  async function activate(engineId: string) {
    setError(null);
    try {
      await callApi(`/api/calibrations/${encodeURIComponent(calibration.id)}/activate`, 'POST', { engineId });
      router.refresh();
    } catch (e) {
      setError(messageOf(e, 'The calibration could not be chosen.'));
    }
  }

  return (
    <div data-testid="calibration-detail">
      <h3>{calibration.name}</h3>
      <p className="small">{calibration.source}</p>
      {calibration.createdBy ? (
        <p className="small muted">
          Run by {calibration.createdBy}, {when(calibration.createdAt)}.
        </p>
      ) : null}
      {Object.keys(calibration.skipped).length > 0 ? (
        <p className="small muted">
          Photos left out:{' '}
          {Object.entries(calibration.skipped)
            .map(([why, n]) => `${n} (${why})`)
            .join(', ')}
          .
        </p>
      ) : null}
      {error ? <p className={styles.error}>{error}</p> : null}
      {curves.engines.map((engine) => {
        const running = engines.find((e) => e.manifest.id === engine.engineId && e.manifest.version === engine.engineVersion);
        const inUse = running?.activeCalibrationId === calibration.id;
        return (
          <div key={engine.engineId} className="page" data-testid={`curve-${engine.engineId}`}>
            <DetChart
              title={`${engine.engineId} ${engine.engineVersion} — d′ ${engine.dPrime?.toFixed(2) ?? '—'}`}
              series={[{ label: 'everyone', points: engine.curve, colour: GROUP_COLOURS[0]! }]}
              operatingPoints={engine.operatingPoints}
            />
            {manage && running && !inUse && calibration.status === 'done' ? (
              <button type="button" className="button" onClick={() => void activate(engine.engineId)}>
                Use for forecasts of {engine.engineId}
              </button>
            ) : null}
            {!running ? (
              <p className="small muted">
                {engine.engineId} {engine.engineVersion} is not running on this server.
              </p>
            ) : null}
            {engine.groups.length > 0 ? (
              <>
                <DetChart
                  title={`${engine.engineId} by group (impostor pairs within each group)`}
                  series={engine.groups.map((g, i) => ({
                    label: `${g.group} (${plural(g.identities, 'person')})`,
                    points: g.curve,
                    colour: GROUP_COLOURS[(i + 1) % GROUP_COLOURS.length]!,
                  }))}
                />
                <table className="table small">
                  <thead>
                    <tr>
                      <th scope="col">Group</th>
                      <th scope="col">People</th>
                      <th scope="col">Genuine pairs</th>
                      <th scope="col">Impostor pairs</th>
                      <th scope="col">d′</th>
                    </tr>
                  </thead>
                  <tbody>
                    {engine.groups.map((g) => (
                      <tr key={g.group}>
                        <td>{g.group}</td>
                        <td>{g.identities}</td>
                        <td>{g.genuinePairs.toLocaleString('en-GB')}</td>
                        <td>{g.impostorPairs.toLocaleString('en-GB')}</td>
                        <td>{g.dPrime?.toFixed(2) ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {engine.groups.some((g) => g.identities < FEW_PEOPLE) ? (
                  <p className="small warn-text" data-testid="few-people-warning">
                    {engine.groups
                      .filter((g) => g.identities < FEW_PEOPLE)
                      .map((g) => g.group)
                      .join(', ')}
                    : fewer than {FEW_PEOPLE} people. Every pair of their photos is counted, but the pairs share the same few faces, so these curves show those
                    people more than the group: read them as a hint, not a measure, and calibrate with more people.
                  </p>
                ) : null}
              </>
            ) : (
              <p className="small muted">No groups were given with this calibration, so it says nothing about differences between groups.</p>
            )}
          </div>
        );
      })}
    </div>
  );
}

function CalibrationUpload() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [source, setSource] = useState('');
  const [set, setSet] = useState<File | null>(null);
  const [groups, setGroups] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [uploading, setUploading] = useState<number | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setStatus(null);
    // The app's own words, not the browser's bubbles (the form is noValidate).
    if (!name.trim()) {
      setError('Give the calibration a name.');
      return;
    }
    if (!source.trim()) {
      setError('Say what the faces are and where they came from.');
      return;
    }
    if (!set) {
      setError('Choose the zip of the labelled set.');
      return;
    }
    const form = new FormData();
    form.set('name', name);
    form.set('source', source);
    form.set('set', set);
    if (groups) form.set('groups', groups);
    // XMLHttpRequest, not fetch: it reports upload progress, which a large set needs.
    const request = new XMLHttpRequest();
    request.open('POST', '/api/calibrations');
    request.upload.onprogress = (e) => e.lengthComputable && setUploading(e.loaded / e.total);
    request.onload = () => {
      setUploading(null);
      const body = JSON.parse(request.responseText || '{}') as { id?: string; message?: string; images?: number; people?: number; warnings?: string[] };
      if (request.status === 202 && body.id) {
        setStatus(`Measuring ${plural(body.images ?? 0, 'photo')} of ${plural(body.people ?? 0, 'person')}… ${(body.warnings ?? []).join(' ')}`);
        router.push(`/recognition?calibration=${encodeURIComponent(body.id)}`);
        router.refresh();
      } else {
        setError(body.message ?? `The server answered ${request.status}.`);
      }
    };
    request.onerror = () => {
      setUploading(null);
      setError('The upload failed: the server could not be reached.');
    };
    request.send(form);
  }

  return (
    <section className="panel" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Run a calibration</h2>
      <p className="muted small">
        A zip with one folder per person, each holding two or more photos of that person, and optionally <code>groups.csv</code> with lines{' '}
        <code>person,group</code> for per-group figures. Every enabled recogniser is measured. The photos are read in memory and dropped; they are never stored.
        The same can be done on the server with <code>npm run calibrate -- &lt;folder&gt;</code>.
      </p>
      <form className={styles.form} onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="cal-name">Name</label>
          <input id="cal-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={120} required />
        </div>
        <div className="field">
          <label htmlFor="cal-source">What the faces are and where they came from</label>
          <textarea id="cal-source" rows={3} value={source} onChange={(e) => setSource(e.target.value)} maxLength={2000} required />
        </div>
        <div className="field">
          <label htmlFor="cal-set">Labelled set (zip)</label>
          <input id="cal-set" type="file" accept=".zip,application/zip" onChange={(e) => setSet(e.target.files?.[0] ?? null)} />
        </div>
        <div className="field">
          <label htmlFor="cal-groups">Groups (CSV, optional)</label>
          <input id="cal-groups" type="file" accept=".csv,text/csv" onChange={(e) => setGroups(e.target.files?.[0] ?? null)} />
        </div>
        <div className={styles.inline}>
          <button type="submit" className="button primary" disabled={uploading !== null}>
            {uploading !== null ? 'Uploading…' : 'Start calibration'}
          </button>
          {uploading !== null ? <progress className={styles.progress} max={1} value={uploading} aria-label="Upload progress" /> : null}
        </div>
        {status ? <p role="status">{status}</p> : null}
        {error ? (
          <p className={styles.error} role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
