import { statusStyle } from '@/components/map';
import styles from './deployments.module.css';

/**
 * A deployment's status as a pill: the map's colour and line pattern (so it matches the zone on
 * the overview map) and the status in words, so colour is never the only cue. No hooks: renders
 * on the server and in client components alike.
 */
export function StatusBadge({ status, large = false, testId }: { status: string; large?: boolean; testId?: string }) {
  const s = statusStyle(status);
  return (
    <span className={`${styles.badge} ${large ? styles.badgeLarge : ''}`} style={{ color: s.colour }} data-status={status} data-testid={testId}>
      <svg viewBox="0 0 22 8" width="22" height="8" aria-hidden="true" className={styles.badgeSwatch}>
        <line
          x1="1"
          y1="4"
          x2="21"
          y2="4"
          stroke="currentColor"
          strokeWidth={s.phase === 'active' ? 3 : 2}
          strokeDasharray={s.dashArray ?? undefined}
          strokeLinecap="round"
        />
      </svg>
      {s.label}
    </span>
  );
}
