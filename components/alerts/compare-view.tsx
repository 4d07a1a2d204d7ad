'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AlertContext, AlertView } from '@/lib/alerts/data';
import {
  claimableWithoutCorrection,
  DECISION_LABELS,
  isDecided,
  mayDecide,
  mayRecordOutcome,
  OUTCOMES,
  OUTCOME_LABELS,
  STATUS_LABELS,
  type Decision,
  type Outcome,
} from '@/lib/alerts/state';
import { plural } from '@/lib/format/plural';
import { CATEGORY_LABELS } from '@/lib/watchlists/schema';
import { fetchAlertContext } from './alert-api';
import { closenessOf, formatAge, formatScore, formatTime, historyLabel, scoreKind, stateOf } from './alert-format';
import styles from './alert-queue.module.css';
import { ClaimCountdown } from './claim-countdown';
import { ClaimNotices } from './claim-notices';
import { groupClaim, londonTimeWithZone } from './claim-time';
import own from './claims.module.css';
import type { RowAbilities } from './alert-row';
import { CropImage, ReferenceImage } from './alert-thumbs';
import { SimilarityCue } from './similarity-cue';

const MAP_HEIGHT = 200;
const CameraInsetMap = dynamic(() => import('./camera-inset-map'), {
  ssr: false,
  loading: () => <div className={styles.mapPlaceholder} style={{ height: MAP_HEIGHT }} />,
});

/** An ordinary claim: for the decision, or for an engagement's outcome. Decided alerts are claimed only to correct them. */
const CLAIM_LABELS: Partial<Record<AlertView['status'], string>> = {
  new: 'Claim',
  engaged: 'Claim to record the outcome',
};

export type Notice = { tone: 'info' | 'warn' | 'error'; text: string; alertId?: string };

type Props = {
  alert: AlertView;
  /** The deployment's candidate distance, for alerts that carry no thresholds of their own. */
  fallbackThreshold: number | null;
  now: number;
  viewerId: string;
  abilities: RowAbilities & { retain: boolean };
  busy: boolean;
  notice: Notice | null;
  note: string;
  onNoteChange(note: string): void;
  onClose(): void;
  onClaim(): void;
  /** Claims a decided alert to correct it, with the reason; resolves whether it worked. */
  onCorrect(reason: string): Promise<boolean>;
  onRelease(): void;
  /** Extends the viewer's own claim by the claim timeout (the holder only; the server checks). */
  onExtend(): void;
  onDecide(decision: Decision): void;
  onOutcome(outcome: Outcome): void;
  onRetain(reason: string): Promise<boolean>;
  /** The queue item's alerts, oldest first: repeated sightings of this person, decided together. */
  group?: readonly AlertView[];
};

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className={styles.kbd}>{children}</kbd>;
}

/**
 * The comparison an operator decides on: the camera's face and the watchlist image in two
 * frames of the same size, side by side, with how close they are, when and where the face was
 * seen, the entry's category and reference, the decision buttons (with their keys) and the
 * alert's recorded history. A modal <dialog>: the keyboard stays in it; Esc is the queue's
 * (close, keeping the claim; R releases), so the dialog's own Esc-to-close is taken over by the queue's key handler.
 */
export function CompareView(props: Props) {
  const { alert, fallbackThreshold, now, viewerId, abilities, busy, notice, note, onNoteChange, onClose, onClaim, onRelease, onDecide, onOutcome } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) {
      el.showModal();
      // The dialog, not its first button, takes the focus: Enter must not close it by accident.
      el.focus();
    }
    return () => el?.close();
  }, []);
  // A clicked button that then disappears or is disabled (Claim, Release, a decision) drops the
  // focus to the page body, where the compact panel's keys no longer reach: take it back, after
  // every render, whenever the focus has left everything.
  useEffect(() => {
    const el = dialog.current;
    if (el?.open && (document.activeElement === null || document.activeElement === document.body)) el.focus();
  });

  const state = stateOf(alert);
  const mine = alert.claimedBy?.id === viewerId;
  const heldByOther = alert.claimedBy !== null && !mine;
  const canDecide = abilities.triage && mine && mayDecide(alert);
  const canOutcome = abilities.triage && mine && mayRecordOutcome(alert);
  const canRelease = alert.claimedBy !== null && (mine || abilities.releaseAny);
  const context = useAlertContext(alert);
  // A decided alert is changed only by a correction with a reason, never by a plain claim.
  const canCorrect = abilities.triage && isDecided(alert.status) && (!alert.claimedBy || (mine && alert.claimCorrection === null));

  return (
    <dialog
      ref={dialog}
      className={styles.compare}
      aria-labelledby={titleId}
      data-testid="compare-view"
      data-alert-id={alert.id}
      tabIndex={-1}
      onCancel={(event) => event.preventDefault()}
      // If the browser closes the dialog itself (it may, on a repeated Esc), the queue follows.
      onClose={onClose}
    >
      <header className={styles.compareHeader}>
        <div>
          <h2 id={titleId} className={styles.compareName}>
            {alert.name}
          </h2>
          <div className={styles.rowSub}>
            <span className={`category-chip category-${alert.category}`}>{CATEGORY_LABELS[alert.category] ?? alert.category}</span>
            <span className="mono">{alert.reference}</span>
            <span className="muted">{alert.deploymentName}</span>
          </div>
        </div>
        <div className={styles.compareState}>
          <span className={styles.stateBadge} data-tone={state.tone} data-testid="compare-state">
            {state.label}
          </span>
          <span className={styles.holder} data-testid="compare-holder">
            {alert.claimedBy ? `Held by ${mine ? 'you' : alert.claimedBy.name} since ${formatTime(alert.claimedAt ?? alert.updatedAt, now)}` : 'Unclaimed'}
          </span>
          {/* A group's claims lapse one by one: the countdown shows the first to go. */}
          <ClaimCountdown
            alert={groupClaim(props.group && props.group.length > 1 ? props.group : [alert])}
            now={now}
            viewerId={viewerId}
            onExtend={abilities.triage ? props.onExtend : undefined}
            busy={busy}
          />
        </div>
        <button type="button" className="button" onClick={onClose} aria-label="Close the comparison">
          Close
        </button>
      </header>

      <div className={styles.compareBody}>
        <div className={styles.compareFaces}>
          <figure className={styles.face}>
            <div className={styles.faceFrame}>
              <CropImage alert={alert} />
            </div>
            <figcaption>
              <strong>Camera</strong> · {alert.camera.name}
            </figcaption>
          </figure>
          <figure className={styles.face}>
            <div className={styles.faceFrame}>
              <ReferenceImage key={alert.referenceImageId} alert={alert} />
            </div>
            <figcaption>
              <strong>Watchlist</strong> · {alert.reference}
            </figcaption>
          </figure>
        </div>

        <aside className={styles.compareSide}>
          <SimilarityCue closeness={closenessOf(alert, fallbackThreshold)} size="large" />
          <dl className={styles.facts} data-testid="compare-scores">
            {alert.verification ? (
              <>
                <dt>Verified by</dt>
                <dd>
                  {alert.verification.engineId}: {scoreKind(alert.verification.metric)} {formatScore(alert.verification.score)}
                  {alert.verification.threshold !== null ? (
                    <span className="muted">
                      {' '}
                      ({alert.verification.metric === 'cosine' ? 'at least' : 'at most'} {alert.verification.threshold.toFixed(2)})
                    </span>
                  ) : null}
                </dd>
              </>
            ) : (
              <>
                <dt>Verified by</dt>
                <dd className="muted">not verified (raised before verification)</dd>
              </>
            )}
            <dt>First stage</dt>
            <dd>
              face-api distance {formatScore(alert.distance)}
              {(alert.candidateThreshold ?? fallbackThreshold) !== null ? (
                <span className="muted"> (within {(alert.candidateThreshold ?? fallbackThreshold)!.toFixed(2)})</span>
              ) : null}
            </dd>
          </dl>
          <dl className={styles.facts}>
            <dt>First seen</dt>
            <dd>
              {formatTime(alert.firstSeenAt, now)} <span className="muted">({formatAge(alert.firstSeenAt, now)})</span>
            </dd>
            {alert.sightings > 1 ? (
              <>
                <dt>Last seen</dt>
                <dd>
                  {formatTime(alert.lastSeenAt, now)} <span className="muted">· {plural(alert.sightings, 'sighting')}</span>
                </dd>
              </>
            ) : null}
            <dt>Camera</dt>
            <dd>{alert.camera.name}</dd>
          </dl>
          <CameraPlace alert={alert} context={context} />
          <section aria-label="Decision history" className={styles.history}>
            <h3>History</h3>
            {alert.history.length === 0 ? (
              <p className="muted small">No decision recorded yet.</p>
            ) : (
              <ol data-testid="alert-history">
                {alert.history.map((item, i) => (
                  <li key={`${item.at}-${i}`}>
                    <span className="mono small">{formatTime(item.at, now)}</span> <strong>{historyLabel(item)}</strong>{' '}
                    <span className="muted">by {item.by.name}</span>
                    {item.note ? <span className={styles.historyNote}>“{item.note}”</span> : null}
                  </li>
                ))}
              </ol>
            )}
          </section>
          <SightingHistory alert={alert} context={context} now={now} />
        </aside>
      </div>

      {props.group && props.group.length > 1 ? (
        <section aria-label="Sightings decided together" data-testid="compare-group">
          <p className={styles.groupNote}>
            {plural(props.group.length, 'sighting')} of this person: look at every face — your decision is recorded for all {props.group.length} sightings.
          </p>
          {/* Every member's own face, not only the lead's: one decision covers them all. */}
          <ol className={styles.groupFaces} data-testid="compare-group-faces">
            {props.group.map((a) => (
              <li key={a.id} data-alert-id={a.id} aria-current={a.id === alert.id ? 'true' : undefined}>
                <CropImage alert={a} className={styles.groupThumb} />
                <span className={styles.groupFaceText}>
                  <span>{a.camera.name}</span>
                  <span className="muted">{formatTime(a.firstSeenAt, now)}</span>
                  {a.id === alert.id ? <span className="muted">(shown above)</span> : null}
                </span>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      {notice && (!notice.alertId || notice.alertId === alert.id) ? (
        <p className={styles.notice} data-tone={notice.tone} role={notice.tone === 'info' ? 'status' : 'alert'} data-testid="compare-notice">
          {notice.text}
        </p>
      ) : null}

      <div className={styles.compareActions} data-testid="compare-actions">
        {abilities.triage ? (
          <>
            {!alert.claimedBy && claimableWithoutCorrection(alert.status) ? (
              <button type="button" className="button primary" onClick={onClaim} disabled={busy}>
                <Kbd>C</Kbd> {CLAIM_LABELS[alert.status]}
              </button>
            ) : null}
            {heldByOther ? <span className="warn-text">{alert.claimedBy!.name} is handling this alert.</span> : null}
            {mine && alert.claimCorrection !== null ? (
              <span className="small" data-testid="compare-correcting">
                Correcting the decision: “{alert.claimCorrection}”
              </span>
            ) : null}
            {canDecide ? (
              <>
                <button type="button" className={`button ${styles.falseButton}`} onClick={() => onDecide('false_alert')} disabled={busy}>
                  <Kbd>F</Kbd> {DECISION_LABELS.false_alert}
                </button>
                <button type="button" className={`button ${styles.engageButton}`} onClick={() => onDecide('engage')} disabled={busy}>
                  <Kbd>E</Kbd> {DECISION_LABELS.engage}
                </button>
              </>
            ) : null}
          </>
        ) : (
          <span className="muted">Your role reads alerts and can release claims; operators decide.</span>
        )}
        {canRelease ? (
          <button type="button" className="button" onClick={onRelease} disabled={busy}>
            <Kbd>R</Kbd> Release
          </button>
        ) : null}
        {canDecide ? (
          <label className={styles.noteField}>
            <span className="visually-hidden">Note for the record (optional)</span>
            <input type="text" value={note} maxLength={2000} placeholder="Note for the record (optional)" onChange={(e) => onNoteChange(e.target.value)} />
          </label>
        ) : null}
      </div>

      {/* Inside the dialog: everything outside a modal dialog is inert, notices included. */}
      <ClaimNotices inDialog />

      {canCorrect ? <CorrectionForm busy={busy} onCorrect={props.onCorrect} /> : null}

      {canOutcome ? (
        <div className={styles.outcomes} role="group" aria-label="Outcome of the engagement" data-testid="outcome-menu">
          <span className={styles.outcomesLabel}>Outcome:</span>
          {OUTCOMES.map((outcome, i) => (
            <button
              key={outcome}
              type="button"
              className="button small-button"
              aria-pressed={alert.outcome === outcome}
              onClick={() => onOutcome(outcome)}
              disabled={busy}
            >
              <Kbd>{i + 1}</Kbd> {OUTCOME_LABELS[outcome]}
            </button>
          ))}
        </div>
      ) : null}

      <div className={styles.compareFooter}>
        <RetainSection alert={alert} allowed={abilities.retain} busy={busy} onRetain={props.onRetain} />
        <p className={styles.keys} aria-hidden="true">
          <Kbd>J</Kbd>/<Kbd>K</Kbd> next/previous · <Kbd>C</Kbd> claim · <Kbd>F</Kbd> false alert · <Kbd>E</Kbd> engage · <Kbd>1</Kbd>–<Kbd>5</Kbd> outcome ·{' '}
          <Kbd>R</Kbd> release · <Kbd>Esc</Kbd> close (you keep the claim)
        </p>
      </div>
    </dialog>
  );
}

/**
 * "Correct this decision": a decided alert is claimed again only with a reason, recorded with the
 * claim — so nobody changes a decision by claiming from a list that had not caught up with it.
 */
function CorrectionForm({ busy, onCorrect }: { busy: boolean; onCorrect(reason: string): Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const short = reason.trim().length < 10;
  if (!open) {
    return (
      <div className={styles.outcomes} data-testid="correction-section">
        <button type="button" className="button" onClick={() => setOpen(true)}>
          Correct this decision…
        </button>
      </div>
    );
  }
  return (
    <form
      className={styles.retainForm}
      data-testid="correction-section"
      onSubmit={(event) => {
        event.preventDefault();
        if (short) return;
        void onCorrect(reason.trim()).then((corrected) => {
          if (!corrected) return;
          setOpen(false);
          setReason('');
        });
      }}
    >
      <label className="field">
        <span>Why is the decision being corrected? (at least 10 characters, recorded)</span>
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} required minLength={10} autoFocus />
      </label>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || short}>
          Claim to correct
        </button>
        <button type="button" className="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RetainSection({ alert, allowed, busy, onRetain }: { alert: AlertView; allowed: boolean; busy: boolean; onRetain(reason: string): Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const short = reason.trim().length < 10;
  if (alert.retained) {
    return (
      <section className={styles.retain} aria-label="Image retention" data-testid="retain-section">
        <h3>Retention</h3>
        <p className="small">
          Image kept past the retention period: <em>{alert.retainReason}</em>
        </p>
      </section>
    );
  }
  return (
    <section className={styles.retain} aria-label="Image retention" data-testid="retain-section">
      <h3>Retention</h3>
      <p className="small muted">
        {alert.cropUrl
          ? 'The camera image is deleted after the retention period unless kept with a reason.'
          : 'The camera image was deleted at the end of the retention period; the decisions remain on record.'}
      </p>
      {allowed && alert.cropUrl ? (
        open ? (
          <form
            className={styles.retainForm}
            onSubmit={(event) => {
              event.preventDefault();
              if (short) return;
              // onRetain reports its own failures and resolves false.
              void onRetain(reason.trim()).then((kept) => {
                if (kept) setOpen(false);
              });
            }}
          >
            <label className="field">
              <span>Reason for keeping the image (at least 10 characters)</span>
              <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} required minLength={10} />
            </label>
            <div className="form-actions">
              <button type="submit" className="button" disabled={busy || short}>
                Retain image
              </button>
              <button type="button" className="button" onClick={() => setOpen(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <button type="button" className="button small-button" onClick={() => setOpen(true)}>
            Retain image…
          </button>
        )
      ) : null}
    </section>
  );
}

type ContextState = { alertId: string; context: AlertContext | null; error: string | null };

/**
 * The alert's deployment zone, cameras and this person's sightings there (GET
 * /api/alerts/:id/sightings), read again when the alert or its state changes.
 */
function useAlertContext(alert: AlertView): ContextState {
  const [state, setState] = useState<ContextState>({ alertId: alert.id, context: null, error: null });
  // The sightings change when this person is seen again or an alert of theirs is decided.
  const refreshKey = `${alert.id}|${alert.status}|${alert.sightings}`;
  useEffect(() => {
    const abort = new AbortController();
    const id = refreshKey.split('|')[0]!;
    fetchAlertContext(id, abort.signal).then(
      (context) => setState({ alertId: id, context, error: null }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setState({ alertId: id, context: null, error: error instanceof Error ? error.message : 'The sightings could not be loaded.' });
      },
    );
    return () => abort.abort();
  }, [refreshKey]);
  return state.alertId === alert.id ? state : { alertId: alert.id, context: null, error: null };
}

/** The camera on a map of its deployment (zone and every camera), and a link to its live tile. */
function CameraPlace({ alert, context }: { alert: AlertView; context: ContextState }) {
  const seenAt = useMemo(() => new Set(context.context?.sightings.map((s) => s.camera.id)), [context.context]);
  return (
    <section aria-label="Where the camera is" className={own.place}>
      <div className={own.placeHeader}>
        <h3>Where</h3>
        <Link
          className="button small-button"
          href={`/live/${encodeURIComponent(alert.deploymentId)}?camera=${encodeURIComponent(alert.camera.id)}`}
          data-testid="show-tile"
        >
          Show this tile
        </Link>
      </div>
      <CameraInsetMap
        key={alert.camera.id}
        camera={alert.camera}
        cameras={context.context?.cameras ?? []}
        zone={context.context?.deployment.zone ?? null}
        seenAt={seenAt}
        height={MAP_HEIGHT}
      />
      <p className="muted small">Amber: this camera{seenAt.size > 1 ? '; ringed: others where this person was seen' : ''}. Outline: the deployment zone.</p>
    </section>
  );
}

/** Every alert of this watchlist entry in this deployment: camera, London time with zone, outcome. */
function SightingHistory({ alert, context, now }: { alert: AlertView; context: ContextState; now: number }) {
  const sightings = context.context?.sightings;
  return (
    <section aria-label="Sightings of this person in this deployment" className={own.sightings}>
      <h3>Sightings here</h3>
      {context.error ? (
        <p className="small danger-text" role="alert">
          {context.error}
        </p>
      ) : !sightings ? (
        <p className="muted small">Loading sightings…</p>
      ) : (
        <ol data-testid="sighting-history" tabIndex={0} aria-label="Sightings, newest first">
          {sightings.map((s) => (
            <li key={s.alertId} data-alert-id={s.alertId} aria-current={s.alertId === alert.id ? 'true' : undefined}>
              <span className={own.sightingWhen}>{londonTimeWithZone(s.firstSeenAt, now)}</span>
              <span className={own.sightingCamera}>{s.camera.name}</span>
              <span className={own.sightingOutcome}>
                {s.outcome ? OUTCOME_LABELS[s.outcome] : STATUS_LABELS[s.status]}
                {s.sightings > 1 ? <span className="muted"> · seen {plural(s.sightings, 'time')}</span> : null}
                {s.alertId === alert.id ? <span className="muted"> · this alert</span> : null}
              </span>
            </li>
          ))}
        </ol>
      )}
      {context.context?.truncated ? <p className="muted small">Only the latest {sightings?.length} are listed.</p> : null}
    </section>
  );
}
