import { expect, test } from '@playwright/test';
import { DEMO, LoginPage } from './pages/login-page';

test('maps add the configured street tiles (MAP_TILE_URL) under the borough outlines', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.senior_officer);
  await page.goto('/deployments');
  const tiles = page.locator('img.leaflet-tile');
  await expect(tiles.first()).toHaveAttribute('src', /\/geo\/tiles\/\d+\/\d+\/\d+\.png$/, { timeout: 20_000 });
});
