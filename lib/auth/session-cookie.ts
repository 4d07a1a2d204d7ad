import { decode } from 'next-auth/jwt';
import { serverEnv } from '@/lib/config/env';

/** Auth.js's cookie names: the __Secure- one is used over HTTPS. */
export const SESSION_COOKIE_NAMES = ['__Secure-authjs.session-token', 'authjs.session-token'] as const;

/** What a valid session cookie names: the user and their server-side session (lib/sessions). */
export type SessionToken = { userId: string; sessionId: string };

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // a malformed cookie is simply not a session
    }
  }
  return cookies;
}

/** Whether a session signed in at `signedInAt` (ms) is still inside its absolute lifetime. */
export function sessionStillValid(signedInAt: unknown, now = Date.now()): boolean {
  if (typeof signedInAt !== 'number') return false;
  return now - signedInAt < serverEnv().SESSION_MAX_AGE_HOURS * 3_600_000;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;

/**
 * The user and session ids in Auth.js's session cookie, or null when there is none, it does
 * not decode with our secret, or it is past its lifetime. This only proves the cookie was
 * issued by us: whether its session is still alive is for lib/auth/session-user.ts to say.
 *
 * Decoded here rather than through Auth.js's auth(), whose answer is also served to browser
 * JavaScript at /api/auth/session: the session id stays inside the encrypted, httpOnly cookie.
 */
export async function sessionTokenFrom(readCookie: (name: string) => string | undefined, secret: string | undefined): Promise<SessionToken | null> {
  if (!secret) return null;
  for (const name of SESSION_COOKIE_NAMES) {
    const token = readCookie(name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret, salt: name });
      const unexpired = typeof payload?.exp === 'number' && payload.exp * 1000 > Date.now();
      if (unexpired && isId(payload.sub) && isId(payload.sid) && sessionStillValid(payload.signedInAt)) {
        return { userId: payload.sub, sessionId: payload.sid };
      }
    } catch {
      // tampered, expired or signed with another secret
    }
  }
  return null;
}

/**
 * The session cookies of a raw Cookie header, as one text ('' when there are none): what the
 * credential cache (lib/auth/credential-cache.ts) keys a session check by. Other cookies (Auth.js's
 * CSRF token, say) are left out, so they do not make one session look like many.
 */
export function sessionCookieText(cookieHeader: string | null | undefined): string {
  const cookies = parseCookies(cookieHeader ?? undefined);
  return SESSION_COOKIE_NAMES.filter((name) => cookies.has(name))
    .map((name) => `${name}=${cookies.get(name)}`)
    .join('\n');
}

/** The same, from a raw Cookie header: the socket.io handshake, where there is no Next request. */
export function sessionTokenFromCookieHeader(cookieHeader: string | undefined, secret: string | undefined): Promise<SessionToken | null> {
  const cookies = parseCookies(cookieHeader);
  return sessionTokenFrom((name) => cookies.get(name), secret);
}
