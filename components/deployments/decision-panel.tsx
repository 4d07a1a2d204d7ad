'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OVERRIDE_REASON_MIN, type PlanProblem } from '@/lib/deployments/schema';
import { perThousand } from '@/lib/recognition/forecast';
import { ApiError, callApi, messageOf, missingOf } from './api';
import { FieldError, describedBy } from './fields';
import { ForecastView } from './forecast-view';
import type { Notice } from './notices';
import { problemSentence } from './plan-draft';
import type { DeploymentView } from './types';
import styles from './deployments.module.css';

const MIN_REASON = 3;

/** The server's answers that mean the forecast moved on since this page was drawn: show them, ask for a reason, fetch the figures again. */
const FORECAST_REFUSALS = new Set(['forecast_over_target', 'resubmission_needed', 'reauthorisation_needed']);

/**
 * The second officer's decision on a submitted plan, shown beside the plan they are deciding
 * on: authorise (with optional notes for the record) or reject (with reasons the planner will
 * read). Only offered to an officer who did not write or change the plan; the server checks
 * the two-person rule again.
 */
export function DecisionPanel({ view, onNotice }: { view: DeploymentView; onNotice(notice: Notice | null): void }) {
  const router = useRouter();
  const [notes, setNotes] = useState('');
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState<PlanProblem[]>([]);
  const [busy, setBusy] = useState<'authorise' | 'reject' | null>(null);
  const [overrideReason, setOverrideReason] = useState('');
  const [overrideError, setOverrideError] = useState<string | null>(null);
  /** The server said the forecast is over the target although the figures on this page did not: ask for the reason anyway. */
  const [overrideAsked, setOverrideAsked] = useState(false);
  const forecast = view.accuracy.forecast;
  const overTarget = (forecast.complete && !forecast.meetsTarget) || overrideAsked;
  const submitted = view.submittedForecast?.complete ? view.submittedForecast : null;

  async function decide(action: 'authorise' | 'reject') {
    setError(null);
    setMissing([]);
    if (action === 'reject' && reason.trim().length < MIN_REASON) {
      setReasonError('Say why the plan is rejected: the planner reads this to put it right.');
      document.getElementById('decision-reason')?.focus();
      return;
    }
    if (action === 'authorise' && overTarget && overrideReason.trim().length < OVERRIDE_REASON_MIN) {
      setOverrideError(
        `The forecast is over the target: say in your own words why it should go ahead (at least ${OVERRIDE_REASON_MIN} characters), or reject the plan.`,
      );
      document.getElementById('decision-override')?.focus();
      return;
    }
    setBusy(action);
    try {
      const body = action === 'authorise' ? { ...(notes.trim() ? { notes } : {}), ...(overTarget ? { overrideReason } : {}) } : { reason };
      await callApi<DeploymentView>(`/api/deployments/${view.id}/${action}`, 'POST', body);
      onNotice(
        action === 'authorise'
          ? { tone: 'ok', title: 'Deployment authorised', text: 'The plan is authorised. Its planner can take it live inside its window.' }
          : { tone: 'info', title: 'Plan rejected', text: 'The plan is back in draft with your reasons; its planner can change it and submit it again.' },
      );
      router.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'incomplete_plan') setMissing(missingOf(e));
      setError(messageOf(e, 'The decision could not be recorded.'));
      if (e instanceof ApiError && FORECAST_REFUSALS.has(e.code)) {
        // The figures on this page are out of date: say why, keep the reason field in view, and fetch them again.
        setOverrideAsked(true);
        if (e.code === 'forecast_over_target')
          setOverrideError('The forecast is over the target: say in your own words why it should go ahead, or reject the plan.');
        router.refresh();
      }
    } finally {
      setBusy(null);
    }
  }

  const reasonDescribed = describedBy('decision-reason', { hint: true, error: reasonError });
  return (
    <section className={`panel ${styles.decision}`} aria-labelledby="decision-heading" data-testid="decision-panel">
      <p className="eyebrow">Awaiting your decision</p>
      <h2 id="decision-heading">Authorise or reject</h2>
      <p className="small muted">
        You did not write or change this plan, so you may decide on it. Read the whole plan and the map first. Your decision, with your name and your words, is
        recorded in the audit trail.
      </p>

      {error ? (
        <div className={styles.errorSummary} role="alert" data-testid="decision-error">
          <p>{error}</p>
          {missing.length > 0 ? (
            <ul>
              {missing.map((p) => (
                <li key={p.field + p.message}>{problemSentence(p)}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      <ForecastView forecast={forecast} heading="False-alert forecast as it stands" testId="decision-forecast" />
      {view.submitOverrideReason ? (
        <p className="small" data-testid="planner-override">
          <strong>
            The planner&rsquo;s reason for going ahead over the target
            {submitted ? ` (given for a forecast of at most ${perThousand(submitted.falseAlertsPerFace.upper)} false alerts per 1,000 faces)` : ''}:
          </strong>{' '}
          <q>{view.submitOverrideReason}</q>
          {submitted && forecast.complete && !forecast.meetsTarget && forecast.falseAlertsPerFace.upper > submitted.falseAlertsPerFace.upper * (1 + 1e-9) ? (
            <span className="warn-text">
              {' '}
              The forecast is higher now than the figures that reason was given for: reject the plan back to the planner, to submit it again with a reason for
              these figures.
            </span>
          ) : null}
        </p>
      ) : overTarget ? (
        <p className="small warn-text" data-testid="planner-override">
          The planner gave no reason for going ahead over the target: it was within the target when submitted. To authorise it over the target, reject it back
          to the planner, to submit it again with a reason for these figures.
        </p>
      ) : null}

      <div className={styles.decisionOption}>
        <h3>Authorise</h3>
        {overTarget ? (
          <div className={`field ${overrideError ? styles.fieldInvalid : ''}`}>
            <label htmlFor="decision-override">Your reason for authorising over the target (required)</label>
            <p id="decision-override-hint" className={styles.hint}>
              The forecast is over the force&rsquo;s target. Authorising records your own reason with the forecast, in the audit trail.
            </p>
            <textarea
              id="decision-override"
              rows={3}
              value={overrideReason}
              maxLength={2000}
              aria-invalid={Boolean(overrideError) || undefined}
              aria-describedby={describedBy('decision-override', { hint: true, error: overrideError })}
              onChange={(e) => {
                setOverrideReason(e.target.value);
                if (overrideError && e.target.value.trim().length >= OVERRIDE_REASON_MIN) setOverrideError(null);
              }}
            />
            <FieldError id="decision-override" error={overrideError} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="decision-notes">Notes for the record (optional)</label>
          <textarea id="decision-notes" rows={3} value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} />
        </div>
        <button type="button" className="button primary" onClick={() => void decide('authorise')} disabled={busy !== null}>
          {busy === 'authorise' ? 'Authorising…' : 'Authorise deployment'}
        </button>
      </div>

      <div className={styles.decisionOption}>
        <h3>Reject</h3>
        <div className={`field ${reasonError ? styles.fieldInvalid : ''}`}>
          <label htmlFor="decision-reason">Reasons for rejecting (required)</label>
          <p id="decision-reason-hint" className={styles.hint}>
            What is missing or wrong. The plan goes back to its planner as a draft, with these reasons.
          </p>
          <textarea
            id="decision-reason"
            rows={3}
            value={reason}
            maxLength={2000}
            aria-invalid={Boolean(reasonError) || undefined}
            aria-describedby={reasonDescribed}
            onChange={(e) => {
              setReason(e.target.value);
              if (reasonError && e.target.value.trim().length >= MIN_REASON) setReasonError(null);
            }}
          />
          <FieldError id="decision-reason" error={reasonError} />
        </div>
        <button type="button" className="button danger" onClick={() => void decide('reject')} disabled={busy !== null}>
          {busy === 'reject' ? 'Rejecting…' : 'Reject with reasons'}
        </button>
      </div>
    </section>
  );
}
