'use client';

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { AlertView } from '@/lib/alerts/data';
import { claimableWithoutCorrection, mayDecide, mayRecordOutcome, OUTCOMES, type Decision, type Outcome } from '@/lib/alerts/state';
import { can, type Role } from '@/lib/auth/permissions';
import { ApiError } from '@/components/ui/api';
import { claimAlert, claimToCorrect, decideAlert, extendClaim, fetchAlert, recordOutcome, releaseAlert, retainAlert } from './alert-api';
import styles from './alert-queue.module.css';
import { AlertRow, type RowAbilities } from './alert-row';
import { cameraOptions, filterAlerts, indexOfAlert, isFiltered, NO_FILTER, STATE_FILTER_LABELS, type AlertFilter, type StateFilter } from './alert-store';
import { installAudioUnlock, playAlertTone, readMuted, writeMuted } from './alert-tone';
import { ClaimNotices } from './claim-notices';
import { CompareView, Kbd, type Notice } from './compare-view';
import { useAlertFeed } from './use-alert-feed';
import { VirtualList, type VirtualListHandle } from './virtual-list';

export type AlertQueueProps = {
  /** The live deployments whose alerts to show (the viewer must be allowed to see them). */
  deploymentIds: string[];
  /** The narrow panel beside the live tiles: two-line rows, keys only while focus is in the panel. */
  compact?: boolean;
  viewer: { id: string; name: string; role: Role };
  /** Each deployment's candidate distance, for alerts raised before alerts carried their own thresholds. */
  thresholds?: Record<string, number | null>;
  /** The tab title becomes "(n) <title> · Sightline" with n unhandled alerts; false leaves it alone. */
  documentTitle?: string | false;
  className?: string;
  /** Where the alerts come from; only the development preview (/dev/alerts-preview) replaces it. */
  useFeed?: typeof useAlertFeed;
};

const ROW_HEIGHT = 96;
const COMPACT_ROW_HEIGHT = 120;
/** A new alert's row pulses this long. */
const FRESH_MS = 6000;

const STATE_FILTERS = Object.keys(STATE_FILTER_LABELS) as StateFilter[];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT';
}

/** What changed between the alert the operator looked at and the server's copy, in words. */
function describeChange(before: AlertView | undefined, after: AlertView): string {
  if (!before) return 'The alert changed.';
  const parts: string[] = [];
  if (after.sightings > before.sightings) parts.push(`the person was seen again (${after.sightings} sightings)`);
  if (after.distance < before.distance) parts.push('a closer camera image arrived');
  if (after.claimedBy?.id !== before.claimedBy?.id) parts.push(after.claimedBy ? `${after.claimedBy.name} now holds it` : 'the claim was released');
  if (after.status !== before.status) parts.push('someone else recorded a decision');
  return parts.length ? `The alert changed while you looked at it: ${parts.join('; ')}.` : 'The alert changed while you looked at it.';
}

/**
 * The operator's alert queue (issue 6): the live deployments' alerts, newest first, pushed over
 * the socket; claim, compare, decide, record the outcome, retain — by mouse or by keys
 * (J/K move, Enter compare, C claim, F false alert, E engage, 1–5 outcome, Esc release).
 * Used full-width on /alerts and as a compact panel beside the live tiles.
 *
 * Hiding a button is a courtesy here: the server checks every action again.
 */
export function AlertQueue({
  deploymentIds,
  compact = false,
  viewer,
  thresholds,
  documentTitle = 'Alerts',
  className,
  useFeed = useAlertFeed,
}: AlertQueueProps) {
  const abilities = useMemo(
    () => ({ triage: can(viewer.role, 'alert:triage'), releaseAny: can(viewer.role, 'alert:release-any'), retain: can(viewer.role, 'alert:retain') }),
    [viewer.role],
  );
  const rowAbilities: RowAbilities = useMemo(() => ({ triage: abilities.triage, releaseAny: abilities.releaseAny }), [abilities]);

  // ── arrivals: sound, pulse, screen-reader announcement ─────────────────────────────────
  const [muted, setMuted] = useState(false);
  const mutedRef = useRef(false);
  const [fresh, setFresh] = useState<ReadonlyMap<string, number>>(new Map());
  const [announcement, setAnnouncement] = useState('');
  const [announced, setAnnounced] = useState(0);
  const [unseenAbove, setUnseenAbove] = useState(0);
  const atTopRef = useRef(true);
  useEffect(() => {
    installAudioUnlock();
    const stored = readMuted();
    mutedRef.current = stored;
    setMuted(stored);
  }, []);
  const toggleMuted = () => {
    const next = !muted;
    mutedRef.current = next;
    setMuted(next);
    writeMuted(next);
  };
  const onNewAlerts = useCallback((alerts: AlertView[]) => {
    if (!mutedRef.current) playAlertTone();
    const at = Date.now();
    setFresh((current) => {
      const next = new Map(current);
      for (const a of alerts) next.set(a.id, at);
      return next;
    });
    setAnnounced((n) => n + alerts.length);
    const first = alerts[0]!;
    setAnnouncement(alerts.length === 1 ? `New alert: ${first.name}, ${first.camera.name}.` : `${alerts.length} new alerts, latest ${first.name}.`);
    if (!atTopRef.current) setUnseenAbove((n) => n + alerts.length);
  }, []);

  const feed = useFeed(deploymentIds, { onNewAlerts });
  const { list, apply } = feed;

  // ── the clock: every age on screen ticks together, on the server's time ────────────────
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = () => {
      const at = Date.now();
      setNow(at + feed.clockOffsetMs);
      setFresh((current) => {
        if (current.size === 0) return current;
        const next = new Map([...current].filter(([, t]) => at - t < FRESH_MS));
        return next.size === current.size ? current : next;
      });
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [feed.clockOffsetMs]);

  // ── filters and selection ──────────────────────────────────────────────────────────────
  const [filter, setFilter] = useState<AlertFilter>(NO_FILTER);
  // With 10,000 alerts everything here is O(1) or O(log n) per event, except an active filter.
  const visible = useMemo(() => filterAlerts(list.items, filter), [list.items, filter]);
  const cameras = useMemo(() => cameraOptions(list.cameras, filter.deploymentId), [list.cameras, filter.deploymentId]);
  const deploymentNames = useMemo(() => new Map([...list.cameras.values()].map((c) => [c.deploymentId, c.deploymentName])), [list.cameras]);
  const unhandled = list.unhandled;

  // The selection is an alert (by id and creation time, so it is found by binary search), and
  // survives arrivals above it; one that leaves the filtered list hands over to its neighbour.
  const [selectedKey, setSelectedKey] = useState<{ id: string; createdAt: string } | null>(null);
  const lastIndex = useRef(0);
  const selectedIndex = useMemo(() => {
    const at = selectedKey ? indexOfAlert(visible, selectedKey) : -1;
    return at >= 0 ? at : visible.length ? Math.min(lastIndex.current, visible.length - 1) : -1;
  }, [visible, selectedKey]);
  lastIndex.current = Math.max(0, selectedIndex);
  const selected = selectedIndex >= 0 ? visible[selectedIndex]! : null;
  const listRef = useRef<VirtualListHandle>(null);
  const [comparing, setComparing] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => setNote(''), [selected?.id]);

  const select = useCallback((alert: AlertView) => setSelectedKey({ id: alert.id, createdAt: alert.createdAt }), []);
  const move = (delta: number) => {
    if (!visible.length) return;
    const next = Math.min(visible.length - 1, Math.max(0, selectedIndex + delta));
    select(visible[next]!);
    listRef.current?.ensureVisible(next);
  };

  // ── actions ────────────────────────────────────────────────────────────────────────────
  const [busy, setBusy] = useState<string | null>(null);
  // A key pressed twice must not send the action twice (the second would be refused as stale).
  const inFlight = useRef(new Set<string>());
  const [notice, setNotice] = useState<Notice | null>(null);
  useEffect(() => {
    if (!notice || notice.tone !== 'info') return;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  const refresh = useCallback(
    async (id: string) => {
      try {
        const view = await fetchAlert(id);
        apply(view);
        return view;
      } catch {
        return null;
      }
    },
    [apply],
  );

  const act = useCallback(
    async (alert: AlertView, action: () => Promise<AlertView>, done?: string): Promise<boolean> => {
      if (inFlight.current.has(alert.id)) return false;
      inFlight.current.add(alert.id);
      setBusy(alert.id);
      try {
        apply(await action());
        setNotice(done ? { tone: 'info', text: done, alertId: alert.id } : null);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'alert_changed') {
          const fresher = await refresh(alert.id);
          setNotice({
            tone: 'warn',
            text: `${fresher ? describeChange(alert, fresher) : 'The alert changed.'} Look again before deciding — nothing was recorded.`,
            alertId: alert.id,
          });
        } else {
          if (error instanceof ApiError && error.status === 409) void refresh(alert.id);
          setNotice({ tone: 'error', text: error instanceof Error ? error.message : 'The action failed.', alertId: alert.id });
        }
        return false;
      } finally {
        inFlight.current.delete(alert.id);
        setBusy(null);
      }
    },
    [apply, refresh],
  );

  // Row callbacks take the alert and stay the same functions while the list changes, so
  // unchanged rows skip rendering.
  const claim = useCallback((alert: AlertView) => void act(alert, () => claimAlert(alert.id), `You hold the alert for ${alert.name}.`), [act]);
  const correct = useCallback(
    (alert: AlertView, reason: string) => act(alert, () => claimToCorrect(alert.id, reason), `You hold the alert for ${alert.name} to correct its decision.`),
    [act],
  );
  const release = useCallback((alert: AlertView) => void act(alert, () => releaseAlert(alert.id), `Released the alert for ${alert.name}.`), [act]);
  const open = useCallback(
    (alert: AlertView) => {
      select(alert);
      setComparing(true);
    },
    [select],
  );

  const closeCompare = () => {
    setComparing(false);
    // Keys keep working: focus goes back to the list (the compact panel listens only there).
    requestAnimationFrame(() => listRef.current?.focus());
  };

  const decidedNotice = (alert: AlertView) =>
    setNotice({
      tone: 'warn',
      text: 'This alert has been decided. To change the decision, choose “Correct this decision…” and give the reason.',
      alertId: alert.id,
    });
  const decide = (alert: AlertView, decision: Decision) => {
    if (alert.claimedBy?.id !== viewer.id) {
      if (!alert.claimedBy && !claimableWithoutCorrection(alert.status)) return decidedNotice(alert);
      setNotice({
        tone: 'warn',
        text: alert.claimedBy ? `${alert.claimedBy.name} is handling this alert.` : 'Claim the alert first (C), then decide.',
        alertId: alert.id,
      });
      return;
    }
    if (!mayDecide(alert)) return decidedNotice(alert);
    const text = decision === 'false_alert' ? 'Recorded: no match (false alert).' : 'Recorded: possible match → engage. Record the outcome when known (1–5).';
    void act(alert, () => decideAlert(alert.id, { decision, note: note.trim() || undefined, version: alert.version }), text).then((ok) => ok && setNote(''));
  };
  const outcome = (alert: AlertView, value: Outcome) => {
    if (alert.claimedBy?.id !== viewer.id || !mayRecordOutcome(alert)) return;
    void act(alert, () => recordOutcome(alert.id, { outcome: value, note: note.trim() || undefined, version: alert.version }), 'Outcome recorded.').then(
      (ok) => ok && setNote(''),
    );
  };

  // ── keys ───────────────────────────────────────────────────────────────────────────────
  const handleKey = (event: KeyboardEvent | ReactKeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (isTyping(target)) {
      if (event.key === 'Escape' && target instanceof HTMLElement) {
        target.blur();
        event.preventDefault();
      }
      return;
    }
    // Another component's dialog keeps its keys.
    if (target instanceof Element && target.closest('dialog') && !target.closest('[data-testid="compare-view"]')) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const onControl = target instanceof HTMLElement && /^(BUTTON|A|SUMMARY)$/.test(target.tagName);
    let handled = true;
    switch (key) {
      case 'j':
      case 'ArrowDown':
        move(1);
        break;
      case 'k':
      case 'ArrowUp':
        move(-1);
        break;
      case 'Enter':
        if (onControl || !selected) handled = false;
        else open(selected);
        break;
      case 'c':
        if (selected && abilities.triage) {
          if (selected.claimedBy && selected.claimedBy.id !== viewer.id)
            setNotice({ tone: 'warn', text: `${selected.claimedBy.name} is already handling this alert.`, alertId: selected.id });
          else if (!selected.claimedBy && !claimableWithoutCorrection(selected.status)) {
            // A decided alert: a key press never claims it; the comparison offers the correction.
            decidedNotice(selected);
            open(selected);
          } else if (!selected.claimedBy) claim(selected);
        } else handled = false;
        break;
      case 'f':
      case 'e':
        if (selected && abilities.triage) decide(selected, key === 'f' ? 'false_alert' : 'engage');
        else handled = false;
        break;
      case 'Escape': {
        const mine = selected !== null && selected.claimedBy?.id === viewer.id;
        if (mine) release(selected);
        if (comparing) closeCompare();
        // Nothing to do: leave Esc to others (the live wall restores an enlarged tile with it).
        handled = mine || comparing;
        break;
      }
      default: {
        const n = Number(key);
        if (Number.isInteger(n) && n >= 1 && n <= OUTCOMES.length && selected && abilities.triage) outcome(selected, OUTCOMES[n - 1]!);
        else handled = false;
      }
    }
    if (handled) event.preventDefault();
  };
  const handleKeyRef = useRef(handleKey);
  handleKeyRef.current = handleKey;
  useEffect(() => {
    if (compact) return;
    const onKey = (event: KeyboardEvent) => handleKeyRef.current(event);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [compact]);

  // ── the tab title counts what is waiting for a person ──────────────────────────────────
  useEffect(() => {
    if (documentTitle === false) return;
    const previous = document.title;
    const mine = `${unhandled > 0 ? `(${unhandled}) ` : ''}${documentTitle} · Sightline`;
    document.title = mine;
    return () => {
      // Leaving the page: the next page may already have set its own title.
      if (document.title === mine) document.title = previous;
    };
  }, [unhandled, documentTitle]);

  const onAtTopChange = useCallback((top: boolean) => {
    atTopRef.current = top;
    if (top) setUnseenAbove(0);
  }, []);

  const fallbackThreshold = (alert: AlertView) => thresholds?.[alert.deploymentId] ?? null;
  const renderRow = (alert: AlertView, _index: number, onScreen: boolean) => (
    <AlertRow
      alert={alert}
      viewerId={viewer.id}
      now={now}
      fallbackThreshold={fallbackThreshold(alert)}
      selected={alert.id === selected?.id}
      fresh={fresh.has(alert.id)}
      onScreen={onScreen}
      compact={compact}
      showDeployment={deploymentIds.length > 1}
      abilities={rowAbilities}
      busy={busy === alert.id}
      onSelect={select}
      onOpen={open}
      onClaim={claim}
      onRelease={release}
    />
  );

  const { state } = feed;
  const filtered = isFiltered(filter);
  const rowNotice = notice && !comparing ? notice : null;

  return (
    <section
      className={[styles.queue, compact ? styles.queueCompact : '', className].filter(Boolean).join(' ')}
      aria-label="Alert queue"
      data-testid="alert-queue"
      data-phase={state.phase}
      data-unhandled={unhandled}
      data-announced={announced}
      onKeyDown={compact ? handleKey : undefined}
    >
      <header className={styles.queueHeader}>
        <div className={styles.counts}>
          <span className={styles.unhandled} data-testid="unhandled-count" data-pulse={fresh.size > 0 || undefined}>
            <strong>{unhandled}</strong> awaiting decision
          </span>
          <span className="muted small" data-testid="shown-count">
            {visible.length.toLocaleString('en-GB')} {filtered ? `of ${list.items.length.toLocaleString('en-GB')} ` : ''}shown
          </span>
          {state.phase === 'loading' && state.total > 0 ? (
            <span className="muted small">
              loading {state.loaded.toLocaleString('en-GB')} of {Math.min(state.total, 10_000 * deploymentIds.length).toLocaleString('en-GB')}…
            </span>
          ) : null}
          {state.truncated ? <span className="warn-text small">Only the newest 10,000 per deployment are loaded.</span> : null}
          {feed.realtime !== 'connected' ? (
            <span className={styles.offline} role="status" data-testid="queue-offline">
              {feed.realtime === 'unauthorized' ? 'Signed out: no new alerts. Sign in again.' : 'Reconnecting — new alerts delayed'}
            </span>
          ) : null}
        </div>
        {/* One line for what just happened, always in the same place: the list never jumps. */}
        <div className={styles.noticeSlot}>
          {rowNotice ? (
            <p className={styles.notice} data-tone={rowNotice.tone} role={rowNotice.tone === 'info' ? 'status' : 'alert'} data-testid="queue-notice">
              {rowNotice.text}
            </p>
          ) : state.phase === 'error' ? (
            <p className={styles.notice} data-tone="error" role="alert">
              {state.error}
            </p>
          ) : null}
        </div>
        <button type="button" className={`button small-button ${styles.soundToggle}`} aria-pressed={!muted} onClick={toggleMuted} data-testid="sound-toggle">
          {muted ? 'Sound off' : 'Sound on'}
        </button>
      </header>

      <div className={styles.toolbar}>
        <div className={styles.filters} role="group" aria-label="Filter alerts">
          <label>
            <span>State</span>
            <select value={filter.state} onChange={(e) => setFilter({ ...filter, state: e.target.value as StateFilter })} data-testid="filter-state">
              {STATE_FILTERS.map((s) => (
                <option key={s} value={s}>
                  {STATE_FILTER_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          {deploymentIds.length > 1 ? (
            <label>
              <span>Deployment</span>
              <select
                value={filter.deploymentId ?? ''}
                onChange={(e) => setFilter({ ...filter, deploymentId: e.target.value || null, cameraId: null })}
                data-testid="filter-deployment"
              >
                <option value="">All deployments</option>
                {deploymentIds.map((id) => (
                  <option key={id} value={id}>
                    {deploymentNames.get(id) ?? 'Deployment (no alerts yet)'}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label>
            <span>Camera</span>
            <select value={filter.cameraId ?? ''} onChange={(e) => setFilter({ ...filter, cameraId: e.target.value || null })} data-testid="filter-camera">
              <option value="">All cameras</option>
              {cameras.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {deploymentIds.length > 1 ? ` — ${c.deploymentName}` : ''}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p className={styles.keys} data-testid="queue-shortcuts">
          <Kbd>J</Kbd>/<Kbd>K</Kbd> move · <Kbd>Enter</Kbd> compare
          {abilities.triage ? (
            <>
              {' '}
              · <Kbd>C</Kbd> claim · <Kbd>F</Kbd> false alert · <Kbd>E</Kbd> engage · <Kbd>1</Kbd>–<Kbd>5</Kbd> outcome · <Kbd>Esc</Kbd> release
            </>
          ) : null}
          {compact ? <span className="muted"> (click the list first)</span> : null}
        </p>
      </div>

      <div className={styles.listWrap}>
        {unseenAbove > 0 ? (
          <button type="button" className={styles.newAbove} onClick={() => listRef.current?.scrollToTop()}>
            ↑ {unseenAbove} new {unseenAbove === 1 ? 'alert' : 'alerts'}
          </button>
        ) : null}
        <VirtualList
          ref={listRef}
          items={visible}
          rowHeight={compact ? COMPACT_ROW_HEIGHT : ROW_HEIGHT}
          getKey={alertKey}
          locate={locateAlert}
          renderRow={renderRow}
          className={styles.list}
          label="Alerts, newest first"
          onAtTopChange={onAtTopChange}
          testId="alert-list"
        />
        {visible.length === 0 ? (
          <div className={styles.empty}>
            {state.phase === 'loading'
              ? 'Loading alerts…'
              : deploymentIds.length === 0
                ? 'No live deployment: alerts appear here when one goes live.'
                : filtered && list.items.length > 0
                  ? 'No alert matches these filters.'
                  : 'No alerts yet. New alerts appear here as they happen.'}
          </div>
        ) : null}
      </div>

      <ClaimNotices listen />

      <p className="visually-hidden" aria-live="assertive" data-testid="queue-announcer">
        {announcement}
      </p>

      {comparing && selected ? (
        <CompareView
          alert={selected}
          fallbackThreshold={fallbackThreshold(selected)}
          now={now}
          viewerId={viewer.id}
          abilities={abilities}
          busy={busy === selected.id}
          notice={notice}
          note={note}
          onNoteChange={setNote}
          onClose={closeCompare}
          onClaim={() => claim(selected)}
          onCorrect={(reason) => correct(selected, reason)}
          onRelease={() => release(selected)}
          onExtend={() => void act(selected, () => extendClaim(selected.id), `Your claim on the alert for ${selected.name} was extended.`)}
          onDecide={(d) => decide(selected, d)}
          onOutcome={(o) => outcome(selected, o)}
          onRetain={(reason) => act(selected, () => retainAlert(selected.id, reason), 'The image will be kept, with your reason recorded.')}
        />
      ) : null}
    </section>
  );
}

const alertKey = (alert: AlertView) => alert.id;
const locateAlert = (items: readonly AlertView[], alert: AlertView) => indexOfAlert(items, alert);
