import { cookies, headers } from 'next/headers';
import { forbidden as renderForbidden, redirect } from 'next/navigation';
import { forbidden, unauthenticated } from '@/lib/http/errors';
import { bearerToken } from '@/lib/service-accounts/keys';
import { callerOf, type Caller } from './caller';
import { passwordChangeRequired } from './password-change';
import { can, type Permission } from './permissions';
import { sessionTokenFrom } from './session-cookie';
import { loadActiveSession, type ActiveSession, type SessionUser } from './session-user';

/**
 * The server-side gates. Route handlers and server actions call requireUser() /
 * requirePermission(), which throw HttpErrors (401/403) that lib/http/route.ts answers;
 * pages call the page variants, which redirect to /login or render the 403 page.
 *
 * A session whose password an admin chose (a new account, a reset) passes none of these gates:
 * 403 `password_change_required` for the API, a redirect to /password for pages. Only the
 * password page and its route (requireSession / requirePageSession) and sign-out let it through.
 */

/** Where a person whose password was chosen by an admin chooses their own. */
export const PASSWORD_PAGE = '/password';

export { passwordChangeRequired };
export type { Caller };

/** The live session of this request, or null (no cookie, ended, expired, disabled user). */
export async function currentSession(): Promise<ActiveSession | null> {
  const store = await cookies();
  // AUTH_SECRET is set (or generated) by server.ts before Next starts; Auth.js reads it too.
  const token = await sessionTokenFrom((name) => store.get(name)?.value, process.env.AUTH_SECRET);
  return loadActiveSession(token);
}

/** The signed-in, enabled user of this request, or null; whether their password is their own is not checked here. */
export async function currentUser(): Promise<SessionUser | null> {
  return (await currentSession())?.user ?? null;
}

/** Any live session, even one that must still change its password: for the password route only. */
export async function requireSession(): Promise<ActiveSession> {
  const session = await currentSession();
  if (!session) {
    // An API key opens only the routes that say so (requirePermissionOrApiKey): say it, rather than "sign in".
    if (bearerToken((await headers()).get('authorization')) !== undefined) {
      throw unauthenticated('This needs a signed-in person: an API key may only send probes (POST /api/deployments/:id/probes).');
    }
    throw unauthenticated();
  }
  return session;
}

export async function requireUser(): Promise<SessionUser> {
  const session = await requireSession();
  if (session.mustChangePassword) throw passwordChangeRequired();
  return session.user;
}

export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await requireUser();
  if (!can(user.role, permission)) throw forbidden(`Your role (${user.role}) does not allow ${permission}.`);
  return user;
}

/**
 * For the few routes a service account may call (docs/rules.md#service-accounts): the request's
 * API key or session, as lib/auth/caller.ts checks it (an accepted one is remembered for up to a
 * second). Whether the account may act for the deployment in question is the handler's check
 * (serviceMayUseDeployment).
 */
export async function requirePermissionOrApiKey(permission: Permission): Promise<Caller> {
  return callerOf(await headers(), permission);
}

/** For handlers open to several roles for different reasons (e.g. releasing one's own claim or anyone's). */
export async function requireAnyPermission(...permissions: [Permission, ...Permission[]]): Promise<SessionUser> {
  const user = await requireUser();
  if (!permissions.some((permission) => can(user.role, permission))) {
    throw forbidden(`Your role (${user.role}) does not allow any of ${permissions.join(', ')}.`);
  }
  return user;
}

/** For the password page: signed-out visitors go to /login; a pending password change is welcome. */
export async function requirePageSession(): Promise<ActiveSession> {
  const session = await currentSession();
  if (!session) redirect('/login');
  return session;
}

/** For pages: signed-out visitors go to /login, a temporary password to the password page. */
export async function requirePageUser(): Promise<SessionUser> {
  const session = await requirePageSession();
  if (session.mustChangePassword) redirect(PASSWORD_PAGE);
  return session.user;
}

/** For pages: a signed-in user without the permission gets the 403 page. */
export async function requirePagePermission(permission: Permission): Promise<SessionUser> {
  const user = await requirePageUser();
  if (!can(user.role, permission)) renderForbidden();
  return user;
}
