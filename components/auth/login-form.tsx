'use client';

import { useActionState } from 'react';

export type LoginState = { error?: string; email?: string };

type Props = { next: string; signIn: (previous: LoginState, form: FormData) => Promise<LoginState> };

export function LoginForm({ next, signIn }: Props) {
  const [state, action, pending] = useActionState(signIn, {});
  return (
    <form action={action} className="form-stack" noValidate>
      <input type="hidden" name="next" value={next} />
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" autoComplete="username" required autoFocus defaultValue={state.email} />
      </label>
      <label className="field">
        <span>Password</span>
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      <button className="button primary" type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
