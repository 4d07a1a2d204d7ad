'use client';

import Link from 'next/link';

/**
 * A deployments page that failed to load (the database or the server, not a refusal: 403 and
 * 404 have their own pages). Says so plainly and offers to try again; nothing was changed.
 */
export default function DeploymentsError({ reset }: { error: Error & { digest?: string }; reset(): void }) {
  return (
    <div className="page">
      <div className="panel message-panel" role="alert">
        <p className="eyebrow">Deployments</p>
        <h1>This page could not be loaded</h1>
        <p className="muted">Something went wrong on the server. Nothing was changed. Try again, or come back in a moment.</p>
        <div className="row-controls">
          <button type="button" className="button primary" onClick={reset}>
            Try again
          </button>
          <Link className="button" href="/deployments">
            All deployments
          </Link>
        </div>
      </div>
    </div>
  );
}
