import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { DEMO, LoginPage } from './pages/login-page';

/**
 * Every page each role can reach, checked by axe-core against WCAG 2.1 A and AA, and the shell's
 * keyboard path: zero serious or critical violations, and a visible focus on whatever the Tab key
 * reaches. One sign-in and one test per role to keep the run short. No axe rule is disabled.
 */

type Role = keyof typeof DEMO;

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Rules outside those tags, switched on because the defects they find were reported (issue 15,
 * item 20): the label-in-name check (WCAG 2.5.3, still "experimental" in axe), the heading order
 * and the main landmark (axe's best practices). Any violation of these fails, whatever its impact.
 */
const ALSO_REQUIRED = ['label-content-name-mismatch', 'heading-order', 'landmark-one-main', 'landmark-no-duplicate-main', 'landmark-main-is-top-level'];

/**
 * The pages of a role, in visiting order. A `from` entry opens the first link matching the selector
 * on the page just checked (ids differ between runs), so the detail page is one the role can see.
 */
type Visit = { path: string } | { from: string; name: string };

const PAGES: Record<Role, { visits: Visit[]; forbidden: string }> = {
  operator: {
    visits: [
      { path: '/' },
      { path: '/live' },
      { from: 'a[href^="/live/"]', name: 'live wall' },
      { path: '/alerts' },
      { path: '/deployments' },
      { from: 'a[href^="/deployments/"]', name: 'deployment' },
      { path: '/password' },
    ],
    forbidden: '/admin/users',
  },
  senior_officer: {
    visits: [
      { path: '/' },
      { path: '/live' },
      { from: 'a[href^="/live/"]', name: 'live wall' },
      { path: '/alerts' },
      { path: '/deployments' },
      { from: 'a[href^="/deployments/"]', name: 'deployment plan' },
      { path: '/records' },
      { path: '/watchlists' },
      { path: '/recognition' },
      { path: '/password' },
    ],
    forbidden: '/audit',
  },
  admin: {
    visits: [
      { path: '/' },
      { path: '/watchlists' },
      { from: 'a[href^="/watchlists/"]', name: 'watchlist' },
      { path: '/recognition' },
      { path: '/audit' },
      { path: '/admin/users' },
      { path: '/admin/service-accounts' },
      { path: '/password' },
    ],
    forbidden: '/alerts',
  },
  auditor: {
    visits: [
      { path: '/' },
      { path: '/deployments' },
      { from: 'a[href^="/deployments/"]', name: 'deployment' },
      { path: '/records' },
      { from: 'a[href$="/record"]', name: 'deployment record' },
      { path: '/recognition' },
      { path: '/audit' },
      { path: '/password' },
    ],
    forbidden: '/watchlists',
  },
};

type Found = { page: string; id: string; impact: string; help: string; nodes: string[] };

/** Runs axe on the page as it stands; returns its serious and critical violations, readably. */
async function seriousViolations(page: Page, name: string): Promise<Found[]> {
  const rules = Object.fromEntries(ALSO_REQUIRED.map((id) => [id, { enabled: true }]));
  // options() first: it replaces what withTags() set. Legacy mode runs axe in the page itself:
  // Sightline's pages have no frames, and the default opens a second page per check to merge
  // frame results, which cost several seconds a page on a loaded machine.
  const results = await new AxeBuilder({ page }).options({ rules }).withTags(WCAG_TAGS).setLegacyMode(true).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || ALSO_REQUIRED.includes(v.id))
    .map((v) => ({
      page: name,
      id: v.id,
      impact: v.impact ?? '',
      help: `${v.help} (${v.helpUrl})`,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
    }));
}

function report(found: Found[]): string {
  return found.map((f) => `\n[${f.impact}] ${f.page}: ${f.id} — ${f.help}\n    ${f.nodes.join('\n    ')}`).join('\n');
}

/** Waits until a page has drawn its heading and its client components have settled. */
async function settle(page: Page) {
  await page.waitForLoadState('load');
  await expect(page.locator('h1').first()).toBeVisible();
  // Client components fetch after hydration (lists, maps, charts): let them draw before axe looks.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
}

/**
 * Tabs through the start of the page (skip link, brand, sections, account menu, the page's first
 * controls) and checks that each focused element shows an outline a person can see: at least 2 px,
 * not transparent, not `none`.
 */
async function expectVisibleFocus(page: Page, name: string, steps = 14) {
  await page.locator('body').focus();
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return {
        what: `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40) || el.getAttribute('aria-label') || ''}"`,
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        colour: style.outlineColor,
      };
    });
    if (!focus) continue;
    // Chromium's own ring (style "auto", 1 px) fails this: only the theme's outline passes.
    const outlined = focus.style !== 'none' && focus.style !== 'auto' && focus.width >= 2 && !/rgba\(.*,\s*0\)$/.test(focus.colour);
    expect(outlined, `${name}: focus on ${focus.what} is not visible (${focus.style} ${focus.width}px ${focus.colour})`).toBe(true);
  }
}

for (const role of Object.keys(PAGES) as Role[]) {
  test(`${role}: every reachable page has no serious accessibility violations`, async ({ page }) => {
    // Up to ten pages, each loaded and checked by axe (a few seconds each on a busy machine).
    test.setTimeout(180_000);
    const found: Found[] = [];
    if (role === 'operator') {
      // The sign-in page once, signed out.
      await new LoginPage(page).goto();
      await settle(page);
      found.push(...(await seriousViolations(page, '/login')));
      await expectVisibleFocus(page, '/login', 4);
    }
    await new LoginPage(page).signInAndWait(DEMO[role]);
    await expectVisibleFocus(page, `${role} home`);

    for (const visit of PAGES[role].visits) {
      let name: string;
      if ('path' in visit) {
        name = visit.path;
        await page.goto(visit.path);
      } else {
        const link = page.locator(`main ${visit.from}`).first();
        await expect(link, `${role}: a link to a ${visit.name}`).toBeVisible();
        name = `${visit.name} (${await link.getAttribute('href')})`;
        await page.goto((await link.getAttribute('href'))!);
      }
      await settle(page);
      found.push(...(await seriousViolations(page, name)));
    }

    const refused = await page.goto(PAGES[role].forbidden);
    expect(refused?.status()).toBe(403);
    await settle(page);
    found.push(...(await seriousViolations(page, `403 ${PAGES[role].forbidden}`)));

    if (role === 'operator') {
      // The not-found page once (it is the same for every role).
      const missing = await page.goto('/no-such-page');
      expect(missing?.status()).toBe(404);
      await settle(page);
      found.push(...(await seriousViolations(page, '404')));
    }

    expect(found, report(found)).toEqual([]);
  });
}
