'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callApi, messageOf } from '@/components/ui/api';

/** The force's name printed on every published deployment record: admins set it (audited). */
export function ForceNameCard({ name, manage }: { name: string; manage: boolean }) {
  const router = useRouter();
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    setBusy(true);
    try {
      await callApi('/api/settings/force-name', 'PUT', { name: value });
      setSaved(true);
      router.refresh();
    } catch (e) {
      setError(messageOf(e, 'The name could not be saved.'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="force-name-heading" data-testid="force-name">
      <h2 id="force-name-heading">Name on published records</h2>
      <p className="muted">
        Printed at the top of every deployment record a force publishes. Now: <strong>{name}</strong>
      </p>
      {manage ? (
        <form className="form-actions" onSubmit={(e) => void save(e)} noValidate>
          <div className="field">
            <label htmlFor="force-name-input">Force name</label>
            <input id="force-name-input" value={value} maxLength={120} onChange={(e) => setValue(e.target.value)} />
          </div>
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Saving…' : 'Save name'}
          </button>
          {saved ? <span className="ok-text small">Saved (recorded in the audit trail).</span> : null}
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}
