import { expect, test } from '@playwright/test';
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

  // The first screen goes: the second takes the camera over.
  await page.close();
  await expect(other.analyser('Webcam')).toHaveText('Analysed by this screen', { timeout: 10_000 });
  await context.close();
});
