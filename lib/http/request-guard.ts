import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerEnv } from '@/lib/config/env';
import { clientAddress, CLIENT_IP_HEADER, peerIsTrustedProxy } from './client-ip';
import { crossOriginRefusal } from './origin-check';
import { applySecurityHeaders, isApiPath, type PolicySources } from './security-headers';

/** Headers only a proxy may set; from anyone else they are lies about where a request came from. */
const PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded', 'x-real-ip'];

/**
 * What server.ts does to every HTTP request before Next sees it (socket.io's requests are checked
 * by lib/realtime/server.ts): record the client address, drop proxy headers no trusted proxy set
 * (Auth.js would otherwise build its URLs from a client's X-Forwarded-Host), add the security
 * headers, and refuse cross-origin changes. Returns true when it has answered the request itself.
 */
export function guardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  env: Pick<ServerEnv, 'TRUST_PROXY' | 'PUBLIC_ORIGIN'>,
  sources: PolicySources,
): boolean {
  const peer = req.socket.remoteAddress;
  const behindTrustedProxy = peerIsTrustedProxy(peer, env.TRUST_PROXY);
  req.headers[CLIENT_IP_HEADER] = clientAddress(peer, req.headers['x-forwarded-for'], env.TRUST_PROXY);
  if (!behindTrustedProxy) for (const name of PROXY_HEADERS) delete req.headers[name];
  applySecurityHeaders(req, res, sources);

  if (hasControlCharacters(req.url)) {
    return answer(req, res, 400, { error: 'invalid_url', message: 'The address contains control characters (such as NUL); no Sightline address does.' });
  }
  // API reads count too: some are audited (a reference photo viewed) or costly (the audit
  // verifier), and a page on another port of the same site could otherwise make a signed-in
  // browser fetch them with an <img> as often as it likes.
  const refused = crossOriginRefusal(req.method, req.headers, { publicOrigins: env.PUBLIC_ORIGIN, behindTrustedProxy }, { always: isApiPath(req.url) });
  if (!refused) return false;
  return answer(req, res, 403, refused);
}

/** NUL and other control characters, raw or %-encoded, in the path or query: PostgreSQL refuses NUL in text, which would be a 500. */
function hasControlCharacters(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return /\p{Cc}/u.test(decodeURIComponent(url));
  } catch {
    return false; // malformed %-escapes: Next answers those with its own 400
  }
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, body: object): true {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
  // Discard any body unread, so the sender receives the answer rather than a broken connection.
  req.resume();
  return true;
}
