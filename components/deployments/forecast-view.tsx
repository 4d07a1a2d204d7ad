import type { Forecast, StageForecast } from '@/lib/recognition/forecast';
import { FEW_CALIBRATION_PEOPLE, distinctPerThousand, fewPeopleNote, oneIn, percent, pointEstimateWords } from '@/lib/recognition/forecast';
import styles from './deployments.module.css';
import { plural } from '@/lib/format/plural';

/**
 * A false-alert forecast as an officer reads it: the figure that matters (false alerts per 1,000
 * faces, at most, with the smaller stage's point estimate), whether it meets the force's target,
 * how rough the calibration behind it is, the sentence that explains it, and — folded — where each
 * figure came from. Pure presentation: the server computed it.
 */

function stageRow(label: string, stage: StageForecast) {
  const kind = stage.metric === 'cosine' ? 'similarity at least' : 'distance at most';
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>
        {stage.engineName}
        <div className="muted small">
          {kind} {stage.threshold.toFixed(2)}
        </div>
      </td>
      <td className="mono">
        {stage.fmr.estimate.toExponential(1)}
        <div className="muted small">at most {stage.fmr.upperOneSided.toExponential(1)}</div>
      </td>
      <td className="mono">{percent(stage.fnmr.estimate)}</td>
      <td>
        {stage.calibrationName}
        <div className="muted small">
          {typeof stage.identities === 'number' ? `${plural(stage.identities, 'person')} · ` : ''}
          {plural(stage.impostorPairs, 'impostor pair')}, {plural(stage.genuinePairs, 'genuine pair')}
        </div>
      </td>
    </tr>
  );
}

export function ForecastView({ forecast, heading = 'False-alert forecast', testId = 'forecast' }: { forecast: Forecast; heading?: string; testId?: string }) {
  if (!forecast.complete) {
    return (
      <div className={styles.forecast} data-testid={testId} data-state="incomplete">
        <p className={styles.forecastHeading}>{heading}</p>
        <p className={styles.forecastSummary}>{forecast.summary}</p>
      </div>
    );
  }
  const meets = forecast.meetsTarget;
  const [upper, target] = distinctPerThousand(forecast.falseAlertsPerFace.upper, forecast.targetPerFace);
  const rough = fewPeopleNote(forecast);
  return (
    <div className={styles.forecast} data-testid={testId} data-state={meets ? 'within-target' : 'over-target'}>
      <p className={styles.forecastHeading}>{heading}</p>
      <div className={styles.forecastFigures}>
        <p className={styles.forecastFigure}>
          <span className={styles.forecastNumber} data-testid={`${testId}-per-thousand`}>
            ≤ {upper}
          </span>{' '}
          false alerts per 1,000 faces
          <span className="muted small"> · {pointEstimateWords(forecast.falseAlertsPerFace.estimate)}</span>
        </p>
        <span className={`${styles.badge} ${meets ? styles.forecastOk : styles.forecastOver}`} data-testid={`${testId}-verdict`}>
          {meets ? 'Within target' : 'Over target'}
        </span>
        <p className="muted small">
          Target {target} per 1,000 faces ({oneIn(forecast.targetPerFace)}) · misses about {percent(forecast.missRate.estimate)}
        </p>
        {rough ? (
          <p className="warn-text small" data-testid={`${testId}-few-people`}>
            {rough}.
          </p>
        ) : null}
      </div>
      <p className={styles.forecastSummary}>{forecast.summary}</p>
      <details className="small">
        <summary>Where these figures come from</summary>
        <table className={styles.forecastTable}>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Recogniser</th>
              <th scope="col">False match rate per comparison</th>
              <th scope="col">Misses</th>
              <th scope="col">Calibration</th>
            </tr>
          </thead>
          <tbody>
            {stageRow('Candidates', forecast.candidate)}
            {stageRow('Verification', forecast.verification)}
          </tbody>
        </table>
        <p className="muted">
          False alerts per face ≤ the smaller of 1 − (1 − FMR)<sup>N</sup> for the two stages, with N = {forecast.watchlist.templates.toLocaleString('en-GB')}{' '}
          {forecast.watchlist.templates === 1 ? 'reference image' : 'reference images'} of {plural(forecast.watchlist.entries, 'person')}. Each stage&rsquo;s
          FMR is read at its one-sided 97.5 % upper bound, so that the pair holds at 95 % and a small calibration cannot promise a low rate; misses are at most
          the sum of the two stages&rsquo; (each at 97.5 %). The bounds treat the calibration&rsquo;s pairs as independent, which they are not (pairs of one
          person share a face), so they are optimistic for a calibration of few people — below {FEW_CALIBRATION_PEOPLE} people, treat them as rough. The point
          estimate is the smaller of the two stages&rsquo; own, for comparison. A &ldquo;face&rdquo; is a face sent for matching: a tracked face is sent again
          every few seconds, so one passer-by usually counts several times.
        </p>
      </details>
    </div>
  );
}
