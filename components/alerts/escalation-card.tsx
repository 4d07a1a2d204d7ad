'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callApi, messageOf } from '@/components/ui/api';

type Limits = { colourAfterSeconds: number; soundAfterSeconds: number };

/**
 * When alerts awaiting a decision escalate in the queue: colour after the first limit; a sound,
 * and an entry on senior officers' overview, after the second. Admins set both (audited).
 */
export function EscalationCard({ limits, isDefault }: { limits: Limits; isDefault: boolean }) {
  const router = useRouter();
  const [colour, setColour] = useState(String(limits.colourAfterSeconds));
  const [sound, setSound] = useState(String(limits.soundAfterSeconds));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    setBusy(true);
    try {
      await callApi('/api/settings/alert-escalation', 'PUT', { colourAfterSeconds: Number(colour), soundAfterSeconds: Number(sound) });
      setSaved(true);
      router.refresh();
    } catch (e) {
      setError(messageOf(e, 'The limits could not be saved.'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="escalation-heading" data-testid="escalation-settings">
      <h2 id="escalation-heading">When waiting alerts escalate</h2>
      <p className="muted">
        An alert awaiting a decision turns amber in the queue after the first limit; after the second the queue sounds and senior officers see it on their home
        page. Now: {limits.colourAfterSeconds} s and {limits.soundAfterSeconds} s{isDefault ? ' (the defaults)' : ''}.
      </p>
      <form className="form-actions" onSubmit={(e) => void save(e)} noValidate>
        <div className="field">
          <label htmlFor="escalation-colour">Colour after (seconds)</label>
          <input id="escalation-colour" inputMode="numeric" value={colour} onChange={(e) => setColour(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="escalation-sound">Sound and overview after (seconds)</label>
          <input id="escalation-sound" inputMode="numeric" value={sound} onChange={(e) => setSound(e.target.value)} />
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Saving…' : 'Save limits'}
        </button>
        {saved ? <span className="ok-text small">Saved (recorded in the audit trail).</span> : null}
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
