import { expect, test, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './browser';
import { FAKE_CAMERA_FILE } from './global-setup';
import { LivePage } from './pages/live-page';
import { DEMO, LoginPage } from './pages/login-page';
import { apiAs, liveDeployment } from './support/api';

// This file's browser has a fake webcam playing a franck video (made in global-setup.ts);
// Chromium labels such a camera with the file's path, so the camera is chosen by that label.
test.use({
  launchOptions: {
    executablePath: chromiumExecutable(),
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${FAKE_CAMERA_FILE}`],
  },
});

test('a fake camera tile boxes faces, the person on the watchlist raises an alert, and a second screen shows its boxes', async ({ page, browser, baseURL }) => {
  test.setTimeout(150_000);
  const deployment = await liveDeployment(baseURL!, 'E2E live wall', [{ name: 'Webcam', source: { kind: 'device', url: 'franck-camera' } }]);

  await new LoginPage(page).signInAndWait(DEMO.operator);
  await page.goto(`/live/${deployment.id}`);
  const live = new LivePage(page);
  await live.waitForDetector();
  await live.expectTileState('Webcam', 'live');
  await expect(live.overlay('Webcam')).toHaveAttribute('data-faces', /^[1-9]/, { timeout: 30_000 });
  await expect(live.overlay('Webcam')).toHaveAttribute('data-matched', /^[1-9]/, { timeout: 30_000 });

  const operator = await apiAs(baseURL!, DEMO.operator);
  await expect
    .poll(async () => ((await (await operator.get(`/api/alerts?deploymentId=${deployment.id}`)).json()) as { total: number }).total, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(1);
  const { alerts } = (await (await operator.get(`/api/alerts?deploymentId=${deployment.id}`)).json()) as {
    alerts: { reference: string; camera: { name: string } }[];
  };
  expect(alerts[0]).toMatchObject({ camera: { name: 'Webcam' } });
  // franck is on the demo watchlist (DEMO-WAR-0001) and, once the watchlist tests have run, also
  // enrolled by them (E2E-0001): the alert names one of the two entries of the person on camera.
  expect(['DEMO-WAR-0001', 'E2E-0001']).toContain(alerts[0]!.reference);
  await operator.dispose();

  // A second operator opens the same wall: this screen keeps analysing the camera (it holds its
  // lease); the other says so and draws the boxes relayed from here, without detecting itself.
  await expect(live.analyser('Webcam')).toHaveText('Analysed by this screen');
  await expect(live.analyser('Webcam')).toHaveAttribute('data-analyser', 'self');
  const context = await browser.newContext();
  const otherPage = await context.newPage();
  await new LoginPage(otherPage).signInAndWait('operator2@sightline.test');
  await otherPage.goto(`/live/${deployment.id}`);
  const other = new LivePage(otherPage);
  await expect(other.analyser('Webcam')).toHaveText('Analysed by another screen (Olivia Operator)', { timeout: 15_000 });
  await expect(other.analyser('Webcam')).toHaveAttribute('data-analyser', 'browser');
  await expect(other.overlay('Webcam')).toHaveAttribute('data-source', 'relayed');
  await expect(other.overlay('Webcam')).toHaveAttribute('data-faces', /^[1-9]/, { timeout: 30_000 });
  await expect(other.tile('Webcam').getByTestId('tile-rate')).toHaveCount(0);
  // The rate in an operator's words; the technical figure on hover and keyboard focus.
  const rate = live.tile('Webcam').getByTestId('tile-rate');
  await expect(rate).toContainText(/Checked [\d.]+× a second/);
  await expect(rate).not.toContainText('det/s', { useInnerText: true });
  await rate.locator('[tabindex="0"]').focus();
  await expect(rate.getByRole('tooltip')).toBeVisible();
  await expect(rate.getByRole('tooltip')).toContainText('det/s');
  await expect(live.detectorStatus()).toContainText('Face detection running', { useInnerText: true });
  await expect(live.detectorStatus()).not.toContainText('Detector ready', { useInnerText: true });

  // The first screen's tab is hidden: it withdraws its offer and the second takes the camera over;
  // shown again, it says who analyses the camera now.
  await setHidden(page, true);
  await expect(other.analyser('Webcam')).toHaveText('Analysed by this screen', { timeout: 10_000 });
  await setHidden(page, false);
  await expect(live.analyser('Webcam')).toHaveText('Analysed by another screen (Omar Operator)', { timeout: 10_000 });

  // The second screen goes to the home page: the first takes the camera back, and the home page
  // lists the live deployment with a link to its live page (an auditor's goes to its record).
  await otherPage.goto('/');
  await expect(live.analyser('Webcam')).toHaveText('Analysed by this screen', { timeout: 10_000 });
  const listed = otherPage.getByTestId('cameras-needing-attention').locator(`[data-deployment-id="${deployment.id}"]`);
  await expect(listed.getByRole('link')).toHaveAttribute('href', `/live/${deployment.id}`);
  const auditorContext = await browser.newContext();
  const auditorPage = await auditorContext.newPage();
  await new LoginPage(auditorPage).signInAndWait(DEMO.auditor);
  await expect(auditorPage.getByTestId('cameras-needing-attention').locator(`[data-deployment-id="${deployment.id}"]`).getByRole('link')).toHaveAttribute(
    'href',
    `/deployments/${deployment.id}`,
  );
  await auditorContext.close();

  // The deployment ends: the home page drops it without a reload, and the wall says matching has stopped.
  const officer = await apiAs(baseURL!, DEMO.senior_officer);
  expect((await officer.post(`/api/deployments/${deployment.id}/end`, { data: { reason: 'End-to-end test over' } })).status()).toBe(200);
  await officer.dispose();
  await expect(listed).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'Matching has stopped' })).toBeVisible({ timeout: 10_000 });
  await context.close();
});

test('the wall fills the screen beside the queue, goes full screen, opens as a video wall, keeps a saved layout and marks a linked camera', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(60_000);
  // HLS tiles fail at once in Chromium ("not supported"): the wall's frame is what is measured, not the pictures.
  const names = ['North gate', 'South gate', 'East steps', 'West steps'];
  const deployment = await liveDeployment(
    baseURL!,
    'E2E wall fit',
    names.map((name) => ({ name, source: { kind: 'hls', url: 'http://127.0.0.1:9/none.m3u8' } })),
  );
  const west = deployment.cameras.find((c) => c.name === 'West steps')!.id;
  await page.setViewportSize({ width: 1920, height: 1080 });
  await new LoginPage(page).signInAndWait(DEMO.operator);
  await page.goto(`/live/${deployment.id}`);
  const live = new LivePage(page);
  await expect(live.tiles()).toHaveCount(4);
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toHaveText(/^Live deployments\s*›?\s*E2E wall fit$/);

  // 1920 × 1080: the tiles fill the width beside the queue and reach the bottom of the screen.
  const aside = (await page.getByRole('complementary', { name: 'Alerts' }).boundingBox())!;
  let tiles = await live.tilesBox();
  expect((tiles.right - tiles.left) / aside.x).toBeGreaterThanOrEqual(0.9);
  expect(tiles.bottom).toBeGreaterThan(1080 * 0.95);
  expect(tiles.bottom).toBeLessThanOrEqual(1080);
  await page.screenshot({ path: test.info().outputPath('wall-1920x1080.png') });
  // 1366 × 768: every tile's name is above the fold.
  await page.setViewportSize({ width: 1366, height: 768 });
  await expect.poll(() => live.lowestLabelBottom()).toBeLessThanOrEqual(768);
  await page.screenshot({ path: test.info().outputPath('wall-1366x768.png') });
  tiles = await live.tilesBox();
  expect((tiles.right - tiles.left) / (await page.getByRole('complementary', { name: 'Alerts' }).boundingBox())!.x).toBeGreaterThanOrEqual(0.9);

  // Full screen by its shortcut, left by the visible button.
  await page.keyboard.press('Alt+Enter');
  await expect.poll(() => live.isFullScreen()).toBe(true);
  await expect(live.fullScreenButton()).toHaveText(/Exit full screen/);
  await live.fullScreenButton().click();
  await expect.poll(() => live.isFullScreen()).toBe(false);

  // A layout: 3 × 3, East steps first, West steps left off; saved for this person and back after a reload.
  await live.chooseLayout(9);
  await (await live.arrangeRow('East steps')).getByRole('button', { name: 'Move East steps earlier' }).click();
  await (await live.arrangeRow('East steps')).getByRole('button', { name: 'Move East steps earlier' }).click();
  await (await live.arrangeRow('West steps')).getByRole('checkbox').uncheck();
  await expect(page.getByTestId('layout-save-state')).toHaveText(/Layout saved/);
  await page.reload();
  await expect(live.tiles()).toHaveCount(3);
  expect(await live.layout()).toBe(9);
  expect(await live.cameraNames()).toEqual(['East steps', 'North gate', 'South gate']);

  // A link to a camera shows it (even one left off) and marks it.
  await page.goto(`/live/${deployment.id}?camera=${west}`);
  await expect(live.tile('West steps')).toHaveAttribute('data-highlighted', 'true');
  await expect(live.tile('North gate')).toHaveAttribute('data-highlighted', 'false');
  await expect(live.tile('West steps')).toBeInViewport();

  // The video wall (for a second monitor): the same person's tiles, no queue, no navigation.
  await expect(page.getByTestId('open-video-wall')).toHaveAttribute('target', '_blank');
  await page.goto((await page.getByTestId('open-video-wall').getAttribute('href'))!);
  await expect(page.getByTestId('video-wall')).toBeVisible();
  await expect(live.tiles()).toHaveCount(3);
  await expect(page.getByRole('complementary', { name: 'Alerts' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toHaveCount(0);
  tiles = await live.tilesBox();
  expect(tiles.right - tiles.left).toBeGreaterThan(1366 * 0.9);
});

/** Makes a page's tab hidden or visible as far as the page can tell (headless tabs are always visible). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
