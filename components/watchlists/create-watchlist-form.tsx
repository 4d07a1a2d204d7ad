'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { sendJson } from '@/components/ui/api';

export function CreateWatchlistForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setBusy(true);
    setError(null);
    try {
      const { id } = await sendJson<{ id: string }>('/api/watchlists', 'POST', Object.fromEntries(new FormData(form)));
      router.push(`/watchlists/${id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not create the watchlist');
      setBusy(false);
    }
  }

  return (
    <form className="panel form-grid compact" noValidate onSubmit={(event) => void submit(event)} aria-labelledby="new-watchlist">
      <h2 id="new-watchlist">New watchlist</h2>
      <label className="field">
        <span>Name</span>
        <input name="name" required maxLength={120} />
      </label>
      <label className="field">
        <span>Description</span>
        <input name="description" maxLength={2000} />
      </label>
      <div className="form-actions">
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create watchlist'}
        </button>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
