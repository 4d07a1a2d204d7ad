import { randomBytes } from 'node:crypto';
import { auditedTransaction } from '@/lib/audit/mutations';
import { announce } from '@/lib/cluster/bus';
import { serverEnv } from '@/lib/config/env';
import { dbProvider, getDb, type Tx } from '@/lib/db/client';
import { disconnectSessionSockets } from '@/lib/realtime/publish';

/** Why a session ended; stored on the row (a person's acts are also in the audit trail). */
export type SessionEndReason = 'signed_out' | 'user_disabled' | 'role_changed' | 'password_changed' | 'password_reset';

/**
 * Opens the server-side session of a sign-in that has just succeeded (auth.ts, at sign-in), or
 * returns null when the account changed under it: a password change or reset, or disabling, that
 * committed between the password check and now would otherwise miss this session when it ends the
 * user's others. The user row is read under a share lock on PostgreSQL (those changes update it
 * before they end sessions); SQLite runs one transaction at a time. The id is 256 random bits: it
 * travels only inside the encrypted session cookie. The sign-in itself is audited by
 * lib/auth/sign-in.ts.
 */
export async function startSession(userId: string, provedPasswordHash: string, now = new Date()): Promise<{ id: string; expiresAt: Date } | null> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + serverEnv().SESSION_MAX_AGE_HOURS * 3_600_000);
  return getDb().$transaction(async (tx) => {
    if (dbProvider() === 'postgresql') await tx.$queryRaw`SELECT 1 FROM "User" WHERE id = ${userId} FOR SHARE`;
    const user = await tx.user.findUnique({ where: { id: userId }, select: { passwordHash: true, disabled: true } });
    if (!user || user.disabled || user.passwordHash !== provedPasswordHash) return null;
    await tx.session.create({ data: { id, userId, createdAt: now, expiresAt } });
    return { id, expiresAt };
  });
}

/**
 * Ends the session of a sign-out, audited as auth.signed_out, and closes its sockets.
 * Signing out of a session that had already ended (or never existed) changes and records nothing.
 */
export async function signOutSession(sessionId: string): Promise<boolean> {
  const ended = await auditedTransaction(async (tx, audit) => {
    const row = await tx.session.findUnique({ where: { id: sessionId }, select: { endedAt: true, user: { select: { id: true, email: true } } } });
    if (!row || row.endedAt) return false;
    await tx.session.update({ where: { id: sessionId }, data: { endedAt: new Date(), endReason: 'signed_out' } });
    await audit({ action: 'auth.signed_out', actorId: row.user.id, actorEmail: row.user.email });
    return true;
  });
  if (ended) sessionsEnded([sessionId], 'You signed out.');
  return ended;
}

/**
 * After a transaction that ended sessions has committed: every instance forgets what it had
 * cached of them (lib/auth/credential-cache.ts), and their open sockets close.
 */
export function sessionsEnded(sessionIds: readonly string[], reason?: string): void {
  if (sessionIds.length === 0) return;
  announce('sessions:ended', { sessionIds: [...sessionIds] });
  disconnectSessionSockets(sessionIds, reason);
}

/**
 * Ends every live session of a user, but `keep`, inside the caller's transaction (the change
 * that warrants it and its audit record). Returns the ids ended: the caller passes them to
 * sessionsEnded() once the transaction has committed.
 */
export async function endUserSessions(tx: Tx, userId: string, reason: SessionEndReason, keep?: string): Promise<string[]> {
  const live = await tx.session.findMany({
    where: { userId, endedAt: null, expiresAt: { gt: new Date() }, ...(keep ? { id: { not: keep } } : {}) },
    select: { id: true },
  });
  const ids = live.map((s) => s.id);
  if (ids.length) await tx.session.updateMany({ where: { id: { in: ids }, endedAt: null }, data: { endedAt: new Date(), endReason: reason } });
  return ids;
}

/** Deletes session rows that ended or expired more than `days` ago (housekeeping; the audit trail keeps the acts). */
export async function purgeOldSessions(days = 30, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  const { count } = await getDb().session.deleteMany({ where: { OR: [{ endedAt: { lt: before } }, { expiresAt: { lt: before } }] } });
  return count;
}
