import { recordAuditEvent } from '@/lib/audit/mutations';
import { serverEnv } from '@/lib/config/env';
import { findUserForSignIn } from '@/lib/users/data';
import { SignInSchema } from '@/lib/users/schema';
import { verifyPassword } from './passwords';
import { clearAccountFailures, recordSignInFailure, signInBlocked } from './rate-limit';
import type { SessionUser } from './session-user';

export type SignInResult =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: 'invalid' | 'rate_limited'; retryAfterSeconds?: number };

function limits() {
  const env = serverEnv();
  return {
    perAccount: env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
    perAddress: env.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
    windowMs: env.SIGN_IN_LOCKOUT_MINUTES * 60_000,
  };
}

/**
 * Checks credentials for the Auth.js credentials provider, applying the rate limit and
 * writing the audit record either way. The answer never says whether the account exists,
 * is disabled or the password was wrong: all are 'invalid'.
 */
export async function checkSignIn(credentials: unknown, ip: string | null): Promise<SignInResult> {
  const parsed = SignInSchema.safeParse(credentials);
  if (!parsed.success) {
    // Counted and recorded like any failure, so malformed attempts cannot probe for free.
    const raw = String((credentials as { email?: unknown } | null)?.email ?? '').slice(0, 254).toLowerCase();
    recordSignInFailure(raw, ip, limits());
    await recordAuditEvent({ action: 'auth.sign_in_failed', actorEmail: raw || null, ip, details: { reason: 'malformed' } });
    return { ok: false, reason: 'invalid' };
  }
  const { email, password } = parsed.data;

  const block = signInBlocked(email, ip, limits());
  if (block.blocked) {
    await recordAuditEvent({
      action: 'auth.sign_in_failed',
      actorEmail: email,
      ip,
      details: { reason: 'rate_limited', scope: block.scope },
    });
    return { ok: false, reason: 'rate_limited', retryAfterSeconds: block.retryAfterSeconds };
  }

  const user = await findUserForSignIn(email);
  const passwordOk = await verifyPassword(user?.passwordHash ?? null, password);
  const failure = !user ? 'unknown_account' : !passwordOk ? 'wrong_password' : user.disabled ? 'account_disabled' : null;

  if (failure || !user) {
    recordSignInFailure(email, ip, limits());
    await recordAuditEvent({
      action: 'auth.sign_in_failed',
      actorId: user?.id ?? null,
      actorEmail: email,
      ip,
      details: { reason: failure },
    });
    return { ok: false, reason: 'invalid' };
  }

  clearAccountFailures(email);
  await recordAuditEvent({ action: 'auth.signed_in', actorId: user.id, actorEmail: user.email, ip });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
