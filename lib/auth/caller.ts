import { clientIpFrom } from '@/lib/http/client-ip';
import { forbidden, unauthenticated } from '@/lib/http/errors';
import { authenticateBearer } from '@/lib/service-accounts/auth';
import { bearerToken } from '@/lib/service-accounts/keys';
import { cachedCredential, credentialKey } from './credential-cache';
import { passwordChangeRequired } from './password-change';
import { can, type Permission } from './permissions';
import { sessionCookieText, sessionTokenFromCookieHeader } from './session-cookie';
import { loadActiveSession, type ActiveSession, type SessionUser } from './session-user';

/** A caller and the credential it came with: its session, or (a service account) its API key. Neither id is ever sent back. */
export type Caller = SessionUser & { via: { kind: 'session'; sessionId: string } | { kind: 'api_key'; keyId: string } };

/** What the check reads of a request: its headers (a Next request's, or a Node request's made into Headers). */
export type RequestHeaders = { get(name: string): string | null };

/**
 * The caller of a route a service account may call (lib/auth/guards.ts requirePermissionOrApiKey,
 * and server.ts's direct probe path): a request with `Authorization: Bearer <API key>` is its
 * service account (401 `invalid_api_key` for a bad key, 403 without the permission); a request
 * without one is the session of its cookie (401 without a live one, 403
 * `password_change_required`, 403 without the permission).
 *
 * These routes take a stream of requests with one credential (probes, many a second), so an
 * accepted cookie or key is believed for up to a second (lib/auth/credential-cache.ts): ending the
 * session or stopping the key forgets it at once, on every instance.
 */
export async function callerOf(requestHeaders: RequestHeaders, permission: Permission): Promise<Caller> {
  const authorization = requestHeaders.get('authorization');
  const bearer = bearerToken(authorization);
  if (bearer === undefined) {
    const session = await cachedSessionOf(requestHeaders.get('cookie'));
    if (!session) throw unauthenticated();
    if (session.mustChangePassword) throw passwordChangeRequired();
    if (!can(session.user.role, permission)) throw forbidden(`Your role (${session.user.role}) does not allow ${permission}.`);
    return { ...session.user, via: { kind: 'session', sessionId: session.id } };
  }
  // A refused key throws (401 invalid_api_key, audited) and is never remembered.
  const principal = await cachedCredential(credentialKey('api-key', bearer), async () => {
    const found = await authenticateBearer(authorization, clientIpFrom(requestHeaders));
    return found && { value: found, owner: { userId: found.user.id, keyId: found.keyId }, expiresAt: found.expiresAt };
  });
  if (!principal) throw unauthenticated();
  if (!can(principal.user.role, permission)) throw forbidden(`Your role (${principal.user.role}) does not allow ${permission}.`);
  return { ...principal.user, via: { kind: 'api_key', keyId: principal.keyId } };
}

/** The live session of a Cookie header, through the credential cache (a session that must change its password is not kept). */
async function cachedSessionOf(cookieHeader: string | null): Promise<ActiveSession | null> {
  const text = sessionCookieText(cookieHeader);
  if (!text) return null;
  return cachedCredential(credentialKey('session', text), async () => {
    // AUTH_SECRET is set (or generated) by server.ts before anything else starts.
    const session = await loadActiveSession(await sessionTokenFromCookieHeader(cookieHeader ?? undefined, process.env.AUTH_SECRET));
    if (!session) return null;
    return { value: session, owner: { userId: session.user.id, sessionId: session.id }, expiresAt: session.expiresAt, keep: !session.mustChangePassword };
  });
}
