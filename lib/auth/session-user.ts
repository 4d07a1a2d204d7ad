import { isRole, type Role } from './permissions';
import { getUserById } from '@/lib/users/data';

/** The signed-in person as every check sees them. */
export type SessionUser = { id: string; email: string; name: string; role: Role };

/**
 * Loads the user a session token names, from the database rather than the token, so that
 * disabling a user or changing their role takes effect at their next request, not at the
 * end of their shift. Returns null for unknown or disabled users.
 */
export async function loadSessionUser(userId: unknown): Promise<SessionUser | null> {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 64) return null;
  const user = await getUserById(userId);
  if (!user || user.disabled || !isRole(user.role)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
