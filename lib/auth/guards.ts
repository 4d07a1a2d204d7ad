import { forbidden as renderForbidden, redirect } from 'next/navigation';
import { auth } from '@/auth';
import { forbidden, unauthenticated } from '@/lib/http/errors';
import { can, type Permission } from './permissions';
import { loadSessionUser, type SessionUser } from './session-user';

/**
 * The server-side gates. Route handlers and server actions call requireUser() /
 * requirePermission(), which throw HttpErrors (401/403) that lib/http/route.ts answers;
 * pages call the page variants, which redirect to /login or render the 403 page.
 */

/** The signed-in, enabled user of this request, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await auth();
  return loadSessionUser(session?.user?.id);
}

export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw unauthenticated();
  return user;
}

export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await requireUser();
  if (!can(user.role, permission)) throw forbidden(`Your role (${user.role}) does not allow ${permission}.`);
  return user;
}

/** For handlers open to several roles for different reasons (e.g. releasing one's own claim or anyone's). */
export async function requireAnyPermission(...permissions: [Permission, ...Permission[]]): Promise<SessionUser> {
  const user = await requireUser();
  if (!permissions.some((permission) => can(user.role, permission))) {
    throw forbidden(`Your role (${user.role}) does not allow any of ${permissions.join(', ')}.`);
  }
  return user;
}

/** For pages: signed-out visitors go to /login. */
export async function requirePageUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect('/login');
  return user;
}

/** For pages: a signed-in user without the permission gets the 403 page. */
export async function requirePagePermission(permission: Permission): Promise<SessionUser> {
  const user = await requirePageUser();
  if (!can(user.role, permission)) renderForbidden();
  return user;
}
