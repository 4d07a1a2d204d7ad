'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ROLE_LABELS, ROLES, type Role } from '@/lib/auth/permissions';
import { sendJson } from '@/components/ui/api';

type Props = { id: string; email: string; role: Role; disabled: boolean; isSelf: boolean };

/** Role and access controls for one user; the server decides (last admin, self-disable). */
export function UserRowControls({ id, email, role, disabled, isSelf }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function change(body: { role?: Role; disabled?: boolean }) {
    setPending(true);
    setError(null);
    try {
      await sendJson(`/api/users/${id}`, 'PATCH', body);
      router.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Change refused.');
      router.refresh();
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
          if (window.confirm(`Change ${email} from ${ROLE_LABELS[role]} to ${ROLE_LABELS[next]}?`)) void change({ role: next });
        }}
      >
        {ROLES.map((r) => (
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
      {error && (
        <p className="form-error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
