import { expect, type Page } from '@playwright/test';

/** /password: where a temporary password (chosen by an admin) is replaced by the person's own. */
export class PasswordPage {
  constructor(readonly page: Page) {}

  heading() {
    return this.page.getByRole('heading', { level: 1 });
  }

  async choose(current: string, next: string, again = next) {
    await this.page.getByLabel(/^(Temporary|Current) password$/).fill(current);
    await this.page.getByLabel('New password', { exact: true }).fill(next);
    await this.page.getByLabel('New password again').fill(again);
    await this.page.getByRole('button', { name: /Set my password|Change password/ }).click();
  }

  error() {
    return this.page.locator('form').getByRole('alert');
  }

  async expectShown(title: string) {
    await expect(this.page).toHaveURL(/\/password$/);
    await expect(this.heading()).toHaveText(title);
  }
}
