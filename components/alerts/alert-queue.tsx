'use client';

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { AlertView } from '@/lib/alerts/data';
import { claimableWithoutCorrection, mayDecide, mayRecordOutcome, OUTCOME_LABELS, OUTCOMES, type Decision, type Outcome } from '@/lib/alerts/state';
import { can, type Role } from '@/lib/auth/permissions';
import { ApiError } from '@/components/ui/api';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { plural } from '@/lib/format/plural';
import { DEFAULT_ESCALATION } from '@/lib/settings/schema';
import {
  claimAlert,
  claimToCorrect,
  decideAlert,
  decideGroup,
  extendClaim,
  fetchAlert,
  fetchEscalation,
  recordGroupOutcome,
  recordOutcome,
  releaseAlert,
  retainAlert,
} from './alert-api';
import { buildQueue, escalationQueue, indexQueue, newlyOverdue, type EscalationLimits, type QueueItem } from './alert-queue-items';
import styles from './alert-queue.module.css';
import { AlertRow, type RowAbilities } from './alert-row';
import { cameraOptions, isFiltered, NO_FILTER, STATE_FILTER_LABELS, type AlertFilter, type StateFilter } from './alert-store';
import { audioState, enableAudio, installAudioUnlock, onAudioStateChange, playAlertTone, readMuted, writeMuted, type AudioState } from './alert-tone';
import { ClaimNotices } from './claim-notices';
import { heldByViewer } from './claim-time';
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
  /** When awaiting alerts escalate; read from the settings (GET /api/settings/alert-escalation) when not given. */
  escalation?: EscalationLimits;
};

/** Outcomes that lead to action on a person: recorded only after the operator confirms. */
const CONFIRMED_OUTCOMES: ReadonlySet<Outcome> = new Set(['arrest', 'safeguarding']);

const ROW_HEIGHT = 96;
const COMPACT_ROW_HEIGHT = 120;
/** A new alert's row pulses this long. */
const FRESH_MS = 6000;
/** How often the escalation limits are read again, so an administrator's change applies without a reload. */
const LIMITS_REFRESH_MS = 60_000;

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
 * The operator's alert queue (issues 6 and 15): the live deployments' open alerts, awaiting first
 * and oldest first (decided ones under their own filter), repeated sightings of one person as one
 * item, pushed over the socket; claim, compare, decide, record the outcome, retain — by mouse or
 * by keys (J/K move, Enter compare, C claim, R release; in the comparison F false alert,
 * E engage, 1–5 outcome, Esc close). Awaiting alerts escalate: colour past the first limit, a
 * sound past the second. Used full-width on /alerts and as a compact panel beside the live tiles.
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
  escalation: escalationProp,
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
  // What the operator would really hear: the browser keeps audio blocked until a click or key.
  const [audio, setAudio] = useState<AudioState>('running');
  useEffect(() => {
    installAudioUnlock();
    const stored = readMuted();
    mutedRef.current = stored;
    setMuted(stored);
    const update = () => setAudio(audioState());
    update();
    return onAudioStateChange(update);
  }, []);
  const toggleMuted = () => {
    const next = !muted;
    mutedRef.current = next;
    setMuted(next);
    writeMuted(next);
    // Turning sound on is itself the gesture the browser waits for.
    if (!next) void enableAudio().then(() => setAudio(audioState()));
  };
  const enableSound = () => void enableAudio().then(() => setAudio(audioState()));
  const sound: 'off' | 'blocked' | 'on' | 'unavailable' = muted ? 'off' : audio === 'running' ? 'on' : audio;
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
    setAnnouncement(alerts.length === 1 ? `New alert: ${first.name}, ${first.camera.name}.` : `${plural(alerts.length, 'new alert')}, latest ${first.name}.`);
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
  // The alert in the comparison stays in the list while it is open, even once decided.
  const [pinnedId, setPinnedId] = useState<string | null>(null);
  // O(n log n) per change of the list (alert-queue-items.ts), not per tick.
  const visible = useMemo(() => buildQueue(list.items, filter, pinnedId), [list.items, filter, pinnedId]);
  const positions = useMemo(() => indexQueue(visible), [visible]);
  const cameras = useMemo(() => cameraOptions(list.cameras, filter.deploymentId), [list.cameras, filter.deploymentId]);
  const deploymentNames = useMemo(() => new Map([...list.cameras.values()].map((c) => [c.deploymentId, c.deploymentName])), [list.cameras]);
  const unhandled = list.unhandled;

  // The selection is an alert (by id; a group is selected by any of its alerts), and survives
  // arrivals above it; one that leaves the filtered list hands over to its neighbour.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const lastIndex = useRef(0);
  const selectedIndex = useMemo(() => {
    const at = selectedId ? (positions.get(selectedId) ?? -1) : -1;
    return at >= 0 ? at : visible.length ? Math.min(lastIndex.current, visible.length - 1) : -1;
  }, [visible, positions, selectedId]);
  lastIndex.current = Math.max(0, selectedIndex);
  const selectedItem = selectedIndex >= 0 ? visible[selectedIndex]! : null;
  const selected = selectedItem?.lead ?? null;
  const listRef = useRef<VirtualListHandle>(null);
  const [comparing, setComparing] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => setNote(''), [selected?.id]);
  useEffect(() => setPinnedId(comparing && selected ? selected.id : null), [comparing, selected]);

  const select = useCallback((alert: AlertView) => setSelectedId(alert.id), []);
  const move = (delta: number) => {
    if (!visible.length) return;
    const next = Math.min(visible.length - 1, Math.max(0, selectedIndex + delta));
    select(visible[next]!.lead);
    listRef.current?.ensureVisible(next);
  };

  // ── escalation: colour past the first limit (the rows), a sound past the second ─────────
  const [limits, setLimits] = useState<EscalationLimits>(escalationProp ?? DEFAULT_ESCALATION);
  useEffect(() => {
    if (escalationProp) return;
    let stale = false;
    const read = () =>
      fetchEscalation()
        .then((value) =>
          setLimits((current) =>
            stale || (current.colourAfterSeconds === value.colourAfterSeconds && current.soundAfterSeconds === value.soundAfterSeconds)
              ? current
              : { colourAfterSeconds: value.colourAfterSeconds, soundAfterSeconds: value.soundAfterSeconds },
          ),
        )
        .catch(() => undefined); // the limits last read (or the defaults) stand
    void read();
    const timer = setInterval(() => void read(), LIMITS_REFRESH_MS);
    return () => {
      stale = true;
      clearInterval(timer);
    };
  }, [escalationProp]);
  // The sound follows every awaiting alert, not the filtered list: an operator looking at
  // "Decided" or at one camera still hears an overdue alert.
  const everyAwaiting = useMemo(() => escalationQueue(list.items), [list.items]);
  const sounded = useRef(new Set<string>());
  useEffect(() => {
    const due = newlyOverdue(everyAwaiting, now, limits, sounded.current);
    if (due.length > 0 && !mutedRef.current && feed.state.phase === 'ready') playAlertTone();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once a second, with the clock
  }, [now]);

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

  // The group of the alert (found by its lead), or just the alert.
  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  const positionsRef = useRef(positions);
  positionsRef.current = positions;
  const groupOf = useCallback((alert: AlertView): readonly AlertView[] => {
    const at = positionsRef.current.get(alert.id);
    return at === undefined ? [alert] : visibleRef.current[at]!.alerts;
  }, []);

  /** Runs `each` for every alert of the group in turn (claims and releases are per alert); stops at the first refusal. */
  const actOnGroup = useCallback(
    async (alerts: readonly AlertView[], each: (alert: AlertView) => Promise<AlertView>, done: string) => {
      if (alerts.length === 0) return;
      const lead = alerts[0]!;
      for (const alert of alerts) if (!(await act(lead, () => each(alert)))) return;
      setNotice({ tone: 'info', text: done, alertId: lead.id });
    },
    [act],
  );

  // Row callbacks take the alert and stay the same functions while the list changes, so
  // unchanged rows skip rendering. On a group they act on each of its alerts.
  const claim = useCallback(
    (alert: AlertView) => {
      const free = groupOf(alert).filter((a) => !a.claimedBy && claimableWithoutCorrection(a.status));
      const text = free.length > 1 ? `You hold all ${free.length} sightings of ${alert.name}.` : `You hold the alert for ${alert.name}.`;
      void actOnGroup(free, (a) => claimAlert(a.id), text);
    },
    [actOnGroup, groupOf],
  );
  const correct = useCallback(
    (alert: AlertView, reason: string) => act(alert, () => claimToCorrect(alert.id, reason), `You hold the alert for ${alert.name} to correct its decision.`),
    [act],
  );
  const release = useCallback(
    (alert: AlertView) => {
      const held = groupOf(alert).filter((a) => a.claimedBy !== null && (a.claimedBy.id === viewer.id || abilities.releaseAny));
      void actOnGroup(
        held,
        (a) => releaseAlert(a.id),
        `Released ${held.length > 1 ? `all ${plural(held.length, 'sighting')}` : 'the alert'} for ${alert.name}.`,
      );
    },
    [actOnGroup, groupOf, viewer.id, abilities.releaseAny],
  );
  /** Extends every alert of the group the viewer holds: each claim lapses on its own. */
  const extend = (alert: AlertView) => {
    const held = heldByViewer(groupOf(alert), viewer.id);
    const text =
      held.length > 1
        ? `Your claims on all ${plural(held.length, 'sighting')} of ${alert.name} were extended.`
        : `Your claim on the alert for ${alert.name} was extended.`;
    void actOnGroup(held, (a) => extendClaim(a.id), text);
  };
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
  const members = (alerts: readonly AlertView[]) => alerts.map((a) => ({ id: a.id, version: a.version }));
  const decide = (alert: AlertView, decision: Decision) => {
    const group = groupOf(alert);
    if (group.length > 1 && alert.status === 'new' && alert.claimedBy?.id === viewer.id) {
      const text = `Recorded for all ${group.length} sightings: ${decision === 'false_alert' ? 'no match (false alert).' : 'possible match → engage. Record the outcome when known (1–5).'}`;
      const apply = (views: AlertView[]) => views.forEach((v) => feed.apply(v));
      void act(
        alert,
        () => decideGroup({ alerts: members(group), decision, note: note.trim() || undefined }).then((r) => (apply(r.alerts), r.alerts[0]!)),
        text,
      ).then((ok) => ok && setNote(''));
      return;
    }
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
  // Arrest and safeguarding are asked again, in the app's own dialog, before they are recorded.
  const [confirming, setConfirming] = useState<{ alert: AlertView; outcome: Outcome } | null>(null);
  const outcome = (alert: AlertView, value: Outcome, confirmed = false) => {
    if (alert.claimedBy?.id !== viewer.id || !mayRecordOutcome(alert)) return;
    if (CONFIRMED_OUTCOMES.has(value) && !confirmed) return setConfirming({ alert, outcome: value });
    const group = groupOf(alert);
    if (group.length > 1 && alert.status === 'engaged') {
      const apply = (views: AlertView[]) => views.forEach((v) => feed.apply(v));
      void act(
        alert,
        () => recordGroupOutcome({ alerts: members(group), outcome: value, note: note.trim() || undefined }).then((r) => (apply(r.alerts), r.alerts[0]!)),
        `Outcome recorded for all ${group.length} sightings.`,
      ).then((ok) => ok && setNote(''));
      return;
    }
    void act(alert, () => recordOutcome(alert.id, { outcome: value, note: note.trim() || undefined, version: alert.version }), 'Outcome recorded.').then(
      (ok) => ok && setNote(''),
    );
  };
  const notInComparison = (alert: AlertView) =>
    setNotice({ tone: 'warn', text: 'Open the comparison first (Enter): decisions are made with both faces in view.', alertId: alert.id });

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
        // Decisions only with both faces in view.
        if (selected && abilities.triage) {
          if (comparing) decide(selected, key === 'f' ? 'false_alert' : 'engage');
          else notInComparison(selected);
        } else handled = false;
        break;
      case 'r':
        // Releasing is its own key: Esc only closes the comparison, the claim stays.
        if (selected?.claimedBy && (selected.claimedBy.id === viewer.id || abilities.releaseAny)) release(selected);
        else handled = false;
        break;
      case 'Escape':
        if (comparing) closeCompare();
        // Nothing to do: leave Esc to others (the live wall restores an enlarged tile with it).
        else handled = false;
        break;
      default: {
        const n = Number(key);
        if (Number.isInteger(n) && n >= 1 && n <= OUTCOMES.length && selected && abilities.triage) {
          if (comparing) outcome(selected, OUTCOMES[n - 1]!);
          else notInComparison(selected);
        } else handled = false;
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
  const renderRow = (item: QueueItem, _index: number, onScreen: boolean) => (
    <AlertRow
      alert={item.lead}
      group={item.alerts}
      limits={limits}
      viewerId={viewer.id}
      now={now}
      fallbackThreshold={fallbackThreshold(item.lead)}
      selected={item.lead.id === selected?.id}
      fresh={item.alerts.some((a) => fresh.has(a.id))}
      onScreen={onScreen}
      compact={compact}
      showDeployment={deploymentIds.length > 1}
      abilities={rowAbilities}
      busy={busy === item.lead.id}
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
        <div className={styles.soundControls}>
          {sound === 'blocked' ? (
            <button type="button" className="button small-button primary" onClick={enableSound} data-testid="sound-enable">
              Enable sound
            </button>
          ) : null}
          <button
            type="button"
            className={`button small-button ${styles.soundToggle}`}
            aria-pressed={!muted}
            onClick={toggleMuted}
            data-testid="sound-toggle"
            data-sound={sound}
            title={SOUND_TITLES[sound]}
          >
            {SOUND_LABELS[sound]}
          </button>
        </div>
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
              · <Kbd>C</Kbd> claim · <Kbd>R</Kbd> release · in the comparison: <Kbd>F</Kbd> false alert · <Kbd>E</Kbd> engage · <Kbd>1</Kbd>–<Kbd>5</Kbd>{' '}
              outcome · <Kbd>Esc</Kbd> close
            </>
          ) : abilities.releaseAny ? (
            <>
              {' '}
              · <Kbd>R</Kbd> release · <Kbd>Esc</Kbd> close the comparison
            </>
          ) : null}
          {compact ? <span className="muted"> (click the list first)</span> : null}
        </p>
      </div>

      <div className={styles.listWrap}>
        {unseenAbove > 0 ? (
          <button type="button" className={styles.newAbove} onClick={() => listRef.current?.scrollToTop()}>
            ↑ {plural(unseenAbove, 'new alert')}
          </button>
        ) : null}
        <VirtualList
          ref={listRef}
          items={visible}
          rowHeight={compact ? COMPACT_ROW_HEIGHT : ROW_HEIGHT}
          getKey={itemKey}
          renderRow={renderRow}
          className={styles.list}
          label="Alerts, awaiting first and oldest first"
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
                  : list.items.length > 0
                    ? 'Nothing open: every alert here has been decided. Choose “Decided” under State to see them.'
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
          onExtend={() => extend(selected)}
          onDecide={(d) => decide(selected, d)}
          onOutcome={(o) => outcome(selected, o)}
          onRetain={(reason) => act(selected, () => retainAlert(selected.id, reason), 'The image will be kept, with your reason recorded.')}
          group={selectedItem?.alerts ?? [selected]}
        />
      ) : null}

      {confirming ? (
        <ConfirmDialog
          title={`Record “${OUTCOME_LABELS[confirming.outcome]}”?`}
          confirmLabel={`Record ${OUTCOME_LABELS[confirming.outcome]}`}
          testId="confirm-outcome"
          className={styles.confirm}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const { alert, outcome: value } = confirming;
            setConfirming(null);
            outcome(list.items.find((a) => a.id === alert.id) ?? alert, value, true);
          }}
        >
          <p>
            This outcome leads to action on a person: <strong>{confirming.alert.name}</strong>. It is recorded in the alert&apos;s history and the audit trail
            {(selectedItem?.alerts.length ?? 1) > 1 ? ` for all ${selectedItem!.alerts.length} sightings of the group` : ''}.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

const itemKey = (item: QueueItem) => item.lead.id;

const SOUND_LABELS = { on: 'Sound on', off: 'Sound off', blocked: 'Sound blocked', unavailable: 'No sound' } as const;
const SOUND_TITLES = {
  on: 'New and overdue alerts sound. Click to turn the sound off.',
  off: 'Sound is off. Click to turn it on.',
  blocked: 'The browser blocks sound until you click on the page: choose “Enable sound”.',
  unavailable: 'This browser cannot play the alert sound.',
} as const;
