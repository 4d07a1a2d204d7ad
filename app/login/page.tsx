import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { currentUser } from '@/lib/auth/guards';
import { signInAction } from './actions';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await currentUser()) redirect('/');
  const { next } = await searchParams;
  return (
    <main className="centered-page login-page">
      <div className="panel login-panel">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" />
          Sightline
        </div>
        <h1>Sign in to the control room</h1>
        <p className="muted small">Every sign-in, and every failed attempt, is recorded in the audit trail.</p>
        <LoginForm next={typeof next === 'string' ? next : '/'} signIn={signInAction} />
      </div>
    </main>
  );
}
