'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { HUMAN_ROLES, ROLE_LABELS } from '@/lib/auth/permissions';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords-policy';
import { sendJson } from '@/components/ui/api';

export function CreateUserForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    setPending(true);
    setError(null);
    setCreated(null);
    try {
      await sendJson('/api/users', 'POST', data);
      setCreated(data.email ?? '');
      form.reset();
      router.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not create the user.');
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="panel form-grid" noValidate onSubmit={(event) => void submit(event)} aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">Add a user</h2>
      <label className="field">
        <span>Name</span>
        <input name="name" required maxLength={120} autoComplete="off" />
      </label>
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" required autoComplete="off" />
      </label>
      <div className="field">
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" name="role" defaultValue="operator">
          {HUMAN_ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </select>
      </div>
      <label className="field">
        <span>Temporary password</span>
        <input name="password" type="password" required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" />
        <small className="muted">At least {MIN_PASSWORD_LENGTH} characters. Give it to the person; they must choose their own at first sign-in.</small>
      </label>
      <div className="form-actions">
        <button className="button primary" type="submit" disabled={pending}>
          {pending ? 'Adding…' : 'Add user'}
        </button>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {created && (
          <p className="ok-text" role="status">
            Added {created}. They must set their own password when they first sign in.
          </p>
        )}
      </div>
    </form>
  );
}
