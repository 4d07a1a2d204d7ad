import { expect, type Page } from '@playwright/test';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../support/session';

export const DEMO = DEMO_EMAIL;

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
