'use client';

import { useEffect, useState } from 'react';
import { THRESHOLD_MAX, THRESHOLD_MIN } from '@/lib/deployments/schema';
import type { PlanForecast } from '@/lib/recognition/forecasts';
import { callApi, messageOf } from './api';
import { Field, FieldError, describedBy } from './fields';
import { ForecastView } from './forecast-view';
import { fieldId, type FieldErrors, type PlanDraft } from './plan-draft';
import styles from './deployments.module.css';

type Props = {
  draft: PlanDraft;
  /**
   * The recogniser the verification threshold being typed is for: the saved plan's, or null (the
   * one verifying here) once the saved one is superseded.
   */
  verifierId: string | null;
  /** The recogniser the saved verification threshold was chosen for when it is not the one verifying here (superseded), else null. */
  superseded: string | null;
  /** The server's forecast of the saved plan, shown until the first preview arrives. */
  initial: PlanForecast;
  onChange(patch: Partial<PlanDraft>): void;
  errors: FieldErrors;
  /** Why the plan should go ahead although its forecast is over the target (sent with Submit). */
  overrideReason: string;
  /** The server found the forecast over the target on submitting: ask for the reason whatever the preview says. */
  askOverride?: boolean;
  onOverrideReasonChange(reason: string): void;
  /** The forecast shown, for the editor (it blocks Submit over the target without a reason). */
  onForecast(forecast: PlanForecast): void;
  disabled?: boolean;
};

const PREVIEW_DELAY_MS = 300;

const asNumber = (text: string): number | null => (text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text));

/**
 * The forecast of the plan as it is being typed: asks the server (POST /api/deployments/forecast)
 * a moment after the watchlists, categories or thresholds change, and keeps the last answer while
 * the next is on its way.
 */
function useForecastPreview(draft: PlanDraft, verifierId: string | null, initial: PlanForecast) {
  const [forecast, setForecast] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const body = JSON.stringify({
    watchlistIds: draft.watchlistIds,
    categories: draft.categories,
    threshold: asNumber(draft.threshold),
    verifyThreshold: asNumber(draft.verifyThreshold),
    verifierId,
  });
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      callApi<PlanForecast>('/api/deployments/forecast', 'POST', JSON.parse(body), controller.signal)
        .then((next) => {
          setForecast(next);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setError(messageOf(e, 'The forecast could not be computed.'));
        })
        .finally(() => {
          if (!controller.signal.aborted) setLoading(false);
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [body]);
  return { forecast, error, loading };
}

/**
 * How a plan matches faces, chosen from measured error rates rather than a customary number: the
 * two thresholds, the proposal that meets the force's target, the forecast as they stand, and —
 * when the forecast is over the target — the reason the planner must record to submit anyway.
 */
export function AccuracyFields({
  draft,
  verifierId,
  superseded,
  initial,
  onChange,
  errors,
  overrideReason,
  askOverride,
  onOverrideReasonChange,
  onForecast,
  disabled,
}: Props) {
  const { forecast: preview, error, loading } = useForecastPreview(draft, verifierId, initial);
  useEffect(() => onForecast(preview), [preview, onForecast]);
  const { proposal, verifier, candidate, forecast } = preview;
  const range = verifier.range;
  // Over the target as previewed — or as the server found on submitting, whatever the preview said.
  const over = (forecast.complete && !forecast.meetsTarget) || Boolean(askOverride) || Boolean(errors.overrideReason);
  const proposed = proposal.candidateThreshold !== null && proposal.verifyThreshold !== null;
  const sameAsProposal = proposed && asNumber(draft.threshold) === proposal.candidateThreshold && asNumber(draft.verifyThreshold) === proposal.verifyThreshold;
  const verifyMeaning = verifier.metric === 'cosine' ? 'a similarity: higher is stricter' : 'a distance: lower is stricter';

  return (
    <section className={styles.formSection} aria-labelledby="just-accuracy" data-testid="accuracy-fields">
      <h3 id="just-accuracy" className={styles.formSectionTitle}>
        Matching accuracy
      </h3>
      <p className={styles.hint}>
        Faces are matched in two stages: the browser&rsquo;s {candidate.name} finds <em>candidates</em> within the candidate distance, and the server checks
        each candidate&rsquo;s own face crop with <strong>{verifier.name}</strong> before anything becomes an alert. Choose both from the forecast below; they
        are recorded with the plan, and thresholds change error rates between demographic groups too.
      </p>

      <div className={styles.proposal}>
        {proposed ? (
          <>
            <button
              type="button"
              className="button"
              disabled={disabled || sameAsProposal}
              onClick={() => onChange({ threshold: String(proposal.candidateThreshold), verifyThreshold: String(proposal.verifyThreshold) })}
              data-testid="use-proposal"
            >
              Use proposed thresholds: {proposal.candidateThreshold!.toFixed(2)} and {proposal.verifyThreshold!.toFixed(2)}
            </button>
            <span className="muted small">{proposal.reason}</span>
          </>
        ) : (
          <span className="muted small">{proposal.reason}</span>
        )}
      </div>

      <div className={styles.twoUp}>
        <Field
          id={fieldId('threshold')}
          label="Candidate distance"
          error={errors.threshold}
          hint={`First stage, ${candidate.name}: a face within this distance of a watchlist photo is sent for verification. Between ${THRESHOLD_MIN} and ${THRESHOLD_MAX}; lower is stricter.`}
        >
          <input
            id={fieldId('threshold')}
            type="number"
            inputMode="decimal"
            step={0.01}
            min={THRESHOLD_MIN}
            max={THRESHOLD_MAX}
            value={draft.threshold}
            className={styles.thresholdNumber}
            aria-invalid={Boolean(errors.threshold) || undefined}
            aria-describedby={describedBy(fieldId('threshold'), { hint: true, error: errors.threshold })}
            onChange={(e) => onChange({ threshold: e.target.value })}
          />
        </Field>
        <Field
          id={fieldId('verifyThreshold')}
          label="Verification threshold"
          error={errors.verifyThreshold}
          hint={`Second stage, ${verifier.name}: ${verifyMeaning}; between ${range.min} and ${range.max}.`}
        >
          <input
            id={fieldId('verifyThreshold')}
            type="number"
            inputMode="decimal"
            step={range.step}
            min={range.min}
            max={range.max}
            value={draft.verifyThreshold}
            className={styles.thresholdNumber}
            aria-invalid={Boolean(errors.verifyThreshold) || undefined}
            aria-describedby={describedBy(fieldId('verifyThreshold'), { hint: true, error: errors.verifyThreshold })}
            onChange={(e) => onChange({ verifyThreshold: e.target.value })}
          />
        </Field>
      </div>
      {(superseded ?? preview.verifierUnavailable) ? (
        <p className="warn-text small" data-testid="verifier-superseded">
          This plan&rsquo;s verification threshold was chosen for {superseded ?? preview.verifierUnavailable}; this server verifies with {verifier.name} (
          {verifier.id}): choose a new one.
        </p>
      ) : null}

      <div aria-live="polite" aria-busy={loading || undefined}>
        {error ? (
          // No forecast is shown for values the server refuses (a threshold outside its range): it would not be the plan's.
          <p className="warn-text small" data-testid="forecast-error">
            No forecast for these values: {error}
          </p>
        ) : (
          <ForecastView forecast={forecast} heading={loading ? 'False-alert forecast (updating…)' : 'False-alert forecast'} />
        )}
      </div>

      {over ? (
        <div className={`field ${styles.field} ${errors.overrideReason ? styles.fieldInvalid : ''}`}>
          <label htmlFor={fieldId('overrideReason')}>Why this plan should go ahead over the target</label>
          <p id={`${fieldId('overrideReason')}-hint`} className={styles.hint}>
            Required to submit while the forecast is over the force&rsquo;s target. It is recorded with the submission and shown to the authorising officer, who
            must give their own.
          </p>
          <textarea
            id={fieldId('overrideReason')}
            rows={3}
            maxLength={2000}
            value={overrideReason}
            disabled={disabled}
            aria-invalid={Boolean(errors.overrideReason) || undefined}
            aria-describedby={describedBy(fieldId('overrideReason'), { hint: true, error: errors.overrideReason })}
            onChange={(e) => onOverrideReasonChange(e.target.value)}
          />
          <FieldError id={fieldId('overrideReason')} error={errors.overrideReason} />
        </div>
      ) : null}
    </section>
  );
}
