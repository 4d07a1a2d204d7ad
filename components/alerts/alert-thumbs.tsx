'use client';

import { useEffect, useState } from 'react';
import type { AlertView } from '@/lib/alerts/data';
import { referenceImageUrl } from './alert-api';
import { cropDeletedText } from './alert-format';
import styles from './alert-queue.module.css';

/** The camera's face crop, or why there is none. Crops are cacheable (their URL names the version). */
export function CropImage({ alert, className }: { alert: AlertView; className?: string }) {
  if (!alert.cropUrl) {
    return (
      <div className={`${styles.imageGone} ${className ?? ''}`} data-testid="crop-deleted">
        {cropDeletedText(alert)}
      </div>
    );
  }
  return (
    // eslint-disable-next-line @next/next/no-img-element -- personal data behind a session: must not be cached or optimised
    <img className={className} src={alert.cropUrl} alt={`Camera image of the face that matched ${alert.name}`} decoding="async" data-testid="crop-image" />
  );
}

/** How long a row must stay on screen before its reference thumbnail is requested. */
const SETTLE_MS = 300;

/**
 * The watchlist reference image. Every request of it is written to the audit trail (the
 * server sends it uncached), so it is shown only where an operator compares: here, mounted only
 * for rows that stay on screen for a moment — a fast scroll through the queue does not fetch
 * (and audit) every image it passes — and in the compare view.
 */
export function ReferenceImage({ alert, className, settle = false }: { alert: AlertView; className?: string; settle?: boolean }) {
  const [ready, setReady] = useState(!settle);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (ready) return;
    const timer = setTimeout(() => setReady(true), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [ready]);
  if (!ready) return <div className={`${styles.imagePending} ${className ?? ''}`} aria-hidden="true" />;
  if (failed) {
    return (
      <div className={`${styles.imageGone} ${className ?? ''}`} data-testid="reference-unavailable">
        Reference image unavailable
      </div>
    );
  }
  return (
    // eslint-disable-next-line @next/next/no-img-element -- audited per view; must not be cached or optimised
    <img
      onError={() => setFailed(true)}
      className={className}
      src={referenceImageUrl(alert.referenceImageId)}
      alt={`Watchlist reference image of ${alert.name}`}
      decoding="async"
      data-testid="reference-image"
    />
  );
}
