'use client';

import { useCallback, useEffect, useState } from 'react';

type Result = { ok: boolean; count: number; firstBrokenId: number | null };
type State = { kind: 'checking' } | { kind: 'done'; result: Result; at: Date } | { kind: 'error'; message: string };

/** Verifies the hash chain on the server and says plainly whether the record is intact. */
export function ChainStatus() {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const verify = useCallback(async () => {
    setState({ kind: 'checking' });
    try {
      const response = await fetch('/api/audit/verify', { cache: 'no-store' });
      if (!response.ok) throw new Error((await response.json()).message ?? `HTTP ${response.status}`);
      setState({ kind: 'done', result: (await response.json()) as Result, at: new Date() });
    } catch (error) {
      setState({ kind: 'error', message: error instanceof Error ? error.message : 'Verification failed' });
    }
  }, []);
  useEffect(() => void verify(), [verify]);

  return (
    <div className="chain-status panel" data-testid="chain-status" aria-live="polite">
      {state.kind === 'checking' && <p className="muted">Verifying the hash chain…</p>}
      {state.kind === 'error' && <p className="form-error">Could not verify: {state.message}</p>}
      {state.kind === 'done' &&
        (state.result.ok ? (
          <p className="ok-text">
            <strong>Chain intact</strong> — {state.result.count.toLocaleString('en-GB')} events verified at{' '}
            {state.at.toLocaleTimeString('en-GB')}.
          </p>
        ) : (
          <p className="danger-text">
            <strong>Chain broken</strong> at event #{state.result.firstBrokenId}: a record was altered or removed
            outside Sightline.
          </p>
        ))}
      <button type="button" className="button" onClick={() => void verify()} disabled={state.kind === 'checking'}>
        Verify again
      </button>
    </div>
  );
}
