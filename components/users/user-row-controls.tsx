'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { HUMAN_ROLES, ROLE_LABELS, type Role } from '@/lib/auth/permissions';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords-policy';
import { sendJson } from '@/components/ui/api';

type Props = { id: string; email: string; role: Role; disabled: boolean; isSelf: boolean };

/** Role, access and password controls for one user; the server decides (last admin, self-disable). */
export function UserRowControls({ id, email, role, disabled, isSelf }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function change(body: { role?: Role; disabled?: boolean }) {
    await send(`/api/users/${id}`, 'PATCH', body);
  }

  async function resetPassword(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const password = String(new FormData(form).get('password') ?? '');
    if (!window.confirm(`Set a temporary password for ${email}? They are signed out everywhere and must choose their own at next sign-in.`)) return;
    if (await send(`/api/users/${id}/password`, 'POST', { password })) {
      form.reset();
      setNotice('Temporary password set; they were signed out.');
    }
  }

  async function send(url: string, method: 'PATCH' | 'POST', body: unknown): Promise<boolean> {
    setPending(true);
    setError(null);
    setNotice(null);
    try {
      await sendJson(url, method, body);
      router.refresh();
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Change refused.');
      router.refresh();
      return false;
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="row-controls">
      <label className="visually-hidden" htmlFor={`role-${id}`}>
        Role of {email}
      </label>
      <select
        id={`role-${id}`}
        value={role}
        disabled={pending}
        onChange={(e) => {
          const next = e.target.value as Role;
          if (window.confirm(`Change ${email} from ${ROLE_LABELS[role]} to ${ROLE_LABELS[next]}? They are signed out everywhere.`)) void change({ role: next });
        }}
      >
        {HUMAN_ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      <button
        type="button"
        className={disabled ? 'button' : 'button danger'}
        disabled={pending || (isSelf && !disabled)}
        title={isSelf && !disabled ? 'You cannot disable your own account' : undefined}
        onClick={() => {
          const verb = disabled ? 'Enable' : 'Disable';
          if (window.confirm(`${verb} ${email}? ${disabled ? '' : 'They are signed out at once.'}`)) void change({ disabled: !disabled });
        }}
      >
        {disabled ? 'Enable' : 'Disable'}
      </button>
      {!isSelf && (
        <details>
          <summary className="small">Reset password</summary>
          <form className="row-controls" onSubmit={(event) => void resetPassword(event)}>
            <label className="visually-hidden" htmlFor={`reset-${id}`}>
              Reset password of {email}
            </label>
            <input id={`reset-${id}`} name="password" type="password" required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" />
            <button type="submit" className="button" disabled={pending}>
              Set temporary password
            </button>
          </form>
        </details>
      )}
      {error && (
        <p className="form-error small" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="ok-text small" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}
