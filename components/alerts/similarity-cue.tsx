import { formatScore, scoreKind, similarityBand, similarityFill, SIMILARITY_LABELS, type Closeness } from './alert-format';
import styles from './alert-queue.module.css';

type Props = { closeness: Closeness; size?: 'row' | 'large' };

/**
 * How close the face is to the watchlist image: a word, a bar and the score with the threshold it
 * was compared against (a distance: lower is closer; a similarity: higher is closer). The bar is
 * fuller the further past the threshold the score lies.
 */
export function SimilarityCue({ closeness, size = 'row' }: Props) {
  const band = similarityBand(closeness);
  const fill = similarityFill(closeness);
  const kind = scoreKind(closeness.metric);
  const threshold = closeness.threshold === null ? 'threshold not recorded' : `threshold ${closeness.threshold.toFixed(2)}`;
  const direction = closeness.metric === 'cosine' ? 'higher is closer' : 'lower is closer';
  return (
    <div
      className={`${styles.similarity} ${size === 'large' ? styles.similarityLarge : ''}`}
      data-band={band}
      data-testid="similarity"
      title={`${closeness.engineId} ${kind} ${formatScore(closeness.score)} (${threshold}; ${direction})`}
    >
      <span className={styles.similarityLabel}>{SIMILARITY_LABELS[band]}</span>
      <span className={styles.similarityBar} aria-hidden="true">
        <span style={{ width: `${Math.round(fill * 100)}%` }} />
      </span>
      <span className={styles.similarityNumber}>
        <span className="visually-hidden">{kind} </span>
        {formatScore(closeness.score)}
        {size === 'large' && closeness.threshold !== null ? <span className="muted"> / {closeness.threshold.toFixed(2)}</span> : null}
      </span>
    </div>
  );
}
