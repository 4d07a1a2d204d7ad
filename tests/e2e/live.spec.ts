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

test('a fake camera tile boxes faces, and the person on the watchlist raises an alert', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
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
});

test('two operators on one wall: one screen analyses the camera, the other draws its boxes without detecting', async ({ browser, baseURL }) => {
  test.setTimeout(150_000);
  const deployment = await liveDeployment(baseURL!, 'E2E shared wall', [{ name: 'Webcam', source: { kind: 'device', url: 'franck-camera' } }]);
  const screens = [];
  for (const email of [DEMO.operator, 'operator2@sightline.test']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await new LoginPage(page).signInAndWait(email);
    await page.goto(`/live/${deployment.id}`);
    screens.push({ context, live: new LivePage(page) });
  }
  const [first, second] = screens as [(typeof screens)[number], (typeof screens)[number]];

  // The first screen to offer the camera holds its lease and analyses it.
  await expect(first.live.analyser('Webcam')).toHaveText('Analysed by this screen', { timeout: 30_000 });
  await expect(first.live.analyser('Webcam')).toHaveAttribute('data-analyser', 'self');
  await first.live.waitForDetector();
  await expect(first.live.overlay('Webcam')).toHaveAttribute('data-faces', /^[1-9]/, { timeout: 60_000 });

  // The second says who does, and draws the boxes relayed from the first: its own tile runs no detection.
  await expect(second.live.analyser('Webcam')).toHaveText('Analysed by another screen (Olivia Operator)');
  await expect(second.live.analyser('Webcam')).toHaveAttribute('data-analyser', 'browser');
  await expect(second.live.overlay('Webcam')).toHaveAttribute('data-source', 'relayed');
  await expect(second.live.overlay('Webcam')).toHaveAttribute('data-faces', /^[1-9]/, { timeout: 30_000 });
  await expect(second.live.tile('Webcam').getByTestId('tile-rate')).toHaveCount(0);
  await expect(first.live.tile('Webcam').getByTestId('tile-rate')).toContainText('det/s');

  // The first screen leaves: the second takes the camera over.
  await first.context.close();
  await expect(second.live.analyser('Webcam')).toHaveText('Analysed by this screen', { timeout: 10_000 });
  await second.context.close();
});
