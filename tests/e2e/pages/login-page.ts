import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'sightline-demo';

export const DEMO = {
  operator: 'operator@sightline.test',
  senior_officer: 'officer@sightline.test',
  admin: 'admin@sightline.test',
  auditor: 'auditor@sightline.test',
} as const;

export class LoginPage {
  constructor(readonly page: Page) {}

  async goto(next?: string) {
    await this.page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  }

  async signIn(email: string, password = DEMO_PASSWORD) {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async signInAndWait(email: string) {
    await this.goto();
    await this.signIn(email);
    await expect(this.page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  }

  error() {
    return this.page.locator('form').getByRole('alert');
  }
}
