import { expect, type Page } from '@playwright/test';

export class WatchlistPage {
  constructor(readonly page: Page) {}

  async open(name: string) {
    await this.page.goto('/watchlists');
    await this.page.getByTestId('watchlists-table').getByRole('link', { name }).click();
    await expect(this.page.getByRole('heading', { level: 1, name })).toBeVisible();
  }

  /** The "Add people" panel (each entry card has its own edit dialog with the same labels). */
  addPanel() {
    return this.page.getByRole('region', { name: 'Add people' });
  }

  async fillBatch(values: { imageSource: string; legalBasis: string }) {
    await this.addPanel().getByLabel('Image source').fill(values.imageSource);
    await this.addPanel().getByLabel('Legal basis').fill(values.legalBasis);
  }

  async choosePhotos(files: string[] | { name: string; mimeType: string; buffer: Buffer }[]) {
    await this.addPanel()
      .getByLabel(/^Photos \(/)
      .setInputFiles(files);
  }

  row(index = 0) {
    return this.page.getByTestId('upload-row').nth(index);
  }

  entryCard(reference: string) {
    return this.page.locator(`[data-testid="entry-card"][data-reference="${reference}"]`);
  }
}
