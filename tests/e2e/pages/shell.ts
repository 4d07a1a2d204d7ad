import { expect, type Page } from '@playwright/test';

export class Shell {
  constructor(readonly page: Page) {}

  nav() {
    return this.page.getByRole('navigation', { name: 'Sections' });
  }

  async sectionNames(): Promise<string[]> {
    return (await this.nav().getByRole('link').allTextContents()).map((t) => t.trim());
  }

  async signOut() {
    await this.page.locator('.user-menu summary').click();
    await this.page.getByRole('button', { name: 'Sign out' }).click();
    await expect(this.page).toHaveURL(/\/login/);
  }

  realtimeStatus() {
    return this.page.getByTestId('realtime-status');
  }
}
