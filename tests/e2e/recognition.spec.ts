import { expect, test } from '@playwright/test';
import { DEMO, LoginPage } from './pages/login-page';

/**
 * The Recognition page: the recognisers and what is known of them, the calibration every forecast
 * comes from with its DET curve and the thresholds in use marked, and the force's target, which
 * only an admin changes.
 */
test('an auditor reads the recogniser, its calibration curve and the target, and cannot change anything', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.auditor);
  await page.goto('/recognition');
  await expect(page.getByRole('heading', { name: 'Recognition', level: 1 })).toBeVisible();
  const engine = page.getByTestId('engine-faceapi-128');
  await expect(engine).toContainText('CC0 1.0');
  await expect(engine).toContainText('First stage (in the browser)');
  await expect(engine).toContainText('Verifies candidates of plans going live');
  await expect(engine.getByTestId('template-coverage')).toContainText(/^\d+ of \d+ reference images$/);
  await expect(page.getByTestId('accuracy-target')).toContainText('1 in 6,000');
  await expect(page.getByLabel('One false alert in this many faces')).toHaveCount(0);
  const detail = page.getByTestId('calibration-detail');
  await expect(detail).toContainText('Built-in: face-api on faces from public packages');
  const chart = detail.getByTestId('curve-faceapi-128').locator('svg');
  await expect(chart).toHaveAttribute('aria-label', /false non-match rate against false match rate/);
  // The demo's live deployment marks its thresholds on the curve.
  await expect(chart.locator('text', { hasText: 'Oxford Circus — demo: verification' })).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Run a calibration' })).toHaveCount(0);
});

test('an admin sets the target, which the forecasts then use; operators cannot open the page', async ({ page, browser }) => {
  await new LoginPage(page).signInAndWait(DEMO.admin);
  await page.goto('/recognition');
  await expect(page.getByRole('heading', { name: 'Run a calibration' })).toBeVisible();
  const target = page.getByLabel('One false alert in this many faces');
  try {
    await target.fill('5');
    await page.getByRole('button', { name: 'Save target' }).click();
    await expect(page.getByTestId('accuracy-target')).toContainText('facesPerFalseAlert must be at least 10');
    await target.fill('2000');
    await page.getByRole('button', { name: 'Save target' }).click();
    await expect(page.getByTestId('accuracy-target')).toContainText('Saved');
    await expect(page.getByTestId('accuracy-target')).toContainText('1 in 2,000');
  } finally {
    // Back to the default for the other tests, whatever happened above.
    expect((await page.request.put('/api/settings/accuracy-target', { data: { facesPerFalseAlert: 6000 } })).status()).toBe(200);
  }

  const operator = await browser.newContext();
  const operatorPage = await operator.newPage();
  await new LoginPage(operatorPage).signInAndWait(DEMO.operator);
  const response = await operatorPage.goto('/recognition');
  expect(response?.status()).toBe(403);
  await operator.close();
});
