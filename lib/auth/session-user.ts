import { isHumanRole, isRole, type Role } from './permissions';
import type { SessionToken } from './session-cookie';
import { findLiveSession } from '@/lib/sessions/data';
import { getUserById } from '@/lib/users/data';

/** The signed-in person as every check sees them. */
export type SessionUser = { id: string; email: string; name: string; role: Role };

/**
 * A signed-in session that is alive now. `mustChangePassword`: the password was chosen by an
 * admin (new account, reset), so the person may do nothing but choose their own (or sign out).
 */
export type ActiveSession = { id: string; expiresAt: Date; user: SessionUser; mustChangePassword: boolean };

/**
 * The live session a cookie names, with its user read from the database rather than the token,
 * so that ending the session (sign-out, disabling, a role or password change) takes effect at
 * the very next request or handshake, not at the end of the shift. Null for an ended or expired
 * session, a disabled user, or a cookie whose user is not the session's.
 */
export async function loadActiveSession(token: SessionToken | null): Promise<ActiveSession | null> {
  if (!token) return null;
  const row = await findLiveSession(token.sessionId);
  // Only people have sessions: a service account's cookie (which sign-in never issues) counts for nothing.
  if (!row || row.user.id !== token.userId || row.user.disabled || !isHumanRole(row.user.role)) return null;
  const { id, email, name, role } = row.user;
  return { id: row.id, expiresAt: row.expiresAt, user: { id, email, name, role }, mustChangePassword: row.user.mustChangePassword };
}

/**
 * A user by id as the checks see them, outside any session (the demo seed acts as its users).
 * Null for unknown or disabled users.
 */
export async function loadSessionUser(userId: unknown): Promise<SessionUser | null> {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 64) return null;
  const user = await getUserById(userId);
  if (!user || user.disabled || !isRole(user.role)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
