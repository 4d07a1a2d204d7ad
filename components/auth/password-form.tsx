'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords-policy';
import { messageOf, sendJson } from '@/components/ui/api';

type Props = { forced: boolean };

/** Choose a new password: the current (or temporary) one, then the new one twice. */
export function PasswordForm({ forced }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const currentPassword = String(data.get('currentPassword') ?? '');
    const newPassword = String(data.get('newPassword') ?? '');
    // The app's own words, not the browser's bubbles (the form is noValidate).
    if (!currentPassword) {
      setError(forced ? 'Enter the temporary password you were given.' : 'Enter your current password.');
      return;
    }
    if (newPassword.length < MIN_PASSWORD_LENGTH) {
      setError(`The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
      return;
    }
    if (newPassword !== String(data.get('confirmPassword') ?? '')) {
      setError('The two new passwords are not the same.');
      return;
    }
    setPending(true);
    setError(null);
    try {
      await sendJson('/api/me/password', 'POST', { currentPassword, newPassword });
      form.reset();
      setDone(true);
      if (forced) {
        router.replace('/');
        router.refresh();
      }
    } catch (e) {
      setError(messageOf(e, 'The password could not be changed.'));
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="form-stack" onSubmit={(event) => void submit(event)} noValidate>
      <label className="field">
        <span>{forced ? 'Temporary password' : 'Current password'}</span>
        <input name="currentPassword" type="password" autoComplete="current-password" required autoFocus />
      </label>
      <div className="field">
        <label htmlFor="new-password">New password</label>
        <input
          id="new-password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          aria-describedby="new-password-hint"
        />
        <small id="new-password-hint" className="muted">
          At least {MIN_PASSWORD_LENGTH} characters; only you should know it.
        </small>
      </div>
      <label className="field">
        <span>New password again</span>
        <input name="confirmPassword" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="ok-text" role="status">
          Password changed. {forced ? 'Opening the control room…' : 'Your other sessions were signed out.'}
        </p>
      )}
      <button className="button primary" type="submit" disabled={pending}>
        {pending ? 'Saving…' : forced ? 'Set my password' : 'Change password'}
      </button>
    </form>
  );
}
