import { auditedTransaction } from '@/lib/audit/mutations';
import { hashPassword, verifyPassword } from '@/lib/auth/passwords';
import { isServiceRole } from '@/lib/auth/permissions';
import { signInBlocked } from '@/lib/auth/data';
import { recordSignInFailure } from '@/lib/auth/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import { serverEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db/client';
import { conflict, HttpError, notFound } from '@/lib/http/errors';
import { endUserSessions, sessionsEnded } from '@/lib/sessions/mutations';
import { getUserById, type PublicUser } from './data';
import type { ChangePasswordInput, CreateUserInput, ResetPasswordInput, UpdateUserInput } from './schema';

type Context = { actor: SessionUser; ip: string | null };

/** A service account is changed only through its own page and routes (lib/service-accounts), never as a person. */
const serviceAccountHere = () =>
  conflict('This is a service account (a camera agent): rotate or revoke its key on the service accounts page; it has no role or password to change.');

/**
 * Creates a user with a temporary password. Caller holds 'user:manage'. The account records
 * who created it, and can do nothing until its holder has chosen their own password: the admin
 * who typed the temporary one never knows the password the account acts with.
 */
export async function createUser({ actor, ip }: Context, input: CreateUserInput): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  const id = await auditedTransaction(async (tx, audit) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw conflict(`A user with the email ${input.email} already exists.`);
    const user = await tx.user.create({
      data: { email: input.email, name: input.name, role: input.role, passwordHash, mustChangePassword: true, createdById: actor.id },
      select: { id: true },
    });
    await audit({
      action: 'user.created',
      actorId: actor.id,
      subjectType: 'user',
      subjectId: user.id,
      details: { email: input.email, name: input.name, role: input.role, mustChangePassword: true },
      ip,
    });
    return user.id;
  });
  return (await getUserById(id))!;
}

/**
 * Changes a user's name, role or disabled flag. Caller holds 'user:manage'.
 * Refuses to leave the system without an active admin, and an admin disabling themself.
 * Disabling a user or changing their role ends all their sessions (they sign in again, and
 * their open sockets close at once).
 */
export async function updateUser({ actor, ip }: Context, userId: string, input: UpdateUserInput): Promise<PublicUser> {
  const endedSessions = await auditedTransaction(async (tx, audit) => {
    const before = await tx.user.findUnique({ where: { id: userId } });
    if (!before) throw notFound('No such user.');
    if (isServiceRole(before.role)) throw serviceAccountHere();

    const losesAdmin = before.role === 'admin' && !before.disabled && ((input.role !== undefined && input.role !== 'admin') || input.disabled === true);
    if (losesAdmin) {
      const otherActiveAdmins = await tx.user.count({
        where: { role: 'admin', disabled: false, id: { not: userId } },
      });
      if (otherActiveAdmins === 0) {
        throw conflict('This is the last active admin: make another user admin first.');
      }
    }
    if (input.disabled === true && userId === actor.id) {
      throw conflict('You cannot disable your own account.');
    }
    // An admin giving themself another role (say, senior officer) would step around the rule
    // that admins never authorise or triage: another admin must make that change.
    if (input.role !== undefined && input.role !== before.role && userId === actor.id) {
      throw conflict('You cannot change your own role; ask another admin.');
    }

    await tx.user.update({ where: { id: userId }, data: input });

    const roleChanged = input.role !== undefined && input.role !== before.role;
    const disabled = input.disabled === true && !before.disabled;
    const ended = disabled ? await endUserSessions(tx, userId, 'user_disabled') : roleChanged ? await endUserSessions(tx, userId, 'role_changed') : [];

    const base = { actorId: actor.id, subjectType: 'user', subjectId: userId, ip } as const;
    if (roleChanged) {
      await audit({
        ...base,
        action: 'user.role_changed',
        details: { email: before.email, from: before.role, to: input.role, sessionsEnded: disabled ? 0 : ended.length },
      });
    }
    if (input.disabled !== undefined && input.disabled !== before.disabled) {
      await audit({
        ...base,
        action: input.disabled ? 'user.disabled' : 'user.enabled',
        details: input.disabled ? { email: before.email, sessionsEnded: ended.length } : { email: before.email },
      });
    }
    if (input.name !== undefined && input.name !== before.name) {
      await audit({ ...base, action: 'user.changed', details: { email: before.email, name: { from: before.name, to: input.name } } });
    }
    return ended;
  });

  // Persist first, then act on live connections.
  sessionsEnded(endedSessions);
  return (await getUserById(userId))!;
}

/**
 * Sets a temporary password for another user (they forgot theirs). Caller holds 'user:manage'.
 * Ends all the user's sessions; at their next sign-in they must choose their own password.
 * Admins change their own password on the password page, which asks for the current one.
 */
export async function resetPassword({ actor, ip }: Context, userId: string, input: ResetPasswordInput): Promise<PublicUser> {
  if (userId === actor.id) throw conflict('Change your own password on the password page; a reset is for other people.');
  const passwordHash = await hashPassword(input.password);
  const endedSessions = await auditedTransaction(async (tx, audit) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true, role: true } });
    if (!user) throw notFound('No such user.');
    // A password would make a program's account one a person could sign in with.
    if (isServiceRole(user.role)) throw serviceAccountHere();
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: true } });
    const ended = await endUserSessions(tx, userId, 'password_reset');
    await audit({
      action: 'user.password_reset',
      actorId: actor.id,
      subjectType: 'user',
      subjectId: userId,
      details: { email: user.email, sessionsEnded: ended.length },
      ip,
    });
    return ended;
  });
  sessionsEnded(endedSessions);
  return (await getUserById(userId))!;
}

function signInLimits() {
  const env = serverEnv();
  return { perAccount: env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT, perAddress: env.SIGN_IN_MAX_FAILURES_PER_ADDRESS, windowMs: env.SIGN_IN_LOCKOUT_MINUTES * 60_000 };
}

/**
 * A person changes their own password (a temporary one set by an admin, or their own). Caller
 * holds a live session of that person, which may still have to change its password.
 *
 * The current password is required: a borrowed or stolen session cannot lock its owner out.
 * Wrong guesses count against the account's sign-in limit (lib/auth/rate-limit.ts) and are
 * audited. Every other session of the person ends; the one in use is kept, since whoever
 * uses it has just proved they know the password.
 */
export async function changeOwnPassword({ actor, ip, sessionId }: Context & { sessionId: string }, input: ChangePasswordInput): Promise<PublicUser> {
  const limits = signInLimits();
  const block = await signInBlocked(actor.email, ip, limits);
  if (block.blocked) {
    throw new HttpError(429, 'rate_limited', `Too many wrong passwords. Try again in ${Math.ceil(block.retryAfterSeconds / 60)} minute(s).`);
  }
  const row = await getDb().user.findUnique({ where: { id: actor.id }, select: { passwordHash: true, mustChangePassword: true } });
  if (!row) throw notFound('No such user.');
  if (!(await verifyPassword(row.passwordHash, input.currentPassword))) {
    await recordSignInFailure(actor.email, ip, limits);
    await auditedTransaction((_tx, audit) =>
      audit({ action: 'user.password_change_failed', actorId: actor.id, subjectType: 'user', subjectId: actor.id, details: { reason: 'wrong_password' }, ip }),
    );
    throw new HttpError(403, 'wrong_password', 'Your current password is not right.');
  }
  const passwordHash = await hashPassword(input.newPassword);

  const endedSessions = await auditedTransaction(async (tx, audit) => {
    // The password verified above must still be the one stored (no reset in between).
    const { count } = await tx.user.updateMany({
      where: { id: actor.id, passwordHash: row.passwordHash },
      data: { passwordHash, mustChangePassword: false },
    });
    if (count !== 1) throw conflict('Your password was changed by someone else just now. Sign in again.');
    const ended = await endUserSessions(tx, actor.id, 'password_changed', sessionId);
    await audit({
      action: 'user.password_changed',
      actorId: actor.id,
      subjectType: 'user',
      subjectId: actor.id,
      details: { temporaryReplaced: row.mustChangePassword, otherSessionsEnded: ended.length },
      ip,
    });
    return ended;
  });
  sessionsEnded(endedSessions);
  return (await getUserById(actor.id))!;
}
