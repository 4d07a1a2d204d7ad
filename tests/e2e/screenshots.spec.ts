import { expect, test, type Page } from '@playwright/test';
import { fresh, probeFixtures } from '../support/probes';
import { AlertQueuePage } from './pages/alert-queue';
import { DeploymentsPage } from './pages/deployments-page';
import { LivePage } from './pages/live-page';
import { DEMO, LoginPage } from './pages/login-page';
import { apiAs } from './support/api';

/**
 * Full-page screenshots of the control room's busiest screens at the two sizes control rooms use
 * (1920 × 1080 and 1366 × 768), kept in test-results/screenshots/<name>-<w>x<h>.png for people to
 * look at, and a check that nothing is cut off at the right: the document never scrolls sideways,
 * and no element of the main region is wider inside than it shows, unless it is a deliberate scroll
 * container (overflow auto or scroll) or a map, whose panes are larger than the map by design.
 */

const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1366, height: 768 },
] as const;

/** What is cut off horizontally on the page now, readably; empty when nothing is. */
async function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth) problems.push(`the page scrolls sideways: ${root.scrollWidth} px in a ${window.innerWidth} px window`);
    const describe = (el: Element) => {
      const id = el.getAttribute('data-testid') ?? el.id;
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${id ? `[${id}]` : ''}${cls} "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60)}"`;
    };
    for (const el of document.querySelectorAll<HTMLElement>('main *')) {
      if (!(el instanceof HTMLElement) || el.clientWidth === 0) continue; // inline and hidden elements
      if (el.scrollWidth <= el.clientWidth + 1) continue;
      if (el.closest('.leaflet-container')) continue; // a map's panes and tiles are larger than its window by design
      if (el.closest('.visually-hidden')) continue; // words for screen readers, clipped to nothing on purpose
      const style = getComputedStyle(el);
      if (style.clip !== 'auto' || style.clipPath !== 'none') continue; // the same, clipped by a style of its own (a narrow tile's state words)
      const overflow = style.overflowX;
      if (overflow === 'auto' || overflow === 'scroll') continue; // a deliberate scroll container
      problems.push(`${describe(el)}: ${el.scrollWidth} px of content in ${el.clientWidth} px (overflow ${overflow})`);
    }
    return problems;
  });
}

/** Screenshots the page at both sizes, after `ready` holds at each, and checks for clipping. */
async function shoot(page: Page, name: string, ready: () => Promise<void>) {
  const problems: string[] = [];
  for (const { width, height } of SIZES) {
    await page.setViewportSize({ width, height });
    await ready();
    // Let layout settle after the resize (grids re-measure on resize observers).
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await page.screenshot({ path: `test-results/screenshots/${name}-${width}x${height}.png`, fullPage: true });
    problems.push(...(await clipped(page)).map((p) => `${name} at ${width}×${height}: ${p}`));
  }
  expect(problems, problems.join('\n')).toEqual([]);
}

test('operator: the wall, the alert queue and the compare view', async ({ page }) => {
  test.setTimeout(120_000);
  const login = new LoginPage(page);
  await login.signInAndWait(DEMO.operator);

  // The demo's live deployment and one of its cameras, as the wall shows them.
  await page.goto('/live');
  const wallLink = page.locator('main a[href^="/live/"]').first();
  const deploymentId = (await wallLink.getAttribute('href'))!.split('/').pop()!;
  await page.goto(`/live/${deploymentId}`);
  const live = new LivePage(page);
  await expect(live.tiles().first()).toBeVisible();
  const cameraId = (await live.tiles().first().getAttribute('data-camera-id'))!;
  await shoot(page, 'wall', async () => {
    await expect(live.tiles().first()).toBeVisible();
  });

  // One alert to claim: the franck probe (not enrolled, but the same person) on that camera, sent
  // once the wall has closed and let go of the camera (a camera's faces come from one screen only).
  const queue = new AlertQueuePage(page);
  await queue.open(deploymentId);
  const probes = await probeFixtures(cameraId);
  const api = await apiAs(test.info().project.use.baseURL!, DEMO.operator);
  let body = { matched: false, alertId: '', message: '' };
  await expect
    .poll(
      async () => {
        const answer = await api.post(`/api/deployments/${deploymentId}/probes`, { data: fresh(probes.match, { cameraId }) });
        body = (await answer.json()) as typeof body;
        return answer.status() === 200 && body.matched ? 'alert' : `${answer.status()} ${body.message}`;
      },
      { timeout: 20_000, intervals: [1000] },
    )
    .toBe('alert');
  await api.dispose();

  await expect(queue.row(body.alertId)).toBeVisible();
  await shoot(page, 'alert-queue', async () => {
    await expect(queue.row(body.alertId)).toBeVisible();
  });

  await queue.row(body.alertId).getByRole('button', { name: 'Claim' }).click();
  await expect(queue.row(body.alertId).getByTestId('alert-holder')).toHaveText(/Held by you/i);
  await queue.selectWithKeys(body.alertId);
  await queue.press('Enter');
  // The comparison opens on the item's lead: this alert, or the oldest of its group when the person
  // was seen earlier in the run and the alert joined that sighting's item.
  const lead = (await queue.row(body.alertId).getAttribute('data-alert-ids'))!.split(' ')[0]!;
  await expect(queue.compare()).toHaveAttribute('data-alert-id', lead);
  await shoot(page, 'compare', async () => {
    await queue.expectFacesShown();
  });
});

test('senior officer: the plan editor', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.senior_officer);
  const deployments = new DeploymentsPage(page);
  await deployments.goto();
  await deployments.createDraft(`Screenshots ${new Date().toISOString()}`);
  await shoot(page, 'plan-editor', async () => {
    await expect(page.locator('.leaflet-container').first()).toBeVisible();
  });
});

test('admin: a watchlist', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.admin);
  await page.goto('/watchlists');
  await page.locator('main a[href^="/watchlists/"]').first().click();
  await expect(page).toHaveURL(/\/watchlists\/[^/?#]+$/);
  await shoot(page, 'watchlist', async () => {
    await expect(page.locator('h1')).toBeVisible();
  });
});
