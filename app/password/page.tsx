import type { Metadata } from 'next';
import Link from 'next/link';
import { PasswordForm } from '@/components/auth/password-form';
import { requirePageSession } from '@/lib/auth/guards';
import { signOutAction } from '../(shell)/actions';

export const metadata: Metadata = { title: 'Your password' };

/**
 * Outside the shell on purpose: a session with a temporary password (chosen by an admin) may
 * use nothing but this page and sign-out until its holder has chosen their own.
 */
export default async function PasswordPage() {
  const session = await requirePageSession();
  const forced = session.mustChangePassword;
  return (
    <main className="centered-page login-page">
      <div className="panel login-panel">
        <h1>{forced ? 'Set your password' : 'Change your password'}</h1>
        <p className="muted small">
          {forced
            ? `An admin gave ${session.user.email} a temporary password. Choose your own before you continue: nobody else, the admin included, will know it.`
            : 'Your other sessions are signed out when the password changes; this one stays signed in.'}
        </p>
        <PasswordForm forced={forced} />
        <div className="form-actions">
          {!forced && <Link href="/">Back to the control room</Link>}
          <form action={signOutAction}>
            <button type="submit" className="button">
              Sign out
            </button>
          </form>
        </div>
      </div>
    </main>
  );
}
