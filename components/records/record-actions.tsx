'use client';

import { useState } from 'react';
import styles from './record.module.css';

/**
 * Downloads and printing of a record. Every export is audited on the server: the downloads are
 * plain links to the API (which records them), and printing first tells the server, then opens
 * the browser's print dialog on the print layout (A4, black on white).
 */
export function RecordActions({ deploymentId }: { deploymentId: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/deployments/${encodeURIComponent(deploymentId)}/record`;

  async function print() {
    setBusy(true);
    setProblem(null);
    try {
      const response = await fetch(`${base}/print`, { method: 'POST' });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: string } | null;
        setProblem(body?.error ?? `The print could not be recorded (HTTP ${response.status}), so it was not started.`);
        return;
      }
      window.print();
    } catch {
      setProblem('The server could not be reached, so the print was not recorded or started.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={styles.actions} data-testid="record-actions">
      <button type="button" className="button" onClick={() => void print()} disabled={busy} aria-busy={busy}>
        {busy ? 'Preparing…' : 'Print or save as PDF'}
      </button>
      <a className="button" href={`${base}?format=csv`} download>
        Download CSV
      </a>
      <a className="button" href={`${base}?format=json`} download>
        Download JSON
      </a>
      <span className="muted small">Each download and print is recorded in the audit trail.</span>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
