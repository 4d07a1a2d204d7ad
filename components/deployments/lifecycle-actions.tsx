'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { DeploymentAction } from '@/lib/deployments/state-machine';
import { OVERRIDE_REASON_MIN } from '@/lib/deployments/schema';
import { ApiError, callApi, messageOf } from './api';
import { FieldError, describedBy } from './fields';
import { formatWindow, londonMoment } from './london-time';
import { Modal } from './modal';
import type { Notice } from './notices';
import type { DeploymentView } from './types';
import styles from './deployments.module.css';

type Step = 'start' | 'suspend' | 'end' | 'cancel' | 'resubmit' | 'edit';

type StepSpec = {
  button: string;
  title: string;
  explain(view: DeploymentView): string;
  confirm: string;
  /** 'required': reject, suspend, cancel; 'optional': end; absent: no reason asked. */
  reason?: 'required' | 'optional';
  tone: 'primary' | 'danger' | 'plain';
  success?: Notice;
};

const STEPS: Record<Step, StepSpec> = {
  start: {
    button: 'Go live',
    title: 'Take this deployment live?',
    explain: (v) =>
      `The watchlist snapshot is frozen now from the authorised watchlists and categories, and cameras may send faces until the window closes (${formatWindow(v.startsAt, v.endsAt)}). Confirm that the signage is up.`,
    confirm: 'Go live now',
    tone: 'primary',
    success: { tone: 'ok', title: 'Deployment live', text: 'The snapshot is frozen and cameras may now send faces until the window closes.' },
  },
  suspend: {
    button: 'Suspend until re-authorised',
    title: 'Suspend this deployment?',
    explain: () =>
      'Cameras stop sending faces at once and the watchlist snapshot is deleted. To resume, the plan must be submitted again and authorised afresh by another senior officer.',
    confirm: 'Suspend deployment',
    reason: 'required',
    tone: 'danger',
    success: { tone: 'warn', title: 'Deployment suspended', text: 'Cameras no longer send faces. Submit the plan again when it should resume.' },
  },
  end: {
    button: 'End the deployment now',
    title: 'End this deployment now?',
    explain: () => 'Cameras stop sending faces and the watchlist snapshot is deleted. An ended deployment is a final record.',
    confirm: 'End deployment',
    reason: 'optional',
    tone: 'danger',
    success: { tone: 'info', title: 'Deployment ended', text: 'The record is final; the snapshot has been deleted.' },
  },
  cancel: {
    button: 'Cancel the plan for good',
    title: 'Cancel this plan for good?',
    explain: () => 'Cancelling is final: the plan cannot be changed, submitted or taken live again. Any snapshot is deleted.',
    confirm: 'Cancel the plan',
    reason: 'required',
    tone: 'danger',
    success: { tone: 'info', title: 'Deployment cancelled', text: 'The record is final.' },
  },
  resubmit: {
    button: 'Submit again for authorisation',
    title: 'Submit this plan again?',
    explain: () => 'A suspended deployment resumes only after another senior officer authorises it afresh. You can change the plan first instead.',
    confirm: 'Submit for authorisation',
    tone: 'primary',
    success: { tone: 'ok', title: 'Submitted for authorisation', text: 'Another senior officer must now authorise or reject the plan.' },
  },
  edit: {
    button: 'Change the plan',
    title: 'Change this plan?',
    explain: (v) =>
      v.status === 'submitted'
        ? 'Saving any change withdraws the submission: the plan becomes a draft and must be submitted again. You also become one of its authors, so you could no longer authorise or reject it.'
        : 'Saving any change withdraws the authorisation: the plan becomes a draft and must be submitted and authorised again by another senior officer. You also become one of its authors.',
    confirm: 'Change the plan',
    tone: 'plain',
  },
};

const ENDPOINT: Partial<Record<Step, string>> = { start: 'start', suspend: 'suspend', end: 'end', cancel: 'cancel', resubmit: 'submit' };

/**
 * Which steps this viewer is offered now, in the order they make sense. Only what applies: a live
 * deployment is stopped by ending or suspending it (cancelling it too would be a third way to say
 * the same); suspending means something only while live.
 */
function stepsFor(view: DeploymentView, editing: boolean): Step[] {
  const can = (a: DeploymentAction) => view.actions.includes(a);
  const steps: Step[] = [];
  if (can('start')) steps.push('start');
  if (can('submit') && view.status === 'suspended') steps.push('resubmit');
  // An officer who may decide on the plan is not offered to change it: that would make them an
  // author (two-person rule). They reject it with reasons instead.
  if (can('edit') && view.status !== 'draft' && !editing && !can('authorise')) steps.push('edit');
  if (can('suspend') && view.status === 'live') steps.push('suspend');
  if (can('end') && view.status === 'live') steps.push('end');
  if (can('cancel') && view.status !== 'live') steps.push('cancel');
  return steps;
}

/**
 * Why "Go live" cannot be pressed now, or null when the window is open: the server refuses
 * outside the window, and a button that only leads to a refusal wastes the officer's time.
 */
export function goLiveBlocked(view: Pick<DeploymentView, 'startsAt' | 'endsAt'>, now: Date): string | null {
  if (!view.startsAt || !view.endsAt) return 'Set the window first.';
  if (now.getTime() < new Date(view.startsAt).getTime()) return `Opens at ${londonMoment(view.startsAt, now)}.`;
  if (now.getTime() >= new Date(view.endsAt).getTime()) return `The window closed at ${londonMoment(view.endsAt, now)}.`;
  return null;
}

/** The clock, ticking once when the window opens and once when it closes (so "Go live" follows them). */
function useWindowClock(startsAt: string | null, endsAt: string | null): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const next = [startsAt, endsAt].map((t) => (t ? new Date(t).getTime() - now.getTime() : -1)).filter((ms) => ms > 0);
    if (next.length === 0) return;
    // setTimeout holds at most 2^31 − 1 ms (~24.8 days); a later window is re-checked then.
    const timer = setTimeout(() => setNow(new Date()), Math.min(Math.min(...next) + 250, 2_147_483_647));
    return () => clearTimeout(timer);
  }, [startsAt, endsAt, now]);
  return now;
}

/**
 * The lifecycle buttons this viewer may use now (from the view's `actions`, a courtesy: the
 * server decides). Each opens a dialog that says what will happen and, for suspend, end and
 * cancel, asks why — required where the record needs it.
 */
export function LifecycleActions({
  view,
  editing,
  onEdit,
  onNotice,
}: {
  view: DeploymentView;
  editing: boolean;
  onEdit(): void;
  onNotice(notice: Notice | null): void;
}) {
  const router = useRouter();
  const [step, setStep] = useState<Step | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Resubmitting over the force's target: the server asked for a reason. (Going live never asks: only an authorising officer may accept a forecast over the target.) */
  const [override, setOverride] = useState<{ asked: string; reason: string } | null>(null);
  const now = useWindowClock(view.startsAt, view.endsAt);
  const steps = stepsFor(view, editing);
  if (steps.length === 0) return null;
  const startBlocked = steps.includes('start') ? goLiveBlocked(view, now) : null;

  function open(next: Step) {
    setStep(next);
    setReason('');
    setReasonError(null);
    setError(null);
    setOverride(null);
  }

  async function confirm() {
    if (!step) return;
    const spec = STEPS[step];
    if (step === 'edit') {
      setStep(null);
      onEdit();
      return;
    }
    if (spec.reason === 'required' && reason.trim().length < 3) {
      setReasonError('Give the reason: it is kept in the record.');
      document.getElementById('lifecycle-reason')?.focus();
      return;
    }
    if (override && override.reason.trim().length < OVERRIDE_REASON_MIN) {
      setError(`Say why it should go ahead over the target (at least ${OVERRIDE_REASON_MIN} characters).`);
      document.getElementById('lifecycle-override')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = override
        ? { overrideReason: override.reason }
        : spec.reason === 'required' || (spec.reason === 'optional' && reason.trim())
          ? { reason }
          : undefined;
      await callApi<DeploymentView>(`/api/deployments/${view.id}/${ENDPOINT[step]}`, 'POST', body);
      setStep(null);
      setOverride(null);
      if (spec.success) onNotice(spec.success);
      router.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'forecast_over_target' && !override) setOverride({ asked: e.message, reason: '' });
      else setError(messageOf(e, 'That could not be done.'));
    } finally {
      setBusy(false);
    }
  }

  const spec = step ? STEPS[step] : null;
  return (
    <div className={styles.lifecycle} role="group" aria-label="Deployment actions" data-testid="lifecycle-actions">
      {steps.map((s) => (
        <button
          key={s}
          type="button"
          className={`button ${STEPS[s].tone === 'primary' ? 'primary' : STEPS[s].tone === 'danger' ? 'danger' : ''}`}
          disabled={s === 'start' && startBlocked !== null}
          aria-describedby={s === 'start' && startBlocked ? 'go-live-reason' : undefined}
          onClick={() => open(s)}
        >
          {STEPS[s].button}
        </button>
      ))}
      {startBlocked ? (
        <p id="go-live-reason" className="muted small" data-testid="go-live-reason">
          {startBlocked}
        </p>
      ) : null}
      <Modal open={spec !== null} title={spec?.title ?? ''} onClose={() => setStep(null)} testId="lifecycle-dialog">
        {spec ? (
          <form
            className={styles.dialogForm}
            onSubmit={(e) => {
              e.preventDefault();
              void confirm();
            }}
          >
            <p>{spec.explain(view)}</p>
            {spec.reason ? (
              <div className={`field ${reasonError ? styles.fieldInvalid : ''}`}>
                <label htmlFor="lifecycle-reason">{spec.reason === 'required' ? 'Reason (required)' : 'Reason (optional)'}</label>
                <p id="lifecycle-reason-hint" className={styles.hint}>
                  Recorded with your name in the deployment’s history and the audit trail.
                </p>
                <textarea
                  id="lifecycle-reason"
                  rows={3}
                  value={reason}
                  maxLength={2000}
                  autoFocus
                  aria-invalid={Boolean(reasonError) || undefined}
                  aria-describedby={describedBy('lifecycle-reason', { hint: true, error: reasonError })}
                  onChange={(e) => {
                    setReason(e.target.value);
                    if (reasonError && e.target.value.trim().length >= 3) setReasonError(null);
                  }}
                />
                <FieldError id="lifecycle-reason" error={reasonError} />
              </div>
            ) : null}
            {override ? (
              <div className="field">
                <p className="warn-text" role="alert">
                  {override.asked}
                </p>
                <label htmlFor="lifecycle-override">Why it should go ahead over the target (required)</label>
                <textarea
                  id="lifecycle-override"
                  rows={3}
                  value={override.reason}
                  maxLength={2000}
                  autoFocus
                  onChange={(e) => setOverride({ ...override, reason: e.target.value })}
                />
              </div>
            ) : null}
            {error ? (
              <p className="form-error" role="alert">
                {error}
              </p>
            ) : null}
            <div className="form-actions">
              <button type="submit" className={`button ${spec.tone === 'danger' ? 'danger' : 'primary'}`} disabled={busy}>
                {busy ? 'Working…' : spec.confirm}
              </button>
              <button type="button" className="button" onClick={() => setStep(null)} disabled={busy}>
                Back
              </button>
            </div>
          </form>
        ) : null}
      </Modal>
    </div>
  );
}
