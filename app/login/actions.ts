'use server';

import { AuthError, CredentialsSignin } from 'next-auth';
import { signIn } from '@/auth';
import type { LoginState } from '@/components/auth/login-form';

/** Only same-site paths may follow a sign-in (no open redirect). */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === 'string' ? value : '';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export async function signInAction(_previous: LoginState, form: FormData): Promise<LoginState> {
  const email = String(form.get('email') ?? '').slice(0, 254);
  const password = String(form.get('password') ?? '').slice(0, 200);
  if (!email || !password) return { error: 'Enter your email and password.', email };
  try {
    await signIn('credentials', { email, password, redirectTo: safeNext(form.get('next')) });
    return {};
  } catch (error) {
    if (error instanceof CredentialsSignin && error.code === 'rate_limited') {
      return { error: 'Too many failed attempts. Sign-in is paused for this account or address; try again later.', email };
    }
    if (error instanceof AuthError) {
      return { error: 'Email or password not recognised, or the account is disabled.', email };
    }
    throw error; // the redirect after a successful sign-in
  }
}
