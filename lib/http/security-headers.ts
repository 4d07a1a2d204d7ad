import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The headers every answer carries (pages, API, static files), set by server.ts before Next runs.
 *
 * The Content-Security-Policy allows what Sightline itself loads and nothing else:
 * - scripts from this origin, plus the inline scripts Next writes into each page, which carry a
 *   fresh per-request nonce (Next reads it back from the request's `content-security-policy`
 *   header and stamps its `<script>` tags with it; pages render per request, so every page gets
 *   its own). `'wasm-unsafe-eval'` lets the face detector compile TensorFlow's WebAssembly backend
 *   (in the page for the enrolment preview, in its worker on the live wall); it allows compiling
 *   WebAssembly only, not `eval`. `'unsafe-eval'` is added in development alone, where Next's
 *   hot reload and React's debugging need it.
 * - workers from this origin and `blob:` (the bundler may start a worker from a blob URL);
 * - images and video from this origin, `data:` and `blob:` (crops, previews, object URLs), the
 *   configured street-tile server (MAP_TILE_URL) and the camera origins (CAMERA_ORIGINS);
 * - connections (fetch, socket.io's websocket) to this origin only;
 * - styles from this origin; inline `style="…"` attributes are allowed (React renders positions and
 *   colours that way, and an attribute cannot run script), `<style>` elements need the nonce.
 * - no plugins, no `<base>` elsewhere, forms post here, and no one may frame Sightline.
 */
export type PolicySources = {
  /** NODE_ENV !== 'production'. */
  dev: boolean;
  /** The street-tile server's origin (a CSP source, may be `https://*.host`), or null. */
  tileOrigin: string | null;
  /** CAMERA_ORIGINS. */
  cameraOrigins: readonly string[];
};

/** 128 random bits per answer: a page's inline scripts run only with the nonce of its own answer. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(nonce: string, { dev, tileOrigin, cameraOrigins }: PolicySources): string {
  const tiles = tileOrigin ? [tileOrigin] : [];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", `'nonce-${nonce}'`, "'wasm-unsafe-eval'", ...(dev ? ["'unsafe-eval'"] : [])],
    // Development injects <style> elements for hot reload without a nonce (a nonce would disable 'unsafe-inline').
    'style-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${nonce}'`],
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:', ...tiles, ...cameraOrigins],
    'media-src': ["'self'", 'blob:', ...cameraOrigins],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    'frame-src': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${[...new Set(sources)].join(' ')}`)
    .join('; ');
}

/** The headers besides the policy: the same on every answer. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  // frame-ancestors' predecessor, for browsers that ignore CSP.
  'X-Frame-Options': 'DENY',
  // No other origin may hold a reference to a Sightline window, nor embed its answers (crops, photos).
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // The live wall may open local cameras; nothing else is asked of the device.
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
};

/**
 * API answers carry people's data (alerts, watchlists, the audit trail): no browser or proxy cache
 * keeps them. Added as the answer's head is written, only when the route stated no caching of its
 * own (map tiles do): Next never replaces a header that is already set, so setting it before Next
 * runs would override the route.
 */
export const API_CACHE_CONTROL = 'no-store';

export function isApiPath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0]!;
  return path === '/api' || path.startsWith('/api/');
}

/**
 * Stamps a Node request/answer pair: the policy (with its nonce) on the answer and on the request
 * (where Next reads the nonce), the other headers, and no-store on API answers.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, sources: PolicySources): void {
  const policy = contentSecurityPolicy(newNonce(), sources);
  // Replaces anything a client sent under these names: the nonce is ours alone.
  req.headers['content-security-policy'] = policy;
  delete req.headers['content-security-policy-report-only'];
  res.setHeader('Content-Security-Policy', policy);
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) res.setHeader(name, value);
  if (isApiPath(req.url)) defaultCacheControl(res, API_CACHE_CONTROL);
}

function defaultCacheControl(res: ServerResponse, value: string): void {
  const writeHead = res.writeHead;
  // (Node calls writeHead itself before the first byte of a body when nobody did.)
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    const headersGiven = args.find((arg) => typeof arg === 'object' && arg !== null) as Record<string, unknown> | unknown[] | undefined;
    const givenCacheControl = Array.isArray(headersGiven)
      ? headersGiven.some((entry, i) => i % 2 === 0 && String(entry).toLowerCase() === 'cache-control')
      : headersGiven !== undefined && Object.keys(headersGiven).some((name) => name.toLowerCase() === 'cache-control');
    if (!this.hasHeader('cache-control') && !givenCacheControl) this.setHeader('Cache-Control', value);
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}
