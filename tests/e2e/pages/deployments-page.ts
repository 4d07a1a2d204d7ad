import { expect, type Page } from '@playwright/test';

/** The deployments overview (app/(shell)/deployments/page.tsx): the list beside the map, and "New deployment". */
export class DeploymentsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/deployments');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Deployments' })).toBeVisible();
  }

  rows() {
    return this.page.getByTestId('deployment-row');
  }

  row(name: string) {
    return this.rows().filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  /** Creates a draft with a name through the dialog and returns its id once its page is open. */
  async createDraft(name: string): Promise<string> {
    await this.page.getByRole('button', { name: 'New deployment' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New deployment' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('button', { name: 'Create draft' }).click();
    await expect(this.page).toHaveURL(/\/deployments\/[^/?#]+$/);
    await expect(this.page.getByRole('heading', { level: 1, name })).toBeVisible();
    return new URL(this.page.url()).pathname.split('/').pop()!;
  }

  /** Opens a deployment from its row in the list. */
  async open(name: string) {
    await this.row(name).getByRole('link', { name, exact: true }).click();
    await expect(this.page.getByRole('heading', { level: 1, name })).toBeVisible();
  }
}
