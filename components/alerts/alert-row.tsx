'use client';

import { memo } from 'react';
import type { AlertView } from '@/lib/alerts/data';
import { plural } from '@/lib/format/plural';
import { CATEGORY_LABELS } from '@/lib/watchlists/schema';
import { CATEGORY_SHORT_LABELS, closenessOf, formatAge, formatClock, formatTime, formatWaited, stateOf } from './alert-format';
import { londonZone } from '@/lib/time/london';
import { escalationOf, type EscalationLimits } from './alert-queue-items';
import styles from './alert-queue.module.css';
import { CropImage, ReferenceImage } from './alert-thumbs';
import { SimilarityCue } from './similarity-cue';
import { ClaimCountdown } from './claim-countdown';
import { groupClaim, showsRowCountdown } from './claim-time';

export type RowAbilities = {
  /** The viewer may claim and decide (operators). */
  triage: boolean;
  /** The viewer may release anyone's claim (senior officers). */
  releaseAny: boolean;
};

type Props = {
  /** The alert that stands for the item: the oldest of its group. */
  alert: AlertView;
  /** Every alert of the item, oldest first: repeated sightings of one person, decided once. */
  group: readonly AlertView[];
  limits: EscalationLimits;
  viewerId: string;
  /** Server-corrected "now", ticking every second. */
  now: number;
  /** The deployment's candidate distance, for alerts that carry no thresholds of their own (raised before verification). */
  fallbackThreshold: number | null;
  selected: boolean;
  /** Arrived over the socket a moment ago: pulses. */
  fresh: boolean;
  onScreen: boolean;
  compact: boolean;
  /** The queue spans several deployments: name the alert's. */
  showDeployment: boolean;
  abilities: RowAbilities;
  busy: boolean;
  onSelect(alert: AlertView): void;
  onOpen(alert: AlertView): void;
  onClaim(alert: AlertView): void;
  onRelease(alert: AlertView): void;
};

/** One item in the queue: faces, who, how close, where (every camera of a group), how long it has waited, state and holder. */
export const AlertRow = memo(function AlertRow({
  alert,
  group,
  limits,
  viewerId,
  now,
  fallbackThreshold,
  selected,
  fresh,
  onScreen,
  compact,
  showDeployment,
  abilities,
  busy,
  onSelect,
  onOpen,
  onClaim,
  onRelease,
}: Props) {
  const state = stateOf(alert);
  const mine = alert.claimedBy?.id === viewerId;
  const holder = alert.claimedBy ? (mine ? 'you' : alert.claimedBy.name) : null;
  const escalation = escalationOf({ lead: alert, alerts: group }, now, limits);
  const track = group.length > 1 ? group.map((a) => `${a.camera.name} ${formatTime(a.firstSeenAt, now)}`).join(' → ') : null;
  const open = alert.status === 'new' || alert.status === 'engaged';
  const canClaim = abilities.triage && !alert.claimedBy && open;
  const canRelease = alert.claimedBy !== null && (mine || abilities.releaseAny);
  return (
    <div
      className={`${styles.row} ${compact ? styles.rowCompact : ''}`}
      data-testid="alert-row"
      data-alert-id={alert.id}
      data-alert-ids={group.map((a) => a.id).join(' ')}
      data-group-size={group.length}
      data-escalation={escalation}
      data-state={state.tone}
      data-status={alert.status}
      data-holder={alert.claimedBy?.name ?? ''}
      data-selected={selected || undefined}
      data-fresh={fresh || undefined}
      aria-current={selected ? 'true' : undefined}
      onClick={() => onSelect(alert)}
      onDoubleClick={() => onOpen(alert)}
    >
      <div className={styles.rowFaces}>
        <CropImage alert={alert} className={styles.thumb} />
        {onScreen ? <ReferenceImage alert={alert} className={styles.thumb} settle /> : <div className={`${styles.imagePending} ${styles.thumb}`} />}
      </div>
      <div className={styles.rowWho}>
        <div className={styles.rowName} title={alert.name}>
          {alert.name}
        </div>
        <div className={styles.rowSub}>
          <span className={`category-chip category-${alert.category}`} title={CATEGORY_LABELS[alert.category]}>
            {(compact ? CATEGORY_SHORT_LABELS : CATEGORY_LABELS)[alert.category] ?? alert.category}
          </span>
          {compact ? null : <span className="mono small muted">{alert.reference}</span>}
        </div>
      </div>
      <div className={styles.rowSimilarity}>
        <SimilarityCue closeness={closenessOf(alert, fallbackThreshold)} />
      </div>
      <div className={styles.rowWhere}>
        {track ? (
          <>
            <div className={styles.rowCamera} title={track}>
              {/* The narrow row names the clock once for its track (the tooltip names it for each). */}
              {plural(group.length, 'sighting')} <span className="muted">({londonZone(alert.firstSeenAt)})</span>
            </div>
            {/* The row has room for three; the comparison lists them all (and the tooltip above). */}
            <ol className={styles.track} data-testid="alert-track" aria-label="Where and when the person was seen" title={track}>
              {(group.length > 3 ? [...group.slice(0, 2), group[group.length - 1]!] : group).map((a, i) => (
                <li key={a.id}>
                  {group.length > 3 && i === 2 ? <span className="muted">(+{group.length - 3}) </span> : null}
                  {a.camera.name} <span className="muted">{formatClock(a.firstSeenAt, now)}</span>
                </li>
              ))}
            </ol>
          </>
        ) : (
          <div className={styles.rowCamera} title={alert.camera.name}>
            {alert.camera.name}
          </div>
        )}
        {showDeployment && !compact ? <div className="small muted">{alert.deploymentName}</div> : null}
      </div>
      <div className={styles.rowWhen}>
        <time
          dateTime={alert.firstSeenAt}
          data-testid="alert-age"
          title={alert.status === 'new' ? `Waiting for a decision. ${ESCALATION_TITLES[escalation]}` : undefined}
        >
          {alert.status === 'new' ? formatWaited(alert.firstSeenAt, now) : formatAge(alert.firstSeenAt, now)}
        </time>
        <div className="small muted">
          {formatTime(alert.firstSeenAt, now)}
          {alert.sightings > 1 ? <span title={`Seen ${alert.sightings} times`}> ×{alert.sightings}</span> : null}
        </div>
      </div>
      <div className={styles.rowState}>
        <span className={styles.stateBadge} data-tone={state.tone} data-testid="alert-state">
          {state.label}
        </span>
        <span className={styles.holder} data-testid="alert-holder">
          {holder ? `Held by ${holder}` : open && !compact ? 'Unclaimed' : ''}
        </span>
        {/* The holder's own claims (and senior officers', who release them): the earliest lapse in the group. */}
        {open && showsRowCountdown(alert, viewerId, abilities.releaseAny) ? (
          <ClaimCountdown alert={groupClaim(group)} now={now} viewerId={viewerId} compact />
        ) : null}
      </div>
      <div className={styles.rowActions} onClick={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
        {canClaim ? (
          <button type="button" className="button small-button primary" disabled={busy} onClick={() => onClaim(alert)}>
            Claim
          </button>
        ) : null}
        {canRelease ? (
          <button type="button" className="button small-button" disabled={busy} onClick={() => onRelease(alert)}>
            Release
          </button>
        ) : null}
        <button type="button" className="button small-button" onClick={() => onOpen(alert)} aria-label={`Compare ${alert.name}`} title="Compare (Enter)">
          Compare
        </button>
      </div>
    </div>
  );
});

const ESCALATION_TITLES = {
  none: '',
  late: 'Waiting past the first limit: decide soon.',
  overdue: 'Waiting past the second limit: senior officers see it on the overview.',
} as const;
