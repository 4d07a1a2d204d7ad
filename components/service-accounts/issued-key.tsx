'use client';

import { useState } from 'react';
import { formatLondon } from '@/lib/time/london';

/** A key just made: shown once, with a copy button and the warning that it will not be shown again. */
export function IssuedKey({ label, text, expiresAt, onDone }: { label: string; text: string; expiresAt: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      // (clipboard access needs a secure context; the text can still be selected by hand)
      setCopied('failed');
    }
  }

  return (
    <div className="panel issued-key" role="status" data-testid="issued-key">
      <h2>{label}</h2>
      <p className="warn-text">
        Copy this key now and give it to the camera agent (as <code>SIGHTLINE_AGENT_KEY</code>). It will not be shown again: Sightline keeps only a fingerprint
        of it. If it is lost, rotate the key.
      </p>
      <div className="issued-key-row">
        <input
          className="mono"
          readOnly
          value={text}
          aria-label="The new API key"
          onFocus={(event) => event.currentTarget.select()}
          data-testid="issued-key-text"
        />
        <button className="button primary" type="button" onClick={() => void copy()}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === 'failed' && <p className="small form-error">The browser would not copy it: select the text and copy it by hand.</p>}
      <p className="small muted">It works until {formatLondon(expiresAt)}.</p>
      <div className="form-actions">
        <button className="button" type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}
