'use client';

import { useRouter } from 'next/navigation';
import { startTransition, useEffect, useState } from 'react';
import { MainLandmark } from '@/components/shell/landmark';

const RETRY_EVERY_S = 5;

/**
 * Any page that failed to load — most often because the server lost its database for a moment (a
 * restart, a failover). Says so plainly, tries again by itself every few seconds, and comes back
 * as soon as the page loads: nobody needs to restart anything. Nothing was changed.
 */
export default function PageError({ reset }: { error: Error & { digest?: string }; reset(): void }) {
  const router = useRouter();
  const [seconds, setSeconds] = useState(RETRY_EVERY_S);
  const retry = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });
  useEffect(() => {
    const timer = setInterval(() => {
      setSeconds((left) => {
        if (left > 1) return left - 1;
        retry();
        return RETRY_EVERY_S;
      });
    }, 1000);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one timer for the page's life
  }, []);
  return (
    <MainLandmark className="page">
      <div className="panel message-panel" role="alert">
        <p className="eyebrow">Sightline</p>
        <h1>This page could not be loaded</h1>
        <p>The server could not answer — usually because it cannot reach its database for a moment. Nothing was changed.</p>
        <p className="muted" aria-live="polite">
          Trying again in {seconds} s…
        </p>
        <div className="row-controls">
          <button type="button" className="button primary" onClick={retry}>
            Try again now
          </button>
        </div>
      </div>
    </MainLandmark>
  );
}
