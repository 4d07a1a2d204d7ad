import { formatDistance, similarityBand, similarityFill, SIMILARITY_LABELS } from './alert-format';
import styles from './alert-queue.module.css';

type Props = { distance: number; threshold: number; size?: 'row' | 'large' };

/**
 * How close the face is to the watchlist image: a word, a bar and the distance with the
 * threshold it was compared against. Lower distance is closer; the bar is fuller.
 */
export function SimilarityCue({ distance, threshold, size = 'row' }: Props) {
  const band = similarityBand(distance, threshold);
  const fill = similarityFill(distance, threshold);
  return (
    <div
      className={`${styles.similarity} ${size === 'large' ? styles.similarityLarge : ''}`}
      data-band={band}
      data-testid="similarity"
      title={`Face distance ${formatDistance(distance)} (threshold ${threshold.toFixed(2)}; lower is closer)`}
    >
      <span className={styles.similarityLabel}>{SIMILARITY_LABELS[band]}</span>
      <span className={styles.similarityBar} aria-hidden="true">
        <span style={{ width: `${Math.round(fill * 100)}%` }} />
      </span>
      <span className={styles.similarityNumber}>
        <span className="visually-hidden">distance </span>
        {formatDistance(distance)}
        {size === 'large' ? <span className="muted"> / threshold {threshold.toFixed(2)}</span> : null}
      </span>
    </div>
  );
}
