import { recordAuditEvent } from '@/lib/audit/mutations';
import { serverEnv } from '@/lib/config/env';
import { findUserForSignIn } from '@/lib/users/data';
import { SignInSchema } from '@/lib/users/schema';
import { recordableText } from '@/lib/validation/text';
import { verifyPassword } from './passwords';
import { isServiceRole } from './permissions';
import { signInBlocked } from './data';
import { clearAccountFailures, recordSignInFailure, recordSignInRefusal, takeEndedBlocks } from './mutations';
import type { SessionUser } from './session-user';

/** `passwordHash`: the credential this sign-in proved, so its session is opened only if it still holds (lib/sessions/mutations.ts). */
export type SignInResult =
  | { ok: true; user: SessionUser & { passwordHash: string } }
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
 *
 * Every failure is audited, but attempts refused while an account or address is blocked are
 * not, one by one: a block is recorded once when it starts (`auth.sign_in_blocked`) and once
 * when it is over, with how many attempts it refused (`auth.sign_in_block_ended`, written at
 * the next sign-in attempt after the window, by whichever instance takes it first). The counts are
 * in the database, so they survive a restart and are shared by every instance.
 */
export async function checkSignIn(credentials: unknown, ip: string | null): Promise<SignInResult> {
  await recordEndedBlocks();
  const parsed = SignInSchema.safeParse(credentials);
  // Malformed attempts are counted and blocked like any other, so they cannot probe for free.
  const email = parsed.success
    ? parsed.data.email
    : recordableText(
        String((credentials as { email?: unknown } | null)?.email ?? '')
          .slice(0, 254)
          .toLowerCase(),
      );

  const block = await signInBlocked(email, ip, limits());
  if (block.blocked) {
    const refusal = await recordSignInRefusal(email, ip, block);
    if (refusal.first) {
      await recordAuditEvent({
        action: 'auth.sign_in_blocked',
        actorEmail: email || null,
        ip,
        details: { scope: block.scope, failures: refusal.failures, blockedUntil: refusal.blockedUntil.toISOString() },
      });
    }
    return { ok: false, reason: 'rate_limited', retryAfterSeconds: block.retryAfterSeconds };
  }

  if (!parsed.success) {
    await recordSignInFailure(email, ip, limits());
    await recordAuditEvent({ action: 'auth.sign_in_failed', actorEmail: email || null, ip, details: { reason: 'malformed' } });
    return { ok: false, reason: 'invalid' };
  }
  const { password } = parsed.data;

  const user = await findUserForSignIn(email);
  // A service account (a camera agent) never signs in with a password, whatever is stored: it
  // uses its API key. Its stored hash is no argon2 hash (lib/service-accounts/mutations.ts), and
  // checking it would fail at once: it gets the same dummy verification as an unknown email, so
  // the time taken does not tell a service account's address from a person's.
  const passwordOk = await verifyPassword(user && !isServiceRole(user.role) ? user.passwordHash : null, password);
  const failure = !user
    ? 'unknown_account'
    : isServiceRole(user.role)
      ? 'service_account'
      : !passwordOk
        ? 'wrong_password'
        : user.disabled
          ? 'account_disabled'
          : null;

  if (failure || !user) {
    await recordSignInFailure(email, ip, limits());
    await recordAuditEvent({
      action: 'auth.sign_in_failed',
      actorId: user?.id ?? null,
      actorEmail: email,
      ip,
      details: { reason: failure },
    });
    return { ok: false, reason: 'invalid' };
  }

  await clearAccountFailures(email);
  await recordAuditEvent({ action: 'auth.signed_in', actorId: user.id, actorEmail: user.email, ip });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role, passwordHash: user.passwordHash } };
}

/** One record per block that is over, with the attempts it refused. */
async function recordEndedBlocks(): Promise<void> {
  for (const ended of await takeEndedBlocks()) {
    await recordAuditEvent({
      action: 'auth.sign_in_block_ended',
      actorEmail: ended.scope === 'account' ? ended.subject : null,
      ip: ended.scope === 'address' ? ended.subject : null,
      details: { scope: ended.scope, refused: ended.refused, blockedUntil: ended.blockedUntil.toISOString() },
    });
  }
}
