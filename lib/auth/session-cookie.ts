import { decode } from 'next-auth/jwt';
import { serverEnv } from '@/lib/config/env';

/** Auth.js's cookie names: the __Secure- one is used over HTTPS. */
export const SESSION_COOKIE_NAMES = ['__Secure-authjs.session-token', 'authjs.session-token'] as const;

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

/**
 * The user id in the session cookie of a raw Cookie header, or null when there is none or it
 * does not decode with our secret or has expired. Used where Auth.js's auth() is not
 * available: the socket.io handshake in server.ts.
 */
export async function userIdFromCookieHeader(cookieHeader: string | undefined, secret: string): Promise<string | null> {
  const cookies = parseCookies(cookieHeader);
  for (const name of SESSION_COOKIE_NAMES) {
    const token = cookies.get(name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret, salt: name });
      const unexpired = typeof payload?.exp === 'number' && payload.exp * 1000 > Date.now();
      if (payload?.sub && unexpired && sessionStillValid(payload.signedInAt)) return payload.sub;
    } catch {
      // tampered, expired or signed with another secret
    }
  }
  return null;
}
