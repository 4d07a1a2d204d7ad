import Link from 'next/link';
import { ROLE_LABELS, type Role } from '@/lib/auth/permissions';

type Props = { name: string; email: string; role: Role; signOut: () => Promise<void> };

/** Who is signed in, in which role, and the way out. A <details> menu works without JS and by keyboard. */
export function UserMenu({ name, email, role, signOut }: Props) {
  return (
    <details className="user-menu">
      {/* Named by what it shows (name and role), so speech users can say what they see; the
          hidden words tell screen-reader users it opens the account menu. */}
      <summary>
        <span className="visually-hidden">Account menu: </span>
        <span className="avatar" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </span>
        <span className="user-menu-name">{name}</span>
        <span className={`role-chip role-${role}`}>{ROLE_LABELS[role]}</span>
      </summary>
      <div className="user-menu-panel panel">
        <p className="small muted">Signed in as</p>
        <p className="mono small">{email}</p>
        <p className="small">
          <Link href="/password">Change password</Link>
        </p>
        <form action={signOut}>
          <button type="submit" className="button">
            Sign out
          </button>
        </form>
      </div>
    </details>
  );
}
