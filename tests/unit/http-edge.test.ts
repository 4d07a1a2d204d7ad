import { describe, expect, it } from 'vitest';
import { parseServerEnv } from '@/lib/config/env';
import { mapTileOrigin } from '@/lib/config/map';
import { clientAddress, parseTrustProxy, peerIsTrustedProxy } from '@/lib/http/client-ip';
import { crossOriginRefusal, ownOrigins, type OriginPolicy } from '@/lib/http/origin-check';
import { contentSecurityPolicy, isApiPath } from '@/lib/http/security-headers';

describe('TRUST_PROXY', () => {
  it('reads off, true (one proxy), a hop count and a list of proxy addresses', () => {
    for (const off of [undefined, '', 'false', '0', 'off']) expect(parseTrustProxy(off)).toEqual({ kind: 'none' });
    expect(parseTrustProxy('true')).toEqual({ kind: 'hops', hops: 1 });
    expect(parseTrustProxy('1')).toEqual({ kind: 'hops', hops: 1 });
    expect(parseTrustProxy('3')).toEqual({ kind: 'hops', hops: 3 });
    expect(parseTrustProxy('10.0.0.5, 192.168.1.0/24, ::1')).toMatchObject({ kind: 'addresses', described: '10.0.0.5, 192.168.1.0/24, ::1' });
  });

  it('refuses nonsense at start-up, naming the variable and the bad part', () => {
    expect(() => parseTrustProxy('yes please')).toThrow(/"yes please" is not an IP address or CIDR range; expected false, true/);
    expect(() => parseTrustProxy('11')).toThrow(/11 proxies is more than 10/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
    expect(() => parseTrustProxy('10.0.0.5,')).toThrow(/"" is not an IP address/);
    expect(() => parseServerEnv({ TRUST_PROXY: 'loopback' })).toThrow(/^Invalid configuration: TRUST_PROXY: "loopback" is not an IP address/);
  });

  it('without a proxy, the socket address is the client whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', parseTrustProxy('false'))).toBe('203.0.113.7');
  });

  it('with one proxy, takes the right-most X-Forwarded-For entry (the one the proxy added), not a forged left-most one', () => {
    const one = parseTrustProxy('true');
    expect(clientAddress('127.0.0.1', '6.6.6.6, 203.0.113.7', one)).toBe('203.0.113.7');
    expect(clientAddress('127.0.0.1', ['6.6.6.6', '203.0.113.7'], one)).toBe('203.0.113.7');
    expect(clientAddress('127.0.0.1', '203.0.113.7', one)).toBe('203.0.113.7');
    expect(clientAddress('127.0.0.1', undefined, one)).toBe('127.0.0.1');
  });

  it('with two proxies, takes the entry the outer proxy added', () => {
    const two = parseTrustProxy('2');
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.7, 10.0.0.1', two)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '203.0.113.7', two)).toBe('203.0.113.7');
  });

  it('with listed proxies, skips them from the right and ignores X-Forwarded-For from anyone else', () => {
    const listed = parseTrustProxy('10.0.0.0/8, 192.0.2.10');
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.7, 192.0.2.10', listed)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:10.0.0.2', '6.6.6.6, 203.0.113.7', listed)).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.99', '6.6.6.6', listed)).toBe('203.0.113.99');
    expect(peerIsTrustedProxy('203.0.113.99', listed)).toBe(false);
    expect(peerIsTrustedProxy('10.1.2.3', listed)).toBe(true);
  });
});

describe('cross-origin refusal', () => {
  const direct: OriginPolicy = { publicOrigins: [], behindTrustedProxy: false };
  const host = { host: 'sightline.local:3000' };

  it('lets safe methods and requests without Origin or Sec-Fetch-Site through (not sent by a browser for a page)', () => {
    expect(crossOriginRefusal('GET', { ...host, origin: 'http://evil.example' }, direct)).toBeNull();
    expect(crossOriginRefusal('POST', host, direct)).toBeNull();
  });

  it('refuses a change from another origin, even another port of the same host (same site)', () => {
    expect(crossOriginRefusal('POST', { ...host, origin: 'http://sightline.local:4000' }, direct)).toMatchObject({ error: 'cross_origin_refused' });
    expect(crossOriginRefusal('DELETE', { ...host, origin: 'null' }, direct)).toMatchObject({ error: 'cross_origin_refused' });
    expect(crossOriginRefusal('POST', { ...host, 'sec-fetch-site': 'same-site' }, direct)).toMatchObject({ error: 'cross_origin_refused' });
    expect(crossOriginRefusal('PATCH', { ...host, 'sec-fetch-site': 'cross-site' }, direct)).toMatchObject({ error: 'cross_origin_refused' });
  });

  it('accepts its own origin however the browser spells it', () => {
    expect(crossOriginRefusal('POST', { ...host, origin: 'http://Sightline.local:3000', 'sec-fetch-site': 'same-origin' }, direct)).toBeNull();
    expect(crossOriginRefusal('POST', { host: 'sightline.local:80', origin: 'http://sightline.local' }, direct)).toBeNull();
  });

  it('checks the socket handshake even on GET', () => {
    expect(crossOriginRefusal('GET', { ...host, origin: 'http://evil.example' }, direct, { always: true })).not.toBeNull();
  });

  it('believes X-Forwarded-Proto/Host only from a trusted proxy', () => {
    const headers = {
      host: '127.0.0.1:3000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'sightline.example.org',
      origin: 'https://sightline.example.org',
    };
    expect(crossOriginRefusal('POST', headers, direct)).not.toBeNull();
    expect(crossOriginRefusal('POST', headers, { publicOrigins: [], behindTrustedProxy: true })).toBeNull();
    expect(ownOrigins(headers, { publicOrigins: [], behindTrustedProxy: true })).toEqual(['https://sightline.example.org']);
  });

  it('with PUBLIC_ORIGIN, accepts only the configured origins', () => {
    const env = parseServerEnv({ PUBLIC_ORIGIN: 'https://Sightline.example.org/, http://control-room:8080' });
    expect(env.PUBLIC_ORIGIN).toEqual(['https://sightline.example.org', 'http://control-room:8080']);
    const policy: OriginPolicy = { publicOrigins: env.PUBLIC_ORIGIN, behindTrustedProxy: false };
    expect(crossOriginRefusal('POST', { host: 'evil.example', origin: 'http://evil.example' }, policy)).not.toBeNull();
    expect(crossOriginRefusal('POST', { host: '127.0.0.1:3000', origin: 'https://sightline.example.org' }, policy)).toBeNull();
    expect(() => parseServerEnv({ PUBLIC_ORIGIN: 'https://sightline.example.org/app' })).toThrow(
      /PUBLIC_ORIGIN: "https:\/\/sightline.example.org\/app" is not an http\(s\) origin/,
    );
    expect(() => parseServerEnv({ PUBLIC_ORIGIN: 'https://*.example.org' })).toThrow(/PUBLIC_ORIGIN/);
  });
});

describe('Content-Security-Policy', () => {
  const directive = (policy: string, name: string) => policy.split('; ').find((d) => d.startsWith(`${name} `));

  it('allows scripts of this origin and the nonce, wasm but no eval in production, and forbids framing', () => {
    const policy = contentSecurityPolicy('abc123', { dev: false, tileOrigin: null, cameraOrigins: [] });
    expect(directive(policy, 'script-src')).toBe("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'");
    expect(policy).not.toContain("'unsafe-eval'");
    expect(directive(policy, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive(policy, 'worker-src')).toBe("worker-src 'self' blob:");
    expect(directive(policy, 'media-src')).toBe("media-src 'self' blob:");
    expect(directive(policy, 'object-src')).toBe("object-src 'none'");
  });

  it("allows 'unsafe-eval' only in development", () => {
    expect(directive(contentSecurityPolicy('n', { dev: true, tileOrigin: null, cameraOrigins: [] }), 'script-src')).toContain("'unsafe-eval'");
  });

  it('adds the tile server to images and the camera origins to images and media', () => {
    const cameraOrigins = parseServerEnv({ CAMERA_ORIGINS: 'http://10.1.1.5:8080, https://*.cams.example.org' }).CAMERA_ORIGINS;
    expect(cameraOrigins).toEqual(['http://10.1.1.5:8080', 'https://*.cams.example.org']);
    const policy = contentSecurityPolicy('n', { dev: false, tileOrigin: 'https://*.tile.example.org', cameraOrigins });
    expect(directive(policy, 'img-src')).toBe("img-src 'self' data: blob: https://*.tile.example.org http://10.1.1.5:8080 https://*.cams.example.org");
    expect(directive(policy, 'media-src')).toBe("media-src 'self' blob: http://10.1.1.5:8080 https://*.cams.example.org");
    expect(() => parseServerEnv({ CAMERA_ORIGINS: 'rtsp://10.1.1.5' })).toThrow(/CAMERA_ORIGINS: "rtsp:\/\/10.1.1.5"/);
  });

  it('derives the tile origin from MAP_TILE_URL', () => {
    const xyz = (url: string) => mapTileOrigin({ kind: 'xyz', url });
    expect(xyz('/geo/tiles/{z}/{x}/{y}.png')).toBeNull();
    expect(xyz('https://Tiles.Example.org:8443/{z}/{x}/{y}.png')).toBe('https://tiles.example.org:8443');
    expect(xyz('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toBe('https://*.tile.example.org');
    expect(xyz('//tiles.example.org/{z}/{x}/{y}.png')).toBe('tiles.example.org');
    expect(() => xyz('https://tiles-{s}.example.org/{z}/{x}/{y}.png')).toThrow(/placeholder in its host name only as the first label/);
    expect(mapTileOrigin({ kind: 'pmtiles', file: '/srv/london.pmtiles' })).toBeNull();
  });

  it('knows which answers are API answers', () => {
    expect(isApiPath('/api/alerts?x=1')).toBe(true);
    expect(isApiPath('/api')).toBe(true);
    expect(isApiPath('/apiary')).toBe(false);
    expect(isApiPath('/alerts')).toBe(false);
  });
});
