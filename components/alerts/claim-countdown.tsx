import type { AlertView } from '@/lib/alerts/data';
import { CLAIM_TIMEOUT_MS } from '@/lib/alerts/state';
import { claimClock } from './claim-time';
import styles from './claims.module.css';

type Props = {
  alert: Pick<AlertView, 'claimedBy' | 'claimExpiresAt'>;
  /** Server time (the queue's clock), so a badly set PC still counts right. */
  now: number;
  viewerId: string;
  /** One short line for a queue row: "lapses in 4:32". */
  compact?: boolean;
  /** Offered to the holder only; the server checks again (only the holder, only while held). */
  onExtend?(): void;
  busy?: boolean;
};

const MINUTES = Math.round(CLAIM_TIMEOUT_MS / 60_000);

/**
 * How long a claim has left before it lapses (claims lapse CLAIM_TIMEOUT_MS after the holder's
 * last action), amber in the last minute, and — for the holder — a button to extend it. Nothing
 * when nobody holds the alert.
 */
export function ClaimCountdown({ alert, now, viewerId, compact = false, onExtend, busy = false }: Props) {
  const clock = claimClock(alert, now);
  if (!clock || !alert.claimedBy) return null;
  const mine = alert.claimedBy.id === viewerId;
  const whose = mine ? 'Your claim' : `${alert.claimedBy.name}’s claim`;
  const words = clock.tone === 'lapsing' ? `${whose} is lapsing now` : `${whose} lapses in ${clock.text}`;
  if (compact) {
    return (
      <span className={styles.countdownCompact} data-tone={clock.tone} data-testid="claim-countdown" title={words}>
        <span className="visually-hidden">{words}</span>
        <span aria-hidden="true">{clock.tone === 'lapsing' ? 'lapsing' : `lapses in ${clock.text}`}</span>
      </span>
    );
  }
  return (
    <div className={styles.countdown} data-tone={clock.tone} data-testid="claim-countdown">
      <span role="timer" aria-live="off">
        {clock.tone === 'lapsing' ? (
          <>{whose} is lapsing now</>
        ) : (
          <>
            {whose} lapses in <strong className={styles.countdownTime}>{clock.text}</strong>
          </>
        )}
      </span>
      {mine && onExtend ? (
        <button type="button" className="button small-button" onClick={onExtend} disabled={busy} data-testid="extend-claim">
          Extend to {MINUTES} min
        </button>
      ) : null}
    </div>
  );
}
