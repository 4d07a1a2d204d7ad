import { Hint } from './hint';
import styles from './live-grid.module.css';
import { rateWords } from './operator-words';
import type { TileState } from './types';

export const TILE_STATE_LABELS: Record<TileState, string> = {
  connecting: 'Connecting',
  live: 'Live',
  'no-signal': 'No signal',
  error: 'Error',
};

type Props = {
  name: string;
  state: TileState;
  reason: string | null;
  /** Detections per second, or null when this tile is not being analysed. */
  rate: number | null;
  /** Why the tile is not analysed (detector loading or failed, cross-origin stream). */
  rateNote: string | null;
  enlarged: boolean;
  onToggleEnlarge: () => void;
};

/** Camera name, state in words, detection rate, and the enlarge / restore button. */
export function TileStatusBar({ name, state, reason, rate, rateNote, enlarged, onToggleEnlarge }: Props) {
  const action = enlarged ? `Restore ${name} to the grid` : `Enlarge ${name}`;
  return (
    <div className={styles.bar}>
      <h2 className={styles.name} title={name}>
        {name}
      </h2>
      <span className={styles.state} data-state={state} data-testid="tile-state" title={reason ?? TILE_STATE_LABELS[state]}>
        <span className={styles.dot} aria-hidden="true" />
        <span className={styles.stateText}>{TILE_STATE_LABELS[state]}</span>
      </span>
      {rate !== null ? (
        <span className={styles.rate} data-testid="tile-rate" data-rate={rate}>
          <Hint text={rateWords(rate).text} detail={rateWords(rate).detail} />
        </span>
      ) : (
        rateNote && (
          <span className={`${styles.rate} ${styles.rateOff}`} data-testid="tile-rate">
            <Hint text="Not checking faces" detail={rateNote} />
          </span>
        )
      )}
      <button
        type="button"
        className={styles.iconButton}
        onClick={onToggleEnlarge}
        aria-label={action}
        aria-pressed={enlarged}
        title={enlarged ? `${action} (Esc)` : action}
      >
        {enlarged ? <RestoreIcon /> : <EnlargeIcon />}
      </button>
    </div>
  );
}

function EnlargeIcon() {
  return (
    <svg viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
      <path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4" />
    </svg>
  );
}

function RestoreIcon() {
  return (
    <svg viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
      <path d="M6 2v4H2M14 6h-4V2M10 14v-4h4M2 10h4v4" />
    </svg>
  );
}
