import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { serverEnv, type ServerEnv } from '@/lib/config/env';
import { lastForwardedValue, peerIsTrustedProxy } from './client-ip';

/**
 * Refuses requests that a page on another origin made the browser send with the user's cookies.
 *
 * `SameSite=Lax` session cookies are not enough: another port of the same host (or any subdomain)
 * is the *same site*, so the browser attaches the cookie to its requests, and routes without a
 * body (claim, release, submit, start, camera delete) or with a multipart body need no CORS
 * preflight. Browsers label every such request: `Origin` on every request but a plain GET/HEAD, and
 * `Sec-Fetch-Site` on all of them (Chromium, Firefox, Safari). Those two headers decide here.
 *
 * A request with neither header passes: it was not sent by a browser on behalf of a page (curl,
 * scripts, server-to-server calls, the tests' Node fetch). Such a client holds the session cookie
 * itself, so refusing it would protect nothing — forgery needs a victim's browser, and a browser
 * always says where the request came from.
 */

/** Methods that never change anything here (Next and the route handlers keep it so). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type OriginPolicy = {
  /** PUBLIC_ORIGIN: when non-empty, the only origins Sightline answers changes from. */
  publicOrigins: readonly string[];
  /** Whether the directly connected peer is a trusted proxy (its X-Forwarded-Proto/Host count). */
  behindTrustedProxy: boolean;
};

/**
 * Sightline's own origin(s) for this request: the configured PUBLIC_ORIGIN, else the scheme and
 * Host the browser used. A browser cannot choose the Host it sends to us, so a page elsewhere can
 * never make its own Origin match. Behind a trusted proxy that terminates TLS, the scheme (and host,
 * if the proxy rewrites it) come from X-Forwarded-Proto / X-Forwarded-Host.
 */
export function ownOrigins(headers: IncomingHttpHeaders, { publicOrigins, behindTrustedProxy }: OriginPolicy): string[] {
  if (publicOrigins.length) return [...publicOrigins];
  const forwardedProto = behindTrustedProxy ? lastForwardedValue(headers['x-forwarded-proto'])?.toLowerCase() : undefined;
  const forwardedHost = behindTrustedProxy ? lastForwardedValue(headers['x-forwarded-host']) : undefined;
  const scheme = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : 'http';
  const host = forwardedHost || headers.host;
  const origin = host ? originOf(`${scheme}://${host}`) : null;
  return origin ? [origin] : [];
}

/** The origin as browsers write it (lower-case host, default port left out), or null. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? null : parsed.origin;
  } catch {
    return null;
  }
}

export type CrossOriginRefusal = { error: 'cross_origin_refused'; message: string };

/**
 * Why this request must be refused as cross-origin, or null when it may go on. `always` checks
 * safe methods too (the socket.io handshake, which opens a channel of personal data).
 */
export function crossOriginRefusal(
  method: string | undefined,
  headers: IncomingHttpHeaders,
  policy: OriginPolicy,
  { always = false } = {},
): CrossOriginRefusal | null {
  if (!always && SAFE_METHODS.has((method ?? 'GET').toUpperCase())) return null;
  const fetchSite = single(headers['sec-fetch-site'])?.toLowerCase();
  // `none`: the person started it (address bar, bookmark); `same-origin`: one of our own pages.
  // `same-site` is refused on purpose: that is the other port or subdomain this check exists for.
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return refusal(`This request came from another site (Sec-Fetch-Site: ${fetchSite}); Sightline accepts changes only from its own pages.`);
  }
  const origin = single(headers.origin);
  if (origin !== undefined) {
    const own = ownOrigins(headers, policy);
    // "null" (sandboxed frames, privacy-sensitive redirects) matches nothing.
    const normalised = origin === 'null' ? null : originOf(origin);
    if (!normalised || !own.includes(normalised)) {
      return refusal(`This request came from ${origin}, not from Sightline's own pages (${own.join(', ') || 'unknown origin'}).`);
    }
  }
  return null;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refusal(message: string): CrossOriginRefusal {
  return { error: 'cross_origin_refused', message };
}

/** The origin policy for a Node request under this configuration. */
export function originPolicyFor(req: IncomingMessage, env: Pick<ServerEnv, 'PUBLIC_ORIGIN' | 'TRUST_PROXY'> = serverEnv()): OriginPolicy {
  return { publicOrigins: env.PUBLIC_ORIGIN, behindTrustedProxy: peerIsTrustedProxy(req.socket.remoteAddress, env.TRUST_PROXY) };
}

/**
 * socket.io's `allowRequest`: every engine.io request (the polling handshake and the websocket
 * upgrade alike) from a page on another origin is refused with 403 before any session is read.
 * Checked for every method: the socket delivers alerts and face crops, so even opening it counts.
 */
export function allowSameOriginSocket(req: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void {
  const refused = crossOriginRefusal(req.method, req.headers, originPolicyFor(req), { always: true });
  callback(refused ? refused.error : null, !refused);
}
