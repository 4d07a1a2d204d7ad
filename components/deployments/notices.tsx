'use client';

import { useEffect, useRef } from 'react';
import styles from './deployments.module.css';

/** Something an officer must see after an action: above all, an authorisation withdrawn by an edit. */
export type Notice = { tone: 'withdrawn' | 'warn' | 'ok' | 'info'; title: string; text: string };

/**
 * A notice at the top of the workspace. It takes focus when it appears (and scrolls into
 * view), so a withdrawn authorisation is read, not missed below the fold.
 */
export function NoticeBanner({ notice, onDismiss }: { notice: Notice; onDismiss(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
    ref.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [notice]);
  const tone =
    notice.tone === 'withdrawn' ? styles.bannerDanger : notice.tone === 'warn' ? styles.bannerWarn : notice.tone === 'ok' ? styles.bannerOk : styles.bannerInfo;
  return (
    <div
      ref={ref}
      className={`${styles.banner} ${tone}`}
      role={notice.tone === 'withdrawn' || notice.tone === 'warn' ? 'alert' : 'status'}
      tabIndex={-1}
      data-testid="notice"
      data-tone={notice.tone}
    >
      <div>
        <h2 className={styles.bannerTitle}>{notice.title}</h2>
        <p>{notice.text}</p>
      </div>
      <button type="button" className="button small-button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
