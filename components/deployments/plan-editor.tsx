'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { DeploymentPlanMap, PLAN_SHORTCUTS } from '@/components/map';
import { useConfirm } from '@/components/ui/confirm-dialog';
import { OVERRIDE_REASON_MIN, type PlanProblem } from '@/lib/deployments/schema';
import type { PlanForecast } from '@/lib/recognition/forecasts';
import { CAMERA_DEFAULTS, polygonCentroid, type CameraPlacement, type GeoPolygon } from '@/lib/geo/geometry';
import { ApiError, callApi, issuesOf, messageOf, missingOf } from './api';
import { CameraList } from './camera-list';
import { JustificationFields } from './justification-fields';
import { ReadinessChecklist } from './readiness-checklist';
import {
  FIELD_LABELS,
  cameraBody,
  dedupeSummary,
  inlineSentence,
  listInWords,
  validChanges,
  cameraDraftFromView,
  draftFromView,
  fieldId,
  inputErrors,
  pendingChanges,
  planFieldOf,
  problemSentence,
  readinessProblems,
  toPlacement,
  type CameraDraft,
  type FieldErrors,
  type PlanDraft,
  type SummaryItem,
} from './plan-draft';
import { Modal } from './modal';
import type { Notice } from './notices';
import type { CameraView, DeploymentView, WatchlistOption } from './types';
import styles from './deployments.module.css';

type PlanEditorProps = {
  view: DeploymentView;
  watchlists: WatchlistOption[] | null;
  /** Something the officer must see (an authorisation withdrawn, a submission made). */
  onNotice(notice: Notice | null): void;
  /** For a plan that was not a draft: back to the read-only view (offered while nothing is unsaved). */
  onStopEditing?(): void;
};

type EditOutcome = { status?: string; authorisationWithdrawn?: boolean; notice?: string | null };

const CAMERA_PATHS: Record<string, string> = { 'source.url': 'sourceUrl', 'source.kind': 'sourceKind', source: 'sourceUrl' };

/**
 * The plan of a deployment as its planner edits it: the zone and cameras on the map with the
 * camera list beside it, then the justification form and a checklist of what submission needs.
 * Everything is a working copy until Save, which sends only what changed (the plan's fields in
 * one PATCH, then each added, changed or removed camera); Submit saves first, then submits.
 * Problems are shown where they are — beside the field — and listed in a summary that links
 * to each.
 */
export function PlanEditor({ view, watchlists, onNotice, onStopEditing }: PlanEditorProps) {
  const router = useRouter();
  const [baseline, setBaseline] = useState(view);
  const [draft, setDraft] = useState<PlanDraft>(() => draftFromView(view));
  const [cameras, setCameras] = useState<CameraDraft[]>(() => view.cameras.map(cameraDraftFromView));
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [busy, setBusy] = useState<'saving' | 'submitting' | null>(null);
  const [attempted, setAttempted] = useState(false);
  const [submitAttempted, setSubmitAttempted] = useState(false);
  const [serverProblems, setServerProblems] = useState<PlanProblem[] | null>(null);
  const [saveErrors, setSaveErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const [overrideReason, setOverrideReason] = useState('');
  /** The server refused a submission as over the target: the reason is asked for whatever the preview says. */
  const [overrideAsked, setOverrideAsked] = useState(false);
  /** The forecast the accuracy section shows (of the plan as typed). */
  const [forecast, setForecast] = useState<PlanForecast>(view.accuracy);
  const summaryRef = useRef<HTMLDivElement>(null);
  const newCount = useRef(0);
  // Cameras keep the key they were created with after saving, so selection and focus survive.
  const keyOfId = useRef(new Map<string, string>());

  // A newer server copy (after a refresh) becomes the baseline; the working copy is kept.
  const [seenView, setSeenView] = useState(view);
  if (view !== seenView) {
    setSeenView(view);
    if (view.updatedAt !== baseline.updatedAt) setBaseline(view);
  }

  const fromServer = (c: CameraView): CameraDraft => ({ ...cameraDraftFromView(c), key: keyOfId.current.get(c.id) ?? c.id });

  const pending = useMemo(() => pendingChanges(draft, cameras, baseline), [draft, cameras, baseline]);
  const dirty = pending.count > 0;
  const verifier = baseline.accuracy.verifier;
  const typedErrors = useMemo(() => inputErrors(draft, cameras, verifier), [draft, cameras, verifier]);
  const existingIds = useMemo(() => (watchlists ? new Set(watchlists.map((w) => w.id)) : null), [watchlists]);
  const readiness = useMemo(() => readinessProblems(draft, cameras, existingIds), [draft, cameras, existingIds]);
  const problems = serverProblems ?? readiness;

  // Leaving with unsaved changes asks first: closing the tab, reloading or typing another address
  // (the browser's own question, the only one it allows there), and every link in the page — the
  // breadcrumb, the navigation — and the browser's Back button with this page's own dialog.
  const [leaveTo, setLeaveTo] = useState<string | null>(null);
  const leavingByHistory = useRef(false);
  useEffect(() => {
    if (!dirty) return;
    // Back cannot be cancelled, only undone: while the plan is unsaved an extra entry for this
    // same page sits on top of the history, so Back lands here (not on another page) and the
    // entry is put back before asking. Next's own state is copied so its router still knows it.
    if (!isHistoryGuard(window.history.state)) window.history.pushState(withHistoryGuard(window.history.state), '', window.location.href);
    const pagePath = window.location.pathname;
    const onPopState = () => {
      if (leavingByHistory.current || isHistoryGuard(window.history.state)) return;
      // Several steps back to another page (the browser's history menu) cannot be held here.
      if (window.location.pathname !== pagePath) return;
      window.history.pushState(withHistoryGuard(window.history.state), '', window.location.href);
      setLeaveTo(HISTORY_BACK);
    };
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    const onClick = (e: MouseEvent) => {
      const to = inAppDestination(e);
      if (!to) return;
      // Captured on the document, before Next's <Link> (on React's root) sees the click.
      e.preventDefault();
      e.stopPropagation();
      setLeaveTo(to);
    };
    window.addEventListener('beforeunload', warn);
    window.addEventListener('popstate', onPopState);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      window.removeEventListener('popstate', onPopState);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty]);
  /** Goes where the officer asked to: a link's address, or back past this page and its guard entry. */
  const leave = (to: string) => {
    if (to !== HISTORY_BACK) return router.push(to);
    leavingByHistory.current = true;
    window.history.go(-2);
  };

  const [askConfirm, confirmDialog] = useConfirm();
  async function confirmDiscard() {
    const sure = await askConfirm({
      title: 'Discard your changes?',
      body: `${pending.count === 1 ? 'The unsaved change' : `All ${pending.count} unsaved changes`} to this plan will be lost. The saved plan stays as it is.`,
      confirmLabel: 'Discard changes',
      danger: true,
    });
    if (sure) discard();
  }

  /** Typed errors worth showing now: "required" is said once a save or submit was tried, not while a camera is being placed. */
  const shownTyped: FieldErrors = useMemo(() => {
    const out: FieldErrors = {};
    for (const [key, message] of Object.entries(typedErrors)) {
      const emptyRequired = key === 'name' || key.endsWith(':name') || key.endsWith(':sourceUrl');
      const empty = key === 'name' ? !draft.name.trim() : emptyRequired && isEmptyCameraField(cameras, key);
      if (!empty || attempted) out[key] = message;
    }
    return { ...out, ...saveErrors };
  }, [typedErrors, saveErrors, attempted, draft.name, cameras]);

  /** Inline errors: after a submit, what is missing; over that, what is wrong as typed or was refused on save. */
  const errors: FieldErrors = useMemo(() => {
    const out: FieldErrors = {};
    if (submitAttempted) {
      for (const p of problems) {
        if (!(p.field in FIELD_LABELS)) continue;
        out[p.field] = out[p.field] ? `${out[p.field]} ${inlineSentence(p)}` : inlineSentence(p);
      }
    }
    return { ...out, ...shownTyped };
  }, [submitAttempted, problems, shownTyped]);

  /** The summary: each gap in the server's words (they name the thing), then each wrong field by its label. */
  const summary: SummaryItem[] = useMemo(() => {
    const items: SummaryItem[] = [];
    const add = (href: string, text: string) => items.push({ href, text });
    if (submitAttempted) for (const p of problems) add(`#${fieldId(p.field in FIELD_LABELS ? p.field : 'name')}`, problemSentence(p));
    for (const [key, message] of Object.entries(shownTyped)) {
      if (!message) continue;
      if (key.startsWith('camera:')) {
        const [, cameraKey, field] = key.split(':');
        const camera = cameras.find((c) => c.key === cameraKey);
        add(`#camera-${cameraKey}-${field}`, `${camera?.name || 'A camera'}: ${message}`);
      } else {
        add(`#${fieldId(key)}`, `${FIELD_LABELS[key] ?? key}: ${message}`);
      }
    }
    return dedupeSummary(items);
  }, [submitAttempted, problems, shownTyped, cameras]);

  // ─── working copy ─────────────────────────────────────────────────────────────────────

  function touched() {
    setServerProblems(null);
    setSavedMessage(null);
  }

  function changeDraft(patch: Partial<PlanDraft>) {
    touched();
    setDraft((d) => ({ ...d, ...patch }));
    setSaveErrors((e) =>
      withoutKeys(
        e,
        Object.keys(patch).map((k) => (k === 'startsLocal' ? 'startsAt' : k === 'endsLocal' ? 'endsAt' : k)),
      ),
    );
  }

  function changeCamera(key: string, patch: Partial<CameraDraft>) {
    touched();
    setCameras((cs) => cs.map((c) => (c.key === key ? { ...c, ...patch } : c)));
    setSaveErrors((e) =>
      withoutKeys(
        e,
        Object.keys(patch).map((k) => `camera:${key}:${k}`),
      ),
    );
  }

  function addCamera(at: { lat: number; lng: number }) {
    touched();
    newCount.current += 1;
    const key = `new-${newCount.current}`;
    const taken = new Set(cameras.map((c) => c.name));
    let n = cameras.length + 1;
    while (taken.has(`Camera ${n}`)) n += 1;
    const camera: CameraDraft = { key, id: null, name: `Camera ${n}`, lat: at.lat, lng: at.lng, ...CAMERA_DEFAULTS, sourceKind: 'device', sourceUrl: '' };
    setCameras((cs) => [...cs, camera]);
    setSelectedKey(key);
  }

  function removeCamera(key: string) {
    touched();
    setCameras((cs) => cs.filter((c) => c.key !== key));
    if (selectedKey === key) setSelectedKey(null);
  }

  function moveCameraOnMap(placement: CameraPlacement) {
    changeCamera(placement.id, { lat: placement.lat, lng: placement.lng, heading: placement.heading, fov: placement.fov, rangeM: placement.rangeM });
  }

  function discard() {
    setDraft(draftFromView(baseline));
    setCameras(baseline.cameras.map(fromServer));
    setSaveErrors({});
    setFormError(null);
    setServerProblems(null);
    setAttempted(false);
    setSubmitAttempted(false);
  }

  // Moving focus to the summary waits for React to have drawn it: an effect after the commit.
  const [summaryFocus, setSummaryFocus] = useState(0);
  useEffect(() => {
    if (summaryFocus > 0) summaryRef.current?.focus();
  }, [summaryFocus]);
  const focusSummary = () => setSummaryFocus((n) => n + 1);

  // ─── saving ───────────────────────────────────────────────────────────────────────────

  /** Sends what changed; true when everything was saved. */
  async function save(): Promise<boolean> {
    setAttempted(true);
    setFormError(null);
    setSavedMessage(null);
    // What is wrong as typed is held back and marked; everything else is saved as a draft.
    const changes = validChanges(draft, cameras, baseline, typedErrors);
    const heldBack = changes.held.length > 0;
    const showHeld = () => {
      const first = Object.keys(typedErrors)[0]!;
      const camera = first.startsWith('camera:') ? first.split(':')[1] : null;
      if (camera) setSelectedKey(camera);
      focusSummary();
    };
    if (heldBack && changes.count === 0) {
      setFormError(`Nothing was saved: correct ${listInWords(changes.held)} first (marked below).`);
      showHeld();
      return false;
    }
    if (!dirty) return true;

    setBusy('saving');
    const base = baseline;
    const outcomes: EditOutcome[] = [];
    const errorsFound: FieldErrors = {};
    let failed: string | null = null;
    try {
      if (Object.keys(changes.plan).length > 0) {
        outcomes.push(
          await callApi<EditOutcome>(`/api/deployments/${base.id}`, 'PATCH', changes.plan).catch(placeErrors(errorsFound, (path) => planFieldOf(path))),
        );
      }
      for (const camera of changes.removed) {
        outcomes.push(await callApi<EditOutcome>(`/api/deployments/${base.id}/cameras/${camera.id}`, 'DELETE'));
      }
      for (const camera of changes.added) {
        const created = await callApi<CameraView & EditOutcome>(`/api/deployments/${base.id}/cameras`, 'POST', cameraBody(camera)).catch(
          placeErrors(errorsFound, (path) => `camera:${camera.key}:${CAMERA_PATHS[path] ?? path}`),
        );
        keyOfId.current.set(created.id, camera.key);
        setCameras((cs) => cs.map((c) => (c.key === camera.key ? { ...c, id: created.id } : c)));
        outcomes.push(created);
      }
      for (const { camera, body } of changes.changed) {
        outcomes.push(
          await callApi<EditOutcome>(`/api/deployments/${base.id}/cameras/${camera.id}`, 'PATCH', body).catch(
            placeErrors(errorsFound, (path) => `camera:${camera.key}:${CAMERA_PATHS[path] ?? path}`),
          ),
        );
      }
    } catch (error) {
      failed = messageOf(error, 'The plan could not be saved.');
    }

    // Whatever happened, take the server's copy as the new baseline: what was saved is no longer pending.
    const latest = await callApi<DeploymentView>(`/api/deployments/${base.id}`, 'GET').catch(() => null);
    if (latest) setBaseline(latest);
    if (failed) {
      setSaveErrors(errorsFound);
      setFormError(`Not everything was saved. ${failed}`);
      const camera = Object.keys(errorsFound)
        .find((k) => k.startsWith('camera:'))
        ?.split(':')[1];
      if (camera) setSelectedKey(camera);
      focusSummary();
    } else if (latest) {
      // Saved as the server keeps it (trimmed text, normalised headings); what was held back stays as typed.
      const saved = draftFromView(latest);
      const kept: Partial<PlanDraft> = {};
      for (const k of changes.heldDraftKeys) Object.assign(kept, { [k]: draft[k] });
      setDraft({ ...saved, ...kept });
      const heldCameras = cameras.filter((c) => changes.heldCameraKeys.has(c.key));
      setCameras([...latest.cameras.map(fromServer).map((c) => heldCameras.find((h) => h.id === c.id) ?? c), ...heldCameras.filter((h) => h.id === null)]);
      setSaveErrors({});
      if (heldBack) {
        setFormError(`Saved as a draft, except ${listInWords(changes.held)}: correct what is marked and save again.`);
        setSavedMessage('Saved as a draft; some fields still need correcting.');
        showHeld();
      } else {
        setAttempted(false);
        setSavedMessage('All changes saved.');
      }
    }
    reportOutcomes(outcomes);
    setBusy(null);
    router.refresh();
    return failed === null && !heldBack;
  }

  function reportOutcomes(outcomes: EditOutcome[]) {
    const withdrawn = outcomes.find((o) => o.authorisationWithdrawn);
    if (withdrawn) {
      onNotice({
        tone: 'withdrawn',
        title: 'Authorisation withdrawn',
        text: withdrawn.notice ?? 'The change withdrew the authorisation: the plan must be submitted and authorised again.',
      });
      return;
    }
    const returned = outcomes.find((o) => o.notice && o.notice !== 'Nothing changed.' && o.status === 'draft' && !/outside the zone/.test(o.notice));
    if (returned?.notice) onNotice({ tone: 'warn', title: 'Back to draft', text: returned.notice });
  }

  async function submit() {
    setSubmitAttempted(true);
    // Over the force's target, a plan goes forward only with a recorded reason (the server checks again).
    // Over the target as previewed, or as the server said on the last try (the preview may be stale).
    const overTarget = (forecast.forecast.complete && !forecast.forecast.meetsTarget) || overrideAsked;
    if (overTarget && overrideReason.trim().length < OVERRIDE_REASON_MIN) {
      setSaveErrors((e) => ({
        ...e,
        overrideReason: `The forecast is over the force’s target: change the plan, or say why it should go ahead anyway (at least ${OVERRIDE_REASON_MIN} characters).`,
      }));
      setFormError('Not submitted: the false-alert forecast is over the target.');
      focusSummary();
      return;
    }
    if (dirty || Object.keys(typedErrors).length > 0) {
      const saved = await save();
      if (!saved) return;
    }
    setBusy('submitting');
    setFormError(null);
    try {
      await callApi<DeploymentView>(`/api/deployments/${baseline.id}/submit`, 'POST', overTarget ? { overrideReason } : {});
      setServerProblems(null);
      setOverrideReason('');
      setOverrideAsked(false);
      onNotice({
        tone: 'ok',
        title: 'Submitted for authorisation',
        text: 'Another senior officer must now authorise or reject the plan. You cannot authorise it yourself.',
      });
      router.refresh();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'incomplete_plan') {
        setServerProblems(missingOf(error));
        setFormError(null);
      } else if (error instanceof ApiError && error.code === 'forecast_over_target') {
        // Shown beside the reason field, which this error brings into view even if the preview said "within".
        setOverrideAsked(true);
        setSaveErrors((e) => ({ ...e, overrideReason: error.message }));
        setFormError('Not submitted: the false-alert forecast is over the target.');
      } else {
        setFormError(messageOf(error, 'The plan could not be submitted.'));
      }
      focusSummary();
    } finally {
      setBusy(null);
    }
  }

  // ─── rendering ────────────────────────────────────────────────────────────────────────

  const placements = cameras.filter((c) => [c.lat, c.lng, c.heading, c.fov, c.rangeM].every(Number.isFinite)).map(toPlacement);
  const showSummary = formError !== null || (submitAttempted && summary.length > 0) || (attempted && summary.length > 0);
  const working = busy !== null;
  const zoneError = errors.zone ?? null;
  const camerasError = errors.cameras ?? null;

  return (
    <div className={styles.editor} data-testid="plan-editor">
      {showSummary ? (
        <div ref={summaryRef} className={styles.errorSummary} role="alert" tabIndex={-1} aria-labelledby="error-summary-title" data-testid="error-summary">
          <h2 id="error-summary-title">
            {submitAttempted && problems.length > 0 ? 'This plan cannot be submitted yet' : formError ? 'There is a problem' : 'Some fields need attention'}
          </h2>
          {formError ? <p>{formError}</p> : null}
          {summary.length > 0 ? (
            <ul>
              {summary.map((item) => (
                <li key={item.href + item.text}>
                  <a href={item.href} onClick={(e) => jumpTo(e, item.href, (key) => setSelectedKey(key))}>
                    {item.text}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      <section className={styles.whereGrid} aria-label="Zone and cameras">
        <div id={fieldId('zone')} tabIndex={-1} className={`${styles.mapColumn} ${zoneError ? styles.fieldInvalid : ''}`}>
          <DeploymentPlanMap
            zone={draft.zone}
            cameras={placements}
            editable={!working}
            selectedCameraId={selectedKey}
            onZoneChange={(zone: GeoPolygon | null) => changeDraft({ zone })}
            onCameraAdd={addCamera}
            onCameraChange={moveCameraOnMap}
            onCameraSelect={setSelectedKey}
            height={560}
            label={`Plan map of ${draft.name || 'this deployment'}`}
          />
          {zoneError ? (
            <p className={styles.fieldError} data-testid="field-error">
              <span aria-hidden="true">⚠ </span>
              {zoneError}
            </p>
          ) : null}
          <details className={`small ${styles.shortcuts}`}>
            <summary>Map keyboard shortcuts</summary>
            <p className="muted" data-testid="shortcut-scope">
              The letter keys work anywhere on this page except while typing in a field; Enter, Backspace, Delete and Esc work with focus on the map or its
              tools.
            </p>
            <ul>
              {PLAN_SHORTCUTS.map((s) => (
                <li key={s.keys + s.does}>
                  <kbd>{s.keys}</kbd> {s.does}
                  {s.when ? <span className="muted"> (while {s.when === 'draw' ? 'drawing' : 'editing the zone'})</span> : null}
                </li>
              ))}
            </ul>
          </details>
        </div>
        <CameraList
          cameras={cameras}
          zone={draft.zone}
          selectedKey={selectedKey}
          onSelect={setSelectedKey}
          onChange={changeCamera}
          onRemove={removeCamera}
          onAddAtCentre={() => {
            if (!draft.zone) return;
            const c = polygonCentroid(draft.zone);
            addCamera({ lat: Math.round(c.lat * 1e6) / 1e6, lng: Math.round(c.lng * 1e6) / 1e6 });
          }}
          errors={errors}
          listError={camerasError}
          disabled={working}
        />
      </section>

      <section className={styles.whyGrid} aria-labelledby="justification-heading">
        <div className="panel">
          <h2 id="justification-heading">Justification</h2>
          <p className="muted small">What the authorising officer reads before deciding. Everything here is recorded with the plan.</p>
          <JustificationFields
            draft={draft}
            onChange={changeDraft}
            errors={errors}
            watchlists={watchlists}
            disabled={working}
            accuracy={{
              // Once the saved threshold is superseded, what is typed is for the recogniser verifying here.
              verifierId: baseline.accuracy.verifierUnavailable ? null : baseline.verifierId,
              superseded: baseline.accuracy.verifierUnavailable,
              askOverride: overrideAsked,
              initial: baseline.accuracy,
              overrideReason,
              onOverrideReasonChange: (reason) => {
                setOverrideReason(reason);
                setSaveErrors((e) => withoutKeys(e, ['overrideReason']));
              },
              onForecast: setForecast,
            }}
          />
        </div>
        <ReadinessChecklist problems={readiness} />
      </section>

      <Modal open={leaveTo !== null} title="Leave without saving?" onClose={() => setLeaveTo(null)} testId="leave-dialog">
        <p>
          This plan has {pending.count === 1 ? 'an unsaved change' : `${pending.count} unsaved changes`}. If you leave now{' '}
          {pending.count === 1 ? 'it is' : 'they are'} lost.
        </p>
        <div className="form-actions">
          <button type="button" className="button primary" autoFocus onClick={() => setLeaveTo(null)}>
            Stay and keep editing
          </button>
          <button
            type="button"
            className="button"
            disabled={working}
            onClick={() => {
              const to = leaveTo;
              setLeaveTo(null);
              void save().then((ok) => {
                if (ok && to) leave(to);
              });
            }}
          >
            Save, then leave
          </button>
          <button
            type="button"
            className="button danger"
            onClick={() => {
              const to = leaveTo;
              discard();
              setLeaveTo(null);
              if (to) leave(to);
            }}
          >
            Leave without saving
          </button>
        </div>
      </Modal>

      {confirmDialog}
      <div className={styles.actionBar} role="region" aria-label="Save and submit" data-testid="plan-actions">
        <p className={styles.actionStatus} role="status" data-testid="save-status">
          {busy === 'saving'
            ? 'Saving…'
            : busy === 'submitting'
              ? 'Submitting…'
              : dirty
                ? // After a save that held fields back, what was saved is said first, then what is not.
                  `${savedMessage ? `${savedMessage} ` : ''}Unsaved changes (${pending.count})`
                : (savedMessage ?? 'No unsaved changes')}
        </p>
        <div className={styles.actionButtons}>
          {dirty ? (
            <button type="button" className="button" onClick={() => void confirmDiscard()} disabled={working}>
              Discard changes
            </button>
          ) : onStopEditing ? (
            <button type="button" className="button" onClick={onStopEditing} disabled={working}>
              Stop editing
            </button>
          ) : null}
          <button type="button" className="button" onClick={() => void save()} disabled={working || !dirty}>
            {busy === 'saving' ? 'Saving…' : 'Save changes'}
          </button>
          <button type="button" className="button primary" onClick={() => void submit()} disabled={working}>
            {busy === 'submitting' ? 'Submitting…' : dirty ? 'Save and submit for authorisation' : 'Submit for authorisation'}
          </button>
        </div>
      </div>
    </div>
  );
}

/** leaveTo's value when the officer pressed the browser's Back button rather than a link. */
const HISTORY_BACK = 'history:back';
const GUARD_KEY = 'sightlinePlanGuard';

function isHistoryGuard(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as Record<string, unknown>)[GUARD_KEY] === true;
}

function withHistoryGuard(state: unknown): Record<string, unknown> {
  return { ...(typeof state === 'object' && state !== null ? state : {}), [GUARD_KEY]: true };
}

/**
 * Where a click on a link would take the officer inside this app, or null: not a plain
 * left-click, not a link, another site or window, or only a place in this page (the summary's
 * links to fields).
 */
function inAppDestination(e: MouseEvent): string | null {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return null;
  const link = e.target instanceof Element ? e.target.closest('a[href]') : null;
  if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== '_self') || link.hasAttribute('download')) return null;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin) return null;
  if (url.pathname === window.location.pathname && url.search === window.location.search) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

function withoutKeys(errors: FieldErrors, keys: string[]): FieldErrors {
  if (!keys.some((k) => k in errors)) return errors;
  const next = { ...errors };
  for (const k of keys) delete next[k];
  return next;
}

function isEmptyCameraField(cameras: CameraDraft[], key: string): boolean {
  const [, cameraKey, field] = key.split(':');
  const camera = cameras.find((c) => c.key === cameraKey);
  if (!camera) return false;
  return field === 'name' ? !camera.name.trim() : field === 'sourceUrl' ? !camera.sourceUrl.trim() : false;
}

/** Catches a refusal, records the fields it names (422 invalid_input), and fails the save. */
function placeErrors(into: FieldErrors, keyOf: (path: string) => string) {
  return (error: unknown): never => {
    if (error instanceof ApiError) {
      for (const issue of issuesOf(error)) {
        const key = keyOf(issue.field);
        if (key && !into[key]) into[key] = `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.`;
      }
    }
    throw error;
  };
}

/** Summary links: open the camera a field belongs to, then move focus to the field itself. */
function jumpTo(event: React.MouseEvent<HTMLAnchorElement>, href: string, openCamera: (key: string) => void) {
  event.preventDefault();
  const id = href.slice(1);
  const camera = /^camera-(.+)-(name|lat|lng|heading|fov|rangeM|sourceKind|sourceUrl)$/.exec(id);
  if (camera) openCamera(camera[1]!);
  requestAnimationFrame(() => {
    const target = document.getElementById(id);
    target?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    target?.focus({ preventScroll: true });
  });
}
