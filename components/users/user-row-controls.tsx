'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { HUMAN_ROLES, ROLE_LABELS, type Role } from '@/lib/auth/permissions';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords-policy';
import { sendJson } from '@/components/ui/api';
import { useConfirm } from '@/components/ui/confirm-dialog';

type Props = { id: string; email: string; role: Role; disabled: boolean; isSelf: boolean };

/** Role, access and password controls for one user; the server decides (last admin, self-disable). */
export function UserRowControls({ id, email, role, disabled, isSelf }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [ask, confirmDialog] = useConfirm();

  async function change(body: { role?: Role; disabled?: boolean }) {
    await send(`/api/users/${id}`, 'PATCH', body);
  }

  async function resetPassword(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const password = String(new FormData(form).get('password') ?? '');
    const yes = await ask({
      title: `Set a temporary password for ${email}?`,
      body: 'They are signed out everywhere and must choose their own password at their next sign-in.',
      confirmLabel: 'Set temporary password',
    });
    if (!yes) return;
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
          void ask({
            title: `Change the role of ${email}?`,
            body: `From ${ROLE_LABELS[role]} to ${ROLE_LABELS[next]}. They are signed out everywhere.`,
            confirmLabel: `Make ${ROLE_LABELS[next]}`,
          }).then((yes) => (yes ? change({ role: next }) : undefined));
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
          void ask({
            title: `${verb} ${email}?`,
            body: disabled ? 'They can sign in again.' : 'They are signed out at once and cannot sign in until enabled again.',
            confirmLabel: verb,
            danger: !disabled,
          }).then((yes) => (yes ? change({ disabled: !disabled }) : undefined));
        }}
      >
        {disabled ? 'Enable' : 'Disable'}
      </button>
      {!isSelf && (
        <details>
          <summary className="small">Reset password</summary>
          <form className="row-controls" noValidate onSubmit={(event) => void resetPassword(event)}>
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
      {confirmDialog}
      {notice && (
        <p className="ok-text small" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}
