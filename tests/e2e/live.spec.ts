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
  await expect(live.tile('Webcam').getByTestId('tile-rate')).toContainText('det/s');

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

/** Makes a page's tab hidden or visible as far as the page can tell (headless tabs are always visible). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
